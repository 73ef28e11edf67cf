"""The learned-fusion headroom behind eval/fusion_headroom.py: it finds evidence that fusion leaves out,
and finds nothing where there is nothing."""

from __future__ import annotations

import numpy as np

from recommender.data.split import EvalCase, UserHistory
from recommender.data.types import Catalog, Item
from recommender.evaluation.fusion_headroom import evaluate_fusion_headroom, format_markdown, ndcg_per_user
from recommender.evaluation.retrieval_eval import SplitScores, make_shortlists
from recommender.retrieval.config import CHANNELS

N_ITEMS, N_USERS = 40, 400
FUSION = {"transitions": 1.0, "cooccurrence": 0.0, "dense": 0.0, "bm25": 0.0, "popularity": 0.0}


def catalog() -> Catalog:
    return Catalog([Item(str(i), f"Movie {i}") for i in range(N_ITEMS)])


def split(seed: int, dense_signal: float) -> SplitScores:
    """Users with one history item; transitions is noise plus a weak pull to the target, dense is noise
    plus `dense_signal` on the target (fusion gives dense no weight)."""
    rng = np.random.default_rng(seed)
    cases, channel_z = [], {c: rng.normal(size=(N_USERS, N_ITEMS)).astype(np.float32) for c in CHANNELS}
    allowed = np.ones((N_USERS, N_ITEMS), dtype=bool)
    for u in range(N_USERS):
        seen, target = rng.choice(N_ITEMS, size=2, replace=False)
        history = UserHistory(str(u), np.array([seen], dtype=np.int32), np.array([4.0], dtype=np.float32),
                              np.array([0], dtype=np.int64))
        cases.append(EvalCase(str(u), history, int(target)))
        allowed[u, seen] = False
        channel_z["transitions"][u, target] += 1.0
        channel_z["dense"][u, target] += dense_signal
    return SplitScores(cases, channel_z, allowed, np.ones(N_ITEMS))


def test_the_reranker_learns_a_channel_fusion_leaves_out():
    result = evaluate_fusion_headroom(split(1, 3.0), split(2, 3.0), FUSION, catalog())
    row = result.rows[0]
    assert row.features[0] == "log_rank" and "dense" in row.features
    assert row.weights["dense"] > 1.0 > abs(row.weights["bm25"])
    assert row.low > 0.1 and row.test_ndcg10 > result.retrieval_test_ndcg10 + 0.1
    assert "dense" in format_markdown(result)


def test_no_evidence_beyond_fusion_gives_no_gain():
    result = evaluate_fusion_headroom(split(1, 0.0), split(2, 0.0), FUSION, catalog())
    for row in result.rows:
        assert row.low < 0 < row.high
        assert abs(row.difference) < 0.03


def test_retrieval_order_scores_reproduce_retrieval_ndcg():
    scores = split(3, 0.0)
    cases = make_shortlists(scores, FUSION, 20)
    ndcg = ndcg_per_user(cases, [-np.arange(20.0) for _ in cases])
    expected = [1 / np.log2(c.retrieval_rank + 1) if c.retrieval_rank <= 10 else 0.0 for c in cases]
    np.testing.assert_allclose(ndcg, expected)
