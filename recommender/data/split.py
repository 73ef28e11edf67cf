"""Leave-one-out split by time (the evaluation protocol in eval/README.md).

Each user's interactions are sorted by timestamp, ties broken by item id ascending (numerically when
ids are numbers). The last interaction is the test target, the second-to-last the validation target.
Users with fewer than 3 interactions are never evaluated, but their interactions stay in training.

No leakage: `fit_interactions(split)` holds exactly the interactions strictly before that split's
targets (per user), and is the only data anything fitted for the split may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recommender.data.types import Catalog, Interactions

Split = Literal["val", "test"]
MIN_INTERACTIONS = 3


@dataclass
class UserHistory:
    """One user's interactions in chronological order (parallel arrays)."""

    user: str
    items: np.ndarray  # int32 catalogue indices
    ratings: np.ndarray  # float32, NaN where unknown
    timestamps: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.items)

    def prefix(self, n: int) -> "UserHistory":
        return UserHistory(self.user, self.items[:n], self.ratings[:n], self.timestamps[:n])


@dataclass
class EvalCase:
    """A user to evaluate: the history strictly before the target, and the target item index."""

    user: str
    history: UserHistory
    target: int


def id_sort_keys(catalog: Catalog) -> np.ndarray:
    """Rank of each item index when ids are sorted ascending (numeric ids compare as numbers)."""
    ids = [it.item_id for it in catalog]
    numeric = all(i.lstrip("-").isdigit() for i in ids)
    order = sorted(range(len(ids)), key=(lambda i: int(ids[i])) if numeric else (lambda i: ids[i]))
    keys = np.empty(len(ids), dtype=np.int64)
    keys[np.array(order, dtype=np.int64)] = np.arange(len(ids))
    return keys


def user_histories(interactions: Interactions, catalog: Catalog) -> dict[str, UserHistory]:
    """Group interactions per user, sorted by (timestamp, item id)."""
    tie_keys = id_sort_keys(catalog)[interactions.items]
    order = np.lexsort((tie_keys, interactions.timestamps, interactions.users.astype(str)))
    users = interactions.users[order]
    boundaries = np.flatnonzero(users[1:] != users[:-1]) + 1
    histories = {}
    for chunk in np.split(order, boundaries):
        if len(chunk) == 0:
            continue
        user = str(interactions.users[chunk[0]])
        histories[user] = UserHistory(
            user, interactions.items[chunk], interactions.ratings[chunk], interactions.timestamps[chunk]
        )
    return histories


class LeaveOneOut:
    """The split of one data set. Build once; ask for fit data and eval cases per split."""

    def __init__(self, interactions: Interactions, catalog: Catalog):
        self.catalog = catalog
        self.histories = user_histories(interactions, catalog)

    def _held_out(self, split: Split) -> int:
        if split not in ("val", "test"):
            raise ValueError(f"split must be 'val' or 'test', not {split!r}")
        return 2 if split == "val" else 1

    def eligible_users(self) -> list[str]:
        return sorted(u for u, h in self.histories.items() if len(h) >= MIN_INTERACTIONS)

    def fit_histories(self, split: Split) -> dict[str, UserHistory]:
        """Per-user histories with the split's targets (and anything after them) removed."""
        cut = self._held_out(split)
        out = {}
        for user, hist in self.histories.items():
            keep = len(hist) - cut if len(hist) >= MIN_INTERACTIONS else len(hist)
            out[user] = hist.prefix(keep)
        return out

    def fit_interactions(self, split: Split) -> Interactions:
        """All interactions strictly before the split's targets: the only data fitting may see."""
        hists = self.fit_histories(split).values()
        return Interactions(
            np.array([h.user for h in hists for _ in range(len(h))], dtype=object),
            np.concatenate([h.items for h in hists]).astype(np.int32),
            np.concatenate([h.ratings for h in hists]).astype(np.float32),
            np.concatenate([h.timestamps for h in hists]).astype(np.int64),
        )

    def cases(self, split: Split, users: list[str] | None = None) -> list[EvalCase]:
        """Eval cases for the split, in user order; `users` restricts (and orders) them."""
        cut = self._held_out(split)
        chosen = users if users is not None else self.eligible_users()
        cases = []
        for user in chosen:
            hist = self.histories[user]
            if len(hist) < MIN_INTERACTIONS:
                continue
            target_pos = len(hist) - cut
            cases.append(EvalCase(user, hist.prefix(target_pos), int(hist.items[target_pos])))
        return cases

    def sample_users(self, n: int | None, seed: int = 0) -> list[str]:
        """A reproducible sample of n eligible users (all of them when n is None or too large)."""
        users = self.eligible_users()
        if n is None or n >= len(users):
            return users
        rng = np.random.default_rng(seed)
        return sorted(rng.choice(users, size=n, replace=False).tolist())
