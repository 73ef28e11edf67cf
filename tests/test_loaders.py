"""Loaders, format detection, the data set registry and `recommender data info`.

Small files are written in tmp_path; tests marked slow read the real MovieLens 100K.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from recommender.cli import main
from recommender.data.loaders import (
    ML100K_GENRES,
    load_generic,
    load_movielens_100k,
    load_movielens_csv,
    load_movielens_dat,
    load_path,
    load_recbole,
)
from recommender.data.parsing import split_title_year
from recommender.data.registry import default_data_dir, load_dataset
from recommender.errors import DataError, RecommenderError


def u_item_line(item_id, title, release="", genres=(), url="", genre_names=ML100K_GENRES) -> str:
    flags = "|".join("1" if g in genres else "0" for g in genre_names)
    return f"{item_id}|{title}|{release}||{url}|{flags}\n"


U_ITEM = (
    u_item_line(1, "Toy Story (1995)", "01-Jan-1995", ("Animation", "Comedy"), "http://imdb/toy")
    + u_item_line(2, "Usual Suspects, The (1995)", "14-Aug-1995", ("Crime", "Thriller"))
    + u_item_line(3, "Misérables, Les (1995)", "01-Jan-1995", ("Drama",))
    + u_item_line(4, "unknown", "", ("unknown",))
    + u_item_line(5, "Year Only In Release Date", "01-Jan-1997", ())
).encode("latin-1")
U_DATA = "1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t3\t4\t881250951\n2\t1\t1\t881250952\n"


@pytest.fixture
def ml100k_files(make_files):
    return make_files({"u.item": U_ITEM, "u.data": U_DATA})


def test_split_title_year():
    assert split_title_year("Toy Story (1995)") == ("Toy Story", 1995)
    assert split_title_year("City of Lost Children, The (Cité des enfants perdus, La) (1995)") == (
        "The City of Lost Children (La Cité des enfants perdus)", 1995)
    assert split_title_year("Babylon 5 ") == ("Babylon 5", None)
    assert split_title_year("(1995)") == ("(1995)", None)  # nothing but a year: keep it as the title


@pytest.mark.parametrize("filed,read", [("Shawshank Redemption, The (1994)", "The Shawshank Redemption"),
                                        ("Fish Called Wanda, A (1988)", "A Fish Called Wanda"),
                                        ("Good, The Bad and The Ugly, The (1966)", "The Good, The Bad and The Ugly"),
                                        ("Postino, Il (1994)", "Il Postino"),
                                        ("Star Maker, The (Uomo delle stelle, L') (1995)", "The Star Maker (L'Uomo delle stelle)"),
                                        ("Love, Cheat & Steal (1993)", "Love, Cheat & Steal"),
                                        ("Amityville: A New Generation (1993)", "Amityville: A New Generation")])
def test_titles_load_in_reading_order(filed, read):
    """Every list showed "Birdcage, The" and "Fish Called Wanda, A": MovieLens files a title under its noun."""
    assert split_title_year(filed).title == read


def test_movielens_100k_items_and_interactions(ml100k_files):
    ds = load_movielens_100k(ml100k_files)
    cat = ds.catalog
    assert [it.item_id for it in cat] == ["1", "2", "3", "4", "5"]
    assert (cat[0].title, cat[0].year, cat[0].genres) == ("Toy Story", 1995, ("Animation", "Comedy"))
    assert cat[0].meta == {"release_date": "01-Jan-1995", "imdb_url": "http://imdb/toy"}
    assert cat[1].title == "The Usual Suspects"  # in reading order (MovieLens files it as "Usual Suspects, The")
    assert cat[2].title == "Les Misérables"  # latin-1 decoded
    assert (cat[3].title, cat[3].year, cat[3].genres) == ("unknown", None, ("unknown",))
    assert (cat[4].title, cat[4].year) == ("Year Only In Release Date", 1997)
    inter = ds.interactions
    assert inter.users.tolist() == ["1", "1", "2", "2"]
    assert inter.items.tolist() == [0, 1, 2, 0]
    assert inter.ratings.tolist() == [5, 3, 4, 1]
    assert inter.timestamps.tolist() == [881250949, 881250950, 881250951, 881250952]
    assert (inter.items.dtype, inter.ratings.dtype, inter.timestamps.dtype) == (np.int32, np.float32, np.int64)


def test_movielens_100k_genre_names_from_u_genre(make_files):
    genres = ("Fun", "Sad")
    u_item = u_item_line(1, "A (2001)", genres=("Sad",), genre_names=genres)
    d = make_files({"u.item": u_item, "u.data": "1\t1\t3\t10\n", "u.genre": "Fun|0\nSad|1\n\n"})
    assert load_movielens_100k(d).catalog[0].genres == ("Sad",)


def test_movielens_dat_1m_latin1(make_files):
    movies = "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Misérables, Les (1995)::Drama\n"
    d = make_files({"movies.dat": movies.encode("latin-1"), "ratings.dat": "1::1::5::978300760\n1::2::3::978300761\n"})
    ds = load_movielens_dat(d, "ml-1m")
    assert ds.catalog[0].genres == ("Animation", "Children's", "Comedy")
    assert (ds.catalog[1].title, ds.catalog[1].year) == ("Les Misérables", 1995)
    assert ds.interactions.timestamps.tolist() == [978300760, 978300761]


def test_movielens_dat_10m_utf8_and_no_genres(make_files):
    movies = "7::Ça commence aujourd'hui (1999)::(no genres listed)\n"
    d = make_files({"movies.dat": movies, "ratings.dat": "3::7::4.5::1\n"})
    ds = load_movielens_dat(d)
    assert (ds.catalog[0].title, ds.catalog[0].genres) == ("Ça commence aujourd'hui", ())
    assert ds.interactions.ratings.tolist() == [4.5]


def test_movielens_latest_csv_quoting(make_files):
    movies = ('movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n'
              '11,"American President, The (1995)",Comedy|Drama|Romance\n'
              '99,Untitled,(no genres listed)\n')
    ratings = "userId,movieId,rating,timestamp\n1,11,4.0,964982703\n2,99,2.5,964982224\n"
    ds = load_movielens_csv(make_files({"movies.csv": movies, "ratings.csv": ratings}))
    assert (ds.catalog[1].title, ds.catalog[1].year) == ("The American President", 1995)
    assert ds.catalog[1].genres == ("Comedy", "Drama", "Romance")
    assert (ds.catalog[2].year, ds.catalog[2].genres) == (None, ())
    assert ds.interactions.items.tolist() == [1, 2]
    assert ds.interactions.ratings.tolist() == [4.0, 2.5]


RECBOLE_ITEM = ("item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\tstudio:token\n"
                "1\tToy Story\t1995\tAnimation Children's Comedy\tPixar\n"
                "267\tunkonwn\tunkonwn\tunknown\t\n")


def test_recbole_atomic_files(make_files):
    inter = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n196\t1\t3\t881250949.0\n7\t267\t4\t5\n"
    ds = load_recbole(make_files({"toy.item": RECBOLE_ITEM, "toy.inter": inter}), "toy")
    first, unknown = ds.catalog
    assert (first.title, first.year, first.genres, first.meta) == (
        "Toy Story", 1995, ("Animation", "Children's", "Comedy"), {"studio": "Pixar"})
    assert (unknown.title, unknown.year, unknown.meta) == ("unkonwn", None, {})
    assert ds.interactions.timestamps.tolist() == [881250949, 5]
    assert ds.name == "toy"


def test_recbole_year_token_that_is_not_a_number(make_files):
    item = ("item_id:token\tmovie_title:token_seq\trelease_year:token\n"
            "1412\tLand Before Time III (1995)\tV\n")
    d = make_files({"x.item": item, "x.inter": "user_id:token\titem_id:token\n1\t1412\n"})
    only = load_recbole(d, "x").catalog[0]
    assert (only.title, only.year) == ("Land Before Time III", 1995)


def test_recbole_without_rating_or_timestamp(make_files):
    inter = "user_id:token\titem_id:token\nu\t267\nv\t1\n"
    ds = load_recbole(make_files({"x.item": RECBOLE_ITEM, "x.inter": inter}), "x")
    assert np.isnan(ds.interactions.ratings).all()
    assert ds.interactions.timestamps.tolist() == [0, 1]  # order of appearance


def test_generic_csv(make_files):
    items = ('item_id,title,year,genres,text,director\n'
             'a,"Film, The",1999,Drama|War,"A ""quoted"" plot",Someone\nb,Other,,,,\n')
    interactions = "user_id,item_id,rating\nalice,b,\nbob,a,4.5\nalice,a,2\n"
    ds = load_generic(make_files({"items.csv": items, "interactions.csv": interactions}))
    a, b = ds.catalog
    assert (a.title, a.year, a.genres, a.text, a.meta) == (
        "Film, The", 1999, ("Drama", "War"), 'A "quoted" plot', {"director": "Someone"})
    assert (b.year, b.genres, b.text, b.meta) == (None, (), "", {})
    assert ds.interactions.users.tolist() == ["alice", "bob", "alice"]
    assert ds.interactions.items.tolist() == [1, 0, 0]
    assert math.isnan(ds.interactions.ratings[0]) and ds.interactions.ratings[1:].tolist() == [4.5, 2.0]
    assert ds.interactions.timestamps.tolist() == [0, 1, 2]


def test_generic_jsonl(make_files):
    items = [{"item_id": 10, "title": "Ten", "genres": ["Sci-Fi"], "year": 2001, "tags": ["space"]},
             {"item_id": "x", "title": "Ex", "year": None}]
    interactions = [{"user_id": 1, "item_id": 10, "rating": 5, "timestamp": 100},
                    {"user_id": "u2", "item_id": "x", "timestamp": 50}]
    d = make_files({"items.jsonl": "\n".join(json.dumps(r) for r in items) + "\n",
                    "interactions.jsonl": "\n".join(json.dumps(r) for r in interactions)})
    ds = load_generic(d, "mine")
    assert [(it.item_id, it.year, it.genres, it.meta) for it in ds.catalog] == [
        ("10", 2001, ("Sci-Fi",), {"tags": ["space"]}), ("x", None, (), {})]
    assert ds.interactions.users.tolist() == ["1", "u2"]
    assert math.isnan(ds.interactions.ratings[1])
    assert ds.interactions.timestamps.tolist() == [100, 50]
    assert ds.name == "mine"


GENERIC_CSV = {"items.csv": "item_id,title\na,A\n", "interactions.csv": "user_id,item_id\nu,a\n"}


@pytest.mark.parametrize("files, expected_source", [
    ({"u.item": U_ITEM, "u.data": U_DATA}, "u.data"),
    ({"movies.dat": "1::A (2000)::Drama\n", "ratings.dat": "1::1::5::1\n"}, "ratings.dat"),
    ({"movies.csv": "movieId,title,genres\n1,A,Drama\n", "ratings.csv": "userId,movieId,rating,timestamp\n1,1,3,4\n"},
     "ratings.csv"),
    ({"t.item": RECBOLE_ITEM, "t.inter": "user_id:token\titem_id:token\n1\t1\n"}, "t.inter"),
    (GENERIC_CSV, "items.csv"),
])
def test_load_path_detects_format(make_files, files, expected_source):
    ds = load_path(make_files(files, subdir="myset"))
    assert expected_source in ds.source
    assert len(ds.interactions) >= 1
    assert ds.name in ("myset", "t")


def test_load_path_accepts_a_file(make_files):
    d = make_files({"u.item": U_ITEM, "u.data": U_DATA, "t.item": RECBOLE_ITEM,
                    "t.inter": "user_id:token\titem_id:token\n1\t1\n"})
    assert len(load_path(d / "u.data").catalog) == 5
    assert len(load_path(d / "t.inter").catalog) == 2  # the RecBole set named by the file, not u.data


def _flags(n_genres=19, value="0"):
    return "|".join([value] * n_genres)


# (files to write over the valid ML-100k set, file named in the error, line, words in the message)
ML100K_ERRORS = [
    ({"u.data": "1\t1\t5\t1\n1\t2\t3\n"}, "u.data", 2, "expected 4 fields"),
    ({"u.data": "1\t1\tfive\t1\n"}, "u.data", 1, "rating is not a number: 'five'"),
    ({"u.data": "1\t1\t5\t1\n\n1\t1\t5\tyesterday\n"}, "u.data", 3, "timestamp is not a number"),
    ({"u.data": "x1\t1\t5\t1\n"}, "u.data", 1, "user id is not a number"),
    ({"u.data": "1\t1\t5\t1\n1\t42\t5\t1\n"}, "u.data", 2, "item id '42' is not in"),
    ({"u.data": ""}, "u.data", None, "file is empty"),
    ({"u.item": U_ITEM + u_item_line(2, "Again (1990)").encode()}, "u.item", 6, "first defined on line 2"),
    ({"u.item": "1|A (1990)|||\n"}, "u.item", 1, "expected 24 fields"),
    ({"u.item": f"1|A (1990)||||{_flags(value='2')}\n"}, "u.item", 1, "genre flags must be 0 or 1"),
    ({"u.item": " \n\n"}, "u.item", None, "file is empty"),
    ({"u.genre": "Action|0\nDrama|2\n"}, "u.genre", None, "genre indices"),
]


@pytest.mark.parametrize("override, file_name, line, message", ML100K_ERRORS)
def test_movielens_100k_errors(make_files, override, file_name, line, message):
    d = make_files({"u.item": U_ITEM, "u.data": U_DATA, **override})
    with pytest.raises(DataError) as err:
        load_path(d)
    assert (Path(err.value.path).name, err.value.line) == (file_name, line)
    assert message in err.value.problem
    assert str(err.value).startswith(f"{d / file_name}")


def test_duplicate_item_error_names_both_lines(make_files):
    d = make_files({"u.item": U_ITEM + u_item_line(2, "Again (1990)").encode(), "u.data": U_DATA})
    with pytest.raises(DataError, match=r"u\.item, line 6: duplicate item id '2' \(first defined on line 2\)"):
        load_path(d)


def test_missing_required_file(make_files):
    d = make_files({"u.data": U_DATA})
    with pytest.raises(DataError, match="required file not found") as err:
        load_path(d)
    assert Path(err.value.path).name == "u.item"


GENERIC_ERRORS = [
    ({"items.csv": b"item_id,title\na,Caf\xe9\n"}, "items.csv", 2, "not valid UTF-8"),
    ({"items.csv": "id,title\na,A\n"}, "items.csv", 1, "missing required column 'item_id'"),
    ({"interactions.csv": "user,item_id\nu,a\n"}, "interactions.csv", 1, "missing required column 'user_id'"),
    ({"interactions.csv": "user_id,item_id\nu,a\nv\n"}, "interactions.csv", 3, "expected 2 fields, found 1"),
    ({"interactions.csv": "user_id,item_id,rating\nu,a,bad\n"}, "interactions.csv", 2, "rating is not a number"),
    ({"interactions.csv": "user_id,item_id,timestamp\nu,a,1\nu,a,\n"}, "interactions.csv", 3, "timestamp missing"),
    ({"interactions.csv": "user_id,item_id\n"}, "interactions.csv", None, "no interactions in file"),
    ({"items.csv": "item_id,title\n\n"}, "items.csv", None, "no items in file"),
    ({"items.csv": "item_id,title,year\na,A,1999.5\n"}, "items.csv", 2, "year is not an integer"),
    ({"items.csv": 'item_id,title\na,"unclosed\n'}, "items.csv", 2, "malformed CSV"),
]


@pytest.mark.parametrize("override, file_name, line, message", GENERIC_ERRORS)
def test_generic_csv_errors(make_files, override, file_name, line, message):
    with pytest.raises(DataError) as err:
        load_path(make_files({**GENERIC_CSV, **override}))
    assert (Path(err.value.path).name, err.value.line) == (file_name, line)
    assert message in err.value.problem


JSONL_ERRORS = [
    ('{"item_id": "a", "title": "A"}\n{"item_id": "a", "title": "B"}\n', "items.jsonl", 2, "first defined on line 1"),
    ('{"item_id": "a", "title": "A"}\n{"item_id": "b", "title": "B"\n', "items.jsonl", 2, "not valid JSON"),
    ('["a", "A"]\n', "items.jsonl", 1, "expected a JSON object"),
    ('{"item_id": "a", "title": "A", "genres": "Drama"}\n', "items.jsonl", 1, "genres must be a list"),
    ('{"item_id": 1.5, "title": "A"}\n', "items.jsonl", 1, "item_id must be"),
    ('{"title": "A"}\n', "items.jsonl", 1, "missing required field 'item_id'"),
    ('{"item_id": "a"}\n', "items.jsonl", 1, "missing or empty title"),
]


@pytest.mark.parametrize("items, file_name, line, message", JSONL_ERRORS)
def test_generic_jsonl_errors(make_files, items, file_name, line, message):
    d = make_files({"items.jsonl": items, "interactions.jsonl": '{"user_id": "u", "item_id": "a"}\n'})
    with pytest.raises(DataError) as err:
        load_path(d)
    assert (Path(err.value.path).name, err.value.line) == (file_name, line)
    assert message in err.value.problem


@pytest.mark.parametrize("files, message", [
    ({"items.csv": "item_id,title\na,A\n"}, "interactions.csv: required file not found"),
    ({**GENERIC_CSV, "items.jsonl": '{"item_id": "a", "title": "A"}\n'}, "both items.csv and items.jsonl"),
    ({"notes.txt": "hello"}, "no supported data files found"),
    ({"a.inter": "", "b.inter": ""}, "several RecBole data sets"),
])
def test_directory_level_errors(make_files, files, message):
    with pytest.raises(DataError, match=message):
        load_path(make_files(files))


@pytest.mark.parametrize("files, file_name, line, message", [
    ({"movies.csv": "movieId,genres\n1,Drama\n", "ratings.csv": "userId,movieId,rating,timestamp\n1,1,3,4\n"},
     "movies.csv", 1, "missing required column 'title'"),
    ({"movies.dat": "1::A (2000)\n", "ratings.dat": "1::1::5::1\n"}, "movies.dat", 1, "expected 3 fields"),
    ({"t.item": "title:token_seq\nA\n", "t.inter": "user_id:token\titem_id:token\n1\t1\n"},
     "t.item", 1, "missing required field 'item_id'"),
    ({"t.item": RECBOLE_ITEM, "t.inter": "user_id:token\titem_id:token\n1\t1\t9\n"}, "t.inter", 2,
     "expected 2 tab-separated fields"),
])
def test_other_format_errors(make_files, files, file_name, line, message):
    with pytest.raises(DataError) as err:
        load_path(make_files(files))
    assert (Path(err.value.path).name, err.value.line) == (file_name, line)
    assert message in err.value.problem


def test_cli_prints_data_errors_as_one_line(make_files, capsys):
    d = make_files({"u.item": U_ITEM, "u.data": "1\t1\tfive\t1\n"})
    assert main(["data", "info", str(d)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {d / 'u.data'}, line 1: rating is not a number: 'five'\n"
    assert (d / "u.data").read_text() == "1\t1\tfive\t1\n"  # the input is left as it was


def test_cli_info(make_files, capsys):
    d = make_files({"u.item": U_ITEM, "u.data": U_DATA})
    assert main(["data", "info", str(d)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "items         5" in out and "users         2" in out and "interactions  4" in out
    assert "ratings       1 .. 5 (0 unknown)" in out
    assert "time range    1997-12-04 15:55:49 .. 1997-12-04 15:55:52 UTC (unix seconds 881250949 .. 881250952)" in out


def test_registry_resolves_paths_and_rejects_unknown_names(make_files, data_dir):
    assert len(load_dataset(str(make_files(GENERIC_CSV)), progress=False).catalog) == 1
    with pytest.raises(RecommenderError, match="not a known name .ml-100k, ml-1m, ml-10m, ml-latest-small."):
        load_dataset("ml-20m")
    with pytest.raises(RecommenderError, match=r"ml-1m is not in .*download https://files.grouplens.org/.*ml-1m.zip"):
        load_dataset("ml-1m")


def test_registry_finds_known_names_in_data_dir(make_files, data_dir):
    make_files({"movies.dat": "1::A (2000)::Drama\n", "ratings.dat": "1::1::5::1\n"}, subdir="cache/ml-10M100K")
    ds = load_dataset("ml-10m", progress=False)
    assert (ds.name, len(ds.catalog)) == ("ml-10m", 1)


def test_default_data_dir(monkeypatch):
    monkeypatch.setenv("RECOMMENDER_DATA_DIR", "/somewhere/data")
    assert default_data_dir() == Path("/somewhere/data")
    monkeypatch.delenv("RECOMMENDER_DATA_DIR")
    assert default_data_dir() == Path.home() / ".cache" / "recommender" / "data"


@pytest.mark.slow
def test_real_ml100k_loads_with_exact_counts(ml100k_dir):
    ds = load_path(ml100k_dir, name="ml-100k")
    assert (len(ds.interactions), ds.interactions.n_users, len(ds.catalog)) == (100_000, 943, 1_682)
    assert (ds.catalog.by_id("1").title, ds.catalog.by_id("1").year) == ("Toy Story", 1995)
    assert ds.catalog.by_id("12").title == "The Usual Suspects"


@pytest.mark.slow
def test_real_ml100k_same_in_grouplens_layout(ml100k_dir, make_files):
    """Write the RecBole copy out in the u.data/u.item layout; both loaders must agree item by item."""
    recbole = load_path(ml100k_dir, name="ml-100k")
    lines = []
    for it in recbole.catalog:
        title = f"{it.title} ({it.year})" if it.year else it.title
        lines.append(u_item_line(it.item_id, title, genres=it.genres))
    inter = recbole.interactions
    u_data = "".join(f"{u}\t{recbole.catalog[i].item_id}\t{r:g}\t{t}\n"
                     for u, i, r, t in zip(inter.users, inter.items, inter.ratings, inter.timestamps))
    grouplens = load_path(make_files({"u.item": "".join(lines).encode("latin-1"), "u.data": u_data}))
    assert [(it.item_id, it.title, it.year, it.genres) for it in grouplens.catalog] == [
        (it.item_id, it.title, it.year, it.genres) for it in recbole.catalog]
    for column in ("users", "items", "ratings", "timestamps"):
        assert np.array_equal(getattr(grouplens.interactions, column), getattr(inter, column))
