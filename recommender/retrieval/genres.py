"""The catalogue's genres as an item x genre matrix, and which genres go together.

"A thriller from the 70s" has three 1970s thrillers in ML-100k; the list went on with Life of Brian and The
Return of the Pink Panther because items without a wished genre were ordered by score alone. Genres that
often share a film with a wished one (Crime, Mystery, Film-Noir for Thriller) are read from the catalogue
itself, so the closest films come first on any catalogue.
"""

from __future__ import annotations

import numpy as np

from recommender.data.types import Catalog

RELATED_LIFT = 1.9  # a genre is related when its films carry the wished genre about twice as often as the catalogue does
RELATED_MIN_SHARED = 5  # ... in at least this many films, so that two odd films make no relation


class ItemGenres:
    """Lower-case genre sets per item, and the same as a boolean item x genre matrix."""

    def __init__(self, catalog: Catalog):
        self.sets = [frozenset(g.lower() for g in item.genres) for item in catalog]
        names = sorted({g for genres in self.sets for g in genres})
        self.column = {g: k for k, g in enumerate(names)}
        self.matrix = np.zeros((len(catalog), len(names)), dtype=bool)
        for i, genres in enumerate(self.sets):
            self.matrix[i, [self.column[g] for g in genres]] = True
        self.sizes = np.maximum(self.matrix.sum(axis=1), 1)  # genres per item, for genre_focus
        shared = self.matrix.T.astype(np.int64) @ self.matrix.astype(np.int64)  # genre x genre: films with both
        per_genre = np.maximum(np.diag(shared), 1)
        # lift[g, h]: the share of h's films that are also g, over g's share of the whole catalogue
        lift = (shared / per_genre[None, :]) / (per_genre[:, None] / max(len(catalog), 1))
        self._related = (lift >= RELATED_LIFT) & (shared >= RELATED_MIN_SHARED)
        np.fill_diagonal(self._related, False)

    def counts(self, genres) -> np.ndarray:
        """How many of `genres` (lower case) each item has."""
        columns = [self.column[g] for g in genres if g in self.column]
        if not columns:
            return np.zeros(len(self.sets), dtype=np.int32)
        return self.matrix[:, columns].sum(axis=1).astype(np.int32)

    def related_names(self, genre: str) -> list[str]:
        """The genres (lower case) that go with `genre` in this catalogue; [] for an unknown one."""
        if genre not in self.column:
            return []
        names = sorted(self.column, key=self.column.get)
        return [names[h] for h in np.flatnonzero(self._related[self.column[genre]])]

    def related(self, genres) -> np.ndarray:
        """Per item: whether it has a genre related to one of `genres` (lower case)."""
        columns = [self.column[g] for g in genres if g in self.column]
        if not columns:
            return np.zeros(len(self.sets), dtype=bool)
        return (self.matrix & self._related[columns].any(axis=0)[None, :]).any(axis=1)
