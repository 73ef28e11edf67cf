"""The intent benchmark's relevance scoring (eval/intent_bench.py)."""

from types import SimpleNamespace

from chat_fakes import index_of, make_catalog

from recommender.chat.state import DialogueState
from recommender.evaluation.intent_bench import Case, precision_at_10
from recommender.titles import TitleIndex

CATALOG = make_catalog()


def case(relevant: dict) -> Case:
    return Case.from_json({"id": "f001", "message": "3 good comedies please", "state": None,
                           "intent": {"action": "request", "genres": ["Comedy"]}, "titles": {}, "relevant": relevant})


def test_a_list_of_the_size_asked_for_is_judged_by_that_size():
    """"give me 3 good westerns" shows three picks: three right ones are all right, not 3 of 10."""
    rows = [SimpleNamespace(index=index_of(CATALOG, t)) for t in ("Groundhog Day", "Clueless", "Big")]
    args = (case({"genres_all": ["Comedy"]}), rows, "", (), (), CATALOG, TitleIndex(CATALOG), DialogueState())
    assert precision_at_10(*args, asked=3) == 1.0
    assert precision_at_10(*args) == 0.3  # ten were due: three of ten
    assert precision_at_10(*args, asked=20) == 0.3
    assert precision_at_10(case({"genres_all": ["Horror"]}), *args[1:], asked=3) == 0.0


def test_the_ceiling_is_what_a_perfect_list_scores_in_this_catalogue():
    from recommender.evaluation.intent_bench import catalogue_ceiling

    titles = TitleIndex(CATALOG)
    horror = sum("Horror" in item.genres for item in CATALOG)
    assert 0 < horror < 10  # the small test catalogue: fewer than ten horror films
    assert catalogue_ceiling(case({"genres_all": ["Horror"]}), CATALOG, titles) == horror / 10
    assert catalogue_ceiling(case({"genres_all": ["Horror"]}), CATALOG, titles, asked=1) == 1.0
    assert catalogue_ceiling(case({"answers": {"item": 1, "ask": "about"}}), CATALOG, titles) == 1.0
    comedies = [i for i, item in enumerate(CATALOG) if "Comedy" in item.genres]
    rows = [SimpleNamespace(index=i) for i in comedies[:10]]
    perfect = precision_at_10(case({"genres_all": ["Comedy"]}), rows, "", (), (), CATALOG, titles, DialogueState())
    assert perfect == catalogue_ceiling(case({"genres_all": ["Comedy"]}), CATALOG, titles)


def test_the_chats_help_is_no_answer_to_a_question_about_an_item():
    """"what's #3?" with Alien (Horror) at #3 scored as answered when the reply was "I didn't find a request in
    that" and the help, whose example is *something like Alien but funnier* and *no horror*."""
    from recommender.chat.session import HELP
    from recommender.evaluation.intent_bench import reply_ok

    state = DialogueState()
    state.last_shown = [index_of(CATALOG, t) for t in ("Heat", "Scream", "Alien")]
    rule = {"answers": {"item": 3, "ask": "about", "expect": None}}
    assert not reply_ok(rule, "I didn't find a request in that. " + HELP, (1,), (1,), CATALOG, state)
    assert reply_ok(rule, "#3 is **Alien** (1979), a Horror and Sci-Fi film.", (1,), (1,), CATALOG, state)
