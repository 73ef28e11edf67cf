"""Loaders for the supported on-disk formats, each returning a Dataset; `load_path` picks the format
from the files present. The formats are described in docs/data-formats.md.

Every user mistake (malformed line, unknown item, duplicate id, empty or missing file, missing column)
is a DataError naming the file and the 1-based line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from recommender.data.generic import load_generic, generic_files
from recommender.data.parsing import (
    CatalogBuilder,
    InteractionsBuilder,
    Table,
    TitleYear,
    header_columns,
    numbered_lines,
    parse_rating,
    parse_timestamp,
    read_csv,
    read_text,
    require_numeric_user,
    reading_order,
    split_title_year,
    with_progress,
)
from recommender.data.types import Dataset, Item
from recommender.errors import DataError

__all__ = [
    "load_generic",
    "load_movielens_100k",
    "load_movielens_dat",
    "load_movielens_csv",
    "load_recbole",
    "load_path",
    "ML100K_GENRES",
]

# The genre flag columns of u.item, in order, for when u.genre is absent.
ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
    "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
    "War", "Western",
)
NO_GENRES = "(no genres listed)"


def _read_separated_ratings(path: Path, sep: str, builder: InteractionsBuilder, progress: bool) -> None:
    """`user<sep>item<sep>rating<sep>timestamp` lines, as in u.data and ratings.dat."""
    content = read_text(path)
    lines = numbered_lines(content)
    for line, text in with_progress(lines, progress, f"reading {path.name}", content.count("\n")):
        fields = text.split(sep)
        if len(fields) != 4:
            raise DataError(path, f"expected 4 fields separated by {sep!r}, found {len(fields)}", line=line)
        user, item_id, rating, stamp = (f.strip() for f in fields)
        require_numeric_user(user, path, line)
        builder.add(line, user, item_id, parse_rating(rating, path, line), parse_timestamp(stamp, path, line))


def _read_ml100k_genres(path: Path) -> tuple[str, ...]:
    """u.genre: `name|index` lines, indices 0..n-1."""
    by_index: dict[int, str] = {}
    for line, text in numbered_lines(read_text(path)):
        name, sep, index = text.rpartition("|")
        if not sep or not index.strip().isdigit() or not name:
            raise DataError(path, "expected 'genre name|index'", line=line)
        by_index[int(index)] = name
    if sorted(by_index) != list(range(len(by_index))):
        raise DataError(path, f"genre indices must be 0..{len(by_index) - 1}, found {sorted(by_index)}")
    return tuple(by_index[i] for i in range(len(by_index)))


def _ml100k_item(path: Path, line: int, fields: list[str], genres: tuple[str, ...]) -> Item:
    item_id, raw_title, release_date, _video_date, url = (f.strip() for f in fields[:5])
    flags = [f.strip() for f in fields[5:]]
    if any(flag not in ("0", "1") for flag in flags):
        raise DataError(path, "genre flags must be 0 or 1", line=line)
    title, year = split_title_year(raw_title)
    if year is None and release_date[-4:].isdigit():  # release dates look like "01-Jan-1995"
        year = int(release_date[-4:])
    meta = {key: value for key, value in (("release_date", release_date), ("imdb_url", url)) if value}
    return Item(item_id, title, year, tuple(g for g, flag in zip(genres, flags) if flag == "1"), meta=meta)


def load_movielens_100k(directory: str | Path, name: str = "ml-100k", progress: bool = False) -> Dataset:
    """MovieLens 100K: u.data (tab-separated) and u.item (`|`-separated, latin-1), u.genre if present."""
    directory = Path(directory)
    genre_path = directory / "u.genre"
    genres = _read_ml100k_genres(genre_path) if genre_path.is_file() else ML100K_GENRES
    items_path = directory / "u.item"
    catalog = CatalogBuilder(items_path)
    for line, text in numbered_lines(read_text(items_path)):
        fields = text.split("|")
        if len(fields) != 5 + len(genres):
            raise DataError(items_path, f"expected {5 + len(genres)} fields separated by '|', found {len(fields)}",
                            line=line)
        catalog.add(line, _ml100k_item(items_path, line, fields, genres))
    ratings_path = directory / "u.data"
    items = catalog.build()
    interactions = InteractionsBuilder(ratings_path, catalog.index, items_path)
    _read_separated_ratings(ratings_path, "\t", interactions, progress)
    source = f"MovieLens 100K files (u.data, u.item) in {directory}"
    return Dataset(name, items, interactions.build(), source)


def _split_genres(raw: str, sep: str) -> tuple[str, ...]:
    raw = raw.strip()
    if not raw or raw == NO_GENRES:
        return ()
    return tuple(g.strip() for g in raw.split(sep) if g.strip())


def load_movielens_dat(directory: str | Path, name: str | None = None, progress: bool = False) -> Dataset:
    """MovieLens 1M / 10M: ratings.dat and movies.dat, `::`-separated (1M is latin-1, 10M utf-8)."""
    directory = Path(directory)
    items_path = directory / "movies.dat"
    catalog = CatalogBuilder(items_path)
    for line, text in numbered_lines(read_text(items_path)):
        fields = text.split("::")
        if len(fields) != 3:
            raise DataError(items_path, f"expected 3 fields separated by '::', found {len(fields)}", line=line)
        title, year = split_title_year(fields[1])
        catalog.add(line, Item(fields[0].strip(), title, year, _split_genres(fields[2], "|")))
    ratings_path = directory / "ratings.dat"
    items = catalog.build()
    interactions = InteractionsBuilder(ratings_path, catalog.index, items_path)
    _read_separated_ratings(ratings_path, "::", interactions, progress)
    source = f"MovieLens files (ratings.dat, movies.dat) in {directory}"
    return Dataset(name or directory.name, items, interactions.build(), source)


def load_movielens_csv(directory: str | Path, name: str | None = None, progress: bool = False) -> Dataset:
    """MovieLens "latest" (and 20M/25M): ratings.csv and movies.csv, quoted CSV with a header; tags.csv,
    when present, gives each film its tags as item text and in meta["tags"] (recommender/data/tags.py)."""
    from recommender.data.tags import read_movielens_tags, with_tags

    directory = Path(directory)
    movies = read_csv(directory / "movies.csv")
    id_col, title_col, genre_col = (movies.column(c) for c in ("movieId", "title", "genres"))
    catalog = CatalogBuilder(movies.path)
    for line, row in movies.rows:
        title, year = split_title_year(row[title_col])
        catalog.add(line, Item(row[id_col].strip(), title, year, _split_genres(row[genre_col], "|")))
    files = ["ratings.csv", "movies.csv"]
    if (directory / "tags.csv").is_file() and catalog.items:  # (no items: build() says so below)
        files.append("tags.csv")
        tags = read_movielens_tags(directory / "tags.csv", catalog.index, movies.path, progress)
        for item_id, item_tags in tags.items():
            index = catalog.index[item_id]
            catalog.items[index] = with_tags(catalog.items[index], item_tags)
    ratings = read_csv(directory / "ratings.csv")
    cols = [ratings.column(c) for c in ("userId", "movieId", "rating", "timestamp")]
    items = catalog.build()
    interactions = InteractionsBuilder(ratings.path, catalog.index, movies.path)
    for line, row in with_progress(ratings.rows, progress, "reading ratings.csv", ratings.line_count):
        user, item_id, rating, stamp = (row[c].strip() for c in cols)
        require_numeric_user(user, ratings.path, line)
        interactions.add(line, user, item_id, parse_rating(rating, ratings.path, line),
                         parse_timestamp(stamp, ratings.path, line))
    source = f"MovieLens CSV files ({', '.join(files)}) in {directory}"
    return Dataset(name or directory.name, items, interactions.build(), source)


def _recbole_rows(path: Path, lines: Iterator[tuple[int, str]], width: int) -> Iterator[tuple[int, list[str]]]:
    for line, text in lines:
        fields = text.split("\t")
        if len(fields) != width:
            raise DataError(path, f"expected {width} tab-separated fields, found {len(fields)}", line=line)
        yield line, fields


def _recbole_table(path: Path) -> Table:
    """A RecBole atomic file: a `field:type` tab-separated header, then rows of as many fields."""
    content = read_text(path)
    lines = numbered_lines(content)
    header_line, header = next(lines)
    if header_line != 1 or ":" not in header:
        raise DataError(path, "expected a 'field:type' header line", line=header_line)
    names = [column.split(":", 1)[0].strip() for column in header.split("\t")]
    columns = header_columns(path, names)
    return Table(path, columns, _recbole_rows(path, lines, len(names)), content.count("\n"))


def _first_column(path: Path, columns: dict[str, int], *names: str, required: bool = True) -> int | None:
    for candidate in names:
        if candidate in columns:
            return columns[candidate]
    if required:
        raise DataError(path, f"missing required field {' or '.join(names)!r} (found: {', '.join(columns)})",
                        line=1)
    return None


def _recbole_title_year(title: str, year: str) -> TitleYear:
    """The year is a token, not a number: RecBole's own ml-100k.item has "unkonwn" for one film and
    "V" for another whose title still ends in "(1995)". A non-numeric year is unknown, unless the
    title carries one the MovieLens way."""
    title, year = title.strip(), year.strip()
    if year.isdigit():
        return TitleYear(reading_order(title), int(year))
    return split_title_year(title)


def _load_recbole_items(path: Path) -> CatalogBuilder:
    table = _recbole_table(path)
    columns = table.columns
    id_col = _first_column(path, columns, "item_id")
    title_col = _first_column(path, columns, "movie_title", "title")
    year_col = _first_column(path, columns, "release_year", "year", required=False)
    genre_col = _first_column(path, columns, "class", "genre", required=False)
    extra = {n: i for n, i in columns.items() if i not in (id_col, title_col, year_col, genre_col)}
    catalog = CatalogBuilder(path)
    for line, f in table.rows:
        title, year = _recbole_title_year(f[title_col], f[year_col] if year_col is not None else "")
        genres = tuple(f[genre_col].split()) if genre_col is not None else ()
        meta = {n: f[i] for n, i in extra.items() if f[i]}
        catalog.add(line, Item(f[id_col].strip(), title, year, genres, meta=meta))
    return catalog


def load_recbole(directory: str | Path, name: str, progress: bool = False) -> Dataset:
    """RecBole atomic files `<name>.inter` and `<name>.item`, columns mapped by header field name."""
    directory = Path(directory)
    items_path, inter_path = directory / f"{name}.item", directory / f"{name}.inter"
    catalog = _load_recbole_items(items_path)
    table = _recbole_table(inter_path)
    columns = table.columns
    user_col, item_col = _first_column(inter_path, columns, "user_id"), _first_column(inter_path, columns, "item_id")
    rating_col = _first_column(inter_path, columns, "rating", required=False)
    stamp_col = _first_column(inter_path, columns, "timestamp", required=False)
    items = catalog.build()
    interactions = InteractionsBuilder(inter_path, catalog.index, items_path)
    for line, f in with_progress(table.rows, progress, f"reading {inter_path.name}", table.line_count):
        rating = parse_rating(f[rating_col].strip(), inter_path, line) if rating_col is not None else float("nan")
        stamp = parse_timestamp(f[stamp_col].strip(), inter_path, line) if stamp_col is not None else None
        interactions.add(line, f[user_col].strip(), f[item_col].strip(), rating, stamp)
    source = f"RecBole atomic files ({name}.inter, {name}.item) in {directory}"
    return Dataset(name, items, interactions.build(), source)


def _recbole_names(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.inter") if p.is_file())


def load_path(path: str | Path, name: str | None = None, progress: bool = False) -> Dataset:
    """Load a directory in any supported format, detected from the files present. A file path means
    its directory (for a RecBole `x.inter` / `x.item`, the data set `x` in it)."""
    path = Path(path).expanduser()
    if path.is_file():
        if path.suffix in (".inter", ".item"):
            return load_recbole(path.parent, path.stem, progress)
        path = path.parent
    if not path.is_dir():
        raise DataError(path, "no such file or directory")
    label = name or path.name
    if (path / "u.data").is_file():
        return load_movielens_100k(path, label, progress)
    if (path / "ratings.dat").is_file():
        return load_movielens_dat(path, label, progress)
    if (path / "ratings.csv").is_file() and (path / "movies.csv").is_file():
        return load_movielens_csv(path, label, progress)
    recbole = _recbole_names(path)
    if len(recbole) > 1:
        raise DataError(path, f"several RecBole data sets here ({', '.join(recbole)}); give the .inter file's path")
    if recbole:
        return load_recbole(path, recbole[0], progress)
    if generic_files(path):
        return load_generic(path, label, progress)
    raise DataError(
        path,
        "no supported data files found; expected u.data + u.item, ratings.dat + movies.dat, ratings.csv + "
        "movies.csv, <name>.inter + <name>.item, or items.csv/.jsonl + interactions.csv/.jsonl "
        "(see docs/data-formats.md)",
    )
