"""History-driven channels: item co-occurrence (collaborative), transitions (sequential), popularity.

All three are fitted from per-user chronological item sequences. In evaluation those sequences come from
`LeaveOneOut.fit_histories(split)`, so no target is ever counted. Matrices are dense (n_items^2 float32):
11 MB each for ML-100k, about 0.5 GB for ML-10M's 10k items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from recommender.types import Request


@dataclass
class CollabStats:
    """Counts fitted on training sequences. `cooccurrence` is cosine-normalised, `transitions` row-normalised."""

    cooccurrence: np.ndarray  # (n, n) float32
    transitions: np.ndarray  # (n, n) float32, P(next = j | i) within the window
    popularity: np.ndarray  # (n,) float32 interaction counts

    @classmethod
    def fit(cls, sequences: Iterable[np.ndarray], n_items: int, window: int = 3) -> "CollabStats":
        cooc = np.zeros((n_items, n_items), dtype=np.float32)
        trans = np.zeros((n_items, n_items), dtype=np.float32)
        pop = np.zeros(n_items, dtype=np.float32)
        for seq in sequences:
            seq = np.asarray(seq, dtype=np.int64)
            if len(seq) == 0:
                continue
            unique = np.unique(seq)
            pop[unique] += 1
            cooc[np.ix_(unique, unique)] += 1
            for distance in range(1, min(window, len(seq) - 1) + 1):
                np.add.at(trans, (seq[:-distance], seq[distance:]), 1.0 / distance)
        np.fill_diagonal(cooc, 0)
        norm = np.sqrt(np.maximum(pop, 1))
        cooc /= norm[:, None]
        cooc /= norm[None, :]
        trans /= np.maximum(trans.sum(axis=1, keepdims=True), 1e-9)
        return cls(cooc, trans, pop)


def recency_weights(length: int, decay: float) -> np.ndarray:
    """Weight decay**k for the k-th most recent of `length` items (most recent last gets 1)."""
    return decay ** np.arange(length - 1, -1, -1, dtype=np.float32)


def profile(request: Request, decay: float, liked_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """History items (plus dialogue likes, counted as most recent) and their recency weights."""
    items = np.asarray(list(request.history), dtype=np.int64)
    weights = recency_weights(len(items), decay)
    if len(request.liked):
        liked = np.asarray(list(request.liked), dtype=np.int64)
        items = np.concatenate([items, liked])
        weights = np.concatenate([weights, np.full(len(liked), liked_weight, dtype=np.float32)])
    return items, weights


class MatrixChannel:
    """Score = recency-weighted sum of the matrix rows of the user's items."""

    def __init__(self, name: str, matrix: np.ndarray, decay: float, liked_weight: float, reason: str):
        self.name, self.matrix, self.decay, self.liked_weight = name, matrix, decay, liked_weight
        self.reason = reason  # format string with {title}

    def scores(self, request: Request) -> np.ndarray:
        items, weights = profile(request, self.decay, self.liked_weight)
        if len(items) == 0:
            return np.zeros(self.matrix.shape[0], dtype=np.float32)
        return weights @ self.matrix[items]

    def strongest_source(self, request: Request, item: int) -> int | None:
        """The history item contributing most to `item`'s score (for evidence)."""
        items, weights = profile(request, self.decay, self.liked_weight)
        if len(items) == 0:
            return None
        contributions = weights * self.matrix[items, item]
        best = int(np.argmax(contributions))
        return int(items[best]) if contributions[best] > 0 else None


class PopularityChannel:
    name = "popularity"

    def __init__(self, counts: np.ndarray):
        self.counts = counts
        self._scores = np.log1p(counts).astype(np.float32)

    def scores(self, request: Request) -> np.ndarray:
        return self._scores
