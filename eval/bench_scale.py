"""Scale benchmark of retrieval: index build time, peak memory, index size on disk and request latency at
ML-100k, 20k items / 2M interactions and 100k items / 20M interactions (synthetic), and how each grows.

    flock /tmp/heavy.lock .venv/bin/python eval/bench_scale.py --out eval/results/bench_scale

Synthetic data sets come from `recommender data synth` (fixed seed) and are written under --work-dir, never
into the repository; they measure speed and memory only, never quality. Each scale runs in a fresh
process, so its peak RSS covers loading, building and serving that scale alone. Indexes are built in an
empty cache (BM25, MiniLM embeddings, the approximate dense index where the catalogue is past
`dense_exact_max_items`, sparse co-occurrence and transitions). Requests use the production retriever
fitted on all interactions, for sampled users with their whole history: a third history only, a third with
a typed request (a new text each time, so the embedding cache never answers), a third with a typed request
and an excluded genre. The dense channel's recall is the share of the exact top `dense_candidates` that the
approximate index returns, over the same requests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCALES = {  # name: (spec, items, users, interactions); spec None = synthetic
    "ml-100k": ("ml-100k", 1_682, 943, 100_000),
    "synth-20k-2m": (None, 20_000, 20_000, 2_000_000),
    "synth-100k-20m": (None, 100_000, 200_000, 20_000_000),
}
QUERIES = ["a dark crime thriller in a rainy city", "something funny for the whole family", "space adventure with robots",
           "a romantic drama from the nineties", "war story about soldiers", "a scary haunted house"]


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q))


def child(spec: str, requests: int, vectors_out: str | None = None) -> dict:
    """One scale, in this process: load, build every index in an empty cache, then time requests."""
    import resource

    import numpy as np
    import psutil

    from recommender.data.registry import load_dataset
    from recommender.data.split import user_histories
    from recommender.retrieval.ann import ApproximateIndex
    from recommender.retrieval.config import RetrievalConfig
    from recommender.retrieval.hybrid import HybridRetriever
    from recommender.retrieval.index import load_or_build_text_index, load_or_fit_collab
    from recommender.retrieval.text import MiniLMEmbedder
    from recommender.types import Constraints, Request

    out: dict = {"load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    start = time.perf_counter()
    dataset = load_dataset(spec, progress=False)
    out["load_s"] = time.perf_counter() - start
    start = time.perf_counter()
    histories = list(user_histories(dataset.interactions, dataset.catalog).values())
    sequences = [h.items for h in histories]
    out["histories_s"] = time.perf_counter() - start
    cache = Path(tempfile.mkdtemp(prefix="bench-scale-cache-"))
    config = RetrievalConfig(cache_dir=str(cache))
    catalog, root = dataset.catalog, cache
    factory = lambda: MiniLMEmbedder(config.embedder)  # noqa: E731
    # the steps of HybridRetriever.build, timed one by one; build() then loads them from the cache
    start = time.perf_counter()
    text = load_or_build_text_index(catalog, config.embedder, factory, root, config.bm25_history_items, True)
    out["build_text_s"] = time.perf_counter() - start
    if vectors_out:  # for eval/ann_libraries.py
        np.save(vectors_out, text.item_vectors)
    out["build_ann_s"] = 0.0
    if len(catalog) > config.dense_exact_max_items:
        start = time.perf_counter()
        ApproximateIndex.load_or_build(text.path, text.item_vectors, config.dense_candidates, True)
        out["build_ann_s"] = time.perf_counter() - start
    start = time.perf_counter()
    load_or_fit_collab(sequences, len(catalog), config.transition_window, root, config.neighbours)
    out["build_collab_s"] = time.perf_counter() - start
    out["build_s"] = out["build_text_s"] + out["build_ann_s"] + out["build_collab_s"]
    start = time.perf_counter()
    retriever = HybridRetriever.build(catalog, sequences, config, progress=False)
    out["load_built_indexes_s"] = time.perf_counter() - start
    out["index_mb"] = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) / 1e6
    out["rss_after_build_gb"] = psutil.Process().memory_info().rss / 1e9

    rng = np.random.default_rng(0)
    genres = sorted({g for item in catalog for g in item.genres})
    retriever.shortlist(Request(history=sequences[0], query=QUERIES[0]))  # load the query embedder once
    kinds = ("history only", "typed request", "typed request + excluded genre")
    latencies: dict[str, list[float]] = {kind: [] for kind in kinds}
    dense = retriever.channels["dense"]
    recalls = []
    for n in range(requests):
        history = histories[int(rng.integers(len(histories)))]
        kind = kinds[n % 3]
        query = None if kind == "history only" else f"{QUERIES[n % len(QUERIES)]} (request {n})"
        constraints = Constraints(exclude_genres=frozenset({genres[n % len(genres)]})) if n % 3 == 2 else Constraints()
        request = Request(history=history.items, ratings=history.ratings, query=query, constraints=constraints)
        start = time.perf_counter()
        retriever.shortlist(request, k=20)
        latencies[kind].append(1000 * (time.perf_counter() - start))
        if dense.approximate is not None:
            vector = dense.query_vector(request)
            exact = set(np.argpartition(-(dense.item_vectors @ vector), dense.approximate.candidates)
                        [: dense.approximate.candidates].tolist())
            recalls.append(len(exact & set(dense.approximate.nearest(vector).tolist())) / len(exact))
    every = [x for values in latencies.values() for x in values]
    out["request_ms_median"], out["request_ms_p95"] = statistics.median(every), percentile(every, 95)
    out["request_ms_median_by_kind"] = {kind: statistics.median(v) for kind, v in latencies.items()}
    out["request_ms_p95_by_kind"] = {kind: percentile(v, 95) for kind, v in latencies.items()}
    out["dense"] = "exact" if dense.approximate is None else f"approximate ({dense.approximate.candidates} candidates)"
    out["dense_recall"] = statistics.mean(recalls) if recalls else None
    if dense.approximate is not None:  # the same requests' dense channel, exact against approximate
        timings = {"exact": [], "approximate": []}
        for _ in range(100):
            vector = dense.item_vectors[int(rng.integers(len(catalog)))]
            for name, fn in (("exact", lambda: dense.item_vectors @ vector),
                             ("approximate", lambda: dense.approximate.scores(vector, dense.item_vectors))):
                start = time.perf_counter()
                fn()
                timings[name].append(1000 * (time.perf_counter() - start))
        out["dense_channel_ms_median"] = {name: statistics.median(v) for name, v in timings.items()}
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    out["items"], out["interactions"], out["users"] = len(catalog), len(dataset.interactions), len(histories)
    out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    import shutil

    shutil.rmtree(cache, ignore_errors=True)
    return out


def ensure_synthetic(work_dir: Path, items: int, users: int, interactions: int, seed: int) -> tuple[Path, float]:
    """The synthetic data set's directory, written by `recommender data synth` unless already there."""
    path = work_dir / f"synth-{items}-{users}-{interactions}-seed{seed}"
    if (path / "interactions.csv").is_file():
        return path, 0.0
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "recommender", "data", "synth", "--items", str(items), "--users", str(users),
                    "--interactions", str(interactions), "--seed", str(seed), "--out", str(path)], check=True)
    return path, time.perf_counter() - start


