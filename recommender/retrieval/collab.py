"""History-driven channels: item co-occurrence (collaborative), transitions (sequential), popularity.

All three are fitted from per-user chronological item sequences. In evaluation those sequences come from
`LeaveOneOut.fit_histories(split)`, so no target is ever counted.

Co-occurrence and transitions are scipy.sparse CSR matrices that keep each item's `neighbours` strongest
entries (a dense n x n float32 matrix is 11 MB at ML-100k but 40 GB at 100k items). They are built a block
of rows at a time, so memory grows with the number of interactions and with n x neighbours, never with n².
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from recommender.types import Request

DEFAULT_NEIGHBOURS = 2000  # as RetrievalConfig.neighbours
# Co-occurrence pairs multiplied out at once before pruning (about 12 bytes each while a block is live).
BLOCK_PAIRS = 20_000_000


@dataclass
class CollabStats:
    """Counts fitted on training sequences. `cooccurrence` is cosine-normalised, `transitions` row-normalised
    (normalised before pruning, so a kept entry has the same value as in the full matrix)."""

    cooccurrence: "scipy.sparse.csr_matrix"  # (n, n) float32, at most `neighbours` entries per row
    transitions: "scipy.sparse.csr_matrix"  # (n, n) float32, P(next = j | i) within the window
    popularity: np.ndarray  # (n,) float32: users who interacted with the item

    @classmethod
    def fit(cls, sequences: Sequence[np.ndarray], n_items: int, window: int = 3,
            neighbours: int = DEFAULT_NEIGHBOURS, block_pairs: int = BLOCK_PAIRS) -> "CollabStats":
        flat, owner = _concatenate(sequences)
        users = _user_item_matrix(flat, owner, n_items)
        popularity = np.asarray(users.sum(axis=0), dtype=np.float32).ravel()
        cooccurrence = _cooccurrence(users, popularity, neighbours, block_pairs)
        del users
        transitions = _transitions(flat, owner, n_items, window, neighbours, block_pairs)
        return cls(cooccurrence, transitions, popularity)


def _concatenate(sequences: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All sequences end to end (int32 items) and the sequence each position belongs to."""
    arrays = [np.asarray(s, dtype=np.int32) for s in sequences]
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
    owner = np.repeat(np.arange(len(arrays), dtype=np.int32), lengths)
    return flat, owner


def _user_item_matrix(flat: np.ndarray, owner: np.ndarray, n_items: int):
    """Binary users x items CSR: 1 where the user interacted with the item at least once."""
    from scipy import sparse

    n_users = int(owner[-1]) + 1 if len(owner) else 0
    data = np.ones(len(flat), dtype=np.float32)
    matrix = sparse.csr_matrix((data, (owner, flat)), shape=(n_users, n_items))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _row_blocks(work: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """Consecutive row ranges whose summed `work` stays within `budget` (at least one row each)."""
    n, start, total = len(work), 0, 0.0
    for row in range(n):
        if row > start and total + work[row] > budget:
            yield start, row
            start, total = row, 0.0
        total += work[row]
    if start < n:
        yield start, n


def _keep_strongest(block, neighbours: int, row_offset: int, drop_diagonal: bool):
    """The `neighbours` largest positive entries of each row of a CSR block (ties: lower column first).

    Rows with more entries than that are cut one by one with a partial sort (np.partition): a few
    microseconds a row, where sorting the whole block took ten times the matrix product itself."""
    from scipy import sparse

    block = block.tocsr()
    block.sort_indices()  # so that "lower column first" among ties is "first in the row"
    rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
    keep = block.data > 0
    if drop_diagonal:
        keep &= block.indices != rows + row_offset
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[keep], minlength=block.shape[0]))])
    cols, vals = block.indices[keep], block.data[keep]
    keep = np.ones(len(vals), dtype=bool)
    for row in np.flatnonzero(np.diff(indptr) > neighbours):
        lo, hi = indptr[row], indptr[row + 1]
        values = vals[lo:hi]
        kth = np.partition(values, len(values) - neighbours)[len(values) - neighbours]  # the N-th largest
        above = values > kth
        ties = np.flatnonzero(values == kth)[: neighbours - int(above.sum())]
        above[ties] = True
        keep[lo:hi] = above
    rows = np.repeat(np.arange(block.shape[0]), np.diff(indptr))[keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=block.shape[0]))])
    return sparse.csr_matrix((vals[keep].astype(np.float32), cols[keep].astype(np.int32), indptr),
                             shape=block.shape)


