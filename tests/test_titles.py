"""Title linking: normal forms, exact / fuzzy / ambiguous / unknown links, and mentions in free text."""

from __future__ import annotations

import pytest
from chat_fakes import index_of, make_catalog

from recommender.data.types import Catalog, Item
from recommender.errors import RecommenderError, UnknownItemError
from recommender.titles import TitleIndex, normalise, title_keys


@pytest.fixture(scope="module")
def catalog():
    return make_catalog()


@pytest.fixture(scope="module")
def titles(catalog):
    return TitleIndex(catalog)


@pytest.mark.parametrize("typed, expected", [
    ("Usual Suspects, The", "usual suspects"),
    ("The Usual Suspects", "usual suspects"),
    ("the usual-suspects!!", "usual suspects"),
    ("  THE   USUAL SUSPECTS ", "usual suspects"),
    ("Amélie", "amelie"),
    ("Dumb & Dumber", "dumb and dumber"),
    ("Schindler's List", "schindlers list"),
    ("Godfather: Part II, The", "godfather part 2"),
    ("A", "a"),  # a lone article is a title, not nothing
])
def test_normalise(typed, expected):
    assert normalise(typed) == expected


def test_title_keys_index_aliases_and_written_years():
    year, keys = title_keys("Seven (Se7en)")
    assert year is None and "7" in keys and "se7en" in keys  # numbers are compared as digits
    year, keys = title_keys("Toy Story (1995)")
    assert year == 1995 and keys == ["toy story"]


def test_numbers_link_written_as_digits_or_words():
    """ "mind-bending stuff like the matrix or 12 monkeys" linked nothing: the catalogue says "Twelve"."""
    titles = TitleIndex(Catalog([Item("1", "Twelve Monkeys", 1995), Item("2", "12 Angry Men", 1957),
                                 Item("3", "Seven (Se7en)", 1995), Item("4", "Monkey Trouble", 1994)]))
    assert titles.link("12 monkeys").item == 0
    assert titles.link("twelve angry men").item == 1
    assert [m.item for m in titles.find_mentions("mind-bending stuff like the matrix or 12 monkeys")] == [0]
    assert titles.link("Se7en").item == titles.link("seven").item == 2


def test_exact_links_ignore_case_punctuation_and_articles(catalog, titles):
    suspects = index_of(catalog, "Usual Suspects, The")
    for typed in ("the usual suspects", "Usual Suspects, The", "USUAL SUSPECTS", "The Usual Suspects (1995)"):
        match = titles.link(typed)
        assert (match.status, match.item, match.candidates) == ("exact", suspects, [suspects])


def test_alias_links_both_spellings(catalog, titles):
    seven = index_of(catalog, "Seven (Se7en)")
    assert titles.link("Se7en").item == seven
    assert titles.link("seven").item == seven


def test_same_title_twice_is_ambiguous_until_the_year_decides(catalog, titles):
    heat95, heat86 = index_of(catalog, "Heat", 1995), index_of(catalog, "Heat", 1986)
    match = titles.link("Heat")
    assert match.status == "ambiguous" and match.item is None
    assert match.candidates == [heat95, heat86]  # newest first
    assert titles.link("Heat (1986)").item == heat86
    assert titles.link("heat (1995)").status == "exact"


def test_right_title_wrong_year_is_unknown_with_the_real_ones_suggested(catalog, titles):
    match = titles.link("Heat (2001)")
    assert match.status == "unknown"
    assert set(match.candidates) == {index_of(catalog, "Heat", 1995), index_of(catalog, "Heat", 1986)}


def test_typos_link_fuzzily(catalog, titles):
    match = titles.link("Groundhog Dya")
    assert (match.status, match.item) == ("fuzzy", index_of(catalog, "Groundhog Day"))
    assert titles.link("sleepless in seatle").item == index_of(catalog, "Sleepless in Seattle")


def test_first_words_of_a_long_title_link_when_unique(catalog, titles):
    assert titles.link("Sleepless").item == index_of(catalog, "Sleepless in Seattle")


def test_sequel_numbers_must_agree(titles):
    match = titles.link("Galaxy Quest 2")
    assert match.status == "unknown"  # "Galaxy Quest" is close but is not the sequel


def test_unknown_titles_suggest_close_ones(catalog, titles):
    match = titles.link("Casablanka Nights")
    assert match.status == "unknown" and match.item is None
    assert index_of(catalog, "Casablanca") in match.candidates
    assert titles.link("zzzz qqqq").candidates == []
    assert titles.link("   ").status == "unknown"


