"""Resolve a data set spec (a known name or a path) to a loaded Dataset.

Known names live in the data directory (`$RECOMMENDER_DATA_DIR`, else ~/.cache/recommender/data;
never inside the repository, since MovieLens may not be redistributed). Only ml-100k is fetched
automatically; the others must already be there.

Parsing ml-100k takes about 0.3 s, so parsed data sets are not cached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from recommender.errors import RecommenderError

if TYPE_CHECKING:
    from recommender.data.types import Dataset

GROUPLENS = "https://files.grouplens.org/datasets/movielens"


@dataclass(frozen=True)
class KnownDataset:
    name: str
    directories: tuple[str, ...]  # where it may sit inside the data dir (the zip's own folder name)
    url: str
    fetchable: bool = False


KNOWN_DATASETS = {
    d.name: d
    for d in (
        KnownDataset("ml-100k", ("ml-100k",), f"{GROUPLENS}/ml-100k.zip", fetchable=True),
        KnownDataset("ml-1m", ("ml-1m",), f"{GROUPLENS}/ml-1m.zip"),
        KnownDataset("ml-10m", ("ml-10m", "ml-10M100K"), f"{GROUPLENS}/ml-10m.zip"),
        KnownDataset("ml-latest-small", ("ml-latest-small",), f"{GROUPLENS}/ml-latest-small.zip"),
    )
}


def default_data_dir() -> Path:
    """`$RECOMMENDER_DATA_DIR`, else ~/.cache/recommender/data."""
    configured = os.environ.get("RECOMMENDER_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "recommender" / "data"


def _cached_directory(known: KnownDataset, data_dir: Path) -> Path | None:
    for directory in known.directories:
        if (data_dir / directory).is_dir():
            return data_dir / directory
    return None


def _with_provenance(dataset: Dataset, directory: Path) -> Dataset:
    from recommender.data.fetch import read_source

    fetched_from = read_source(directory)
    if fetched_from:
        dataset.source = f"{fetched_from}; cached in {directory}"
    return dataset


def _load_known(known: KnownDataset, data_dir: Path, progress: bool) -> Dataset:
    from recommender.data.loaders import load_path

    directory = _cached_directory(known, data_dir)
    if directory is None and known.fetchable:
        from recommender.data.fetch import fetch_ml100k

        directory = fetch_ml100k(data_dir, progress=progress).path
    if directory is None:
        raise RecommenderError(
            f"{known.name} is not in {data_dir}: download {known.url}, unzip it there "
            f"(giving {data_dir / known.directories[0]}/), or pass the unzipped directory's path instead"
        )
    return _with_provenance(load_path(directory, name=known.name, progress=progress), directory)


def load_dataset(spec: str, data_dir: Path | None = None, progress: bool = True) -> Dataset:
    """A known name ("ml-100k", "ml-1m", "ml-10m", "ml-latest-small") or a path to data in any supported
    format (docs/data-formats.md). ml-100k is fetched into the data dir on first use."""
    from recommender.data.loaders import load_path

    data_dir = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    if spec in KNOWN_DATASETS:
        return _load_known(KNOWN_DATASETS[spec], data_dir, progress)
    path = Path(spec).expanduser()
    if path.exists():
        return load_path(path, progress=progress)
    raise RecommenderError(
        f"unknown data set {spec!r}: not a known name ({', '.join(KNOWN_DATASETS)}) and no such file or directory"
    )
