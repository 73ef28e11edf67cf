import numpy as np
import pytest

from recommender.data.split import LeaveOneOut
from recommender.data.types import Catalog, Item
from recommender.errors import ConfigError
from recommender.evaluation.retrieval_eval import evaluate_retrieval
from recommender.retrieval.config import RetrievalConfig
from recommender.retrieval.hybrid import HybridRetriever
from recommender.retrieval.index import load_or_build_text_index
from recommender.types import Constraints, Request
from tests.synthetic import HashEmbedder, synthetic_dataset


@pytest.fixture
def config(tmp_path):
    return RetrievalConfig(cache_dir=str(tmp_path / "cache"))


@pytest.fixture
def dataset():
    return synthetic_dataset()


def build(dataset, config):
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    return HybridRetriever.build(dataset.catalog, [h.items for h in loo.histories.values()], config,
                                 embedder_factory=HashEmbedder, progress=False)


def test_text_index_round_trip_and_rebuild_on_catalogue_change(dataset, config, tmp_path):
    root = tmp_path / "cache"
    built = load_or_build_text_index(dataset.catalog, "fake", HashEmbedder, root, progress=False)
    loaded = load_or_build_text_index(dataset.catalog, "fake", HashEmbedder, root, progress=False)
    assert built.built and not loaded.built
    np.testing.assert_array_equal(built.item_vectors, loaded.item_vectors)
    request = Request(history=[0, 1, 2])
    np.testing.assert_array_equal(built.bm25.scores(request), loaded.bm25.scores(request))
    changed = Catalog(list(dataset.catalog)[:-1] + [Item("60", "A brand new title", 2001, ("Drama",))])
    rebuilt = load_or_build_text_index(changed, "fake", HashEmbedder, root, progress=False)
    assert rebuilt.built and rebuilt.path != built.path


def test_seen_excluded_and_constrained_items_are_never_returned(dataset, config):
    retriever = build(dataset, config)
    history = [3, 4, 5, 6]
    request = Request(history=history, exclude=frozenset({7, 8}),
                      constraints=Constraints(exclude_genres=frozenset({"horror"}), min_year=1975))
    shortlist = retriever.shortlist(request, k=60)
    returned = set(shortlist.indices.tolist())
    assert not returned & {3, 4, 5, 6, 7, 8}
    for i in returned:
        item = dataset.catalog[i]
        assert "Horror" not in item.genres and item.year >= 1975
    assert np.all(np.diff(shortlist.scores) <= 0)


def test_history_drives_results_without_a_request(dataset, config):
    retriever = build(dataset, config)
    # users walk i, i+1, i+2 ...: after items 10..13 the next items should be near the top
    top = retriever.shortlist(Request(history=[10, 11, 12, 13]), k=5).indices.tolist()
    assert 14 in top


def test_a_typed_request_moves_matching_items_up(dataset, config):
    retriever = build(dataset, config)
    history = [10, 11, 12, 13]
    plain = retriever.shortlist(Request(history=history), k=10).indices.tolist()
    asked = retriever.shortlist(Request(history=history, query="horror story"), k=10).indices.tolist()
    horror = lambda items: sum("Horror" in dataset.catalog[i].genres for i in items)
    assert horror(asked) > horror(plain)
    assert horror(asked) >= 5


def test_evidence_names_the_history_item_that_pulled_the_candidate_in(dataset, config):
    retriever = build(dataset, config)
    shortlist = retriever.shortlist(Request(history=[10, 11, 12, 13]), k=3)
    transitions = [e for e in shortlist.evidence[0] if e.channel == "transitions"]
    assert transitions and transitions[0].related
    assert dataset.catalog[transitions[0].related[0]].display in transitions[0].reason


def test_config_rejects_unknown_channels_and_bad_values():
    with pytest.raises(ConfigError, match="unknown channel"):
        RetrievalConfig(weights={"magic": 1.0})
    with pytest.raises(ConfigError, match="decay"):
        RetrievalConfig(transition_decay=0)


