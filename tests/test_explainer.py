import math

import pytest

from recommender.config import build_config
from recommender.data.types import Catalog, Item
from recommender.errors import ConfigError
from recommender.explain_plain import plain_explanation
from recommender.llm.explainer import ExplainerConfig, Explainer, ExplainInput, cut_sentences, trim_to_sentence
from recommender.types import Evidence, Recommendation, Request
from tests.fakes import FakeBackend

ROWS = [("Heat", 1995, "Action Crime Thriller"), ("Usual Suspects, The", 1995, "Crime Thriller"),
        ("Fargo", 1996, "Crime Drama Thriller"), ("Toy Story", 1995, "Animation Comedy"),
        ("Big", 1988, "Comedy Fantasy"), ("Die Hard", 1988, "Action Thriller"),
        ("Die Hard 2", 1990, "Action Thriller"), ("Alien", 1979, "Horror Sci-Fi")]
HEAT, SUSPECTS, FARGO, TOY_STORY, BIG, DIE_HARD, DIE_HARD_2, ALIEN = range(8)


def catalog() -> Catalog:
    return Catalog([Item(str(i + 1), t, y, tuple(g.split())) for i, (t, y, g) in enumerate(ROWS)])


def explain_input(item=SUSPECTS, related=(HEAT, FARGO), query="a tense crime story") -> ExplainInput:
    evidence = [Evidence("collab", 1, 0.9, 'co-watched with "Heat (1995)"', related=tuple(related))]
    return ExplainInput(item, query, evidence, history=[TOY_STORY, HEAT, FARGO], ratings=[3.0, 5.0, math.nan])


def explainer(reply: str, **config) -> Explainer:
    return Explainer(FakeBackend(reply=reply), catalog(), ExplainerConfig(**config))


START = 'You may like "Usual Suspects, The" (1995) because'


def test_grounded_text_streams_then_passes_the_check():
    reply = " like Heat, The Usual Suspects is a tense crime story. You rated Fargo highly too."
    ex = explainer(reply)
    updates = list(ex.stream(explain_input()))
    assert updates[0].text == START  # the answer start shows at once
    assert [u.done for u in updates] == [False] * (len(updates) - 1) + [True]
    assert all((START + reply).startswith(u.text) for u in updates)
    assert updates[-1].text == START + reply and not updates[-1].fallback
    assert ex.backend.prompts[0].endswith("<assistant>\n" + START)
    assert (ex.stats.explained, ex.stats.fallbacks) == (1, 0)


def test_a_title_outside_the_evidence_falls_back_to_the_plain_explanation():
    inp = explain_input()
    ex = explainer(" if you liked Alien, you will love it.")
    result = ex.explain(inp)
    item = catalog()[SUSPECTS]
    expected = plain_explanation(catalog(), Request(list(inp.history), list(inp.ratings), inp.query),
                                 Recommendation(item.item_id, item.display, 0.0, list(inp.evidence), index=SUSPECTS))
    assert result.fallback and result.text == expected
    assert 'Co-watched with "Heat (1995)" (you rated it 5/5)' in result.text
    assert ex.stats.fallbacks == 1 and ex.stats.reasons == {"ungrounded title": 1}


def test_empty_generation_falls_back():
    ex = explainer("")
    assert ex.explain(explain_input()).fallback
    assert ex.stats.reasons == {"empty": 1}


def test_stops_after_two_sentences_and_drops_an_unfinished_one():
    ex = explainer(" it is a crime film. Two great twists! Three is extra. Four is more.")
    assert ex.explain(explain_input()).text == START + " it is a crime film. Two great twists!"
    # Stopped one piece after "twists!": only the next piece shows the sentence really ended there.
    assert ex.backend.streamed_pieces == 9
    truncated = explainer(" it is tense. It has a twist that you will", max_new_tokens=9)
    assert truncated.explain(explain_input()).text == START + " it is tense."


@pytest.mark.parametrize("text, named", [
    ("Die Hard 2 is the sequel.", [[DIE_HARD_2]]),  # longest span: not also "Die Hard"
    ("It feels the heat of a big city.", []),  # lowercase single words and 3-letter titles are words
    ("Heat and Big Fargo-like fun.", [[HEAT], [FARGO]]),  # "Big" is under 4 characters
    ("The Usual Suspects (1995) twists.", [[SUSPECTS]]),
])
def test_mentioned_titles(text, named):
    assert explainer("x").mentioned_items(text) == named


def test_prompt_shows_evidence_ratings_shared_genres_and_the_request():
    ex = explainer("x", max_evidence_items=1)
    prompt = ex.prompt(explain_input())
    assert 'Recommended movie: "Usual Suspects, The" (1995) (Crime, Thriller).' in prompt
    assert '- "Heat" (1995), rated 5/5; shares Crime, Thriller' in prompt
    assert '"Fargo"' not in prompt  # capped at one evidence item, so Fargo is no longer allowed either
    assert 'My request: "a tense crime story"' in prompt
    capped = explainer(" Fargo fans like it.", max_evidence_items=1)
    assert capped.explain(explain_input()).fallback


def test_explainer_config_is_validated():
    with pytest.raises(ConfigError, match="max_sentences"):
        build_config(ExplainerConfig, overrides={"max_sentences": 0})


def test_sentences_are_counted_in_the_generated_text_only():
    catalog_with_dots = Catalog(list(catalog()) + [Item("9", "Mr. Holland's Opus. Part I.", 1995, ("Drama",))])
    ex = Explainer(FakeBackend(reply=" it moves. It inspires. More."), catalog_with_dots, ExplainerConfig())
    inp = ExplainInput(8, None, [], [], [])
    assert ex.explain(inp).text == 'You may like "Mr. Holland\'s Opus. Part I." (1995) because it moves. It inspires.'


def test_sentence_helpers():
    assert cut_sentences("A. B! C", 2) == ("A. B!", True)
    assert cut_sentences("A. B", 2) == ("A. B", False)
    assert trim_to_sentence("Good film. And then") == "Good film."
    assert trim_to_sentence(" no end at all ") == " no end at all"


def test_the_plain_explanation_names_the_genres_the_request_asked_for():
    from recommender.types import Evidence, Recommendation

    rec = Recommendation("5", "Big (1988)", 1.0, [Evidence("dense", 3, 0.5, "close in meaning to your request")],
                         index=BIG)
    text = plain_explanation(catalog(), Request(query="something funny Comedy Sci-Fi"), rec)
    assert text == "Close in meaning to your request; Comedy, as you asked."
    assert "as you asked" not in plain_explanation(catalog(), Request(query="a heist"), rec)
