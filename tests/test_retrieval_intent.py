"""Retrieval driven by an intent: soft genre wishes, "like X" references and the evidence of a given list."""

import numpy as np
import pytest

from recommender.data.split import LeaveOneOut
from recommender.data.types import Catalog, Dataset, Item
from recommender.retrieval.config import RetrievalConfig
from recommender.retrieval.hybrid import HybridRetriever
from recommender.types import Request
from tests.synthetic import HashEmbedder, synthetic_dataset


@pytest.fixture
def retriever(tmp_path):
    base = synthetic_dataset(n_items=60, n_users=40, length=12, seed=0)
    # two genres per item, so that some items have both wished genres and some one
    genres = ["Action", "Comedy", "Drama", "Horror", "Sci-Fi", "Romance"]
    items = [Item(it.item_id, it.title, it.year, (genres[i % 6], genres[(i // 6) % 6])) for i, it in enumerate(base.catalog)]
    dataset = Dataset("synthetic", Catalog(items), base.interactions)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    return HybridRetriever.build(dataset.catalog, [h.items for h in loo.histories.values()],
                                 RetrievalConfig(cache_dir=str(tmp_path)), embedder_factory=HashEmbedder, progress=False)


def test_items_with_all_wished_genres_come_before_items_with_some(retriever):
    shortlist = retriever.shortlist(Request(history=[3, 4], wished_genres=("Comedy", "Horror")), k=20)
    counts = [len({"Comedy", "Horror"} & set(retriever.catalog[int(i)].genres)) for i in shortlist.indices]
    assert counts == sorted(counts, reverse=True) and counts[0] == 2 and 1 in counts
    assert list(shortlist.tiers) == sorted(shortlist.tiers, reverse=True)


def test_a_reference_pulls_items_close_to_it_past_a_long_history(retriever):
    history = list(range(30, 50))
    plain = retriever.shortlist(Request(history=history), k=10)
    reference = 7
    steered = retriever.shortlist(Request(history=history, liked=(reference,), references=(reference,)), k=10)
    ref_genres = set(retriever.catalog[reference].genres)

    def shared(indices):
        return np.mean([len(ref_genres & set(retriever.catalog[int(i)].genres)) for i in indices])

    assert shared(steered.indices) > shared(plain.indices)
    assert reference not in steered.indices
    for item, evidence in zip(steered.indices, steered.evidence):
        if ref_genres & set(retriever.catalog[int(item)].genres):  # the reference is named as the reason
            assert evidence[0].channel == "reference" and evidence[0].related == (reference,)


def test_evidence_for_a_given_list_matches_the_shortlists_own(retriever):
    request = Request(history=[3, 4, 5])
    shortlist = retriever.shortlist(request, k=5)
    assert retriever.evidence_for(request, shortlist.indices) == shortlist.evidence


def test_best_first_equals_a_full_sort_ties_included():
    from recommender.retrieval.hybrid import best_first

    rng = np.random.default_rng(0)
    for trial in range(200):
        n, k = int(rng.integers(1, 300)), int(rng.integers(1, 25))
        fused = np.round(rng.normal(size=n), 1 if trial % 2 else 6).astype(np.float32)  # many ties, or few
        fused[rng.random(n) < 0.2] = -np.inf
        tiers = rng.integers(0, 3, size=n).astype(np.int32)
        finite = np.flatnonzero(np.isfinite(fused))
        expected = finite[np.lexsort((-fused[finite], -tiers[finite]))][:k]
        assert np.array_equal(best_first(fused, tiers, k), expected)


def test_items_mostly_of_the_wished_genre_move_up_and_an_obscure_one_gains_nothing(retriever):
    """Tried as a new user: "a romantic movie" listed Star Wars first (Action, Adventure, Romance, Sci-Fi,
    War); a bonus of the scores' whole spread then put obscure romances ("Kissed", "Touch") first."""
    catalog = retriever.catalog
    mixed = next(i for i, it in enumerate(catalog) if "Comedy" in it.genres and len(set(it.genres)) == 2)
    pure = next(i for i, it in enumerate(catalog) if set(it.genres) == {"Comedy"})
    obscure = next(i for i, it in enumerate(catalog) if set(it.genres) == {"Comedy"} and i != pure)
    fused = np.zeros(len(catalog), dtype=np.float32)
    fused[[mixed, pure, obscure]] = [1.0, 0.9, -1.0]  # the median is 0
    bonus = retriever.genre_focus(Request(history=[], wished_genres=("Comedy",)), fused)
    assert fused[pure] + bonus[pure] > fused[mixed] + bonus[mixed]  # mostly comedy moves up
    assert bonus[obscure] == 0 and bonus[mixed] > 0
    assert retriever.genre_focus(Request(history=[]), fused) == 0.0


def test_several_references_prefer_what_they_have_in_common_then_items_close_to_each(retriever):
    """"I loved The Godfather and GoodFellas" listed Braveheart and Das Boot (Action, Drama: close to The
    Godfather alone); "Die Hard meets Home Alone" listed only Die Hard sequels."""
    genres = [set(it.genres) for it in retriever.catalog]
    a = next(i for i, g in enumerate(genres) if g == {"Action", "Comedy"})
    b = next(i for i, g in enumerate(genres) if g == {"Comedy", "Drama"})
    shortlist = retriever.shortlist(Request(history=[], references=(a, b)), k=10)
    assert all("Comedy" in genres[int(i)] for i in shortlist.indices)  # what both share (13 such items left)
    c = next(i for i, g in enumerate(genres) if g == {"Horror", "Sci-Fi"})
    shortlist = retriever.shortlist(Request(history=[], references=(a, c)), k=5)  # nothing in common
    assert all(genres[int(i)] & genres[a] and genres[int(i)] & genres[c] for i in shortlist.indices)


def _thirty_items_of_four_kinds(kinds, tmp_path) -> tuple[HybridRetriever, Catalog]:
    """A retriever over 30 synthetic items whose genres cycle through `kinds` (item i: kinds[i % 4])."""
    base = synthetic_dataset(n_items=30, n_users=30, length=10, seed=1)
    catalog = Catalog([Item(it.item_id, it.title, it.year, kinds[i % 4]) for i, it in enumerate(base.catalog)])
    loo = LeaveOneOut(base.interactions, catalog)
    retriever = HybridRetriever.build(catalog, [h.items for h in loo.histories.values()],
                                      RetrievalConfig(cache_dir=str(tmp_path)), embedder_factory=HashEmbedder,
                                      progress=False)
    return retriever, catalog


def test_two_references_with_three_common_genres_do_not_demand_all_three(tmp_path):
    """"something like the Godfather and Godfather part 2" (both Action, Crime, Drama) listed Menace II
    Society and Batman first: only items with all three genres came before Donnie Brasco (Crime, Drama)."""
    kinds = [("Action", "Crime", "Drama"), ("Crime", "Drama"), ("Comedy", "Romance"), ("Drama",)]
    retriever, _ = _thirty_items_of_four_kinds(kinds, tmp_path)
    tiers = retriever.genre_tiers(Request(history=[], references=(0, 4)))
    assert tiers[8] == tiers[1] > tiers[3] > tiers[2]  # all three = two of them > one > none


def test_the_first_genre_breaks_ties_between_items_with_as_many_wished_genres(tmp_path):
    """"a heist movie for my kids" (Crime and Children's; no film here is both) listed Pulp Fiction and Fargo
    first: with one wished genre each, the crime films outscored the children's films."""
    retriever, catalog = _thirty_items_of_four_kinds([("Crime", "Children's"), ("Crime",), ("Children's",), ("Drama",)],
                                                     tmp_path)
    wished = ("Crime", "Children's")
    plain = retriever.genre_tiers(Request(history=[], wished_genres=wished))
    assert plain[0] > plain[1] == plain[2] > plain[3]
    tiers = retriever.genre_tiers(Request(history=[], wished_genres=wished, first_genre="Children's"))
    assert tiers[0] > tiers[2] > tiers[1] > tiers[3]
    shortlist = retriever.shortlist(Request(history=[], wished_genres=wished, first_genre="Children's",
                                            exclude=frozenset(range(0, 30, 4))), k=7)
    assert all("Children's" in catalog[int(i)].genres for i in shortlist.indices)


def test_after_the_few_wished_genre_films_related_genres_come_before_unrelated_ones(tmp_path):
    """"a thriller from the 70s" (three 1970s thrillers in ML-100k) went on with Life of Brian and The Return of
    the Pink Panther: items without a wished genre were ordered by score alone. Genres that share films with the
    wished one in this catalogue (Crime with Thriller here) now come first."""
    base = synthetic_dataset(n_items=60, n_users=40, length=12, seed=2)
    kinds = [("Crime", "Thriller"), ("Crime", "Thriller"), ("Crime",), ("Comedy",), ("Comedy", "Romance"), ("Drama",)]
    items = [Item(it.item_id, it.title, 1970 + i % 3 if i < 9 else 1990, kinds[i % 6])
             for i, it in enumerate(base.catalog)]  # items 0-8 from 1970-72: four thrillers, two Crime
    dataset = Dataset("synthetic", Catalog(items), base.interactions)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    retriever = HybridRetriever.build(dataset.catalog, [h.items for h in loo.histories.values()],
                                      RetrievalConfig(cache_dir=str(tmp_path)), embedder_factory=HashEmbedder,
                                      progress=False)
    assert retriever.genres.related_names("thriller") == ["crime"]
    assert retriever.genres.related_names("comedy") == ["romance"] and retriever.genres.related_names("war") == []
    from recommender.types import Constraints

    request = Request(history=[], wished_genres=("Thriller",), constraints=Constraints(min_year=1970, max_year=1979))
    listed = [retriever.catalog[int(i)].genres for i in retriever.shortlist(request, k=9).indices]
    assert listed[:4] == [("Crime", "Thriller")] * 4 and listed[4:6] == [("Crime",)] * 2
    assert sorted(listed[6:]) == [("Comedy",), ("Comedy", "Romance"), ("Drama",)]