def test_evaluation_rows_and_tuned_fusion(dataset, config):
    result = evaluate_retrieval(dataset, "test", config=config, progress=False, embedder_factory=HashEmbedder)
    assert set(result.rows) == {"transitions", "cooccurrence", "dense", "bm25", "popularity (baseline)", "fusion"}
    assert result.n_users == 40
    assert 0 <= result.metrics["ndcg@10"] <= 1 and result.metrics["recall@20"] >= result.metrics["recall@10"]
    # the synthetic users walk forwards, so the sequential channel must beat popularity clearly
    assert result.rows["transitions"]["ndcg@10"] > result.rows["popularity (baseline)"]["ndcg@10"]
    # fusion weights are chosen on validation: fusion can't be worse than the best grid point there
    assert result.val_rows["fusion"]["ndcg@10"] >= result.val_rows["transitions"]["ndcg@10"] - 1e-9
    assert len(result.shortlists["test"]) == 40


def test_a_channel_without_signal_is_no_evidence(dataset, config):
    """A new user's history channels score every item 0: none of them may claim "fits your history"."""
    retriever = build(dataset, config)
    shortlist = retriever.shortlist(Request(query="horror story"), k=5)
    channels = {e.channel for evidence in shortlist.evidence for e in evidence}
    assert channels and not channels & {"transitions", "cooccurrence"}
    assert all(e.reason != "fits your history" for evidence in shortlist.evidence for e in evidence)


def test_matched_terms_keep_a_hyphenated_word_whole():
    from recommender.retrieval.text import BM25Channel

    channel = BM25Channel.build(["Brazil. Sci-Fi. 1985", "Heat. Crime Thriller. 1995"])
    request = Request(query="funny space adventure Comedy Sci-Fi")
    assert channel.matched_terms(request, 0) == ["Sci-Fi"]  # not "sci, fi"
    assert channel.matched_terms(Request(query="a fi crime story"), 0) == ["fi"]  # a lone token as is
    assert channel.matched_terms(Request(query="Crime thriller"), 1) == ["crime", "thriller"]


def test_sparse_bm25_scores_equal_rank_bm25():
    from rank_bm25 import BM25Okapi

    from recommender.retrieval.text import BM25Channel, tokenize

    documents = [item.document() for item in synthetic_dataset(n_items=50).catalog]
    documents += ["Heat. Crime Thriller. 1995. heat heat", "Sci-Fi Sci-Fi drama", "the of and"]
    channel = BM25Channel.build(documents)
    reference = BM25Okapi([tokenize(d) or ["_"] for d in documents])
    for query in ("horror story", "drama drama 1995", "heat crime", "unknown words only", "movie 12 sci fi"):
        expected = reference.get_scores(tokenize(query)).astype(np.float32)
        np.testing.assert_allclose(channel.scores(Request(query=query)), expected, rtol=1e-5, atol=1e-6)
    history = Request(history=[0, 3, 7])
    expected = reference.get_scores(channel.query_tokens(history)).astype(np.float32)
    np.testing.assert_allclose(channel.scores(history), expected, rtol=1e-5, atol=1e-6)


def test_evidence_ranks_are_each_channels_rank_among_allowed_items(dataset, config):
    retriever = build(dataset, config)
    for request in (Request(history=[10, 11, 12, 13]), Request(history=[3, 30, 40], query="horror story",
                                                              constraints=Constraints(min_year=1980))):
        raw = retriever.channel_scores(request)
        allowed = retriever.allowed(request)
        for item in retriever.shortlist(request, k=10).indices:
            for e in retriever.evidence(request, int(item), raw, allowed):
                scores = raw[e.channel]
                assert e.rank == 1 + np.count_nonzero(scores[allowed] > scores[item]) <= 50


def test_genre_constraints_keep_exactly_the_items_a_per_item_check_keeps(dataset, config):
    retriever = build(dataset, config)
    for exclude, include in (({"Horror"}, set()), (set(), {"Drama", "comedy"}), ({"drama"}, {"Drama", "Action"}),
                             ({"No Such Genre"}, set()), (set(), {"No Such Genre"})):
        request = Request(history=[1, 2], constraints=Constraints(exclude_genres=frozenset(exclude),
                                                                  include_genres=frozenset(include)))
        bad, want = {g.lower() for g in exclude}, {g.lower() for g in include}
        expected = [i not in (1, 2) and not ({g.lower() for g in item.genres} & bad)
                    and (not want or bool({g.lower() for g in item.genres} & want))
                    for i, item in enumerate(dataset.catalog)]
        assert retriever.allowed(request).tolist() == expected


