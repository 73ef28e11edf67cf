"""Persisted retrieval indexes: built once, loaded fast, rebuilt when their inputs change.

Text index (BM25 + item embeddings) is keyed by the catalogue's content hash and the embedder; the
collaborative statistics are keyed by a hash of the training sequences. Each index is a directory
written to a temporary name and renamed into place, so an interrupted build never looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from recommender.data.types import Catalog
from recommender.retrieval.collab import DEFAULT_NEIGHBOURS, CollabStats
from recommender.retrieval.text import BM25Channel

INDEX_VERSION = 2  # 2: sparse collaborative statistics


def cache_root(configured: str = "") -> Path:
    """$RECOMMENDER_CACHE_DIR, else ~/.cache/recommender (never inside the repository)."""
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("RECOMMENDER_CACHE_DIR", Path.home() / ".cache" / "recommender")).expanduser()


@dataclass
class TextIndex:
    bm25: BM25Channel
    item_vectors: np.ndarray
    path: Path
    built: bool  # True when this call built it, False when loaded from disk


def _write_atomically(final: Path, write: Callable[[Path], None]) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        write(tmp)
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def text_index_path(catalog: Catalog, embedder: str, root: Path) -> Path:
    slug = hashlib.sha256(embedder.encode()).hexdigest()[:8]
    return root / "index" / f"text-v{INDEX_VERSION}-{catalog.content_hash()}-{slug}"


def load_or_build_text_index(
    catalog: Catalog, embedder: str, embedder_factory: Callable, root: Path, bm25_history_items: int = 5,
    progress: bool = True,
) -> TextIndex:
    """Load the catalogue's text index, building and persisting it first if missing or stale."""
    path = text_index_path(catalog, embedder, root)
    if (path / "meta.json").is_file():
        try:
            with open(path / "bm25.pkl", "rb") as f:
                bm25 = pickle.load(f)
            bm25.history_items = bm25_history_items
            return TextIndex(bm25, np.load(path / "vectors.npy"), path, built=False)
        except (OSError, pickle.UnpicklingError, ValueError, EOFError):
            print(f"index at {path} is unreadable; rebuilding", file=sys.stderr)
    documents = [item.document() for item in catalog]
    if progress:
        print(f"building the text index for {len(catalog):,} items (once; cached in {path.parent})", file=sys.stderr)
    bm25 = BM25Channel.build(documents, bm25_history_items)
    vectors = embedder_factory().encode(documents, progress=progress)

    def write(tmp: Path) -> None:
        np.save(tmp / "vectors.npy", vectors)
        with open(tmp / "bm25.pkl", "wb") as f:
            pickle.dump(bm25, f, protocol=pickle.HIGHEST_PROTOCOL)
        meta = {"version": INDEX_VERSION, "catalog_hash": catalog.content_hash(), "embedder": embedder,
                "n_items": len(catalog)}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2))

    _write_atomically(path, write)
    return TextIndex(bm25, vectors, path, built=True)


def sequences_hash(sequences: Iterable[np.ndarray], n_items: int, window: int, neighbours: int) -> str:
    digest = hashlib.sha256(f"{INDEX_VERSION}:{n_items}:{window}:{neighbours}".encode())
    for seq in sequences:
        digest.update(np.asarray(seq, dtype=np.int32).tobytes())
        digest.update(b"|")
    return digest.hexdigest()[:16]


def load_or_fit_collab(sequences: list[np.ndarray], n_items: int, window: int, root: Path,
                       neighbours: int = DEFAULT_NEIGHBOURS) -> CollabStats:
    """Collaborative statistics for these training sequences, from cache when they were fitted before."""
    from scipy import sparse

    path = root / "index" / f"collab-v{INDEX_VERSION}-{sequences_hash(sequences, n_items, window, neighbours)}"
    if (path / "meta.json").is_file():
        try:
            return CollabStats(sparse.load_npz(path / "cooccurrence.npz").tocsr(),
                               sparse.load_npz(path / "transitions.npz").tocsr(),
                               np.load(path / "popularity.npy"))
        except (OSError, ValueError, KeyError):
            pass
    stats = CollabStats.fit(sequences, n_items, window, neighbours)

    def write(tmp: Path) -> None:
        # uncompressed: loading is several times faster and the matrices hardly compress anyway
        sparse.save_npz(tmp / "cooccurrence.npz", stats.cooccurrence, compressed=False)
        sparse.save_npz(tmp / "transitions.npz", stats.transitions, compressed=False)
        np.save(tmp / "popularity.npy", stats.popularity)
        meta = {"version": INDEX_VERSION, "n_items": n_items, "window": window, "neighbours": neighbours}
        (tmp / "meta.json").write_text(json.dumps(meta))

    _write_atomically(path, write)
    return stats
