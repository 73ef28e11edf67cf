import math

import numpy as np
import pytest

from recommender.metrics import (
    catalog_coverage, label_entropy, mean_popularity, mrr_at_k, ndcg_at_k, paired_bootstrap, recall_at_k,
    summarize, target_rank, target_ranks, top_k,
)


def test_target_rank_counts_higher_scores_and_earlier_ties():
    scores = np.array([0.5, 0.9, 0.5, 0.1, -np.inf])
    assert target_rank(scores, 1) == 1
    assert target_rank(scores, 0) == 2  # tie with item 2, lower index first
    assert target_rank(scores, 2) == 3
    assert target_rank(scores, 3) == 4
    assert target_rank(scores, 4) is None  # excluded items are unreachable


def test_metrics_match_hand_computed_values():
    # rank 3: NDCG = 1/log2(4) = 0.5, RR = 1/3
    assert ndcg_at_k(3, 10) == pytest.approx(0.5)
    assert ndcg_at_k(1, 10) == pytest.approx(1.0)
    assert ndcg_at_k(3, 2) == 0.0
    assert recall_at_k(3, 5) == 1.0 and recall_at_k(6, 5) == 0.0
    assert mrr_at_k(3, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(None, 10) == 0.0


def test_summarize_averages_over_users():
    # ranks 1, 3 and unreachable: NDCG@10 = (1 + 0.5 + 0) / 3, Recall@5 = 2/3, MRR@10 = (1 + 1/3)/3
    m = summarize([1, 3, None], cutoffs=(5, 10))
    assert m["ndcg@10"] == pytest.approx(0.5)
    assert m["recall@5"] == pytest.approx(2 / 3)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 3) / 3)
    assert m["ndcg@5"] == pytest.approx(1.5 / 3)


def test_vectorised_ranks_equal_the_reference():
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 5, size=(30, 12)).astype(np.float32)  # many ties on purpose
    scores[rng.random(scores.shape) < 0.2] = -np.inf
    targets = rng.integers(0, 12, size=30)
    assert target_ranks(scores, targets) == [target_rank(scores[u], int(t)) for u, t in enumerate(targets)]


def test_top_k_skips_excluded_and_orders_ties_by_index():
    scores = np.array([1.0, 3.0, -np.inf, 3.0, 2.0])
    assert top_k(scores, 3).tolist() == [1, 3, 4]
    assert top_k(scores, 10).tolist() == [1, 3, 4, 0]


def test_coverage_and_mean_popularity():
    assert catalog_coverage([[0, 1], [1, 2]], 10) == pytest.approx(0.3)
    counts = np.array([10.0, 20.0, 30.0])
    assert mean_popularity([[0, 1], [2]], counts) == pytest.approx((15 + 30) / 2)


def test_paired_bootstrap_interval_contains_the_mean_and_detects_a_shift():
    a = np.linspace(0.5, 1.0, 200)
    interval = paired_bootstrap(a, a - 0.1, seed=3)
    assert interval.mean_difference == pytest.approx(0.1)
    assert interval.low == pytest.approx(0.1) and interval.high == pytest.approx(0.1)
    noisy = paired_bootstrap(np.r_[np.ones(50), np.zeros(50)], np.r_[np.zeros(50), np.ones(50)], seed=0)
    assert noisy.low < 0 < noisy.high
    assert math.isclose(noisy.mean_difference, 0.0)


def test_label_entropy_by_hand_and_as_the_best_constant_predictor():
    import torch
    import torch.nn.functional as F

    assert label_entropy([3, 3, 3]) == 0.0
    assert label_entropy([0, 1, 0, 1]) == pytest.approx(math.log(2))
    assert label_entropy([0, 0, 0, 1]) == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    labels = torch.tensor([0, 0, 0, 1, 2, 2, 5, 5, 5, 5])
    best_constant = torch.log(torch.bincount(labels).float() / len(labels)).expand(len(labels), -1)
    assert F.cross_entropy(best_constant, labels).item() == pytest.approx(label_entropy(labels.tolist()), abs=1e-6)
    with pytest.raises(ValueError):
        label_entropy([])