def test_a_lesser_known_request_leaves_out_the_most_watched_share(dataset, config):
    """"hidden gems": the most-watched mainstream_share of the catalogue is never returned, everything else may be."""
    from recommender.types import Constraints

    retriever = build(dataset, config)
    counts = retriever.channels["popularity"].counts
    mainstream = retriever.mainstream()
    assert mainstream.sum() == round(config.mainstream_share * len(dataset.catalog))
    assert counts[mainstream].min() >= counts[~mainstream].max()
    request = Request(history=[0, 1], constraints=Constraints(less_known=True))
    shortlist = retriever.shortlist(request, k=len(dataset.catalog))
    assert not mainstream[shortlist.indices].any()
    assert len(shortlist.indices) == int((~mainstream).sum()) - int((~mainstream[[0, 1]]).sum())  # all the others
    with pytest.raises(ConfigError, match="mainstream_share"):
        RetrievalConfig(mainstream_share=1.0)


def test_shrunk_mean_ratings_put_many_good_ratings_above_a_few_perfect_ones():
    """Three 5/5 ratings do not make a film one of the best rated; three hundred 4.4/5 ones do."""
    from recommender.retrieval.ratings import ItemRatings

    items = np.array([0] * 3 + [1] * 300 + [2] * 300 + [3] * 50)
    values = np.array([5.0] * 3 + [4.4] * 300 + [3.0] * 300 + [float("nan")] * 50, dtype=np.float32)
    ratings = ItemRatings.fit(items, values, 5, prior=25.0)
    assert ratings.count.tolist() == [3, 300, 300, 0, 0]
    assert ratings.mean[0] == 5.0 and np.isnan(ratings.mean[3])
    overall = (15 + 300 * 4.4 + 900) / 603
    assert ratings.shrunk[0] == pytest.approx((15 + 25 * overall) / 28, rel=1e-5)
    assert ratings.shrunk[1] > ratings.shrunk[0] > ratings.shrunk[2]
    assert ratings.shrunk[4] == pytest.approx(overall, rel=1e-5)  # nobody rated it: the overall mean
    everything = np.ones(5, dtype=bool)
    assert ratings.best_rated(everything, 0.2, 1).tolist() == [False, True, False, False, False]
    assert ratings.best_rated(everything, 0.2, 2).tolist() == [True, True, False, False, False]
    pool = np.array([True, False, True, False, False])  # judged among the pool: item 1 stays, being better still
    assert ratings.best_rated(pool, 0.5, 1).tolist() == [True, True, False, False, False]
    unrated = ItemRatings.fit(np.array([0]), np.array([float("nan")]), 3)
    assert not unrated.any and unrated.best_rated(np.ones(3, dtype=bool), 0.1, 1).all()


def test_the_best_rated_leave_out_films_too_few_people_rated_while_enough_others_fit():
    """"classic horror" listed Nightwatch (one rating, 4/5) among the best rated: in a genre rated below the
    overall mean, shrinking towards that mean lifts a film nobody watched above Carrie (3.5/5 from 121)."""
    from recommender.retrieval.ratings import ItemRatings

    items = np.array([0] * 1000 + [1] + [2] * 120 + [3] * 100)
    values = np.array([4.0] * 1000 + [4.0] + [3.5] * 120 + [3.2] * 100, dtype=np.float32)
    ratings = ItemRatings.fit(items, values, 4, prior=25.0)
    horror = np.array([False, True, True, True])
    assert ratings.shrunk[1] > ratings.shrunk[2]  # the shrinkage alone ranks the lone rating first
    assert ratings.best_rated(horror, 0.3, 1).tolist() == [True, True, False, False]  # 0: above the cut, outside
    assert ratings.best_rated(horror, 0.3, 1, min_ratings=10).tolist() == [True, False, True, False]
    assert ratings.best_rated(horror, 0.3, 3, min_ratings=10)[1]  # too few others: it may stay
    whole = np.ones(4, dtype=bool)  # the share counts the whole pool, so leaving out few-rated films does not
    assert ratings.best_rated(whole, 0.7, 1, min_ratings=10).tolist() == [True, False, True, True]  # raise the bar


