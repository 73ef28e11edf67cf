"""Explanations from fact sheets: the facts, their plain rendering, the gate, the independent check, and
the explainer's choices (LLM text, plain fallback, cache)."""

import dataclasses
import math
import re

import numpy as np
import pytest

from recommender.data.types import Catalog, Item
from recommender.explain.check import check, particular_facts, skeleton
from recommender.explain.facts import FactBuilder, FactSheet
from recommender.explain.plain import render, render_list
from recommender.llm.explainer import closed_before_aside, Explainer, ExplainerConfig
from recommender.llm.gate import FactGate
from recommender.titles import TitleIndex
from recommender.types import Evidence, Recommendation, Request

GENRES = ["Action", "Comedy", "Crime", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller", "War"]


def catalog() -> Catalog:
    rows = [("Heat", 1995, ("Action", "Crime", "Thriller")), ("Ronin", 1998, ("Action", "Crime", "Thriller")),
            ("Fargo", 1996, ("Crime", "Drama", "Thriller")), ("Toy Story", 1995, ("Comedy",)),
            ("Alien", 1979, ("Action", "Horror", "Sci-Fi", "Thriller")), ("Clueless", 1995, ("Comedy", "Romance")),
            ("Casablanca", 1942, ("Drama", "Romance", "War")), ("Scream", 1996, ("Horror", "Thriller"))]
    return Catalog([Item(str(i), t, y, g) for i, (t, y, g) in enumerate(rows)])


HEAT, RONIN, FARGO, TOY, ALIEN, CLUELESS, CASABLANCA, SCREAM = range(8)


class Channel:
    def __init__(self, matrix):
        self.matrix = matrix


class FakeRetriever:
    """Co-occurrence that makes "people who watched both" = 31 for Heat/Ronin (45 and 60 viewers)."""

    def __init__(self, n: int):
        viewers = np.array([45, 60, 80, 300, 120, 90, 70, 50], dtype=np.float32)[:n]
        cooc = np.zeros((n, n), dtype=np.float32)
        cooc[HEAT, RONIN] = cooc[RONIN, HEAT] = 31 / math.sqrt(45 * 60)
        cooc[SCREAM, RONIN] = cooc[RONIN, SCREAM] = 5 / math.sqrt(50 * 60)
        self.channels = {"cooccurrence": Channel(cooc), "popularity": type("P", (), {"counts": viewers})()}


def sheet_for(item=RONIN, history=(HEAT, SCREAM), ratings=(5.0, 1.0), **request) -> FactSheet:
    cat = catalog()
    evidence = [Evidence("cooccurrence", 1, 1.0, "co-watched", related=(h,)) for h in history]
    rec = Recommendation(cat[item].item_id, cat[item].display, 1.0, evidence, index=item)
    return FactBuilder(cat, FakeRetriever(len(cat))).build(Request(list(history), list(ratings), **request), rec)


def test_fact_sheet_counts_people_who_watched_both_and_never_uses_a_low_rated_source():
    sheet = sheet_for()
    assert [s.title for s in sheet.sources] == ["Heat"]  # Scream was rated 1/5: never a reason
    heat = sheet.sources[0]
    assert (heat.rating, heat.together, heat.viewers) == (5.0, 31, 45)
    assert heat.shared_genres == ("Action", "Crime", "Thriller")
    assert {"31", "45", "5/5", "1998", "60"} <= sheet.numbers()
    assert sheet.particular and sheet_for(history=()).particular is False


def test_fact_sheet_reports_what_the_request_asked_for():
    from recommender.types import Constraints

    sheet = sheet_for(wished_genres=("Crime", "Comedy"), constraints=Constraints(min_year=1990, max_year=1999))
    assert sheet.asked_genres == ("Crime",) and sheet.asked_years == (1990, 1999)


def test_plain_rendering_names_a_particular_fact_and_no_two_cards_share_a_skeleton():
    sheets = [sheet_for(item=i, history=(HEAT,), ratings=(5.0,), wished_genres=("Thriller",))
              for i in (RONIN, FARGO, ALIEN, SCREAM)] * 3  # twelve cards, four distinct films
    texts = render_list(sheets)
    skeletons = [skeleton(t, s) for t, s in zip(texts, sheets)]
    assert len(set(skeletons)) == len(skeletons)
    for text, sheet in zip(texts, sheets):
        assert check(text, sheet, catalogue_genres=GENRES).ok, text
        assert particular_facts(text, sheet)
    assert "31 of the 45" in render(sheet_for())[1] or "31 of 45" in " ".join(render(sheet_for(), style=s)[1]
                                                                            for s in range(8))


@pytest.mark.parametrize("text, kinds", [
    ("You rated “Heat” 5/5; 31 of its 45 viewers also saw “Ronin”.", []),
    ("You rated “Heat” 5/5, like “Goldfinger” fans.", ["title"]),
    ("You rated “Heat” 5/5 and Tom Hanks stars in it.", ["person", "source"]),
    ("You rated “Heat” 5/5; it won in 1977.", ["year"]),
    ("You rated “Heat” 5/5; 99 of its 45 viewers saw it.", ["number"]),
    ("You rated “Heat” 5/5, and it is a comedy.", ["genre"]),
    ("You rated “Heat” 5/5; it is based on a novel.", ["source"]),
    ("31 of the 45 who watched “Heat” (your 5/5) also saw “Ronin” (your 5/5).", ["number"]),  # Ronin: not rated
    ("31 of the 45 who watched “Heat” (you rated it 5/5) also saw “Ronin” (you gave 5/5).", ["number", "garbled"]),
    ("31 of the 45 who watched “Heat” (your 5/5) also saw “Ronin” (the Action you rated 5/5).", ["number", "garbled"]),
    ("31 of the 45 who watched “Heat” (your 5/5) also saw “Ronin” (since you gave it 5/5).", ["number", "garbled"]),
    ("31 of the 45 who watched “Heat” (your 5/5) also saw “Ronin” (because you gave “Heat” 5/5).", []),
    ("It is a movie that many people like.", ["vacuous"]),
    ("You rated “Heat” 5/5, a favourite of mine.", ["viewer's voice"]),
    ("You rated “Heat” 5/5 and and it fits.", ["repetition"]),
    ("You rated “Heat” 5/5 and it is a film of the", ["truncated"]),
    # shown in the audit run of 2026-12-03 as a whole card: a subject with no verb
    ("31 of the 45 people who watched “Heat”.", ["truncated"]),
    ("You rated “Heat” 5/5. 31 of the 45 people who watched “Heat” (your 5/5).", ["truncated"]),
    ("31 of the 45 people who watched “Heat” also saw “Ronin”.", []),
    # shown in the audit run of 2026-11-29, all with facts the sheet holds, all unreadable:
    ("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” (the Action it is).", ["garbled"]),
    ("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” (theAction and Thriller it is).", ["garbled"]),
    ("You rated “Heat” 5/5, and “Ronin” is thecrime you like.", ["garbled"]),
    ("You rated “Heat” 5/5; 31 of its 45 viewers saw “Ronin” (IDN).", ["person", "garbled"]),
    ("You rated “Heat” 5/5; 31 of its 45 viewers saw “Ronin” (with 60 viewers).", []),
    # counts the sheet holds, written against the wrong title or none:
    ("It is Action. 31 of the 45 people here saw both.", ["number"]),
    ("You rated “Heat” 5/5. 31 people here watched “Ronin”.", ["number"]),
    ("You rated “Heat” 5/5. 60 people here watched “Ronin”.", []),
    # an aside that gives one title another's count or year (found in review, fifth session)
    ("31 of the 45 people who watched “Heat” (with 60 viewers) also saw “Ronin”.", ["number"]),
    ("You rated “Heat” 5/5; “Ronin” (1995) pairs with it.", ["number"]),
    ("You rated “Heat” 5/5; “Ronin” (1998) pairs with it.", []),
    # shown in the audit of the fifth session: the source where the recommended film belongs
    ("31 of the 45 people who watched “Heat” (your 5/5) also saw “Heat” (your 5/5); both are Action.", ["repetition"]),
    ("You rated “Heat” 5/5. 31 of its 45 viewers saw “Ronin”, as “Heat” fans do.", []),
    # shown in the eighteenth session's trials of Lawnmower Man 2 (1.7/5 on average): a count is of viewers
    ("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” (its 60 fans).", ["number", "garbled"]),
    ("You rated “Heat” 5/5; 31 of its 45 fans also saw “Ronin”.", ["number"]),
    ("You rated “Heat” 5/5; “Ronin” has 60 fans here.", ["number"]),
    ("It is Action, and 31 viewers watched the 45 people who watched “Heat”.", ["garbled"]),
    ("It is the 5/5 you gave to “Heat” that many others saw. 60 people here watched it.", ["garbled"]),
    ("Because of the 5/5 you gave to “Heat”: 31 of its 45 viewers also saw “Ronin”.", []),
    ("“Ronin” is Action, as “Heat” is; 31 of the people who watched “Heat” saw it.", []),  # a plain template
    # shown in the twenty-first session's trials ("i loved alien and aliens", "like the shawshank redemption"):
    ("It is Action, Thriller and 60 people who watched “Heat” that watched “Ronin” as well.", ["number", "garbled"]),
    ("Close to “Heat” is that it is Action, and 31 viewers watched the two.", ["garbled"]),
    # shown in the twenty-third session's trials ("i liked pulp fiction and resevoir dogs", "I loved Babe, …"):
    ("Close to “Heat” is Action; 31 viewers watched both.", ["garbled"]),
    ("Close to “Heat” is the Action it is. 60 people watched it.", ["garbled"]),
    ("Close to “Heat”: both are Action, and 31 viewers watched the two.", []),
    ("45 people who watched “Heat” also saw “Ronin”.", ["number"]),
    ("31 people who watched “Heat” also saw “Ronin”.", []),
    ("The 45 people who watched “Heat” (your 5/5) may like “Ronin” too.", []),
    # shown in the twenty-fourth session's trials (user 13, "something similar to that"): the film with itself
    ("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” with “Ronin” and “Ronin” together.",
     ["repetition"]),
    ("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” and “Ronin”.", ["repetition"]),
    ("From “Heat” (your 5/5) and 31 of its 45 viewers also saw “Ronin”.", ["garbled"]),  # user 22's card
    ("From “Heat” (your 5/5): 31 of its 45 viewers also saw “Ronin”.", []),
])
def test_the_check_names_every_unsupported_claim_by_kind(text, kinds):
    cat = catalog()
    titles = TitleIndex(Catalog(list(cat) + [Item("g", "Goldfinger", 1964, ("Action",))]))
    assert check(text, sheet_for(), titles, GENRES).kinds() == kinds


def test_a_report_of_the_request_must_match_what_it_asked():
    """Seen in the chat: "something funny" (Comedy, no years) gave Much Ado About Nothing (Comedy, Romance)
    the card "From 1993, within the years you asked for, within the Romance you wanted"."""
    from recommender.types import Constraints

    sheet = sheet_for(item=CLUELESS, history=(TOY,), ratings=(4.0,), wished_genres=("Comedy",))
    false = "From 1995, within the years you asked for, within the Romance you wanted."
    assert check(false, sheet, catalogue_genres=GENRES).claims["request"]
    assert check("It is Comedy, as you asked.", sheet, catalogue_genres=GENRES).ok
    # "Forrest Gump | For your Comedy and Romance request.": a card's whole text, nothing said of the film
    assert check("For your Comedy request.", sheet, catalogue_genres=GENRES).form == ["truncated"]
    assert check("For your Comedy request: “Clueless”. It came out in 1995.", sheet, catalogue_genres=GENRES).ok
    years = sheet_for(item=CLUELESS, history=(TOY,), wished_genres=("Comedy",),
                      constraints=Constraints(min_year=1990, max_year=1999))
    assert check("From 1995, within the years you asked for.", years, catalogue_genres=GENRES).ok
    nothing = sheet_for(item=CLUELESS, history=(TOY,))
    assert check("“Toy Story” viewers liked it, as you wanted.", nothing, catalogue_genres=GENRES).claims["request"]
    gate = FactGate(sheet, GENRES)
    assert gate.allows("It is the Comedy you wanted.") and not gate.allows("It is the Romance you wanted.")
    assert not gate.allows("From 1995, within the years you asked ")
    assert check("From 1995, within the years you askedfor.", sheet, catalogue_genres=GENRES).claims["request"]


def test_plain_renderings_report_only_the_asked_genres():
    """A card about a source ("Both are Action") followed by the request sentence named the source's shared
    genres as the ones asked for ("It is also the Action, Crime and Thriller you wanted")."""
    sheet = sheet_for(item=RONIN, history=(HEAT,), ratings=(5.0,), wished_genres=("Thriller",))
    from recommender.explain.plain import options

    texts = [text for _, text in options(sheet)]
    assert any("“Heat”" in t and ("you wanted" in t or "requested" in t) for t in texts)
    for text in texts:
        assert check(text, sheet, catalogue_genres=GENRES).ok, text


def test_the_gate_completes_a_quoted_title_once_its_start_fits_one_title():
    """Seen in the audit: the model closed “Awfully Big Adventure” before the sheet title's ", An"; the gate
    refused the close and the explanation was cut short."""
    gate = FactGate(sheet_for(), GENRES)  # titles: Ronin, Heat
    assert gate.forced("You rated “He") == "at”"
    assert gate.forced('You rated "Ro') == 'nin"'
    assert gate.forced("You rated “") is None  # which title is the model's choice
    assert gate.forced("You rated “Heat” 5/5") is None  # not inside a quote
    assert gate.allows("You rated “He" + gate.forced("You rated “He"))


def test_the_gate_stops_a_claim_before_it_is_written():
    gate = FactGate(sheet_for(), GENRES)
    assert gate.allows("You rated “Heat” 5/5; 31 of its 45")
    assert gate.allows("You rated “He")  # a title the sheet holds, still being written
    assert not gate.allows("You rated “Goldf")  # a quoted title the sheet does not hold
    assert not gate.allows("You rated “Heat” 4/5")  # a number it does not hold
    assert not gate.allows("It stars Tom ")  # a name it does not hold
    assert not gate.allows("It is based on the novel ")
    assert not gate.allows("It is a comedy ")  # Ronin is no comedy
    assert not gate.allows("It is tense tense ")
    assert not gate.allows("I loved it ")
    assert not gate.allows("31 of them also saw “Ronin” (your")  # a rating of a film the user did not rate
    assert not gate.allows("31 of them also saw “Ronin” (yo") and gate.allows("You rated “Heat” (your")
    assert not gate.allows("31 of them also saw “Ronin” (you")  # "(you gave 4/5)", seen in the audit
    choice = gate.choose("You rated “Heat” ", [(1, "4/5"), (2, "5/5")])
    assert choice == 2


def test_a_first_sentence_cut_inside_an_aside_ends_before_it():
    assert closed_before_aside("3 of the 7 people who watched “Mercury Rising” (your 4/5) also saw “Matilda” (it") == (
        "3 of the 7 people who watched “Mercury Rising” (your 4/5) also saw “Matilda”.")
    assert closed_before_aside("It is “Ronin”. Both are (it") == "It is “Ronin”. Both are (it"  # a finished sentence
    assert closed_before_aside("You rated “Heat (") == "You rated “Heat ("  # inside a title
    assert closed_before_aside("(it") == "(it"


def test_the_gate_writes_only_the_sheets_own_asides():
    """Seen in the audit: "… also saw “Cape Fear” (since it came out in 1991)." and "(the Drama it is)" read
    garbled, and the check replaced 28 of 80 drafts for it."""
    gate = FactGate(sheet_for(), GENRES)  # Ronin (1998), Action, Crime, Thriller; Heat rated 5/5; 60 viewers
    assert gate.allows("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” (with 60 viewers).")
    assert gate.allows("It is “Ronin” (1998).") and gate.allows("It is “Ronin” (Action, Crime, Thriller).")
    assert not gate.allows("31 of the 45 people who watched “Heat” also saw “Ronin” (since")
    assert not gate.allows("It is “Ronin” (the Action")
    assert gate.allows("It is “Ronin” (199") and not gate.allows("It is “Ronin” (1999")
    assert not gate.allows("It is “Ronin” (with 61 viewers)")
    assert gate.allows("It is “Ronin” (its 60 viewers)") and not gate.allows("It is “Ronin” (its 60 fans")  # viewers, not fans
    # an aside belongs to the title it follows: 60 people watched Ronin, 45 Heat (seen in a review)
    assert not gate.allows("31 of the 45 people who watched “Heat” (with 60 viewers)")
    assert not gate.allows("“Heat” (1998)") and not gate.allows("It came out (1998)")
    assert not gate.allows("31 of the 45 people who watched “Heat” (your 5/5) also saw “Heat”")
    assert gate.allows("You rated “Heat” 5/5. Fans of “Heat”")  # another sentence
    assert gate.choose("You rated “Heat” 5/5; it is “Ronin” ", [(1, "(since"), (2, "(with"), (3, "(")]) == 2
    assert gate.allows("It is “Ronin” (it is Action, Crime and Thriller).")
    assert not gate.allows("It is “Ronin” (it is Action and Crime and")  # seen in the chat, with five genres


def test_numbers_and_repeated_words_inside_a_title_belong_to_the_title():
    """Seen in the audit: “Jungle2Jungle”, “Murder at 1600”, “Liar Liar” were refused mid-title (the digits
    are no count, the repeated word no repetition), and those drafts ended there, truncated."""
    for title in ("Liar Liar", "Jungle2Jungle", "Murder at 1600"):
        gate = FactGate(dataclasses.replace(sheet_for(), title=title), GENRES)  # Heat rated 5/5
        assert gate.allows(f"Since you rated “Heat” 5/5, try “{title}”."), title
    gate = FactGate(dataclasses.replace(sheet_for(), title="Jungle2Jungle"), GENRES)
    assert gate.forced("Since you rated “Heat” 5/5, try “Jung") == "le2Jungle”"
    assert not gate.allows("Since you rated “Heat” 5/5, try 2 ")  # outside a title, a number is a claim


class FakeWriter:
    """A backend whose batched generation writes `texts[position]` for each row (and records the calls)."""

    def __init__(self, texts: dict, adapters=("explain",)):
        self.texts, self.adapters, self.batches = texts, {a: "x" for a in adapters}, []
        from tests.fakes import FakeTokenizer

        self.tokenizer = FakeTokenizer()

    def chat_prompt(self, user_message, system=None):
        return f"<s>{system}</s><u>{user_message}</u><a>"

    def generate_batch(self, prefix, rests, choose, finished, max_new_tokens, adapter=False, force=None):
        self.batches.append(len(rests))
        for row, rest in enumerate(rests):
            position = int(rest.split("Style: ")[1].split("<")[0])
            yield row, self.texts[position]


def explainer_with(texts: dict, adapters=("explain",)):
    cat = catalog()
    ex = Explainer(FakeWriter(texts, adapters), cat, ExplainerConfig(), facts=FactBuilder(cat, FakeRetriever(len(cat))))
    return ex


def recs_for(items):
    cat = catalog()
    evidence = [Evidence("cooccurrence", 1, 1.0, "co-watched", related=(HEAT,))]
    return [Recommendation(cat[i].item_id, cat[i].display, 1.0, evidence, index=i) for i in items]


def test_explainer_keeps_checked_llm_texts_and_replaces_the_others_with_the_plain_rendering():
    good = "You rated “Heat” 5/5; 31 of its 45 viewers also saw “Ronin”."
    ex = explainer_with({0: good, 1: "Fargo is a comedy classic.", 2: good})
    request = Request([HEAT], [5.0])
    cards = sorted(ex.explain_list(request, recs_for([RONIN, FARGO, RONIN])), key=lambda c: c.position)
    assert [c.source for c in cards] == ["llm", "plain", "plain"]
    assert cards[0].text == good
    assert "genre" in cards[1].rejected and cards[1].draft == "Fargo is a comedy classic."
    assert cards[2].rejected == ("duplicate skeleton",)  # the same sentence as card 1
    assert ex.backend.batches == [1, 2]  # the first card alone, so it shows first


def test_explainer_reuses_cached_cards_and_writes_only_new_ones():
    good = "You rated “Heat” 5/5; 31 of its 45 viewers also saw “Ronin”."
    ex = explainer_with({0: good, 1: "You rated “Heat” 5/5, and “Fargo” is Crime and Thriller too."})
    cache = {}
    request = Request([HEAT], [5.0])
    list(ex.explain_list(request, recs_for([RONIN]), cache))
    cards = list(ex.explain_list(request, recs_for([RONIN, FARGO]), cache))
    assert [c.source for c in cards] == ["cache", "llm"]
    assert ex.backend.batches == [1, 1]  # the second list wrote one card


def test_without_the_explain_adapter_every_card_is_the_plain_rendering():
    ex = explainer_with({}, adapters=())
    cards = list(ex.explain_list(Request([HEAT], [5.0]), recs_for([RONIN, FARGO])))
    assert [c.source for c in cards] == ["plain", "plain"] and ex.backend.batches == []
    assert all(check(c.text, ex.facts.build(Request([HEAT], [5.0]), r), catalogue_genres=GENRES).ok
               for c, r in zip(cards, recs_for([RONIN, FARGO])))


def test_quick_cards_show_checked_plain_text_at_once_and_a_failed_draft_keeps_it():
    good = "You rated “Heat” 5/5; 31 of its 45 viewers also saw “Ronin”."
    ex = explainer_with({0: good, 1: "Fargo is a comedy classic."})
    request, recs = Request([HEAT], [5.0]), recs_for([RONIN, FARGO])
    quick = ex.quick_cards(request, recs, {})
    assert [(c.source, c.final) for c in quick] == [("plain", False), ("plain", False)]
    assert ex.backend.batches == []  # no model call before the list shows
    for card, rec in zip(quick, recs):
        assert check(card.text, ex.facts.build(request, rec), catalogue_genres=GENRES).ok, card.text
    cache = {}
    cards = sorted(ex.explain_list(request, recs, cache, shown=quick), key=lambda c: c.position)
    assert [(c.source, c.final) for c in cards] == [("llm", True), ("plain", True)]
    assert cards[0].text == good and cards[1].text == quick[1].text  # the failed draft changed nothing
    assert sorted(cache.values()) == sorted([good, quick[1].text])


def test_an_llm_text_may_not_repeat_the_sentence_another_card_shows():
    ex = explainer_with({})
    request, recs = Request([HEAT], [5.0]), recs_for([RONIN, FARGO])
    quick = ex.quick_cards(request, recs, {})
    ronin_sheet = ex.facts.build(request, recs[0])
    copy = "“Ronin” is close to “Heat” (Action, Crime and Thriller), which you rated 5/5. 60 people here watched it."
    ex.backend.texts = {0: copy, 1: "x"}  # card 0 copies the phrasing card 1 shows
    assert skeleton(copy, ronin_sheet) == skeleton(quick[1].text, ex.facts.build(request, recs[1]))
    cards = sorted(ex.explain_list(request, recs, {}, shown=quick), key=lambda c: c.position)
    assert cards[0].source == "plain" and cards[0].rejected == ("duplicate skeleton",)


def test_a_genre_word_inside_a_quoted_title_is_no_genre_claim():
    """The audit's most common truncation: after “Awfully Big Adventure, An” (a source of a Drama's card)
    the gate refused every next token, because the title's "Adventure" read as a genre the card lacks."""

    sheet = sheet_for(history=(HEAT,), ratings=(5.0,))
    source = dataclasses.replace(sheet.sources[0], title="Awfully Big Adventure, An")
    gate = FactGate(dataclasses.replace(sheet, sources=(source,)), GENRES + ["Adventure"])
    text = "31 of the 45 people who watched “Awfully Big Adventure, An”"
    assert gate.allows(text + " also") and gate.allows(text + " (your 5/5) also saw “Ronin”.")
    assert not gate.allows(text + " also saw “Ronin”, an Adventure film")  # outside the quotes it is still a claim


def test_a_count_must_sit_with_the_title_it_counts():
    """Shown in the audit run of 2026-11-30 (every number on the sheet, so nothing was flagged): 186 of
    316 watched “Saint” and the card, but the text gave those counts to “Thousand Acres”; and "85 viewers
    watched it" where 85 watched the card *and* “Alien”."""

    sheet = sheet_for(history=(HEAT,), ratings=(5.0,))
    heat = sheet.sources[0]
    fargo = dataclasses.replace(heat, item=FARGO, title="Fargo", together=12, viewers=80)
    sheet = dataclasses.replace(sheet, sources=(heat, fargo))
    assert check("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin”.", sheet).ok
    moved = "31 of the 45 people who watched “Fargo” (your 5/5) also saw “Ronin”."
    assert check(moved, sheet).claims["number"] == ["31 of the 45"]
    assert check("Close to “Heat”, and 31 viewers watched the two.", sheet).claims["number"] == []
    assert check("It is Action, and 31 viewers watched it.", sheet).claims["number"] == ["31"]
    gate = FactGate(sheet, GENRES)
    assert gate.allows("31 of the 45 people who watched “")  # the title may still come
    assert not gate.allows("31 of the 45 people who watched “Fargo”")  # refused as the quote closes
    assert gate.forced("31 of the 45 people who watched “F") is None  # and never written for the model
    assert gate.forced("31 of the 45 people who watched “H") == "eat”"


def test_a_plain_rendering_states_the_year_once():
    """Seen in the chat: "“Star Wars” came out in 1977, as you wanted. Out in 1977, with 583 viewers here."."""
    from recommender.types import Constraints

    sheet = sheet_for(item=ALIEN, history=(), ratings=(), constraints=Constraints(min_year=1970, max_year=1980))
    texts = [render(sheet, style=s)[1] for s in range(12)] + render_list([sheet] * 10)
    assert any("1979" in t for t in texts)
    assert all(t.count("1979") == 1 for t in texts if "1979" in t), [t for t in texts if t.count("1979") > 1]


def test_a_draft_cut_by_the_token_budget_keeps_its_finished_sentences():
    """The audit rejected 125 of 350 drafts as truncated, most with a whole first sentence before the cut."""
    from recommender.llm.explainer import closed_before_aside, complete_sentences

    assert complete_sentences("You rated “Heat” 5/5; 31 of its 45 viewers saw “Ronin”. It came out") == \
        "You rated “Heat” 5/5; 31 of its 45 viewers saw “Ronin”."
    assert complete_sentences("31 of the 45 people who watched “E.T. the Extra") == "31 of the 45 people who watched “E.T. the Extra"
    assert complete_sentences("Both are Drama. They share it.") == "Both are Drama. They share it."


def test_one_viewer_is_one_person():
    """A known user's card said "1 people here watched it" (Butcher Boy, 1998)."""
    from recommender.explain.plain import options

    sheet = FactSheet(0, "Butcher Boy, The", 1998, ("Drama",), asked_years=(1990, None), viewers=1)
    texts = [text for _, text in options(sheet)]
    assert not any("1 people" in t or "1 viewers" in t for t in texts)
    assert any("1 person" in t or "1 viewer" in t for t in texts)


def test_a_new_users_genre_cards_name_more_than_the_genre_asked_for():
    """A new user's "thriller" list read "Genre: Thriller, just as requested." and "For your Thriller request:
    “Rock, The”." on half its cards: once each second sentence had been used, one sentence won."""
    sheets = [sheet_for(item=i, history=(), ratings=(), wished_genres=("Thriller",))
              for i in (RONIN, FARGO, ALIEN, SCREAM)]
    texts = render_list(sheets * 2)  # eight cards
    assert all(text.count(". ") >= 1 for text in texts), texts  # two sentences: a fact beyond "Thriller, as asked"
    for text, sheet in zip(texts, sheets * 2):
        assert check(text, sheet, catalogue_genres=GENRES).ok, text


def test_an_open_year_range_is_not_written_with_an_ellipsis():
    """"why #2?" after "comedy before 1990" answered "Made in 1983, inside your …–1989 range"."""
    sheet = FactSheet(item=1, title="Raising Arizona", year=1987, genres=("Comedy",), asked_years=(None, 1989))
    from recommender.explain.plain import options

    assert options(sheet) and not any("…" in text for _, text in options(sheet))
    closed = dataclasses.replace(sheet, asked_years=(1980, 1989))
    assert any("1980–1989" in text for _, text in options(closed))


def test_a_lesser_known_request_is_a_fact_the_card_names():
    """"any underrated thrillers?": the cards said only "It is Thriller, as you asked. 127 people here watched it."
    without saying why these films and not the famous ones."""
    from recommender.types import Constraints

    sheets = [sheet_for(item=i, history=(), ratings=(), constraints=Constraints(less_known=True)) for i in (RONIN, FARGO, SCREAM)]
    assert all(s.asked_less_known and s.particular and s.answers_request for s in sheets)
    texts = render_list(sheets)
    assert all(re.search(r"lesser-known|less watched|beaten track|most watched", t, re.I) for t in texts), texts
    assert all(not check(t, s).kinds() for t, s in zip(texts, sheets))
    assert "60 people here watched it, the 6th most watched" in texts[0]  # Ronin: 60 viewers, 6th of the 8 films
    assert not sheet_for().asked_less_known


def test_a_best_rated_request_puts_the_films_rating_on_every_card():
    """"the best rated films of 1997": the cards said "From 1997, within the years you asked for. 112 people here
    watched it." without the rating that the list was chosen by."""
    from recommender.retrieval.ratings import ItemRatings
    from recommender.types import Constraints

    cat = catalog()
    retriever = FakeRetriever(len(cat))
    retriever.ratings = ItemRatings(np.array([4.25, 3.8, 4.0, 3.0, 4.4, 3.2, 4.5, np.nan], dtype=np.float32),
                                    np.array([350, 509, 80, 300, 120, 90, 70, 0], dtype=np.int32),
                                    np.zeros(8, dtype=np.float32))
    builder = FactBuilder(cat, retriever)
    sheets = []
    for item in (HEAT, RONIN, FARGO, SCREAM):
        rec = Recommendation(cat[item].item_id, cat[item].display, 1.0, [], index=item)
        sheets.append(builder.build(Request(constraints=Constraints(acclaimed=True)), rec))
    assert [s.mean_rating for s in sheets[:3]] == pytest.approx([4.25, 3.8, 4.0]) and sheets[0].raters == 350
    assert all(s.rated_as_asked and s.particular and s.answers_request for s in sheets[:3])
    assert sheets[3].mean_rating is None and not sheets[3].rated_as_asked  # nobody rated it: nothing to say
    texts = render_list(sheets[:3])
    for text, sheet, mean in zip(texts, sheets, ("4.2", "3.8", "4.0")):
        assert f"{mean}/5" in text and str(sheet.raters) in text, text
        assert not check(text, sheet).kinds() and mean in particular_facts(text, sheet)
    assert "4.2" in sheets[0].numbers() and "350" in sheets[0].numbers()
    assert "unanswered" in check("“Heat” came out in 1995.", sheets[0]).kinds()  # an LLM text without the rating
    unasked = builder.build(Request(), Recommendation(cat[HEAT].item_id, cat[HEAT].display, 1.0, [], index=HEAT))
    assert not unasked.rated_as_asked and "/5" not in render(unasked)[1]


def test_cards_of_a_best_rated_list_keep_their_plain_text_and_the_model_writes_none():
    """The LLM's prompt holds no ratings, so on a "best rated" list its drafts could only fail the check (the
    rating unsaid) after costing seconds each: the plain texts, which give the rating, are final at once."""
    from recommender.retrieval.ratings import ItemRatings
    from recommender.types import Constraints

    good = "You rated “Heat” 5/5; 31 of its 45 viewers also saw “Ronin”."
    ex = explainer_with({0: good})
    ex.facts.retriever.ratings = ItemRatings(np.full(8, 4.0, dtype=np.float32), np.full(8, 100, dtype=np.int32),
                                             np.full(8, 4.0, dtype=np.float32))
    request = Request([HEAT], [5.0], constraints=Constraints(acclaimed=True))
    cards = list(ex.explain_list(request, recs_for([RONIN])))
    assert ex.backend.batches == [] and cards[0].final and "4.0/5" in cards[0].text and cards[0].source == "plain"
    written = list(ex.explain_list(Request([HEAT], [5.0]), recs_for([RONIN])))
    assert ex.backend.batches == [1] and written[0].text == good  # without the wish, the model writes


def test_every_card_of_a_genre_request_says_something_about_its_own_film():
    """"something funny from the 90s" (a new user): cards 9 and 10 said only "A pick for the Comedy you
    requested." and "You wished for Comedy; here is “Kingpin”.": the one-sentence phrasing nobody had used
    was preferred to a second fact in a phrasing another card used."""
    from recommender.explain.facts import FactSheet

    sheets = [FactSheet(item=k, title=f"Film {k}", year=1990 + k, genres=("Comedy",), asked_genres=("Comedy",),
                        asked_years=(1990, 1999), viewers=300 - 17 * k, popularity_rank=10 + k)
              for k in range(10)]
    texts = render_list(sheets)
    for text, sheet in zip(texts, sheets):
        assert str(sheet.year) in text or str(sheet.viewers) in text, text
        assert check(text, sheet, catalogue_genres=GENRES).ok, text
    assert len({skeleton(t, s) for t, s in zip(texts, sheets)}) == 10
    seconds = [re.sub(r"\d+", "N", re.split(r"(?<=[.!?])\s+", t, maxsplit=1)[1]) for t in texts]
    assert len(set(seconds)) == 10, seconds  # "It dates from 1997, inside your years." was on cards 1 and 9


def test_a_genre_said_to_be_shared_must_be_shared_by_a_source():
    """A card read "52 of the 178 people who watched “Primal Fear” (your 4/5) also saw “The Frighteners” (its
    115 viewers). Both are Comedy.": The Frighteners is Comedy, Primal Fear is not, and neither the gate nor
    the audit's checker caught the false "both"."""
    sheet = sheet_for(item=ALIEN, history=(FARGO,), ratings=(5.0,))  # they share Thriller only
    assert [s.shared_genres for s in sheet.sources] == [("Thriller",)]
    false, true = "Viewers of “Fargo” also saw “Alien”. Both are Horror.", "Viewers of “Fargo” also saw “Alien”. Both are Thriller."
    assert check(false, sheet, catalogue_genres=GENRES).claims["genre"] == ["horror"]
    assert not check(true, sheet, catalogue_genres=GENRES).claims["genre"]
    gate = FactGate(sheet, GENRES)
    assert not gate.allows(false) and gate.allows(true) and gate.allows("“Alien” is Horror; “Fargo” shares Thriller")
    assert not gate.allows("“Alien” shares Horror with “Fargo”")


def test_a_shared_genre_is_checked_against_the_source_just_named():
    """With two sources, "Both are Comedy" after “Primal Fear” is false even if the other source is a comedy."""
    sheet = sheet_for(item=ALIEN, history=(FARGO, SCREAM), ratings=(5.0, 4.0))  # Thriller; Horror and Thriller
    assert {s.title: s.shared_genres for s in sheet.sources} == {"Fargo": ("Thriller",), "Scream": ("Horror", "Thriller")}
    gate = FactGate(sheet, GENRES)
    assert not gate.allows("Viewers of “Fargo” also saw it. Both are Horror.")
    assert gate.allows("Viewers of “Scream” also saw it. Both are Horror.")
    assert check("Viewers of “Fargo” also saw it. Both are Horror.", sheet, catalogue_genres=GENRES).claims["genre"]


def test_a_count_of_people_who_watched_both_must_be_that_count():
    """A card for Rumble in the Bronx read "Close to “Heat” is that it is Action, Crime, and 174 people watched
    both. 174 people here watched it.": 174 is its own viewers, 92 watched both; neither check caught it."""
    sheet = sheet_for()  # Ronin: 31 of Heat's 45 viewers watched both; Ronin has 60 viewers
    own = sheet.viewers
    for false in (f"Close to “Heat”, and {own} people watched both.", f"{own} people watched “Heat” as well.",
                  f"Close to “Heat”, and {own} people watched bothira."):  # the model went on mid-word
        assert check(false, sheet, catalogue_genres=GENRES).claims["number"], false
        assert not FactGate(sheet, GENRES).allows(false), false
    for true in ("Close to “Heat”, and 31 people watched both.", "31 people watched “Heat” as well.",
                 f"Close to “Heat”; 31 people watched both. {own} people here watched it."):
        assert check(true, sheet, catalogue_genres=GENRES).ok and FactGate(sheet, GENRES).allows(true), true


def test_a_count_of_its_viewers_or_a_sources_viewers_must_be_that_count():
    """Cards of the 2026-12-03 trials: Exit to Eden "It is Comedy, as you asked. 2 people here watched it, and 16
    people here watchedit as well.[source: “Audrey Rose”]." (2 and 16 are Audrey Rose's counts, shown); Bound
    "… and 129 people watched “Fargo” as requested." (129 watched Fargo and Bound; Fargo has 508 viewers)."""
    sheet = sheet_for()  # Ronin: 60 viewers; Heat: 45 viewers, 31 watched both
    for false in ("It is Action. 31 people here watched it, as “Heat” (your 5/5) shows.",
                  "It is Action, and 31 people watched “Heat” as requested.",
                  "It is Action. 2 people here watched it, and 16 people here watchedit as well.[source: “Heat”]."):
        verdict = check(false, sheet, catalogue_genres=GENRES)
        assert not verdict.ok, false
    bound = "It is Action, and 60 people watched “Heat” as requested."  # 60: the film's own viewers, not Heat's
    assert check(bound, sheet, catalogue_genres=GENRES).claims["number"] == ["60"]
    assert check("It is Action; 31 people watched “Ronin”.", sheet, catalogue_genres=GENRES).claims["number"] == ["31"]
    assert check("It is Action; 60 people watched “Ronin”.", sheet, catalogue_genres=GENRES).claims["number"] == []
    assert "garbled" in check("It is Action; 60 people watchedit.", sheet, catalogue_genres=GENRES).form
    assert "garbled" in check("It is Action [source: “Heat”].", sheet, catalogue_genres=GENRES).form
    for true in ("It is Action. 60 people here watched it, as did 31 of the 45 people who watched “Heat”.",
                 "45 people watched “Heat”, and 31 of them also saw “Ronin”.", "31 people watched “Heat” too.",
                 "31 people watched “Heat” and “Ronin”.", "31 people watched it as well as “Heat”."):
        assert check(true, sheet, catalogue_genres=GENRES).claims["number"] == [], true


def test_a_genre_given_in_an_aside_is_not_said_again_to_be_shared():
    """Shown in the trials: "84 of the 171 people who watched “Heathers” (your 5/5) also saw “Clerks” (because it
    is Comedy). Both are Comedy." The aside reads as if people saw it because it is Comedy, and says it twice."""
    sheet = sheet_for()
    text = "31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” (it is Action). Both are Action."
    assert "repetition" in check(text, sheet, catalogue_genres=GENRES).form
    assert check("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” (it is Action). They share "
                 "Crime.", sheet, catalogue_genres=GENRES).ok
    because = "31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin” (because it is Action)."
    assert "garbled" in check(because, sheet, catalogue_genres=GENRES).form
    gate = FactGate(sheet, GENRES)
    assert gate.allows(because.replace("because it is", "it is")) and not gate.allows(because)


def test_the_gate_refuses_a_number_said_twice():
    """After the false "both" count was refused, the card read "… and 174 people watched it. 174 people here
    watched it.": one fact twice."""
    gate = FactGate(sheet_for(), GENRES)  # Ronin: 60 viewers
    assert gate.allows("“Ronin” has 60 viewers here, and 31 people watched “Heat” too.")
    assert not gate.allows("60 people watched it. 60 people here watched it.")


def test_a_co_watch_count_belongs_to_the_cards_own_film():
    """Tried as known user 100: the card of I Know What You Did Last Summer read "4 of the 6 people who watched
    “Twisted” (your 3/5) also saw “Jackie Brown” (your 3/5)": its own count, given to another film of the user's."""
    sheet = sheet_for(history=(HEAT, ALIEN), ratings=(5.0, 4.0))
    assert {s.title for s in sheet.sources} == {"Heat", "Alien"}, sheet.sources
    other = "31 of the 45 people who watched “Heat” (your 5/5) also saw “Alien” (your 4/5)."
    assert check(other, sheet, catalogue_genres=GENRES).kinds() == ["number"]
    assert check("31 of the 45 people who watched “Heat” (your 5/5) also saw “Ronin”.", sheet,
                 catalogue_genres=GENRES).kinds() == []
