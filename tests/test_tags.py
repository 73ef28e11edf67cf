"""MovieLens "latest" tags.csv: tags become item text (for BM25 and the embedder) and Item.meta["tags"]."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.data.loaders import load_movielens_csv, load_path
from recommender.data.tags import MAX_TAG_CHARS, MAX_TAGS_PER_ITEM
from recommender.errors import DataError

MOVIES = ("movieId,title,genres\n"
          "1,Groundhog Day (1993),Comedy|Fantasy|Romance\n"
          "2,Heat (1995),Action|Crime|Thriller\n"
          "3,Alien (1979),Horror|Sci-Fi\n")
RATINGS = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,5.0,964982704\n2,3,3.5,964982224\n"


def tags_csv(*rows: tuple[int, int, str]) -> str:
    lines = ["userId,movieId,tag,timestamp"]
    lines += [f'{user},{movie},"{tag}",{1_000_000 + n}' for n, (user, movie, tag) in enumerate(rows)]
    return "\n".join(lines) + "\n"


def test_tags_become_item_text_and_meta_most_used_first(make_files):
    long_tag = "x" * (MAX_TAG_CHARS + 1)  # a sentence, not a tag
    tags = tags_csv((1, 1, "Bill Murray"), (2, 1, "bill murray"), (3, 1, "Bill Murray"),
                    (1, 1, "time loop"), (2, 1, "Time  loop "), (3, 1, "quirky"), (4, 1, "  "),
                    (1, 3, long_tag), (2, 3, "space"))
    ds = load_movielens_csv(make_files({"movies.csv": MOVIES, "ratings.csv": RATINGS, "tags.csv": tags}))
    groundhog, heat, alien = ds.catalog
    # case and spacing variants count as one tag, in its most used spelling; ties alphabetically
    assert groundhog.meta["tags"] == ("Bill Murray", "Time loop", "quirky")
    assert groundhog.text == "Bill Murray, Time loop, quirky"
    assert "Bill Murray, Time loop, quirky" in groundhog.document()  # what BM25 and the embedder index
    assert heat.text == "" and "tags" not in heat.meta
    assert alien.meta["tags"] == ("space",)
    assert "tags.csv" in ds.source
    assert ds.interactions.items.tolist() == [0, 1, 2]


def test_tags_are_capped_per_film(make_files):
    rows = [(user, 1, f"tag{t:02d}") for t in range(MAX_TAGS_PER_ITEM + 5) for user in range(1, t + 2)]
    ds = load_movielens_csv(make_files({"movies.csv": MOVIES, "ratings.csv": RATINGS, "tags.csv": tags_csv(*rows)}))
    kept = ds.catalog[0].meta["tags"]
    assert len(kept) == MAX_TAGS_PER_ITEM
    assert kept[0] == f"tag{MAX_TAGS_PER_ITEM + 4:02d}" and kept[-1] == "tag05"  # the most used ones


def test_without_tags_csv_nothing_changes(make_files):
    ds = load_path(make_files({"movies.csv": MOVIES, "ratings.csv": RATINGS}))
    assert all(item.text == "" and "tags" not in item.meta for item in ds.catalog)
    assert "tags.csv" not in ds.source


@pytest.mark.parametrize("tags, message, line", [
    (tags_csv((1, 1, "fine"), (1, 99, "ghost")), "movie id '99' is not in", 3),
    ("userId,movieId,label,timestamp\n1,1,x,1\n", "missing required column 'tag'", 1),
    ('userId,movieId,tag,timestamp\n1,1,"broken,1\n', "malformed CSV", None),
])
def test_bad_tags_file_names_file_and_line(make_files, tags, message, line):
    directory = make_files({"movies.csv": MOVIES, "ratings.csv": RATINGS, "tags.csv": tags})
    with pytest.raises(DataError, match=message) as caught:
        load_path(directory)
    assert "tags.csv" in str(caught.value)
    if line is not None:
        assert f"line {line}" in str(caught.value)


def test_a_tag_word_finds_its_film_through_bm25(make_files, tmp_path, monkeypatch):
    from recommender.retrieval.config import RetrievalConfig
    from recommender.retrieval.hybrid import HybridRetriever
    from recommender.types import Request
    from tests.synthetic import HashEmbedder

    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    tags = tags_csv((1, 2, "bank robbery"), (2, 2, "Pacino"), (1, 1, "time loop"))
    ds = load_movielens_csv(make_files({"movies.csv": MOVIES, "ratings.csv": RATINGS, "tags.csv": tags}))
    retriever = HybridRetriever.build(ds.catalog, [np.array([0, 1, 2])], RetrievalConfig(), HashEmbedder,
                                      progress=False)
    bm25 = retriever.channel_scores(Request(query="a pacino movie"), ["bm25"])["bm25"]
    assert int(np.argmax(bm25)) == 1 and bm25[1] > 0 and bm25[0] == bm25[2] == 0
