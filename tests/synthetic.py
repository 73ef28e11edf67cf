"""Small deterministic data sets and a fake embedder for fast tests (no model, no network)."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from recommender.data.types import Catalog, Dataset, Interactions, Item

GENRES = ["Action", "Comedy", "Drama", "Horror", "Sci-Fi", "Romance"]


class HashEmbedder:
    """Bag-of-words hashed into 64 dims, L2-normalised: similar words give similar vectors."""

    dim = 64

    def encode(self, texts, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


def synthetic_dataset(n_items: int = 60, n_users: int = 40, length: int = 12, seed: int = 0) -> Dataset:
    """Users walk through items in runs (i, i+1, i+2 ...), so transitions carry real signal."""
    rng = np.random.default_rng(seed)
    items = [
        Item(str(i + 1), f"Movie {i + 1} {GENRES[i % len(GENRES)].lower()} story", 1970 + (i % 30),
             (GENRES[i % len(GENRES)],))
        for i in range(n_items)
    ]
    rows = []
    for u in range(n_users):
        start = int(rng.integers(0, n_items - length))
        for step in range(length):
            rows.append((f"u{u}", start + step, float(rng.integers(1, 6)), 1000 + 10 * step))
    return Dataset("synthetic", Catalog(items), Interactions.from_rows(rows))
