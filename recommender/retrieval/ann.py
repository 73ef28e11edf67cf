"""Approximate nearest neighbours for the dense channel on large catalogues: an HNSW graph (voyager).

Up to `RetrievalConfig.dense_exact_max_items` items the dense channel scores every item exactly with one
matrix product; that is the default, and all of ML-100k. Past it, the graph finds the `candidates` items
nearest to the query. They keep their exact inner products; every other item gets the lowest of those,
so fusion still sees a score for every item and no item outside the candidates can outrank one inside.
Why voyager (against FAISS, usearch and hnswlib): eval/results/ann_libraries.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

CONNECTIVITY = 16  # HNSW "M": graph edges per node
EXPANSION_ADD = 128  # HNSW ef_construction
SEARCH_EXPANSION_FACTOR = 2  # ef_search = this x candidates (its recall: eval/results/bench_scale.md)


def index_file_name() -> str:
    return f"hnsw-voyager-m{CONNECTIVITY}-ef{EXPANSION_ADD}.voy"


class ApproximateIndex:
    """The HNSW graph over the (normalised) item vectors, searched by inner product."""

    def __init__(self, index, candidates: int):
        self.index, self.candidates = index, candidates

    @classmethod
    def build(cls, vectors: np.ndarray, candidates: int) -> "ApproximateIndex":
        from voyager import Index, Space

        index = Index(Space.InnerProduct, num_dimensions=vectors.shape[1], M=CONNECTIVITY,
                      ef_construction=EXPANSION_ADD)
        index.add_items(np.ascontiguousarray(vectors, dtype=np.float32))  # ids 0..n-1, all cores
        return cls(index, candidates)

    @classmethod
    def load_or_build(cls, directory: Path, vectors: np.ndarray, candidates: int,
                      progress: bool = False) -> "ApproximateIndex":
        """The graph saved next to the vectors, built (and saved atomically) when missing or unreadable."""
        from voyager import Index

        path = directory / index_file_name()
        if path.is_file():
            try:
                index = Index.load(str(path))
                if len(index) == len(vectors):
                    return cls(index, candidates)
            except (OSError, RuntimeError, ValueError):
                pass
        if progress:
            print(f"building the approximate dense index for {len(vectors):,} items (once; cached in {directory})",
                  file=sys.stderr)
        built = cls.build(vectors, candidates)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        built.index.save(str(tmp))
        tmp.replace(path)
        return built

    def nearest(self, vector: np.ndarray, count: int | None = None) -> np.ndarray:
        """Indices of (about) the `count` items nearest to `vector`, nearest first."""
        count = min(count or self.candidates, len(self.index))
        ids, _ = self.index.query(np.ascontiguousarray(vector, dtype=np.float32), k=count,
                                  query_ef=SEARCH_EXPANSION_FACTOR * count)
        return np.asarray(ids, dtype=np.int64)

    def scores(self, vector: np.ndarray, item_vectors: np.ndarray) -> np.ndarray:
        """Exact inner products for the candidates, the lowest of them for every other item."""
        found = self.nearest(vector)
        exact = item_vectors[found] @ vector
        scores = np.full(len(item_vectors), exact.min() if len(exact) else 0.0, dtype=np.float32)
        scores[found] = exact
        return scores