def growth(rows: dict) -> list[str]:
    names = list(rows)
    lines = ["| from -> to | items x | interactions x | build time x | peak RSS x | index size x | request median x |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for a, b in zip(names, names[1:]):
        ra, rb = rows[a], rows[b]
        ratio = lambda key: rb[key] / ra[key] if ra[key] else float("nan")  # noqa: E731
        lines.append(f"| {a} -> {b} | {ratio('items'):.1f} | {ratio('interactions'):.1f} | {ratio('build_s'):.1f} | "
                     f"{ratio('peak_rss_gb'):.1f} | {ratio('index_mb'):.1f} | {ratio('request_ms_median'):.1f} |")
    return lines


def markdown(result: dict) -> str:
    rows = result["scales"]
    lines = [f"Command: `{result['command']}`", "",
             f"Date: {result['date']}; 2-core CPU, 24 GB, shared with other work; load average (1, 5, 15 min) at the "
             f"start {result['load_average_at_start']} and at the end {result['load_average_at_end']}; per scale in "
             "the JSON. Synthetic data: speed and memory only, never quality. Bar (issue 17, 100k items / 20M): "
             "build <= 15 min, peak RSS <= 8 GB, request median <= 50 ms.", "",
             "| scale | items | interactions | load data s | index build s (text + ANN + collab) | peak RSS GB | "
             "index on disk MB | request ms median | p95 | dense channel | dense recall |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for name, r in rows.items():
        recall = f"{r['dense_recall']:.3f}" if r["dense_recall"] is not None else "1 (exact)"
        lines.append(
            f"| {name} | {r['items']:,} | {r['interactions']:,} | {r['load_s'] + r['histories_s']:.1f} | "
            f"{r['build_s']:.1f} ({r['build_text_s']:.1f} + {r['build_ann_s']:.1f} + {r['build_collab_s']:.1f}) | "
            f"{r['peak_rss_gb']:.2f} | {r['index_mb']:.0f} | {r['request_ms_median']:.1f} | {r['request_ms_p95']:.1f} | "
            f"{r['dense']} | {recall} |")
    lines += ["", "Request latency by kind (median / p95 ms):", "", "| scale | " + " | ".join(
        next(iter(rows.values()))["request_ms_median_by_kind"]) + " |", "|---|---:|---:|---:|"]
    for name, r in rows.items():
        cells = [f"{r['request_ms_median_by_kind'][k]:.1f} / {r['request_ms_p95_by_kind'][k]:.1f}"
                 for k in r["request_ms_median_by_kind"]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, r in rows.items():
        if "dense_channel_ms_median" in r:
            d = r["dense_channel_ms_median"]
            lines += ["", f"Dense channel alone at {name}: exact {d['exact']:.1f} ms, approximate {d['approximate']:.1f} "
                          f"ms (median of 100 item-vector queries)."]
    lines += ["", "How each grows, scale to scale:", ""] + growth(rows)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(SCALES), choices=list(SCALES))
    parser.add_argument("--requests", type=int, default=300, help="requests timed per scale")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data sets")
    parser.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "recommender-bench-scale"),
                        help="where synthetic data sets are written (kept for reruns)")
    parser.add_argument("--out", default="eval/results/bench_scale", help="path stem for .json and .md")
    parser.add_argument("--vectors-out", default=None,
                        help="save the largest scale's item vectors here (.npy), for eval/ann_libraries.py")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.requests, args.vectors_out)))
        return

    result = {"command": f".venv/bin/python eval/bench_scale.py --scales {' '.join(args.scales)} "
                         f"--requests {args.requests} --seed {args.seed} --out {args.out}"
                         + (f" --vectors-out {args.vectors_out}" if args.vectors_out else ""),
              "date": time.strftime("%Y-%m-%d"), "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
              "scales": {}}
    for name in args.scales:
        spec, items, users, interactions = SCALES[name]
        synth_s = 0.0
        if spec is None:
            path, synth_s = ensure_synthetic(Path(args.work_dir), items, users, interactions, args.seed)
            spec = str(path)
        print(f"== {name}", file=sys.stderr, flush=True)
        save = ["--vectors-out", args.vectors_out] if args.vectors_out and name == args.scales[-1] else []
        done = subprocess.run([sys.executable, __file__, "--child", spec, "--requests", str(args.requests)] + save,
                              check=True, stdout=subprocess.PIPE, text=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["synth_s"] = synth_s
        result["scales"][name] = row
        print(json.dumps(row), file=sys.stderr, flush=True)
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