def test_resolve_returns_the_item_or_a_clear_error(catalog, titles):
    assert titles.resolve("the princess bride") == index_of(catalog, "Princess Bride, The")
    with pytest.raises(UnknownItemError, match=r"ambiguous.*Heat \(1995\).*Heat \(1986\)"):
        titles.resolve("Heat")
    with pytest.raises(UnknownItemError, match="unknown title 'Casablanka Nights'; closest: Casablanca"):
        titles.resolve("Casablanka Nights")
    assert issubclass(UnknownItemError, RecommenderError)


def test_mentions_in_free_text(catalog, titles):
    found = titles.find_mentions("I loved Heat and Se7en")
    assert [m.text for m in found] == ["Heat", "Se7en"]
    assert found[0].status == "ambiguous" and found[1].item == index_of(catalog, "Seven (Se7en)")
    message = "I loved Heat and Se7en"
    assert [message[m.start:m.end] for m in found] == ["Heat", "Se7en"]


def test_mentions_prefer_the_longest_span():
    catalog = Catalog([Item("1", "Star Wars", 1977), Item("2", "Star", 2001), Item("3", "Return of the Jedi", 1983)])
    found = TitleIndex(catalog).find_mentions("more like star wars and the return of the jedi")
    assert [(m.item, m.text) for m in found] == [(0, "star wars"), (2, "the return of the jedi")]


def test_mentions_with_a_year_pick_that_year(catalog, titles):
    found = titles.find_mentions("I liked Heat (1986) a lot")
    assert found[0].item == index_of(catalog, "Heat", 1986) and found[0].text == "Heat (1986)"


def test_common_words_are_titles_only_when_marked(catalog, titles):
    big = index_of(catalog, "Big")
    assert titles.find_mentions("a big adventure please") == []
    assert titles.find_mentions("something funny, not too big") == []
    assert [m.item for m in titles.find_mentions("I loved Big and Babe")] == [big, index_of(catalog, "Babe")]
    assert [m.item for m in titles.find_mentions('liked "big" a lot')] == [big]


def test_fuzzy_lookups_compare_a_bounded_shortlist_on_a_large_catalogue(monkeypatch):
    """Fuzzy matching must not run difflib against every title (that is what made it slow on big
    catalogues): the trigram index shortlists at most 40 keys per lookup. Counted, not timed."""
    import difflib

    compared = []

    class CountingMatcher(difflib.SequenceMatcher):
        def ratio(self):
            compared.append(self.a)
            return super().ratio()

    words = "red blue night day city love war star dark light river king queen road last first".split()
    items = [Item(str(i), f"{words[i % 16]} {words[(i // 16) % 16]} {words[(i // 256) % 16]} {i}", 1990)
             for i in range(10_000)]
    titles = TitleIndex(Catalog(items))
    monkeypatch.setattr(difflib, "SequenceMatcher", CountingMatcher)
    for i in (5, 123, 4321):
        compared.clear()
        typo = items[i].title.replace("e", "a", 1) if "e" in items[i].title else items[i].title + "s"
        match = titles.link(typo)
        assert match.item == i, (typo, match)
        assert 0 < len(compared) <= 40
        found = titles.find_mentions(f"I loved {items[i].title} and more please from the 90s")
        assert [m.item for m in found] == [i]

def test_a_feeling_is_not_a_title():
    """Seen in the dev set: "i hate musicals, give me some action" liked the film "Hate (Haine, La)"."""
    catalog = Catalog([Item("1", "Hate (Haine, La)", 1995, ("Drama",)), Item("2", "Heat", 1995, ("Action",))])
    titles = TitleIndex(catalog)
    assert titles.find_mentions("i hate musicals, give me some action") == []
    assert [m.item for m in titles.find_mentions("I loved Hate (Haine, La) and Heat")] == [0, 1]


def test_a_sequel_number_after_a_title_is_that_sequel_or_unknown():
    """"Toy story 2" (not in the catalogue) was noted as liking Toy Story; "godfather 2" is Part II."""
    titles = TitleIndex(Catalog([Item("1", "Toy Story", 1995), Item("2", "Godfather, The", 1972),
                                 Item("3", "Godfather: Part II, The", 1974), Item("4", "Heat", 1995)]))
    toy, heat = titles.find_mentions("I loved toy story 2 and heat")
    assert toy.status == "unknown" and toy.text == "toy story 2" and toy.candidates == [0] and heat.item == 3
    assert [m.item for m in titles.find_mentions("godfather 2 was better")] == [2]
    assert [m.item for m in titles.find_mentions("seen heat 3 times")] == [3]


