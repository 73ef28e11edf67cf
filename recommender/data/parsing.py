"""Shared pieces of the loaders: reading text files, parsing fields, and building a Catalog and
Interactions while remembering where each value came from, so that every mistake is reported as a
DataError naming the file and the 1-based line.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import numpy as np

from recommender.data.types import Catalog, Interactions, Item
from recommender.errors import DataError

# "Toy Story (1995)", "City of Lost Children, The (Cité des enfants perdus, La) (1995)"
_TITLE_YEAR = re.compile(r"^(.*?)\s*\((\d{4})\)\s*$")


class TitleYear(NamedTuple):
    title: str
    year: int | None


def split_title_year(raw: str) -> TitleYear:
    """Split a trailing "(1995)" off a MovieLens title, and put its articles back in reading order."""
    match = _TITLE_YEAR.match(raw)
    if match and match.group(1):
        return TitleYear(reading_order(match.group(1).strip()), int(match.group(2)))
    return TitleYear(reading_order(raw.strip()), None)


# MovieLens files a title under its noun: "Usual Suspects, The", "Postino, Il", "Appartement, L'"
_FILED_ARTICLE = re.compile(r"^(.+?), (The|A|An|La|Le|Les|L'|Il|Lo|Gli|Das|Der|Die|Den|Det|El|Los|Las|O)$")


def reading_order(title: str) -> str:
    """The title as people read it: "Shawshank Redemption, The" -> "The Shawshank Redemption", also in a
    parenthesised alias ("City of Lost Children, The (Cité des enfants perdus, La)" -> "The City of Lost
    Children (La Cité des enfants perdus)"). Every list showed "Birdcage, The" and "Fish Called Wanda, A"."""
    head, *aliases = re.split(r"\s+(?=\()", title)
    parts = [_article_first(head)] + [f"({_article_first(a[1:-1])})" if a.endswith(")") else a for a in aliases]
    return " ".join(parts)


def _article_first(part: str) -> str:
    m = _FILED_ARTICLE.match(part.strip())
    if not m:
        return part
    noun, article = m.groups()
    return f"{article}{noun}" if article.endswith("'") else f"{article} {noun}"


def read_text(path: Path, utf8_only: bool = False) -> str:
    """The whole file as text: utf-8, else latin-1 (MovieLens 1M and 100K are latin-1).

    With `utf8_only`, an undecodable byte is a DataError naming its line. An empty (or blank) file
    and a missing file are DataErrors too.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "required file not found")
    data = path.read_bytes()
    if not data.strip():
        raise DataError(path, "file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if utf8_only:
            line = data[: exc.start].count(b"\n") + 1
            raise DataError(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line=line) from None
        return data.decode("latin-1")  # never fails: every byte is a latin-1 character


def numbered_lines(text: str, start: int = 1) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) for every non-blank line, lazily: big files are not copied."""
    for number, line in enumerate(io.StringIO(text, newline=None), start):
        line = line.rstrip("\n")
        if line.strip():
            yield number, line


class Table(NamedTuple):
    """A delimited file's header (column name -> position) and its rows, read lazily with their line
    numbers (a malformed row raises when reached). `line_count` sizes the progress bar."""

    path: Path
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]]
    line_count: int

    def column(self, name: str) -> int:
        if name not in self.columns:
            found = ", ".join(self.columns)
            raise DataError(self.path, f"missing required column {name!r} (found: {found})", line=1)
        return self.columns[name]


def header_columns(path: Path, header: list[str]) -> dict[str, int]:
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DataError(path, f"duplicate column(s) in header: {', '.join(duplicated)}", line=1)
    return {name: i for i, name in enumerate(header)}


def _csv_rows(path: Path, reader, width: int) -> Iterator[tuple[int, list[str]]]:
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                raise DataError(path, f"expected {width} fields, found {len(row)}", line=reader.line_num)
            yield reader.line_num, row
    except csv.Error as exc:
        raise DataError(path, f"malformed CSV ({exc})", line=reader.line_num) from None


def read_csv(path: Path, utf8_only: bool = False) -> Table:
    """A CSV file with a header line; every row must have as many fields as the header."""
    path = Path(path)
    text = read_text(path, utf8_only)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise DataError(path, f"malformed CSV header ({exc})", line=1) from None
    columns = header_columns(path, header)
    return Table(path, columns, _csv_rows(path, reader, len(header)), text.count("\n"))


def with_progress(rows: Iterable, progress: bool, desc: str, total: int, threshold: int = 500_000):
    """Wrap big files' rows in a tqdm bar; small files load too fast for a bar to help."""
    if not progress or total < threshold:
        return rows
    from tqdm import tqdm

    return tqdm(rows, desc=desc, total=total, unit=" rows", mininterval=0.5, leave=False)


