"""`recommender data fetch ml-100k`, `recommender data info SPEC` and `recommender data synth ...`."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from recommender.errors import RecommenderError

DATA_DIR_HELP = "data cache directory (default: $RECOMMENDER_DATA_DIR, else ~/.cache/recommender/data)"


def add_parser(sub):
    p = sub.add_parser("data", help="fetch data sets and describe them",
                       description="Fetch MovieLens 100K into the data cache, or describe any data set.")
    actions = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    fetch = actions.add_parser("fetch", help="download and verify ml-100k into the data cache")
    fetch.add_argument("name", help="data set to fetch (only ml-100k can be fetched automatically)")
    fetch.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    fetch.add_argument("--force", action="store_true", help="fetch again even if already cached")
    fetch.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")
    fetch.set_defaults(run=run_fetch)

    info = actions.add_parser("info", help="print a data set's size, rating and time ranges, and source")
    info.add_argument("spec", help="a known name (ml-100k, ml-1m, ml-10m, ml-latest-small) or a path")
    info.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    info.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")
    info.set_defaults(run=run_info)

    synth = actions.add_parser(
        "synth", help="write a synthetic data set in the generic format (benchmarks and tests only)",
        description="Write items.csv and interactions.csv with a Zipf popularity skew, sequential structure and "
                    "item text. For scale benchmarks and tests only: never for quality claims.")
    synth.add_argument("--items", type=int, required=True, help="catalogue size")
    synth.add_argument("--users", type=int, required=True, help="number of users")
    synth.add_argument("--interactions", type=int, required=True, help="exact number of interactions")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.add_argument("--out", required=True, help="output directory (must not exist, or be empty)")
    synth.set_defaults(run=run_synth)
    return p


def run_fetch(args: argparse.Namespace) -> int:
    from recommender.data.fetch import fetch_ml100k
    from recommender.data.registry import KNOWN_DATASETS, default_data_dir

    if args.name != "ml-100k":
        known = KNOWN_DATASETS.get(args.name)
        how = f"download {known.url} and unzip it into the data directory" if known else "known: ml-100k"
        raise RecommenderError(f"cannot fetch {args.name!r} automatically ({how})")
    data_dir = args.data_dir or default_data_dir()
    result = fetch_ml100k(data_dir, progress=args.progress, force=args.force)
    counts = result.verified_counts
    print(f"{result.path}: {counts.interactions:,} ratings, {counts.users:,} users, {counts.items:,} items")
    return 0


@dataclass
class DatasetSummary:
    name: str
    source: str
    items: int
    users: int
    interactions: int
    ratings: str  # "1 .. 5 (0 unknown)"
    time_range: str

    def lines(self) -> list[str]:
        rows = [("name", self.name), ("source", self.source), ("items", f"{self.items:,}"),
                ("users", f"{self.users:,}"), ("interactions", f"{self.interactions:,}"),
                ("ratings", self.ratings), ("time range", self.time_range)]
        return [f"{label:<13} {value}" for label, value in rows]


def _rating_range(ratings) -> str:
    import numpy as np

    known = ratings[~np.isnan(ratings)]
    unknown = len(ratings) - len(known)
    if len(known) == 0:
        return f"none ({unknown:,} unknown)"
    return f"{known.min():g} .. {known.max():g} ({unknown:,} unknown)"


def _time_range(stamps) -> str:
    from datetime import datetime, timezone

    import numpy as np

    if np.array_equal(stamps, np.arange(len(stamps))):
        return "order of appearance (the source has no timestamps)"
    low, high = int(stamps.min()), int(stamps.max())
    try:
        dates = [datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") for t in (low, high)]
    except (OverflowError, OSError, ValueError):
        return f"{low} .. {high} (not unix seconds)"
    return f"{dates[0]} .. {dates[1]} UTC (unix seconds {low} .. {high})"


def summarize(dataset) -> DatasetSummary:
    inter = dataset.interactions
    return DatasetSummary(dataset.name, dataset.source, len(dataset.catalog), inter.n_users, len(inter),
                          _rating_range(inter.ratings), _time_range(inter.timestamps))


def run_info(args: argparse.Namespace) -> int:
    from recommender.data.registry import load_dataset

    dataset = load_dataset(args.spec, args.data_dir, progress=args.progress)
    print("\n".join(summarize(dataset).lines()))
    return 0


def run_synth(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from recommender.data.synth import SynthConfig, synthesize

    out = Path(args.out).expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RecommenderError(f"{out} already exists and is not an empty directory; choose another --out")
    config = SynthConfig(items=args.items, users=args.users, interactions=args.interactions, seed=args.seed)
    start = time.perf_counter()
    data = synthesize(config)
    data.write(out)
    print(f"{out}: {len(data.items):,} interactions, {config.users:,} users, {config.items:,} items "
          f"(seed {config.seed}, {time.perf_counter() - start:.1f} s; synthetic: for benchmarks and tests only)")
    return 0
