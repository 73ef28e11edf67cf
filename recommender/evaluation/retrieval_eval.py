"""Offline evaluation of the retrieval stage (protocol: eval/README.md).

For each split the channels are fitted on `fit_histories(split)` only. Fusion weights are tuned by
grid search on validation NDCG@10 and then applied unchanged to the test split. Every channel alone,
the fusion and a popularity baseline are scored in the same run, by full ranking over the catalogue.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np

from recommender.data.split import EvalCase, LeaveOneOut
from recommender.data.types import Dataset
from recommender.evaluation.cases import ShortlistCase
from recommender.metrics import catalog_coverage, mean_popularity, summarize, target_ranks, top_k
from recommender.retrieval.config import CHANNELS, RetrievalConfig
from recommender.retrieval.hybrid import HybridRetriever, zscore
from recommender.types import Request

WEIGHT_GRID = {
    "transitions": [1.0],
    "cooccurrence": [0.0, 0.25, 0.5, 0.75, 1.0],
    "dense": [0.0, 0.1, 0.2, 0.3, 0.5],
    "bm25": [0.0, 0.05, 0.1, 0.2],
    "popularity": [0.0, 0.05, 0.1, 0.2],
}


@dataclass
class SplitScores:
    """Per-user z-scored channel scores for one split (users x items), -inf on disallowed items."""

    cases: list[EvalCase]
    channel_z: dict[str, np.ndarray]
    allowed: np.ndarray  # users x items bool
    popularity: np.ndarray  # training counts, for the mean-popularity metric
    targets: np.ndarray = field(init=False)

    def __post_init__(self):
        self.targets = np.array([c.target for c in self.cases], dtype=np.int64)

    def fused(self, weights: dict[str, float]) -> np.ndarray:
        total = np.zeros_like(self.allowed, dtype=np.float32)
        for name, w in weights.items():
            if w > 0:
                total += w * self.channel_z[name]
        return np.where(self.allowed, total, -np.inf)


def score_split(dataset: Dataset, loo: LeaveOneOut, split: str, users: list[str], config: RetrievalConfig,
                progress: bool = True, embedder_factory=None) -> tuple[SplitScores, HybridRetriever]:
    from tqdm import tqdm

    sequences = [h.items for h in loo.fit_histories(split).values()]
    retriever = HybridRetriever.build(dataset.catalog, sequences, config, embedder_factory, progress)
    cases = loo.cases(split, users)
    n_items = len(dataset.catalog)
    channel_z = {c: np.zeros((len(cases), n_items), dtype=np.float32) for c in CHANNELS}
    allowed = np.zeros((len(cases), n_items), dtype=bool)
    for u, case in enumerate(tqdm(cases, desc=f"scoring {split} users", disable=not progress, unit="user")):
        request = Request(history=case.history.items, ratings=case.history.ratings)
        allowed[u] = retriever.allowed(request)
        for name, raw in retriever.channel_scores(request).items():
            channel_z[name][u] = zscore(raw, allowed[u])
    return SplitScores(cases, channel_z, allowed, retriever.channels["popularity"].counts), retriever


def row_metrics(scores: SplitScores, fused: np.ndarray) -> dict[str, float]:
    ranks = target_ranks(fused, scores.targets)
    tops = [top_k(row, 10) for row in fused]
    metrics = summarize(ranks)
    metrics["coverage@10"] = catalog_coverage(tops, fused.shape[1])
    metrics["mean_popularity@10"] = mean_popularity(tops, scores.popularity)
    return metrics


def tune_weights(val: SplitScores, grid: dict = WEIGHT_GRID) -> tuple[dict[str, float], float]:
    """Grid search on validation NDCG@10 only. Returns the best weights and their NDCG@10."""
    best, best_ndcg = None, -1.0
    names = list(grid)
    for values in itertools.product(*(grid[n] for n in names)):
        weights = dict(zip(names, values))
        ndcg = summarize(target_ranks(val.fused(weights), val.targets), (10,))["ndcg@10"]
        if ndcg > best_ndcg + 1e-12:
            best, best_ndcg = weights, ndcg
    return best, best_ndcg


def single_channel_rows(scores: SplitScores) -> dict[str, dict[str, float]]:
    rows = {}
    for name in CHANNELS:
        label = "popularity (baseline)" if name == "popularity" else name
        rows[label] = row_metrics(scores, scores.fused({name: 1.0}))
    return rows


@dataclass
class RetrievalEvalResult:
    split: str
    n_users: int
    weights: dict[str, float]
    rows: dict[str, dict[str, float]]  # reported split: channel rows, "fusion"
    val_rows: dict[str, dict[str, float]]
    seconds: float
    shortlists: dict[str, list[ShortlistCase]]  # per split, for the LLM evaluation

    @property
    def metrics(self) -> dict[str, float]:
        return self.rows["fusion"]


def make_shortlists(scores: SplitScores, weights: dict, size: int) -> list[ShortlistCase]:
    fused = scores.fused(weights)
    ranks = target_ranks(fused, scores.targets)
    out = []
    for u, case in enumerate(scores.cases):
        top = top_k(fused[u], size)
        out.append(ShortlistCase(case.user, case.history, case.target, top, fused[u][top], ranks[u]))
    return out


def evaluate_retrieval(dataset: Dataset, split: str = "test", n_users: int | None = None, seed: int = 0,
                       config: RetrievalConfig | None = None, progress: bool = True,
                       embedder_factory=None) -> RetrievalEvalResult:
    config = config or RetrievalConfig()
    start = time.perf_counter()
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    users = loo.sample_users(n_users, seed)
    val, _ = score_split(dataset, loo, "val", users, config, progress, embedder_factory)
    weights, _ = tune_weights(val)
    val_rows = {**single_channel_rows(val), "fusion": row_metrics(val, val.fused(weights))}
    shortlists = {"val": make_shortlists(val, weights, config.shortlist_size)}
    if split == "test":
        test, _ = score_split(dataset, loo, "test", users, config, progress, embedder_factory)
        rows = {**single_channel_rows(test), "fusion": row_metrics(test, test.fused(weights))}
        shortlists["test"] = make_shortlists(test, weights, config.shortlist_size)
    else:
        rows = val_rows
    return RetrievalEvalResult(split, len(users), weights, rows, val_rows, time.perf_counter() - start, shortlists)


def format_rows(rows: dict[str, dict[str, float]], title: str = "") -> str:
    cols = ["ndcg@5", "ndcg@10", "ndcg@20", "recall@5", "recall@10", "recall@20", "mrr@10", "coverage@10",
            "mean_popularity@10"]
    lines = [f"### {title}", ""] if title else []
    lines.append("| row | " + " | ".join(cols) + " |")
    lines.append("|---|" + "---:|" * len(cols))
    for name, m in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{m[c]:.4f}" if c != "mean_popularity@10" else f"{m[c]:.1f}"
                                                for c in cols) + " |")
    return "\n".join(lines)
