"""Retrieval benchmark on ML-100k: index build time, per-request latency, full evaluation time.

    .venv/bin/python eval/bench_retrieval.py --out eval/results/bench_retrieval

Index builds use a fresh temporary cache each time (BM25 + MiniLM embeddings of every item).
Requests use the production retriever (fitted on all interactions), for sampled users, half of them
with a typed request. Medians are reported; the machine is shared, so single runs are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k")
    parser.add_argument("--builds", type=int, default=3, help="index builds to time")
    parser.add_argument("--requests", type=int, default=300, help="requests to time")
    parser.add_argument("--evals", type=int, default=3, help="full evaluations to time")
    parser.add_argument("--out", default="eval/results/bench_retrieval", help="path stem for .json and .md")
    args = parser.parse_args()

    import numpy as np

    from recommender.data.registry import load_dataset
    from recommender.data.split import user_histories
    from recommender.evaluation.retrieval_eval import evaluate_retrieval
    from recommender.retrieval.config import RetrievalConfig
    from recommender.retrieval.hybrid import HybridRetriever
    from recommender.types import Request

    dataset = load_dataset(args.data, progress=False)
    sequences = [h.items for h in user_histories(dataset.interactions, dataset.catalog).values()]
    build_s = []
    for _ in range(args.builds):
        with tempfile.TemporaryDirectory() as cache:
            seconds, retriever = timed(lambda: HybridRetriever.build(
                dataset.catalog, sequences, RetrievalConfig(cache_dir=cache), progress=False))
            build_s.append(seconds)

    rng = np.random.default_rng(0)
    queries = ["something like Alien but funnier, from the 90s", "a romantic comedy", "dark crime thriller",
               "animated film for kids", "space adventure with robots"]
    retriever.shortlist(Request(history=sequences[0], query=queries[0]))  # load the query embedder once
    latencies = {"history only": [], "history + request": []}
    for n in range(args.requests):
        seq = sequences[int(rng.integers(len(sequences)))]
        # a unique text per request, so the query-embedding cache never answers
        query = f"{queries[n % len(queries)]} (request {n})" if n % 2 else None
        seconds, _ = timed(lambda: retriever.shortlist(Request(history=seq, query=query), k=20))
        latencies["history + request" if query else "history only"].append(seconds)
    all_requests = latencies["history only"] + latencies["history + request"]

    eval_s = [timed(lambda: evaluate_retrieval(dataset, "test", progress=False))[0] for _ in range(args.evals)]

    result = {
        "command": f".venv/bin/python eval/bench_retrieval.py --builds {args.builds} --requests {args.requests} "
                   f"--evals {args.evals} --out {args.out}",
        "date": time.strftime("%Y-%m-%d"),
        "load_average_1_5_15_at_end": [round(x, 2) for x in __import__("os").getloadavg()],
        "index_build_s_median": statistics.median(build_s), "index_build_s": build_s,
        "request_ms_median": 1000 * statistics.median(all_requests),
        "request_ms_median_history_only": 1000 * statistics.median(latencies["history only"]),
        "request_ms_median_with_request": 1000 * statistics.median(latencies["history + request"]),
        "request_ms_p90": 1000 * float(np.percentile(all_requests, 90)),
        "full_eval_s_median": statistics.median(eval_s), "full_eval_s": eval_s,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    rows = [
        ("index build (BM25 + embeddings, cold cache)", f"{result['index_build_s_median']:.1f} s", "<= 60 s"),
        ("one retrieval request, median (all)", f"{result['request_ms_median']:.1f} ms", "<= 30 ms"),
        ("  history only", f"{result['request_ms_median_history_only']:.1f} ms", ""),
        ("  history + typed request", f"{result['request_ms_median_with_request']:.1f} ms", ""),
        ("full ML-100k retrieval evaluation (val tuning + test)", f"{result['full_eval_s_median']:.1f} s", "<= 120 s"),
    ]
    md = [f"Command: `{result['command']}`", "", f"Date: {result['date']}; 2-core CPU, medians; load average at the end "
          f"{result['load_average_1_5_15_at_end']} (other work on the machine inflates timings).", "",
          "| measure | median | bar |", "|---|---:|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.with_suffix(".md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
