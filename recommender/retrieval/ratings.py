"""What the catalogue's raters thought of each item: the mean rating, shrunk towards the overall mean by a
prior worth `prior` ratings (a Bayesian average), so that a film rated 5/5 by three people does not outrank
one rated 4.4/5 by three hundred. "The best rated films of 1997" keeps the best-rated share of what else the
request allows (`RetrievalConfig.acclaimed_share`) and ranks by rating where the history says nothing.

Before, the chat answered "I have no descriptions of the films … so I can't match “what are the best rated
films of 1997”" and listed 1997's most-watched films, although ML-100k holds 100,000 ratings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class Standing(NamedTuple):
    """How one item is rated here: "is #3 any good?" is answered from it."""

    mean: float  # its raw mean rating
    count: int  # how many rated it
    rated_above: float  # the share of rated items whose Bayesian average is below its own (0..1)


@dataclass(frozen=True)
class ItemRatings:
    mean: np.ndarray  # (n,) float32: each item's raw mean rating, NaN when nobody rated it
    count: np.ndarray  # (n,) int32: how many ratings each item has
    shrunk: np.ndarray  # (n,) float32: the Bayesian average, the overall mean for unrated items

    @classmethod
    def fit(cls, items: np.ndarray, ratings: np.ndarray, n_items: int, prior: float = 25.0) -> "ItemRatings":
        """From parallel arrays of catalogue indices and ratings (NaN ratings are skipped), in one pass: a loop
        over user histories cost 23 µs a user at start-up."""
        ratings = np.asarray(ratings, dtype=np.float64)
        rated = ~np.isnan(ratings)
        items = np.asarray(items)[rated]
        total = np.bincount(items, weights=ratings[rated], minlength=n_items)
        count = np.bincount(items, minlength=n_items).astype(np.float64)
        overall = total.sum() / count.sum() if count.sum() else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        shrunk = (total + prior * overall) / (count + prior) if count.sum() else np.full(n_items, np.nan)
        return cls(mean.astype(np.float32), count.astype(np.int32), shrunk.astype(np.float32))

    @property
    def any(self) -> bool:
        return bool(self.count.sum())

    def standing(self, index: int) -> Standing | None:
        """The item's mean, its number of ratings and the share of rated items it is rated above (by the
        Bayesian average, so one 5/5 vote outranks nothing); None when nobody rated it."""
        if not self.count[index]:
            return None
        rated = self.shrunk[self.count > 0]
        return Standing(float(self.mean[index]), int(self.count[index]),
                        float((rated < self.shrunk[index]).sum() / len(rated)))

    def best_rated(self, pool: np.ndarray, share: float, at_least: int, min_ratings: int = 0) -> np.ndarray:
        """Mask of the items rated at least as well as the best-rated `share` (and at least `at_least` items)
        of `pool` (a mask), by the shrunk mean: "the best horror of the 80s" is judged among 80s horror, not
        against Schindler's List. Items outside the pool above that cut stay too. All True without ratings.
        Items with fewer than `min_ratings` ratings are left out while `at_least` others fit: in a genre rated
        below the overall mean the shrinkage lifts them ("classic horror" listed Nightwatch, rated by one person)."""
        if not self.any or not pool.any():
            return np.ones(len(self.count), dtype=bool)
        trusted = self.count >= min_ratings
        if (pool & trusted).sum() < at_least:
            trusted = np.ones(len(self.count), dtype=bool)
        values = np.sort(self.shrunk[pool & trusted])[::-1]  # as many as the share of the whole pool names
        cut = values[min(len(values), max(at_least, round(share * pool.sum()))) - 1]
        return (self.shrunk >= cut) & trusted