def test_a_best_rated_request_from_the_rule_parser_keeps_to_the_genre_its_query_names(dataset, config):
    """"show me the best documentaries you've got" (rule parser: "documentaries" stays in the query, no wished
    genre) listed Schindler's List and Good Will Hunting among two documentaries: the best-rated cut was taken
    over the whole catalogue and the ratings then ordered it."""
    from recommender.retrieval.ratings import ItemRatings

    interactions = dataset.interactions
    ratings = ItemRatings.fit(interactions.items, interactions.ratings, len(dataset.catalog), config.rating_prior)
    retriever = build(dataset, config)
    retriever.ratings = ratings
    genre = sorted(retriever.genres.column)[0]
    named = retriever._genres_named(f"the best {genre}s you've got")
    assert named == [genre] and retriever._genres_named("the best films") == []
    from recommender.retrieval.hybrid import ACCLAIMED_AT_LEAST, ACCLAIMED_MIN_RATINGS

    of_genre = retriever.genres.counts([genre]) > 0
    expected = ratings.best_rated(of_genre, config.acclaimed_share, ACCLAIMED_AT_LEAST, ACCLAIMED_MIN_RATINGS)
    allowed = retriever.allowed(Request(query=f"best {genre}s", constraints=Constraints(acclaimed=True)))
    assert allowed.tolist() == expected.tolist()  # the cut is taken among that genre's films
    whole = ratings.best_rated(np.ones(len(of_genre), dtype=bool), config.acclaimed_share, ACCLAIMED_AT_LEAST,
                               ACCLAIMED_MIN_RATINGS)
    assert allowed.tolist() != whole.tolist()


def test_a_best_rated_request_keeps_the_best_rated_of_what_fits_and_ranks_them_by_rating(dataset, config):
    """"the best rated films of 1997" listed 1997's most-watched films (Contact first, 3.8/5), not the best rated."""
    from recommender.retrieval.hybrid import ACCLAIMED_MIN_RATINGS
    from recommender.retrieval.ratings import ItemRatings

    interactions = dataset.interactions
    ratings = ItemRatings.fit(interactions.items, interactions.ratings, len(dataset.catalog), config.rating_prior)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    retriever = HybridRetriever.build(dataset.catalog, [h.items for h in loo.histories.values()], config,
                                      embedder_factory=HashEmbedder, progress=False, ratings=ratings)
    years = dataset.catalog.years
    request = Request(constraints=Constraints(min_year=1980, max_year=1989, acclaimed=True))
    shortlist = retriever.shortlist(request, k=len(dataset.catalog))
    eighties = np.flatnonzero((years >= 1980) & (years <= 1989))
    eighties = eighties[ratings.count[eighties] >= ACCLAIMED_MIN_RATINGS]  # rated by enough people
    assert len(eighties) >= 10
    best = eighties[ratings.shrunk[eighties] >= np.sort(ratings.shrunk[eighties])[::-1][9]]  # ten, and ties
    assert sorted(shortlist.indices.tolist()) == sorted(best.tolist())  # at least ten of the 80s twenty
    assert list(ratings.shrunk[shortlist.indices]) == sorted(ratings.shrunk[shortlist.indices], reverse=True)
    plain = retriever.shortlist(Request(constraints=Constraints(min_year=1980, max_year=1989)), k=10)
    assert plain.indices.tolist() != shortlist.indices.tolist()  # popularity order, before
    with pytest.raises(ConfigError, match="acclaimed_share"):
        RetrievalConfig(acclaimed_share=0.0)
    with pytest.raises(ConfigError, match="rating_prior must be >= 0"):
        RetrievalConfig(rating_prior=-1.0)
