"""Sparse collaborative statistics against the dense matrices they replace."""

import numpy as np
import pytest

from recommender.data.split import LeaveOneOut
from recommender.retrieval.collab import CollabStats, MatrixChannel
from recommender.types import Request
from tests.synthetic import synthetic_dataset


def dense_reference(sequences, n_items, window=3):
    """The dense n x n implementation this project used before the sparse one, kept as the yardstick."""
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
    return cooc, trans, pop


def random_sequences(n_items=40, n_users=60, seed=1):
    """Skewed item choice with repeats, empty and one-item sequences: the awkward cases."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_items + 1)
    p /= p.sum()
    sequences = [rng.choice(n_items, size=int(rng.integers(0, 25)), p=p) for _ in range(n_users)]
    return sequences + [np.array([3]), np.array([], dtype=np.int64)]


@pytest.mark.parametrize("block_pairs", [1, 50, 10**9])
def test_unpruned_sparse_statistics_equal_the_dense_matrices(block_pairs):
    sequences, n = random_sequences(), 40
    cooc, trans, pop = dense_reference(sequences, n)
    stats = CollabStats.fit(sequences, n, neighbours=n, block_pairs=block_pairs)
    np.testing.assert_allclose(stats.cooccurrence.toarray(), cooc, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(stats.transitions.toarray(), trans, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(stats.popularity, pop)


def test_pruning_keeps_each_rows_strongest_entries():
    sequences, n, keep = random_sequences(), 40, 5
    cooc, trans, _ = dense_reference(sequences, n)
    stats = CollabStats.fit(sequences, n, neighbours=keep, block_pairs=30)
    for sparse_matrix, dense in ((stats.cooccurrence, cooc), (stats.transitions, trans)):
        assert np.diff(sparse_matrix.indptr).max() <= keep
        for row in range(n):
            kept = sparse_matrix[row].toarray().ravel()
            positive = np.flatnonzero(dense[row] > 0)
            assert np.count_nonzero(kept) == min(keep, len(positive))
            # every kept value is the full matrix's value, and nothing dropped beats what was kept
            np.testing.assert_allclose(kept[kept > 0], dense[row][kept > 0], rtol=1e-5)
            if np.count_nonzero(kept):
                dropped = dense[row][(kept == 0) & (dense[row] > 0)]
                assert dropped.size == 0 or dropped.max() <= kept[kept > 0].min() + 1e-7


def test_channel_scores_and_evidence_match_the_dense_channel():
    dataset = synthetic_dataset()
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    sequences = [h.items for h in loo.fit_histories("test").values()]
    n = len(dataset.catalog)
    cooc, trans, _ = dense_reference(sequences, n)
    stats = CollabStats.fit(sequences, n, neighbours=n)
    for dense, sparse_matrix in ((cooc, stats.cooccurrence), (trans, stats.transitions)):
        old = MatrixChannel("x", dense, 0.8, 1.0, "{title}")
        new = MatrixChannel("x", sparse_matrix, 0.8, 1.0, "{title}")
        for case in loo.cases("test"):
            request = Request(history=case.history.items, liked=[case.target])
            np.testing.assert_allclose(new.scores(request), old.scores(request), rtol=1e-5, atol=1e-6)
            top = int(np.argmax(old.scores(request)))
            assert new.strongest_source(request, top) == old.strongest_source(request, top)


def test_leave_one_out_ranks_match_the_dense_statistics():
    """The evaluation's per-user target ranks are the same with the sparse statistics."""
    dataset = synthetic_dataset(n_items=80, n_users=60, seed=3)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    sequences = [h.items for h in loo.fit_histories("test").values()]
    n = len(dataset.catalog)
    _, trans, _ = dense_reference(sequences, n)
    stats = CollabStats.fit(sequences, n, neighbours=n)
    old = MatrixChannel("t", trans, 0.6, 1.0, "{title}")
    new = MatrixChannel("t", stats.transitions, 0.6, 1.0, "{title}")
    for case in loo.cases("test"):
        request = Request(history=case.history.items)
        rank = lambda s: int(np.count_nonzero(s > s[case.target] + 1e-6))
        assert rank(new.scores(request)) == rank(old.scores(request))
