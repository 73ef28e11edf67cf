"""Shared fixtures. Keep this small: fixtures used by one test file belong in that file."""

from __future__ import annotations

from pathlib import Path

import pytest

# RecBole's copy of ML-100k, unpacked on this machine; tests fetch it themselves where it is absent.
RECBOLE_ML100K_DIR = Path("/tmp/rb/recbole/dataset_example/ml-100k")


@pytest.fixture
def make_files(tmp_path):
    """make_files({"u.data": "1\t2\t3\t4\n", ...}, subdir="x") writes the files (str as utf-8, bytes
    as given) into tmp_path/subdir and returns that directory."""

    def write(files: dict[str, str | bytes], subdir: str = "data") -> Path:
        directory = tmp_path / subdir
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (directory / name).write_bytes(data)
        return directory

    return write


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An empty data cache directory, also set as $RECOMMENDER_DATA_DIR so nothing touches ~/.cache."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("RECOMMENDER_DATA_DIR", str(directory))
    return directory


@pytest.fixture(scope="session")
def ml100k_dir(tmp_path_factory) -> Path:
    """A directory holding the real MovieLens 100K (RecBole atomic files). Slow tests only: fetches
    the RecBole wheel from PyPI when the unpacked copy is not on this machine."""
    if (RECBOLE_ML100K_DIR / "ml-100k.inter").is_file():
        return RECBOLE_ML100K_DIR
    from recommender.data.fetch import fetch_ml100k

    def unreachable(url, timeout_s, progress):
        raise OSError("GroupLens skipped in tests")

    return fetch_ml100k(tmp_path_factory.mktemp("ml100k"), progress=False, download=unreachable).path
