"""How much can the fields the ranking prompt shows add to retrieval order, without a language model?

A conditional-logit reranker (a softmax over each shortlist, as in the LoRA loss) on a few features
that the pointwise prompt shows the LLM: the candidate's retrieval rank, its genres against the rated
history's genres, and its release year against the history's years. It is fitted on the LoRA training
examples (training interactions only) and evaluated exactly like the LLM (`recommender.evaluation.
llm_eval`), mix weight tuned on validation. So it measures whether a ranker can learn anything from
these fields on this data, and how much; a model that does better must use knowledge the fields do
not carry, such as what a title means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from recommender.config import check, option
from recommender.data.types import Catalog
from recommender.llm.ranker import RankInput

FEATURES = ("log_rank", "genre_share", "liked_genre_share", "year_gap", "year")


def genre_matrix(catalog: Catalog) -> np.ndarray:
    """items x genres 0/1 matrix over every genre in the catalogue (sorted by name)."""
    names = sorted({g for item in catalog for g in item.genres})
    column = {g: j for j, g in enumerate(names)}
    out = np.zeros((len(catalog), max(len(names), 1)))
    for i, item in enumerate(catalog):
        out[i, [column[g] for g in item.genres]] = 1.0
    return out


def candidate_features(catalog: Catalog, genres: np.ndarray, request: RankInput, max_history: int = 8) -> np.ndarray:
    """candidates x FEATURES for one request, from the last `max_history` history items (what the prompt shows):
    - log_rank: log of the 1-based retrieval rank (0 when ranks are not given);
    - genre_share: mean over the candidate's genres of the share of history items with that genre;
    - liked_genre_share: the same with each history item weighted by its rating minus the history's mean
      rating (unknown ratings count as the mean), so genres the user rated above their habit score higher;
    - year_gap: |candidate year - median history year| / 10 (0 when either is unknown);
    - year: (candidate year - 1990) / 10 (0 when unknown)."""
    history = np.asarray(request.history[-max_history:], dtype=np.int64)
    ratings = np.full(len(history), np.nan)
    if len(request.ratings):
        ratings = np.asarray(request.ratings[-max_history:], dtype=np.float64)
    candidates = np.asarray(request.candidates, dtype=np.int64)
    ranks = np.asarray(request.retrieval_ranks if request.retrieval_ranks is not None else np.ones(len(candidates)))
    h_genres = genres[history] if len(history) else np.zeros((1, genres.shape[1]))
    share = h_genres.mean(axis=0)
    known = ratings[~np.isnan(ratings)]
    centred = np.nan_to_num(ratings - (known.mean() if len(known) else 0.0)) if len(history) else np.zeros(1)
    liked = (centred[:, None] * h_genres).mean(axis=0)
    c_genres = genres[candidates]
    n_genres = np.maximum(c_genres.sum(axis=1), 1.0)
    years = catalog.years
    h_years = years[history][years[history] > 0] if len(history) else np.array([])
    c_years = years[candidates].astype(np.float64)
    centre = np.median(h_years) if len(h_years) else 0.0
    gap = np.where((c_years > 0) & (len(h_years) > 0), np.abs(c_years - centre) / 10, 0.0)
    return np.column_stack([np.log(ranks.astype(np.float64)), c_genres @ share / n_genres, c_genres @ liked / n_genres,
                            gap, np.where(c_years > 0, (c_years - 1990) / 10, 0.0)])


@dataclass
class ConditionalLogit:
    """Scores = standardised features @ weights; fitted by full-batch Adam on the mean cross-entropy of
    each group's answer under a softmax over the group, plus l2 * |weights|^2."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def scores(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights

    @classmethod
    def fit(cls, groups: Sequence[np.ndarray], answers: Sequence[int], l2: float = 1e-3, steps: int = 500,
            lr: float = 0.05) -> "ConditionalLogit":
        stacked = np.concatenate(groups)
        mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
        width = max(len(g) for g in groups)
        x = np.zeros((len(groups), width, stacked.shape[1]))
        valid = np.zeros((len(groups), width), dtype=bool)
        for i, g in enumerate(groups):
            x[i, :len(g)], valid[i, :len(g)] = (g - mean) / scale, True
        onehot = np.zeros_like(valid, dtype=np.float64)
        onehot[np.arange(len(groups)), list(answers)] = 1.0
        w, m, v = np.zeros(stacked.shape[1]), np.zeros(stacked.shape[1]), np.zeros(stacked.shape[1])
        for t in range(1, steps + 1):
            logits = np.where(valid, x @ w, -np.inf)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            grad = np.einsum("gc,gcf->f", p - onehot, x) / len(groups) + 2 * l2 * w
            m, v = 0.9 * m + 0.1 * grad, 0.999 * v + 0.001 * grad ** 2
            w -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        return cls(w, mean, scale)


@dataclass
class FeatureRankerConfig:
    batch_size: int = option(64, "requests scored per call (the evaluation's batching; no effect on scores)")
    max_history: int = option(8, "most recent history items the features look at (the prompt's max_history)")

    def __post_init__(self):
        check(self.batch_size >= 1, f"batch_size must be >= 1, not {self.batch_size}")
        check(self.max_history >= 1, f"max_history must be >= 1, not {self.max_history}")


@dataclass
class FeatureRanker:
    """The ranker interface `llm_eval` uses (`catalog`, `config.batch_size`, `score`), over ConditionalLogit."""

    catalog: Catalog
    model: ConditionalLogit
    config: FeatureRankerConfig = field(default_factory=FeatureRankerConfig)

    def __post_init__(self):
        self._genres = genre_matrix(self.catalog)

    def features(self, request: RankInput) -> np.ndarray:
        return candidate_features(self.catalog, self._genres, request, self.config.max_history)

    def score(self, requests: Sequence[RankInput]) -> list[np.ndarray]:
        return [self.model.scores(self.features(r)) for r in requests]

    def named_weights(self) -> dict[str, float]:
        return {name: round(float(w), 4) for name, w in zip(FEATURES, self.model.weights)}


def fit_feature_ranker(catalog: Catalog, examples: Sequence, max_history: int = 8) -> FeatureRanker:
    """Fit on TrainingExamples (their shown candidates, ranks and answer positions)."""
    zeros = np.zeros(len(FEATURES))
    untrained = FeatureRanker(catalog, ConditionalLogit(zeros, zeros, np.ones(len(FEATURES))),
                              FeatureRankerConfig(max_history=max_history))
    groups = [untrained.features(ex.rank_input()) for ex in examples]
    untrained.model = ConditionalLogit.fit(groups, [ex.label for ex in examples])
    return untrained
