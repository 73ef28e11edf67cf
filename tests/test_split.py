import numpy as np

from recommender.data.split import LeaveOneOut
from recommender.data.types import Catalog, Interactions, Item
from recommender.retrieval.collab import CollabStats


def make(rows, n_items=10):
    catalog = Catalog([Item(str(i + 1), f"T{i + 1}") for i in range(n_items)])
    return Interactions.from_rows(rows), catalog


def test_targets_are_last_two_by_time_with_ties_broken_by_item_id():
    # user a: item ids 5 and 3 share the last timestamp -> sorted by id: 3 then 5; so test = 5, val = 3
    rows = [("a", 0, 4, 10), ("a", 4, 5, 30), ("a", 2, 3, 30), ("a", 1, 2, 20)]
    loo = LeaveOneOut(*make(rows))
    assert loo.histories["a"].items.tolist() == [0, 1, 2, 4]
    (test,) = loo.cases("test")
    (val,) = loo.cases("val")
    assert test.target == 4 and test.history.items.tolist() == [0, 1, 2]
    assert val.target == 2 and val.history.items.tolist() == [0, 1]


def test_numeric_ids_sort_as_numbers_not_strings():
    catalog = Catalog([Item("10", "ten"), Item("9", "nine"), Item("100", "hundred")])
    rows = [("a", 0, 1, 5), ("a", 1, 1, 5), ("a", 2, 1, 5)]
    loo = LeaveOneOut(Interactions.from_rows(rows), catalog)
    assert [catalog[i].item_id for i in loo.histories["a"].items] == ["9", "10", "100"]


def test_users_with_fewer_than_three_are_not_evaluated_but_still_train():
    rows = [("a", 0, 1, 1), ("a", 1, 1, 2), ("b", 0, 1, 1), ("b", 1, 1, 2), ("b", 2, 1, 3)]
    loo = LeaveOneOut(*make(rows))
    assert [c.user for c in loo.cases("test")] == ["b"]
    fit = loo.fit_interactions("test")
    assert sorted(set(fit.users.tolist())) == ["a", "b"]
    assert np.count_nonzero(fit.users == "a") == 2


def test_fit_data_never_contains_the_split_targets():
    rng = np.random.default_rng(0)
    rows = [(f"u{u}", int(rng.integers(0, 30)), 3.0, t) for u in range(20) for t in range(8)]
    interactions, catalog = make(rows, n_items=30)
    loo = LeaveOneOut(interactions, catalog)
    for split, held_out in (("val", 2), ("test", 1)):
        fit = loo.fit_histories(split)
        for case in loo.cases(split):
            full = loo.histories[case.user]
            assert len(fit[case.user]) == len(full) - held_out
            assert fit[case.user].timestamps.max() <= case.history.timestamps.max()
            # the fitted prefix is exactly the case's history: the target and anything after it are absent
            assert fit[case.user].items.tolist() == case.history.items.tolist()


def test_leakage_would_be_detected_in_fitted_statistics():
    """Fit collab statistics on the val fit data: no transition may lead into a user's val target
    from that user's last history item unless another user made the same move."""
    rows = [("a", 0, 5, 1), ("a", 1, 5, 2), ("a", 7, 5, 3), ("a", 8, 5, 4),  # val target 7, test 8
            ("b", 2, 5, 1), ("b", 3, 5, 2), ("b", 4, 5, 3)]
    loo = LeaveOneOut(*make(rows))
    sequences = [h.items for h in loo.fit_histories("val").values()]
    stats = CollabStats.fit(sequences, 10)
    assert stats.transitions[1, 7] == 0 and stats.popularity[7] == 0 and stats.popularity[8] == 0
    leaky = CollabStats.fit([h.items for h in loo.histories.values()], 10)
    assert leaky.transitions[1, 7] > 0  # the check above would fail if targets leaked
