"""Does the order of the candidates change pointwise scores? In exact arithmetic it cannot (each candidate
sees only the history and itself); this measures what the quantized CPU kernels do.

    .venv/bin/python eval/pointwise_order_noise.py --out eval/results/pointwise_order_noise

Scores --users seeded random requests (10 history items, 20 candidates from ML-100k) with the shipped
adapter twice, the second time with the candidates in a seeded random order, in each quantization mode.
Reports, per mode, the median over requests of the largest score change, next to the median spread
(standard deviation) of the scores within a list, which is what a change has to beat to swap two items.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def measure(mode: str, users: int, seed: int) -> dict:
    import numpy as np

    from recommender.data.registry import load_dataset
    from recommender.llm.backend import LLMConfig, load_backend
    from recommender.llm.defaults import ranker_config_for, shipped_adapter
    from recommender.llm.ranker import LLMRanker, RankInput

    catalog = load_dataset("ml-100k", progress=False).catalog
    adapter = str(shipped_adapter())
    ranker = LLMRanker(load_backend(LLMConfig(quantize=mode, adapter=adapter), progress=False), catalog,
                       ranker_config_for(adapter))
    rng = np.random.default_rng(seed)
    inputs = [RankInput(rng.choice(len(catalog), 10, replace=False).tolist(), [],
                        rng.choice(len(catalog), 20, replace=False).tolist(), None, list(range(1, 21)))
              for _ in range(users)]
    perms = [rng.permutation(20) for _ in inputs]
    first = ranker.score(inputs)
    second = ranker.score([RankInput(i.history, [], [i.candidates[p] for p in perm], None,
                                     [i.retrieval_ranks[p] for p in perm]) for i, perm in zip(inputs, perms)])
    change = [float(np.abs(a[perm] - b).max()) for a, b, perm in zip(first, second, perms)]
    return {"mode": mode, "median_max_score_change": float(np.median(change)),
            "median_score_std": float(np.median([np.std(a) for a in first]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--modes", default="4bit,8bit,none")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="eval/results/pointwise_order_noise")
    args = parser.parse_args()
    rows = [measure(mode, args.users, args.seed) for mode in args.modes.split(",")]
    command = (f".venv/bin/python eval/pointwise_order_noise.py --users {args.users} --modes {args.modes} "
               f"--seed {args.seed} --out {args.out}")
    lines = [f"Command: `{command}`", "", f"Date: {time.strftime('%Y-%m-%d %H:%M')}", "",
             "| mode | largest score change when the candidate order changes, median over requests | "
             "score spread within a list (std), median |", "|---|---:|---:|"]
    lines += [f"| {r['mode']} | {r['median_max_score_change']:.4f} | {r['median_score_std']:.3f} |" for r in rows]
    Path(args.out + ".json").write_text(json.dumps({"command": command, "rows": rows}, indent=2) + "\n")
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
