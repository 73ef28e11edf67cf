"""History that respects ratings: an item rated 2/5 or lower is no positive source (issue 15, item 6)."""

import math

import numpy as np
import pytest

from recommender.data.split import LeaveOneOut
from recommender.retrieval.collab import LowRatings
from recommender.retrieval.config import RetrievalConfig
from recommender.retrieval.hybrid import HybridRetriever
from recommender.types import Request
from tests.synthetic import HashEmbedder, synthetic_dataset


@pytest.fixture
def dataset():
    return synthetic_dataset()


def build(dataset, tmp_path, **config):
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    return HybridRetriever.build(dataset.catalog, [h.items for h in loo.histories.values()],
                                 RetrievalConfig(cache_dir=str(tmp_path / "cache"), **config),
                                 embedder_factory=HashEmbedder, progress=False)


def named(shortlist, item: int, catalog) -> bool:
    title = catalog[item].display
    return any(item in e.related or title in e.reason for evidence in shortlist.evidence for e in evidence)


@pytest.mark.parametrize("weight", [None, 1.0, 0.5])  # the shipped default, the old weighting, a small one
def test_an_item_rated_low_is_never_named_as_evidence(dataset, tmp_path, weight):
    """Users walk i, i+1, ...: after 10..13 the strongest source of 14, 15 is 13, here rated 1/5."""
    retriever = build(dataset, tmp_path, **({} if weight is None else {"low_rating_weight": weight}))
    request = Request(history=[10, 11, 12, 13], ratings=[5.0, 4.0, 5.0, 1.0])
    shortlist = retriever.shortlist(request, k=10)
    assert not named(shortlist, 13, dataset.catalog)
    # the same history with 13 liked names it: the check above is not vacuous
    liked = retriever.shortlist(Request(history=[10, 11, 12, 13], ratings=[5.0, 4.0, 5.0, 5.0]), k=10)
    assert named(liked, 13, dataset.catalog)


@pytest.mark.parametrize("weight", [None, 0.0])  # the shipped default (0.8: it still scores), and not at all
def test_a_history_whose_only_source_is_rated_low_gets_no_history_evidence(dataset, tmp_path, weight):
    retriever = build(dataset, tmp_path, **({} if weight is None else {"low_rating_weight": weight}))
    shortlist = retriever.shortlist(Request(history=[30], ratings=[1.0]), k=10)
    assert not named(shortlist, 30, dataset.catalog)
    assert all(e.channel not in ("transitions", "cooccurrence") for ev in shortlist.evidence for e in ev)


@pytest.mark.parametrize("weight", [0.5, 0.0, -0.5])
def test_below_weight_one_the_history_channels_pull_less_from_an_item_rated_low(dataset, tmp_path, weight):
    retriever = build(dataset, tmp_path, low_rating_weight=weight)
    rank = lambda scores, item: int(np.count_nonzero(scores > scores[item]))  # noqa: E731
    for name in ("transitions", "cooccurrence", "dense"):
        channel = retriever.channels[name]
        alone = channel.scores(Request(history=[30]))
        alone[[50, 20, 30]] = -np.inf
        pulled = int(np.argmax(alone))  # what 30 pulls in most (31 for transitions: it follows 30)
        liked = channel.scores(Request(history=[50, 20, 30], ratings=[4.0, 4.0, 5.0]))
        hated = channel.scores(Request(history=[50, 20, 30], ratings=[4.0, 4.0, 1.0]))
        assert rank(hated, pulled) > rank(liked, pulled), name
    bm25 = retriever.channels["bm25"]
    tokens = set(bm25.query_tokens(Request(history=[20, 30], ratings=[4.0, 2.0])))
    assert tokens == (set(bm25.documents[20]) if weight <= 0 else set(bm25.documents[20]) | set(bm25.documents[30]))


def test_unknown_ratings_count_as_positive(dataset, tmp_path):
    retriever = build(dataset, tmp_path)
    history = [20, 30]
    for name in ("transitions", "cooccurrence", "dense", "bm25"):
        channel = retriever.channels[name]
        plain = channel.scores(Request(history=history))
        for ratings in ([4.0, math.nan], [math.nan, math.nan], [], [4.0]):  # NaN, none, or not parallel
            np.testing.assert_allclose(channel.scores(Request(history=history, ratings=ratings)), plain, rtol=1e-6)
    assert LowRatings().mask(Request(history=[1, 2, 3], ratings=[2.0, 2.5, math.nan])).tolist() == [True, False, False]


def test_dense_evidence_never_points_at_an_item_rated_low(dataset, tmp_path):
    retriever = build(dataset, tmp_path)
    dense = retriever.channels["dense"]
    request = Request(history=[12, 13], ratings=[5.0, 1.0])
    assert dense.closest_history_item(request, 13) == 12  # 13 itself is the closest, but rated 1/5
    assert dense.closest_history_item(Request(history=[13], ratings=[1.0]), 14) is None
