"""The two data types everything else stands on: a Catalog of items and the Interactions with them.

Items are addressed two ways: by their external `item_id` (a string, as in the source files) and by a
dense integer index 0..n-1 into the catalogue, which every score vector uses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from recommender.errors import UnknownItemError


@dataclass(frozen=True)
class Item:
    """One catalogue entry."""

    item_id: str
    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()
    text: str = ""  # free text (plot, tags, description); may be empty
    meta: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def display(self) -> str:
        """'Title (1995)', or the bare title when the year is unknown."""
        return f"{self.title} ({self.year})" if self.year else self.title

    def document(self) -> str:
        """The text that BM25 and the embedder index."""
        parts = [self.title, " ".join(self.genres)]
        if self.year:
            parts.append(str(self.year))
        if self.text:
            parts.append(self.text)
        return ". ".join(p for p in parts if p)


class Catalog:
    """An ordered, id-unique collection of items. `catalog[i]` is the item at dense index i."""

    def __init__(self, items: Sequence[Item]):
        self.items: list[Item] = list(items)
        self._index = {item.item_id: i for i, item in enumerate(self.items)}
        if len(self._index) != len(self.items):
            raise ValueError("duplicate item ids in catalogue")  # loaders report these with file/line first

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Item:
        return self.items[index]

    def __iter__(self):
        return iter(self.items)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._index

    def index_of(self, item_id: str) -> int:
        """Dense index of an item id; UnknownItemError if absent."""
        try:
            return self._index[str(item_id)]
        except KeyError:
            raise UnknownItemError(f"unknown item id: {item_id!r}") from None

    def by_id(self, item_id: str) -> Item:
        return self.items[self.index_of(item_id)]

    @property
    def years(self) -> np.ndarray:
        """Release year per index (0 where unknown), cached."""
        if not hasattr(self, "_years"):
            self._years = np.array([it.year or 0 for it in self.items], dtype=np.int32)
        return self._years

    def content_hash(self) -> str:
        """A stable hash of everything an index is built from; indexes rebuild when it changes."""
        digest = hashlib.sha256()
        for it in self.items:
            row = [it.item_id, it.title, it.year, list(it.genres), it.text]
            digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()[:16]


@dataclass
class Interactions:
    """Column arrays of (user, item index, rating, timestamp). Rating is NaN where unknown."""

    users: np.ndarray  # dtype object (str user ids)
    items: np.ndarray  # int32 dense item indices into the catalogue
    ratings: np.ndarray  # float32
    timestamps: np.ndarray  # int64 (seconds) or order of appearance when the source has none

    def __post_init__(self):
        n = len(self.users)
        if not (len(self.items) == len(self.ratings) == len(self.timestamps) == n):
            raise ValueError("interaction columns have different lengths")

    def __len__(self) -> int:
        return len(self.users)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, int, float, int]]) -> "Interactions":
        rows = list(rows)
        users = np.array([r[0] for r in rows], dtype=object)
        items = np.array([r[1] for r in rows], dtype=np.int32)
        ratings = np.array([r[2] for r in rows], dtype=np.float32)
        stamps = np.array([r[3] for r in rows], dtype=np.int64)
        return cls(users, items, ratings, stamps)

    def take(self, mask_or_index) -> "Interactions":
        return Interactions(
            self.users[mask_or_index], self.items[mask_or_index],
            self.ratings[mask_or_index], self.timestamps[mask_or_index],
        )

    @property
    def n_users(self) -> int:
        return len(set(self.users.tolist()))


@dataclass
class Dataset:
    """A catalogue, its interactions, and where they came from."""

    name: str
    catalog: Catalog
    interactions: Interactions
    source: str = ""  # human-readable provenance, printed by `data fetch`
