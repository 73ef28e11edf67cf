"""Which approximate nearest-neighbour library for the dense channel: build time, query time, recall, size.

    python -m venv /tmp/annvenv && /tmp/annvenv/bin/pip install numpy faiss-cpu usearch voyager hnswlib
    .venv/bin/python eval/bench_scale.py --vectors-out /tmp/vectors-100k.npy ...   # or any vectors.npy
    /tmp/annvenv/bin/python eval/ann_libraries.py /tmp/vectors-100k.npy --out eval/results/ann_libraries

VECTORS.npy is an item-embedding matrix (MiniLM, normalised): the 100k synthetic items of the scale
benchmark, or `vectors.npy` of any text index under ~/.cache/recommender/index/text-*. It runs outside
the project's environment because three of the four libraries are not dependencies. Each library gets an
HNSW graph with the same settings (M 16, ef_construction 128, inner product on normalised vectors) and is
queried for the top K with ef = 2K; recall is against exact top K by a matrix product. Queries are
user-profile-like: the normalised mean of 10 random item vectors (as the dense channel's history profile).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

M, EF_CONSTRUCTION = 16, 128


def build_faiss(vectors):
    import faiss

    index = faiss.IndexHNSWFlat(vectors.shape[1], M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = EF_CONSTRUCTION
    index.add(vectors)

    def search(query, k):
        index.hnsw.efSearch = 2 * k
        return index.search(query[None, :], k)[1][0]

    def save(path):
        faiss.write_index(index, str(path))

    return search, save


def build_usearch(vectors):
    from usearch.index import Index

    index = Index(ndim=vectors.shape[1], metric="ip", dtype="f32", connectivity=M,
                  expansion_add=EF_CONSTRUCTION)
    index.add(np.arange(len(vectors)), vectors)

    def search(query, k):
        index.expansion_search = 2 * k
        return index.search(query, k).keys

    return search, lambda path: index.save(str(path))


def build_voyager(vectors):
    from voyager import Index, Space

    index = Index(Space.InnerProduct, num_dimensions=vectors.shape[1], M=M, ef_construction=EF_CONSTRUCTION)
    index.add_items(vectors)
    return (lambda query, k: index.query(query, k=k, query_ef=2 * k)[0]), (lambda path: index.save(str(path)))


def build_hnswlib(vectors):
    import hnswlib

    index = hnswlib.Index(space="ip", dim=vectors.shape[1])
    index.init_index(max_elements=len(vectors), M=M, ef_construction=EF_CONSTRUCTION)
    index.add_items(vectors)

    def search(query, k):
        index.set_ef(2 * k)
        return index.knn_query(query, k=k)[0][0]

    return search, lambda path: index.save_index(str(path))


LIBRARIES = {"faiss-cpu": build_faiss, "usearch": build_usearch, "voyager": build_voyager, "hnswlib": build_hnswlib}


def version(name: str) -> str:
    from importlib.metadata import version as v

    return v(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vectors")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--k", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--out", default="eval/results/ann_libraries")
    args = parser.parse_args()

    vectors = np.ascontiguousarray(np.load(args.vectors), dtype=np.float32)
    rng = np.random.default_rng(0)
    queries = np.stack([vectors[rng.choice(len(vectors), 10, replace=False)].mean(axis=0)
                        for _ in range(args.queries)])
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact_ms = []
    exact = {}
    for k in args.k:
        tops = []
        for q in queries:
            start = time.perf_counter()
            scores = vectors @ q
            top = np.argpartition(-scores, k)[:k]
            exact_ms.append(1000 * (time.perf_counter() - start))
            tops.append(set(top.tolist()))
        exact[k] = tops
    rows = {"exact (numpy matrix product)": {"version": np.__version__, "build_s": 0.0,
                                             "query_ms_median": {k: statistics.median(exact_ms) for k in args.k},
                                             "recall": {k: 1.0 for k in args.k}, "index_mb": vectors.nbytes / 1e6}}
    for name, build in LIBRARIES.items():
        try:
            start = time.perf_counter()
            search, save = build(vectors)
            build_s = time.perf_counter() - start
        except ImportError as exc:
            print(f"{name}: not installed ({exc})", file=sys.stderr)
            continue
        row = {"version": version(name), "build_s": build_s, "query_ms_median": {}, "recall": {}}
        for k in args.k:
            ms, hits = [], []
            for q, truth in zip(queries, exact[k]):
                start = time.perf_counter()
                found = search(q, k)
                ms.append(1000 * (time.perf_counter() - start))
                hits.append(len(truth & set(np.asarray(found).tolist())) / k)
            row["query_ms_median"][k], row["recall"][k] = statistics.median(ms), float(np.mean(hits))
        with tempfile.TemporaryDirectory() as tmp:
            save(Path(tmp) / "index")
            row["index_mb"] = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        rows[name] = row
        print(name, json.dumps(row), file=sys.stderr)

    command = f"/tmp/annvenv/bin/python eval/ann_libraries.py {args.vectors} --queries {args.queries} " \
              f"--k {' '.join(map(str, args.k))} --out {args.out}"
    result = {"command": command, "date": time.strftime("%Y-%m-%d"), "n_items": len(vectors),
              "dim": vectors.shape[1], "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
              "rows": rows}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    header = "| library | version | build s | " + " | ".join(
        f"query ms @{k} | recall@{k}" for k in args.k) + " | index on disk MB |"
    lines = [f"Command: `{command}`", "",
             f"Date: {result['date']}; {len(vectors):,} vectors of {vectors.shape[1]} dims; 2-core CPU; load average "
             f"at the end {result['load_average_1_5_15_at_end']}. HNSW M {M}, ef_construction {EF_CONSTRUCTION}, "
             f"ef_search 2k; medians over {args.queries} profile-like queries; recall against exact top k.", "",
             header, "|---|---|---:|" + "---:|---:|" * len(args.k) + "---:|"]
    for name, row in rows.items():
        cells = " | ".join(f"{row['query_ms_median'][k]:.2f} | {row['recall'][k]:.3f}" for k in args.k)
        lines.append(f"| {name} | {row['version']} | {row['build_s']:.1f} | {cells} | {row['index_mb']:.0f} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