def test_a_lowercase_word_after_an_indefinite_article_is_no_title():
    """"too cheesy, something with an edge" liked "Edge, The"; "an american werewolf in london" is a title."""
    titles = TitleIndex(Catalog([Item("1", "Edge, The", 1997), Item("2", "American Werewolf in London, An", 1981)]))
    assert titles.find_mentions("too cheesy, something with an edge") == []
    assert titles.find_mentions("something with some edge") == []
    assert [m.item for m in titles.find_mentions("loved an american werewolf in london")] == [1]
    assert [m.item for m in titles.find_mentions("I saw The Edge")] == [0]
    titles = TitleIndex(Catalog([Item("1", "Wife, The", 1995), Item("2", "My Fair Lady", 1964)]))
    assert titles.find_mentions("date night with my wife") == []  # a possessive: no "Wife, The"
    assert [m.item for m in titles.find_mentions("I loved my fair lady")] == [1]


def test_one_wrong_letter_in_a_long_title_links_it_and_short_or_unknown_titles_are_not_forced():
    """"I loved Titanik" (0.857 similar) was only answered "Did you mean Titanic (1997)?"."""
    from recommender.data.types import Catalog, Item
    from recommender.title_rules import one_edit
    from recommender.titles import TitleIndex

    index = TitleIndex(Catalog([Item("1", "Titanic", 1997, ("Drama",)), Item("2", "Heat", 1995, ("Action",)),
                                Item("3", "Scream", 1996, ("Horror",)), Item("4", "Great Dictator, The", 1940, ("Comedy",))]))
    assert index.link("Titanik").item == 0 and index.link("Scraem").item == 2
    assert index.link("Hest").item is None  # four letters: one typo away from too much
    assert index.link("Gladiator").item is None
    assert one_edit("titanic", "tiatnic") and not one_edit("titan", "titanic") and not one_edit("heat", "heat")


def test_a_long_title_with_one_typo_is_found_in_free_text_but_everyday_words_are_not():
    """"movies like jurassic park and independance day": the model read Jurassic Park only."""
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    index = TitleIndex(Catalog([Item("1", "Independence Day (ID4)", 1996, ("Action",)),
                                Item("2", "Jurassic Park", 1993, ("Action",)), Item("3", "Big Night", 1996, ("Drama",))]))
    found = [m.item for m in index.find_mentions("movies like jurassic park and independance day")]
    assert found == [1, 0]
    assert [m.item for m in index.find_mentions("a big fight tonight")] == []  # short: no typo reading


def test_a_foreign_article_that_is_an_english_word_stays_part_of_the_title():
    """"I want to laugh hard" said "Noted, you liked: Die Hard (1988)": "Die" was dropped as a German
    article, so "hard" alone was the title's key."""
    index = TitleIndex(Catalog([Item("1", "Die Hard", 1988, ("Action",)), Item("2", "Postino, Il", 1994, ("Drama",)),
                                Item("3", "Boot, Das", 1981, ("War",))]))
    assert normalise("Die Hard") == "die hard" and normalise("Il Postino") == "postino"
    assert index.find_mentions("I want to laugh hard") == []
    assert [m.item for m in index.find_mentions("i loved die hard and il postino")] == [0, 1]
    assert index.link("Das Boot").item == 2 and index.link("die hard").item == 0


def test_a_genre_word_after_like_is_the_film_it_names():
    """"a sci-fi like alien" listed Clockwork Orange and Brazil: the model kept only the genre, and "alien",
    a genre word, needed a capital to be the film."""
    index = TitleIndex(Catalog([Item("1", "Alien", 1979, ("Sci-Fi",)), Item("2", "Heat", 1995, ("Action",))]))
    common = frozenset({"alien"})
    found = lambda text: [m.item for m in index.find_mentions(text, common)]  # noqa: E731
    assert found("a sci-fi like alien") == [0] and found("something like alien but funnier") == [0]
    assert found("a sci-fi like alien, from the 80s") == [0]
    assert found("a sci-fi like alien invasions") == []  # a kind of film
    assert found("i'd like alien stuff") == [] and found("sci-fi with an alien") == []


def test_an_uncommon_word_of_one_title_links_it():
    """"i've seen star wars, empire and jedi" said "I don't know the movie “jedi”" and listed Return of the Jedi."""
    titles = TitleIndex(Catalog([Item("1", "Star Wars", 1977), Item("2", "Return of the Jedi", 1983),
                                 Item("3", "Night Falls on Manhattan", 1997), Item("4", "Night of the Living Dead", 1968)]))
    assert (titles.link("jedi").status, titles.link("jedi").item) == ("fuzzy", 1)
    assert titles.link("Jedi (1983)").item == 1 and titles.link("jedi (1990)").item is None
    assert titles.link("night").item is None  # in two titles
    assert titles.link("wookiee").item is None
