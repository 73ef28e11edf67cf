"""Validation during training: NDCG@10 on a fixed sample of validation users.

Each user's candidates are their val-split retrieval shortlist (retriever fitted on
`fit_histories("val")`, as in `recommender eval`). Rankings keep full-ranking semantics: a target
outside the shortlist keeps its retrieval rank (see ShortlistCase). Three rankings are scored: the
retrieval order, the LLM alone, and the LLM mixed with retrieval at several weights (`mix_scores`).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from recommender.data.split import LeaveOneOut
from recommender.data.types import Dataset
from recommender.evaluation.cases import ShortlistCase
from recommender.llm.ranker import RankInput, mix_scores, ranked_order
from recommender.metrics import ndcg_at_k

MIX_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
Scorer = Callable[[list[RankInput]], list[np.ndarray]]


@dataclass
class ValMetrics:
    """Mean NDCG@10 over the validation users for each ranking of the same shortlists."""

    retrieval: float
    llm: float
    mix: dict[str, float]  # mix weight (as text, e.g. "0.5") -> NDCG@10
    best_mix_weight: float
    n_users: int
    seconds: float

    @property
    def best_mix(self) -> float:
        return self.mix[f"{self.best_mix_weight:g}"]

    def selection_score(self, select_on: str) -> float:
        return self.llm if select_on == "llm" else self.best_mix

    def to_dict(self) -> dict:
        return {**asdict(self), "best_mix": self.best_mix}


def val_shortlists(dataset: Dataset, loo: LeaveOneOut, n_users: int, seed: int, shortlist_size: int,
                   embedder_factory=None, progress: bool = True) -> list[ShortlistCase]:
    """The fixed validation cases: a seeded user sample and their val-split shortlists."""
    from recommender.evaluation.retrieval_eval import make_shortlists, score_split
    from recommender.retrieval.config import RetrievalConfig

    users = loo.sample_users(n_users, seed)
    config = RetrievalConfig(shortlist_size=shortlist_size)
    scores, _ = score_split(dataset, loo, "val", users, config, progress, embedder_factory)
    return make_shortlists(scores, config.weights, shortlist_size)


def rank_input_of(case: ShortlistCase, show_ranks: bool = True) -> RankInput:
    """The ranker's view of a validation case: candidates in retrieval order with their ranks 1..n."""
    ranks = list(range(1, len(case.candidates) + 1)) if show_ranks else None
    return RankInput([int(i) for i in case.history.items], [float(r) for r in case.history.ratings],
                     [int(c) for c in case.candidates], None, ranks)


def evaluate(score: Scorer, cases: Sequence[ShortlistCase], batch: int = 8, progress: bool = True,
             desc: str = "validating", dist=None) -> ValMetrics:
    """Score the shortlists with `score` and compare the rankings (tqdm bar over users).

    Users whose target is off the shortlist are not sent to the model: no re-ordering can change
    their rank (see llm_eval.can_change), so their scores are zeros and their metrics are the same.
    With `dist` (a train.distributed.Distributed), each process scores its share of the users and every
    process gets all scores, so all of them compute the same metrics."""
    from tqdm import tqdm

    from recommender.evaluation.llm_eval import can_change
    from recommender.train.distributed import Distributed

    dist = dist if dist is not None else Distributed()
    start = time.perf_counter()
    llm_scores = [np.zeros(len(c.candidates)) for c in cases]
    todo = [i for i, c in enumerate(cases) if can_change(c)]
    with tqdm(total=dist.share(len(todo), batch), desc=desc, unit="user", disable=not progress, leave=False) as bar:
        scored = dist.map_batches(todo, lambda chunk: score([rank_input_of(cases[j]) for j in chunk]), batch,
                                  on_batch=bar.update)
    for j, scores in zip(todo, scored):
        llm_scores[j] = scores
    return metrics_of(cases, llm_scores, time.perf_counter() - start)


def metrics_of(cases: Sequence[ShortlistCase], llm_scores: Sequence[np.ndarray], seconds: float = 0.0) -> ValMetrics:
    n = max(len(cases), 1)

    def mean_ndcg(order_of) -> float:
        return sum(ndcg_at_k(c.rank_after_rerank(order_of(c, s)), 10) for c, s in zip(cases, llm_scores)) / n

    retrieval = mean_ndcg(lambda c, s: np.arange(len(c.candidates)))
    llm = mean_ndcg(lambda c, s: ranked_order(s))
    mix = {f"{w:g}": mean_ndcg(lambda c, s, w=w: ranked_order(mix_scores(c.retrieval_scores, s, w)))
           for w in MIX_WEIGHTS}
    best_weight = max(MIX_WEIGHTS, key=lambda w: (mix[f"{w:g}"], -w))  # ties: the smaller LLM weight
    return ValMetrics(retrieval, llm, mix, best_weight, len(cases), seconds)
