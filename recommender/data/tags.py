"""MovieLens `tags.csv` (`userId,movieId,tag,timestamp`): what users wrote about each film, which becomes
the film's item text (BM25 and the embedder index it through `Item.document()`) and `Item.meta["tags"]`
(a tuple, most used first, for explanations and answers about an item).

Per film, tags that differ only in case or spacing count as one ("Sci-fi", "sci-fi ") and are shown in
their most used spelling; they are ordered by how often they were applied (ties alphabetically), and the
first MAX_TAGS_PER_ITEM are kept: enough to describe a film, while the most tagged ones in ML-32M have
hundreds. Text longer than MAX_TAG_CHARS is a sentence rather than a tag, and is left out.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from pathlib import Path

from recommender.data.parsing import read_csv, with_progress
from recommender.data.types import Item
from recommender.errors import DataError

MAX_TAGS_PER_ITEM = 20
MAX_TAG_CHARS = 50


def read_movielens_tags(path: Path, item_index: dict[str, int], items_path: Path,
                        progress: bool = False) -> dict[str, tuple[str, ...]]:
    """movieId -> its tags, most used first. A movieId missing from the catalogue (`item_index`) is a
    DataError naming the line, as in ratings.csv."""
    table = read_csv(path)
    movie_col, tag_col = table.column("movieId"), table.column("tag")
    uses: dict[str, Counter] = defaultdict(Counter)  # movie -> tag (case-folded) -> times applied
    spellings: dict[tuple[str, str], Counter] = defaultdict(Counter)  # (movie, folded) -> spelling -> times
    for line, row in with_progress(table.rows, progress, f"reading {path.name}", table.line_count):
        movie = row[movie_col].strip()
        if movie not in item_index:
            raise DataError(path, f"movie id {movie!r} is not in {items_path}", line=line)
        tag = " ".join(row[tag_col].split())
        if not tag or len(tag) > MAX_TAG_CHARS:
            continue
        folded = tag.casefold()
        uses[movie][folded] += 1
        spellings[movie, folded][tag] += 1
    tags = {}
    for movie, counts in uses.items():
        top = sorted(counts, key=lambda folded: (-counts[folded], folded))[:MAX_TAGS_PER_ITEM]
        tags[movie] = tuple(_most_used(spellings[movie, folded]) for folded in top)
    return tags


def _most_used(spellings: Counter) -> str:
    return min(spellings, key=lambda spelling: (-spellings[spelling], spelling))


def with_tags(item: Item, tags: tuple[str, ...]) -> Item:
    """The item with its tags as text (after any text it had) and in meta["tags"]."""
    if not tags:
        return item
    text = ". ".join(part for part in (item.text, ", ".join(tags)) if part)
    return dataclasses.replace(item, text=text, meta={**item.meta, "tags": tags})
