"""Training examples for the LoRA ranker: leakage rules, candidates, shuffling (no model needed)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from recommender.data.split import LeaveOneOut, UserHistory
from recommender.train.config import TrainConfig
from recommender.train.examples import build_examples, example_order, hold_out_targets, make_example
from tests.synthetic import HashEmbedder, synthetic_dataset


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def dataset():
    return synthetic_dataset(n_items=60, n_users=40, length=12, seed=0)


def build(dataset, cache_dir, **overrides):
    config = TrainConfig(out="unused", **{"targets_per_user": 3, **overrides})
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    return build_examples(dataset, loo, config, embedder_factory=HashEmbedder, progress=False), loo


def history(items):
    items = np.array(items, dtype=np.int32)
    return UserHistory("u", items, np.full(len(items), 4.0, dtype=np.float32), np.arange(len(items)))


def test_hold_out_targets_by_hand():
    held = hold_out_targets({"a": history([1, 2, 3, 4, 5, 6]), "b": history([7, 8, 9, 10]), "c": history([11, 12, 13])},
                            targets_per_user=2, min_history=3)
    assert held.target_positions == {"a": [5, 4], "b": [3]}  # latest first; b keeps 3 items of context
    fit = [s.tolist() for s in held.fit_sequences]
    assert fit == [[1, 2, 3, 4], [7, 8, 9], [11, 12, 13]]  # cut before the first target; c has none


def test_no_validation_or_test_target_is_ever_seen(dataset, cache_dir):
    examples, loo = build(dataset, cache_dir)
    assert len(examples.examples) > 50
    val = {c.user: c.target for c in loo.cases("val")}
    test = {c.user: c.target for c in loo.cases("test")}
    train_hist = loo.fit_histories("val")
    for ex in examples.examples:
        held = {val[ex.user], test[ex.user]}
        assert ex.target not in held
        assert not held & set(ex.history.tolist())
        # the history is exactly the user's training history before the target
        assert ex.target_position < len(train_hist[ex.user])
        assert ex.history.tolist() == train_hist[ex.user].items[:ex.target_position].tolist()
        assert ex.target == train_hist[ex.user].items[ex.target_position]


def test_candidate_retriever_never_fitted_on_example_targets(dataset, cache_dir, monkeypatch):
    from recommender.retrieval import hybrid

    fitted = {}
    real_build = hybrid.HybridRetriever.build.__func__

    def spy(cls, catalog, sequences, *args, **kwargs):
        fitted["sequences"] = [np.asarray(s).tolist() for s in sequences]
        return real_build(cls, catalog, sequences, *args, **kwargs)

    monkeypatch.setattr(hybrid.HybridRetriever, "build", classmethod(spy))
    examples, loo = build(dataset, cache_dir)
    users = sorted(loo.fit_histories("val"))
    for ex in examples.examples:
        sequence = fitted["sequences"][users.index(ex.user)]
        assert len(sequence) <= ex.target_position  # the target and everything after it were cut


def test_candidates_label_ranks_and_shuffle(dataset, cache_dir):
    examples, _ = build(dataset, cache_dir, missed_target="insert")
    inserted = [ex for ex in examples.examples if ex.inserted]
    hits = [ex for ex in examples.examples if not ex.inserted]
    assert inserted and hits
    for ex in examples.examples:
        assert len(ex.candidates) == 20 and len(set(ex.candidates.tolist())) == 20
        assert ex.candidates[ex.label] == ex.target
        assert not set(ex.candidates.tolist()) & set(ex.history.tolist())  # the shortlist excludes the history
    for ex in hits:
        assert sorted(ex.retrieval_ranks.tolist()) == list(range(1, 21))
        inp = ex.rank_input()
        assert inp.retrieval_ranks == ex.retrieval_ranks.tolist() and inp.candidates == ex.candidates.tolist()
    for ex in inserted:
        assert ex.rank_input().retrieval_ranks is None  # no fake rank for an item retrieval missed
    # position carries no information: the answer is spread over the label positions
    labels = Counter(ex.label for ex in examples.examples)
    assert len(labels) >= 12 and max(labels.values()) < 0.25 * len(examples.examples)


def test_insert_replaces_the_last_candidate():
    hist = history([1, 2, 3, 4])
    ex = make_example(hist, 3, np.array([10, 11, 12, 13]), target=4, hit=False, rng=np.random.default_rng(0))
    assert sorted(ex.candidates.tolist()) == [4, 10, 11, 12] and ex.candidates[ex.label] == 4
    assert ex.retrieval_ranks is None and ex.history.tolist() == [1, 2, 3]
    hit = make_example(hist, 3, np.array([10, 4, 12, 13]), target=4, hit=True, rng=np.random.default_rng(0))
    assert hit.retrieval_ranks[hit.label] == 2  # the target keeps its retrieval rank through the shuffle
    assert {int(c): int(r) for c, r in zip(hit.candidates, hit.retrieval_ranks)} == {10: 1, 4: 2, 12: 3, 13: 4}


def test_skip_drops_missed_targets(dataset, cache_dir):
    inserted, _ = build(dataset, cache_dir, missed_target="insert")
    skipped, _ = build(dataset, cache_dir, missed_target="skip")
    assert skipped.n_targets == inserted.n_targets
    assert len(skipped.examples) == inserted.retrieval_hits == skipped.retrieval_hits
    assert skipped.skipped == inserted.n_targets - inserted.retrieval_hits
    assert not any(ex.inserted for ex in skipped.examples)


def test_deterministic_given_seed_and_capped(dataset, cache_dir):
    a, _ = build(dataset, cache_dir, seed=3, max_examples=25)
    b, _ = build(dataset, cache_dir, seed=3, max_examples=25)
    c, _ = build(dataset, cache_dir, seed=4, max_examples=25)
    assert len(a.examples) == 25
    key = lambda s: [(e.user, e.target_position, e.candidates.tolist()) for e in s.examples]  # noqa: E731
    assert key(a) == key(b) and key(a) != key(c)


def test_users_sample_limits_training_users(dataset, cache_dir):
    examples, _ = build(dataset, cache_dir, users=5)
    assert examples.n_users == 5 and len({e.user for e in examples.examples}) == 5


def test_example_order_is_a_permutation_per_epoch():
    order = example_order(7, epochs=3, seed=0)
    assert len(order) == 21
    for epoch in range(3):
        assert sorted(order[7 * epoch:7 * (epoch + 1)].tolist()) == list(range(7))
    assert example_order(7, 3, 0).tolist() == order.tolist()
