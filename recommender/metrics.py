"""Ranking metrics for leave-one-out evaluation with a single relevant item per user.

Convention: full ranking over the catalogue minus the user's history (excluded items score -inf).
Items are ordered by score descending; ties are broken by lower catalogue index first (the order of a
stable sort), so results are deterministic. Ranks are 1-based. An unreachable target (score -inf)
has no rank and scores 0 on every metric.
"""

from __future__ import annotations

import math
from typing import Iterable, NamedTuple, Sequence

import numpy as np


def target_rank(scores: np.ndarray, target: int) -> int | None:
    """1-based rank of `target` under the tie convention above; None when it scores -inf."""
    s = scores[target]
    if not np.isfinite(s) and s < 0:
        return None
    higher = int(np.count_nonzero(scores > s))
    tied_before = int(np.count_nonzero(scores[:target] == s))
    return 1 + higher + tied_before


def ndcg_at_k(rank: int | None, k: int) -> float:
    """NDCG@k with one relevant item: 1 / log2(rank + 1) if rank <= k else 0 (ideal DCG is 1)."""
    return 1.0 / math.log2(rank + 1) if rank is not None and rank <= k else 0.0


def recall_at_k(rank: int | None, k: int) -> float:
    """Recall@k with one relevant item, equal to HitRate@k: 1 if rank <= k else 0."""
    return 1.0 if rank is not None and rank <= k else 0.0


def mrr_at_k(rank: int | None, k: int) -> float:
    """Reciprocal rank truncated at k: 1 / rank if rank <= k else 0."""
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best finite scores, best first, ties by lower index (same convention)."""
    finite = np.flatnonzero(np.isfinite(scores))
    order = finite[np.argsort(-scores[finite], kind="stable")]
    return order[:k]


def label_entropy(labels: Sequence[int]) -> float:
    """Entropy in nats of the empirical distribution of `labels`.

    It is the lowest mean cross-entropy (natural log) that a predictor ignoring its input can reach on
    these labels: the one that always predicts the label frequencies. A classifier's training loss
    above it has not learned even which labels are frequent.
    """
    if len(labels) == 0:
        raise ValueError("label_entropy needs at least one label")
    counts = np.unique(np.asarray(labels), return_counts=True)[1]
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def catalog_coverage(top_lists: Iterable[Sequence[int]], n_items: int) -> float:
    """Fraction of the catalogue that appears in at least one user's list."""
    seen = set()
    for lst in top_lists:
        seen.update(int(i) for i in lst)
    return len(seen) / n_items if n_items else 0.0


def mean_popularity(top_lists: Iterable[Sequence[int]], item_counts: np.ndarray) -> float:
    """Mean over users of the mean training interaction count of the items in their list."""
    per_user = [float(np.mean(item_counts[np.asarray(lst, dtype=np.int64)])) for lst in top_lists if len(lst)]
    return float(np.mean(per_user)) if per_user else 0.0


CUTOFFS = (5, 10, 20)


def summarize(ranks: Sequence[int | None], cutoffs: Sequence[int] = CUTOFFS) -> dict[str, float]:
    """Mean NDCG, Recall and MRR at each cutoff over users, keyed like 'ndcg@10'."""
    out: dict[str, float] = {}
    n = max(len(ranks), 1)
    for k in cutoffs:
        out[f"ndcg@{k}"] = sum(ndcg_at_k(r, k) for r in ranks) / n
        out[f"recall@{k}"] = sum(recall_at_k(r, k) for r in ranks) / n
        out[f"mrr@{k}"] = sum(mrr_at_k(r, k) for r in ranks) / n
    return out


class BootstrapInterval(NamedTuple):
    mean_difference: float
    low: float
    high: float


def paired_bootstrap(a: Sequence[float], b: Sequence[float], n_resamples: int = 2000, seed: int = 0) -> BootstrapInterval:
    """95% percentile-bootstrap interval of mean(a - b) over paired per-user values (users resampled)."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diff), size=(n_resamples, len(diff)))
    means = diff[idx].mean(axis=1)
    return BootstrapInterval(float(diff.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))


def target_ranks(scores: np.ndarray, targets: np.ndarray) -> list[int | None]:
    """`target_rank` for every row of a (users x items) score matrix at once (same tie convention)."""
    rows = np.arange(len(targets))
    target_scores = scores[rows, targets]
    higher = (scores > target_scores[:, None]).sum(axis=1)
    before = np.arange(scores.shape[1])[None, :] < targets[:, None]
    tied_before = ((scores == target_scores[:, None]) & before).sum(axis=1)
    ranks = 1 + higher + tied_before
    return [None if not np.isfinite(s) and s < 0 else int(r) for r, s in zip(ranks, target_scores)]
