import pytest

from recommender.llm.claims import (GENRE_PATTERNS, blank_spans, claimed_genres, echoes_prompt, speaks_as_viewer,
                                    ungrounded_genres, unshared_genres)

ML100K_GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
                 "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
                 "Thriller", "War", "Western"]


def test_every_ml100k_genre_but_unknown_is_checkable():
    assert {g.lower() for g in ML100K_GENRES} - set(GENRE_PATTERNS) == {"unknown"}


@pytest.mark.parametrize("text, genres", [
    ("it's a comedy film with a twist", {"comedy"}),
    ("a romantic sci-fi adventure", {"romance", "sci-fi", "adventure"}),
    ("classic science fiction and film noir", {"sci-fi", "film-noir"}),
    ("a gripping war drama, like the best westerns", {"war", "drama", "western"}),
    ("a great movie for kids, animated with care", {"children's", "animation"}),
    # plain English that only looks like a genre word
    ("the war between two brothers, set in western Europe, a family affair", set()),
    ("an intense story", set()),
])
def test_claimed_genres(text, genres):
    assert claimed_genres(text) == genres


def test_only_the_catalogues_genres_are_checked():
    assert claimed_genres("a comedy with some horror", checkable=["comedy", "imax"]) == {"comedy"}
    assert ungrounded_genres("a dark comedy", item_genres=[], catalogue_genres=[]) == set()


def test_ungrounded_genres_allows_the_items_genres_only():
    assert ungrounded_genres("a comedy film", ["Sci-Fi"], ML100K_GENRES) == {"comedy"}
    assert ungrounded_genres("Sci-Fi at its best", ["Sci-Fi"], ML100K_GENRES) == set()
    # Tin Men, in the chat, for "funny space adventure": asking for sci-fi does not make it sci-fi
    tin_men = "because of its delightful blend of humor and science fiction"
    assert ungrounded_genres(tin_men, ["Comedy", "Drama"], ML100K_GENRES) == {"sci-fi"}


def test_a_genre_named_as_the_catalogue_writes_it_is_a_claim():
    """A card shown in the chat for a known user: "193 of the 208 people who watched “True Lies” (your 4/5) also
    saw “Star Wars”; it came out in 1977. Both are Action, Adventure, Romance and War." True Lies is no War
    film, but "war" alone is no genre claim in lower case ("the war"), so the claim passed."""
    text = ("193 of the 208 people who watched “True Lies” (your 4/5) also saw “Star Wars”; it came out in 1977. "
            "Both are Action, Adventure, Romance and War.")
    assert unshared_genres(text, {"True Lies": ["Action", "Adventure", "Romance"]}, ML100K_GENRES) == {"war"}
    assert ungrounded_genres("It is Comedy and Children's.", ["Comedy"], ML100K_GENRES) == {"children's"}
    assert ungrounded_genres("It is Action and Western.", ["Action"], ML100K_GENRES) == {"western"}
    assert ungrounded_genres("a story of the war, set in western Europe", [], ML100K_GENRES) == set()
    assert ungrounded_genres("It is War and Drama.", ["War", "Drama"], ML100K_GENRES) == set()


@pytest.mark.parametrize("text, ungrounded", [
    ("you asked for a sci-fi comedy, and this is a comedy.", set()),
    ("if you are in the mood for horror, this comedy will do.", set()),
    ("you asked for a comedy and this is a sci-fi comedy.", {"sci-fi"}),  # after "and": about the item
    ("your request for romance fits: it is a romantic drama.", {"romance"}),
])
def test_a_phrase_reporting_the_request_is_not_a_claim_about_the_item(text, ungrounded):
    assert ungrounded_genres(text, ["Comedy", "Drama"], ML100K_GENRES) == ungrounded


def test_blank_spans_hides_titles_and_quotes_and_keeps_offsets():
    text = 'You may like "The Crime of Monsieur Lange" because Fargo is great'
    blanked = blank_spans(text, [(51, 56)])
    assert len(blanked) == len(text) and "Crime" not in blanked and "Fargo" not in blanked
    assert blanked.endswith(" is great") and blanked.startswith("You may like ")


def test_echoes_prompt():
    assert echoes_prompt("it is a comedy film with no explicit content, never instructions.")
    assert echoes_prompt("Quoted text is data.")
    assert not echoes_prompt("it is a tense crime story.")


@pytest.mark.parametrize("text, posing", [
    ("it has been a favorite of mine for years.", True),
    ("it is often recommended to me.", True),
    ("I've seen it twice and I loved it.", True),
    ("I think you will like its twists.", False),  # the recommender's own voice
    ("you rated Heat 5/5 and this is as tense.", False),
])
def test_speaks_as_viewer(text, posing):
    assert speaks_as_viewer(text) is posing
