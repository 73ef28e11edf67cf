"""The generic format: `items.csv|jsonl` and `interactions.csv|jsonl` in one directory, utf-8 only.

Items: item_id, title, year?, genres? ("|"-separated in CSV, a list in JSONL), text?, any other
column -> Item.meta. Interactions: user_id, item_id, rating? (missing -> NaN), timestamp? (missing on
every row -> order of appearance). See docs/data-formats.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterator, NamedTuple

from recommender.data.parsing import (
    CatalogBuilder,
    InteractionsBuilder,
    numbered_lines,
    parse_rating,
    parse_timestamp,
    parse_year,
    Table,
    read_csv,
    read_text,
    with_progress,
)
from recommender.data.types import Dataset, Item
from recommender.errors import DataError

ITEM_FIELDS = ("item_id", "title", "year", "genres", "text")


class GenericFiles(NamedTuple):
    items: Path
    interactions: Path


def _pick(directory: Path, stem: str) -> Path | None:
    found = [directory / f"{stem}.{ext}" for ext in ("csv", "jsonl") if (directory / f"{stem}.{ext}").is_file()]
    if len(found) > 1:
        raise DataError(directory, f"both {stem}.csv and {stem}.jsonl exist; keep one")
    return found[0] if found else None


def generic_files(directory: Path) -> GenericFiles | None:
    """The two files of the generic format, None if neither is present, DataError if one is missing."""
    items, interactions = _pick(directory, "items"), _pick(directory, "interactions")
    if items is None and interactions is None:
        return None
    if items is None:
        raise DataError(directory / "items.csv", "required file not found (nor items.jsonl)")
    if interactions is None:
        raise DataError(directory / "interactions.csv", "required file not found (nor interactions.jsonl)")
    return GenericFiles(items, interactions)


class Records(NamedTuple):
    """(line, record) pairs, read lazily, with every value as read: strings from CSV, JSON values from
    JSONL. Empty CSV cells and JSON nulls are left out, so "missing" looks the same in both."""

    rows: Iterator[tuple[int, dict]]
    line_count: int


def _csv_records(table: Table) -> Iterator[tuple[int, dict]]:
    names = list(table.columns)
    for line, row in table.rows:
        yield line, {n: v.strip() for n, v in zip(names, row) if v.strip()}


def _jsonl_records(path: Path, text: str) -> Iterator[tuple[int, dict]]:
    for line, raw in numbered_lines(text):
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataError(path, f"not valid JSON ({exc.msg})", line=line) from None
        if not isinstance(record, dict):
            raise DataError(path, "expected a JSON object per line", line=line)
        yield line, {k: v for k, v in record.items() if v is not None}


def _records(path: Path, required: tuple[str, ...]) -> Records:
    if path.suffix == ".csv":
        table = read_csv(path, utf8_only=True)
        for column in required:  # one error on the header line rather than one per row
            table.column(column)
        return Records(_csv_records(table), table.line_count)
    text = read_text(path, utf8_only=True)
    return Records(_jsonl_records(path, text), text.count("\n"))


def _identifier(record: dict, key: str, path: Path, line: int) -> str:
    """Ids may be strings or integers; anything else (floats, lists) is a mistake."""
    if key not in record:
        raise DataError(path, f"missing required field {key!r}", line=line)
    value = record[key]
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise DataError(path, f"{key} must be a non-empty string or integer, not {value!r}", line=line)
    return str(value).strip()


def _genres(value, path: Path, line: int) -> tuple[str, ...]:
    if isinstance(value, str) and path.suffix == ".csv":
        return tuple(g.strip() for g in value.split("|") if g.strip())
    if isinstance(value, list) and all(isinstance(g, str) for g in value):
        return tuple(g.strip() for g in value if g.strip())
    raise DataError(path, f"genres must be a list of strings, not {value!r}", line=line)


def _item(record: dict, path: Path, line: int) -> Item:
    item_id = _identifier(record, "item_id", path, line)
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        raise DataError(path, "missing or empty title", line=line)
    text = record.get("text", "")
    if not isinstance(text, str):
        raise DataError(path, f"text must be a string, not {text!r}", line=line)
    genres = _genres(record["genres"], path, line) if "genres" in record else ()
    meta = {k: v for k, v in record.items() if k not in ITEM_FIELDS}
    return Item(item_id, title.strip(), parse_year(record.get("year"), path, line), genres, text, meta)


def load_generic(directory: str | Path, name: str | None = None, progress: bool = False) -> Dataset:
    """Load the generic format from `directory`."""
    directory = Path(directory)
    files = generic_files(directory)
    if files is None:
        raise DataError(directory / "items.csv", "required file not found (nor items.jsonl)")
    catalog = CatalogBuilder(files.items)
    for line, record in _records(files.items, ("item_id", "title")).rows:
        catalog.add(line, _item(record, files.items, line))
    items = catalog.build()
    interactions = InteractionsBuilder(files.interactions, catalog.index, files.items)
    records = _records(files.interactions, ("user_id", "item_id"))
    for line, record in with_progress(records.rows, progress, f"reading {files.interactions.name}",
                                      records.line_count):
        path = files.interactions
        rating = parse_rating(record.get("rating"), path, line) if "rating" in record else math.nan
        stamp = parse_timestamp(record["timestamp"], path, line) if "timestamp" in record else None
        user = _identifier(record, "user_id", path, line)
        interactions.add(line, user, _identifier(record, "item_id", path, line), rating, stamp)
    source = f"generic files ({files.items.name}, {files.interactions.name}) in {directory}"
    return Dataset(name or directory.name, items, interactions.build(), source)