def parse_rating(value, path, line: int) -> float:
    """A finite number; None or "" means unknown (NaN)."""
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool):
        raise DataError(path, f"rating is not a number: {value!r}", line=line)
    try:
        rating = float(value)
    except (TypeError, ValueError):
        raise DataError(path, f"rating is not a number: {value!r}", line=line) from None
    if not math.isfinite(rating):
        raise DataError(path, f"rating is not a finite number: {value!r}", line=line)
    return rating


_MAX_TIMESTAMP = 2**62  # stays inside int64 after any arithmetic the split does


def parse_timestamp(value, path, line: int) -> int:
    """Integer seconds; "881250949.0" is accepted (RecBole types timestamps as float)."""
    try:
        stamp = int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        try:
            stamp = float(value)
            stamp = int(stamp) if math.isfinite(stamp) else None
        except (TypeError, ValueError):
            stamp = None
    if stamp is None or abs(stamp) > _MAX_TIMESTAMP:
        raise DataError(path, f"timestamp is not a number of seconds: {value!r}", line=line)
    return stamp


def parse_year(value, path, line: int) -> int | None:
    """An integer year, or None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, float)):
        raise DataError(path, f"year is not an integer: {value!r}", line=line)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DataError(path, f"year is not an integer: {value!r}", line=line) from None


def require_numeric_user(user: str, path, line: int) -> str:
    """MovieLens user ids are integers; anything else means a shifted or corrupt line."""
    if not user.isdigit():
        raise DataError(path, f"user id is not a number: {user!r}", line=line)
    return user


class CatalogBuilder:
    """Collects items in file order, rejecting duplicate ids with both line numbers."""

    def __init__(self, path):
        self.path = path
        self.items: list[Item] = []
        self.index: dict[str, int] = {}
        self._lines: list[int] = []

    def add(self, line: int, item: Item) -> None:
        if not item.item_id:
            raise DataError(self.path, "empty item id", line=line)
        if item.item_id in self.index:
            first = self._lines[self.index[item.item_id]]
            raise DataError(
                self.path, f"duplicate item id {item.item_id!r} (first defined on line {first})", line=line
            )
        self.index[item.item_id] = len(self.items)
        self._lines.append(line)
        self.items.append(item)

    def build(self) -> Catalog:
        """Call before reading interactions, so that an empty item file is the error reported."""
        if not self.items:
            raise DataError(self.path, "no items in file")
        return Catalog(self.items)


class InteractionsBuilder:
    """Collects interaction columns; item ids are resolved against the catalogue as they arrive.

    Timestamps may be None on every row (then the order of appearance is used) but not on some rows only.
    Columns are typed arrays and each user id is stored once: at 20M rows, Python lists of ints and floats
    and one string per row took 6 GB, these take under 1 GB.
    """

    def __init__(self, path, item_index: dict[str, int], items_path):
        from array import array

        self.path, self.items_path = path, items_path
        self.item_index = item_index
        self.users: list[str] = []
        self._user_ids: dict[str, str] = {}  # one string object per distinct user
        self.items = array("i")
        self.ratings = array("d")
        self.timestamps = array("q")
        self._missing_timestamps = 0
        self._first_missing_line: int | None = None

    def add(self, line: int, user: str, item_id: str, rating: float, timestamp: int | None) -> None:
        if not user:
            raise DataError(self.path, "empty user id", line=line)
        index = self.item_index.get(item_id)
        if index is None:
            raise DataError(self.path, f"item id {item_id!r} is not in {self.items_path}", line=line)
        self.users.append(self._user_ids.setdefault(user, user))
        self.items.append(index)
        self.ratings.append(rating)
        if timestamp is None:
            self._missing_timestamps += 1
            if self._first_missing_line is None:
                self._first_missing_line = line
            timestamp = 0
        self.timestamps.append(timestamp)

    def _timestamps(self) -> np.ndarray:
        if self._missing_timestamps == len(self.timestamps):
            return np.arange(len(self.timestamps), dtype=np.int64)
        if self._missing_timestamps:
            raise DataError(self.path, "timestamp missing here but present on other lines",
                            line=self._first_missing_line)
        return np.frombuffer(self.timestamps, dtype=np.int64).copy()

    def build(self) -> Interactions:
        if not self.users:
            raise DataError(self.path, "no interactions in file")
        return Interactions(
            np.array(self.users, dtype=object),
            np.frombuffer(self.items, dtype=np.int32).copy(),
            np.frombuffer(self.ratings, dtype=np.float64).astype(np.float32),
            self._timestamps(),
        )