def _stack_rows(blocks: list, n_columns: int):
    """One CSR matrix from row blocks, freeing each block once copied: the result's arrays are allocated
    empty (the OS maps their pages as they are written), so memory peaks near one copy, where
    scipy.sparse.vstack holds the blocks and the result at once."""
    from scipy import sparse

    nnz = sum(b.nnz for b in blocks)
    n_rows = sum(b.shape[0] for b in blocks)
    data, indices = np.empty(nnz, dtype=np.float32), np.empty(nnz, dtype=np.int32)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    row = at = 0
    while blocks:
        block = blocks.pop(0)
        data[at:at + block.nnz], indices[at:at + block.nnz] = block.data, block.indices
        indptr[row + 1:row + 1 + block.shape[0]] = block.indptr[1:] + at
        row, at = row + block.shape[0], at + block.nnz
    return sparse.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))


def _cooccurrence(users, popularity: np.ndarray, neighbours: int, block_pairs: int):
    """Users sharing both items / sqrt(pop_i * pop_j), item rows multiplied out a block at a time."""
    from scipy import sparse

    by_item = users.T.tocsr()
    per_user = np.diff(users.indptr).astype(np.float64)
    work = by_item @ per_user  # entries row i produces before merging: a bound on a block's size
    norm = np.sqrt(np.maximum(popularity, 1)).astype(np.float32)
    blocks = []
    for start, stop in _row_blocks(work, block_pairs):
        counts = (by_item[start:stop] @ users).tocsr()
        rows = np.repeat(np.arange(start, stop), np.diff(counts.indptr))
        # the same float32 operations, in the same order, as the dense matrix this replaces
        counts.data = (counts.data.astype(np.float32) / norm[rows]) / norm[counts.indices]
        blocks.append(_keep_strongest(counts, neighbours, start, drop_diagonal=True))
    return _stack_rows(blocks, users.shape[1])


def _transitions(flat: np.ndarray, owner: np.ndarray, n_items: int, window: int, neighbours: int,
                 block_pairs: int):
    """j following i within `window` steps of one sequence, weight 1/distance, row-normalised."""
    from scipy import sparse

    counts = sparse.csr_matrix((n_items, n_items), dtype=np.float32)
    for distance in range(1, window + 1):
        # in slices of positions, so the index arrays stay small; one slice's pairs are summed at once
        for start in range(0, max(len(flat) - distance, 0), block_pairs):
            stop = min(start + block_pairs, len(flat) - distance)
            same = owner[start:stop] == owner[start + distance:stop + distance]
            sources, targets = flat[start:stop][same], flat[start + distance:stop + distance][same]
            weights = np.full(len(sources), 1.0 / distance, dtype=np.float32)
            counts = counts + sparse.csr_matrix((weights, (sources, targets)), shape=(n_items, n_items))
    totals = np.asarray(counts.sum(axis=1), dtype=np.float32).ravel()
    counts.data /= np.maximum(np.repeat(totals, np.diff(counts.indptr)), 1e-9)
    per_row = np.diff(counts.indptr).astype(np.float64)
    blocks = [_keep_strongest(counts[start:stop], neighbours, start, drop_diagonal=False)
              for start, stop in _row_blocks(per_row, block_pairs)]
    del counts
    return _stack_rows(blocks, n_items)


def recency_weights(length: int, decay: float) -> np.ndarray:
    """Weight decay**k for the k-th most recent of `length` items (most recent last gets 1)."""
    return decay ** np.arange(length - 1, -1, -1, dtype=np.float32)


@dataclass(frozen=True)
class LowRatings:
    """How history items the user rated low count: at ratings <= `threshold`, `weight` times their recency
    weight (1 = like any other item, 0 = not at all, < 0 = what goes with them is pushed down). Unknown
    ratings (NaN, or no ratings at all) are positive: a title liked in the chat has none."""

    weight: float = 1.0
    threshold: float = 2.0

    def mask(self, request: Request) -> np.ndarray:
        """True for each history item (in order) whose rating is known and at most the threshold."""
        ratings = np.asarray(list(request.ratings), dtype=np.float64)
        if len(ratings) != len(request.history):
            return np.zeros(len(request.history), dtype=bool)
        with np.errstate(invalid="ignore"):
            return ratings <= self.threshold  # NaN compares False: unknown counts as positive


