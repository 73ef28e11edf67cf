"""Could a learned reranker over the retrieval stage's own evidence beat score fusion? (issue 4's "what would")

Score fusion sums five z-scored channels with weights from a small grid tuned on validation. A
conditional-logit reranker on each shortlist (`headroom.ConditionalLogit`) is a richer function of the
same evidence: every channel's score for the candidate, its fused rank, and optionally the content
features the LLM prompt shows (genres and years against the rated history). Both are tuned on the
validation split only, on the same channel scores, and compared on test with a paired bootstrap. If
this reranker cannot beat fusion, an LLM shown the same evidence as text ("co-watched with X") cannot
either: what a reranker would need is knowledge none of these signals carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from recommender.evaluation.cases import ShortlistCase
from recommender.evaluation.headroom import FEATURES, ConditionalLogit, candidate_features, genre_matrix
from recommender.evaluation.llm_eval import can_change, full_order
from recommender.evaluation.retrieval_eval import SplitScores, make_shortlists
from recommender.llm.ranker import RankInput
from recommender.metrics import ndcg_at_k, paired_bootstrap
from recommender.retrieval.config import CHANNELS

CONTENT = FEATURES[1:]  # FEATURES[0] is log_rank, which every set has
FEATURE_SETS = {
    "rank + channels": ("log_rank",) + CHANNELS,
    "rank + channels + content": ("log_rank",) + CHANNELS + CONTENT,
}


@dataclass
class FusionHeadroomRow:
    features: tuple[str, ...]
    val_ndcg10: float
    test_ndcg10: float
    difference: float  # test NDCG@10 minus retrieval only, mean over users
    low: float  # paired bootstrap 95% interval of the difference
    high: float
    weights: dict[str, float]  # on standardised features


@dataclass
class FusionHeadroomResult:
    retrieval_val_ndcg10: float
    retrieval_test_ndcg10: float
    fitted_on: int  # validation users whose target is on the shortlist (the only ones with a gradient)
    n_test: int
    rows: list[FusionHeadroomRow]


def shortlist_features(scores: SplitScores, cases: Sequence[ShortlistCase], catalog, genres: np.ndarray,
                       max_history: int) -> list[np.ndarray]:
    """Per case, shortlist positions x (log_rank, CHANNELS..., CONTENT...): the channels' per-user
    z-scores as fusion sees them, then headroom.candidate_features' content columns."""
    out = []
    for u, case in enumerate(cases):
        cand = case.candidates
        ranks = list(range(1, len(cand) + 1))
        request = RankInput(case.history.items.tolist(), case.history.ratings.tolist(), cand.tolist(), None, ranks)
        content = candidate_features(catalog, genres, request, max_history)
        channels = np.column_stack([scores.channel_z[name][u][cand] for name in CHANNELS])
        out.append(np.column_stack([content[:, :1], channels, content[:, 1:]]))
    return out


def ndcg_per_user(cases: Sequence[ShortlistCase], head_scores: Sequence[np.ndarray]) -> np.ndarray:
    """NDCG@10 of each case after its shortlist is re-ordered by score, as the LLM evaluation does it
    (`llm_eval.full_order`: ties keep retrieval order)."""
    return np.array([ndcg_at_k(c.rank_after_rerank(full_order(c, s)), 10) for c, s in zip(cases, head_scores)])


def evaluate_fusion_headroom(val: SplitScores, test: SplitScores, weights: dict, catalog, size: int = 20,
                             max_history: int = 8, feature_sets: dict = FEATURE_SETS) -> FusionHeadroomResult:
    """Fit one reranker per feature set on the val shortlists of `weights`' fusion, report it on test."""
    genres = genre_matrix(catalog)
    val_cases, test_cases = make_shortlists(val, weights, size), make_shortlists(test, weights, size)
    columns = ("log_rank",) + CHANNELS + CONTENT
    x_val = shortlist_features(val, val_cases, catalog, genres, max_history)
    x_test = shortlist_features(test, test_cases, catalog, genres, max_history)
    hits = [i for i, c in enumerate(val_cases) if can_change(c)]
    answers = [int(np.flatnonzero(val_cases[i].candidates == val_cases[i].target)[0]) for i in hits]
    base_val = np.array([ndcg_at_k(c.retrieval_rank, 10) for c in val_cases])
    base_test = np.array([ndcg_at_k(c.retrieval_rank, 10) for c in test_cases])
    rows = []
    for names in feature_sets.values():
        cols = [columns.index(n) for n in names]
        model = ConditionalLogit.fit([x_val[i][:, cols] for i in hits], answers, steps=800)
        val_ndcg = ndcg_per_user(val_cases, [model.scores(x[:, cols]) for x in x_val])
        test_ndcg = ndcg_per_user(test_cases, [model.scores(x[:, cols]) for x in x_test])
        ci = paired_bootstrap(test_ndcg, base_test)
        rows.append(FusionHeadroomRow(tuple(names), float(val_ndcg.mean()), float(test_ndcg.mean()),
                                      ci.mean_difference, ci.low, ci.high,
                                      {n: round(float(w), 3) for n, w in zip(names, model.weights)}))
    return FusionHeadroomResult(float(base_val.mean()), float(base_test.mean()), len(hits), len(test_cases), rows)


def format_markdown(result: FusionHeadroomResult) -> str:
    lines = ["| ranking | val NDCG@10 (fitted here) | test NDCG@10 | test minus retrieval | 95% CI (paired bootstrap) |",
             "|---|---:|---:|---:|---|",
             f"| retrieval only (score fusion, weights tuned on val) | {result.retrieval_val_ndcg10:.4f} | "
             f"{result.retrieval_test_ndcg10:.4f} | | |"]
    for r in result.rows:
        label = "reranker on " + ", ".join(r.features)
        lines.append(f"| {label} | {r.val_ndcg10:.4f} | {r.test_ndcg10:.4f} | {r.difference:+.4f} | "
                     f"[{r.low:+.4f}, {r.high:+.4f}] |")
    lines.append(f"\nFitted on the {result.fitted_on} validation users whose target is on the 20-item shortlist; "
                 f"tested on {result.n_test} users.")
    return "\n".join(lines)