def profile(request: Request, decay: float, liked_weight: float,
            low: LowRatings = LowRatings()) -> tuple[np.ndarray, np.ndarray]:
    """History items (plus dialogue likes, counted as most recent) and their recency weights, low-rated
    items weighted by `low.weight`."""
    items, weights, _ = profile_with_sources(request, decay, liked_weight, low)
    return items, weights


def profile_with_sources(request: Request, decay: float, liked_weight: float,
                         low: LowRatings = LowRatings()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`profile` and, per item, whether it may be named as a source of evidence (not rated low)."""
    items = np.asarray(list(request.history), dtype=np.int64)
    weights = recency_weights(len(items), decay)
    rated_low = low.mask(request)
    weights[rated_low] *= low.weight
    positive = ~rated_low
    if len(request.liked):
        liked = np.asarray(list(request.liked), dtype=np.int64)
        items = np.concatenate([items, liked])
        weights = np.concatenate([weights, np.full(len(liked), liked_weight, dtype=np.float32)])
        positive = np.concatenate([positive, np.ones(len(liked), dtype=bool)])
    return items, weights, positive


class MatrixChannel:
    """Score = recency-weighted sum of the matrix rows of the user's items (sparse CSR or dense matrix)."""

    def __init__(self, name: str, matrix, decay: float, liked_weight: float, reason: str,
                 low: LowRatings = LowRatings()):
        if not isinstance(matrix, np.ndarray) and not matrix.has_sorted_indices:
            matrix.sort_indices()  # strongest_source binary-searches each row
        self.name, self.matrix, self.decay, self.liked_weight = name, matrix, decay, liked_weight
        self.reason, self.low = reason, low  # reason: a format string with {title}
        self._rows_cache = None  # the last request's history rows; see _history_rows

    def scores(self, request: Request) -> np.ndarray:
        items, weights = profile(request, self.decay, self.liked_weight, self.low)
        if len(items) == 0:
            return np.zeros(self.matrix.shape[0], dtype=np.float32)
        if isinstance(self.matrix, np.ndarray):
            return weights @ self.matrix[items]
        rows = self._history_rows(items, weights)[0]
        return np.asarray(rows.T @ weights, dtype=np.float32).ravel()

    def _history_rows(self, items: np.ndarray, weights: np.ndarray):
        """The rows of the history items and a sorted key (row * n + column) per stored entry, kept for
        the last history: a shortlist scores once and then asks for the source of 20 items, and slicing
        the rows again for each of them was most of a request's time at 20k items."""
        key = (items.tobytes(), weights.tobytes())
        cached = self._rows_cache
        if cached is None or cached[0] != key:
            rows = self.matrix[items]
            n = self.matrix.shape[1]
            positions = np.repeat(np.arange(len(items), dtype=np.int64), np.diff(rows.indptr)) * n + rows.indices
            cached = self._rows_cache = (key, rows, positions)
        return cached[1], cached[2]

    def strongest_source(self, request: Request, item: int) -> int | None:
        """The history item contributing most to `item`'s score (for evidence); never one rated low, which
        is no reason to recommend anything."""
        items, weights, positive = profile_with_sources(request, self.decay, self.liked_weight, self.low)
        if len(items) == 0:
            return None
        if isinstance(self.matrix, np.ndarray):
            column = self.matrix[items, item]
        else:
            rows, positions = self._history_rows(items, weights)
            wanted = np.arange(len(items), dtype=np.int64) * self.matrix.shape[1] + item
            at = np.minimum(np.searchsorted(positions, wanted), max(len(positions) - 1, 0))
            column = np.where(positions[at] == wanted, rows.data[at], 0) if len(positions) else np.zeros(len(items))
        contributions = np.where(positive, weights * column, 0.0)
        best = int(np.argmax(contributions))
        return int(items[best]) if contributions[best] > 0 else None


class PopularityChannel:
    name = "popularity"

    def __init__(self, counts: np.ndarray):
        self.counts = counts
        self._scores = np.log1p(counts).astype(np.float32)

    def scores(self, request: Request) -> np.ndarray:
        return self._scores
