"""A dead end, kept as a record: an EASE channel (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data",
WWW 2019) added to the retrieval fusion. Its L2 penalty and recency decay are chosen on the validation split,
and test NDCG@10 of the fusion with and without it is measured over the same users, in one run.

    flock /tmp/heavy.lock .venv/bin/python eval/ease.py --out eval/results/dead_ends/ease

EASE is a linear item-to-item model fitted in closed form: B = argmin ||X - XB||² + l2 ||B||² with a zero
diagonal, X the binary users x items matrix of the training sequences; B = I - P / diag(P) with
P = (XᵀX + l2 I)⁻¹. It lifted validation NDCG@10 from 0.1105 to 0.1233 but not test (0.1007 -> 0.0999):
on ML-100k the validation targets are far easier for order-free models than the test targets
(co-occurrence alone: 0.086 on validation, 0.057 on test), so weights tuned on validation overrate it.
The product therefore has no EASE channel (eval/results/dead_ends/ease.md).

Every other channel is scored once per split with the default config. For each (l2, decay) pair the EASE
channel is fitted on `fit_histories(split)` (no target is ever counted) and only its fusion weight is
tuned on validation, the other weights held at their tuned values without EASE (a full grid per pair
would take hours); the pair with the best validation NDCG@10 is then tuned on the full grid, as
`recommender eval` does. Test rows: the fusion without EASE and with it, each with its own
validation-tuned weights; the difference comes with a paired bootstrap interval (users resampled 2,000
times).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

L2_GRID = [50.0, 100.0, 200.0, 400.0, 800.0, 1600.0]
DECAY_GRID = [0.7, 0.8, 0.85, 0.9, 1.0]
EASE_WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]


def fit_ease(sequences, n_items: int, l2: float):
    """The (n_items, n_items) EASE weights, zero on the diagonal; an item watched twice counts once."""
    import numpy as np
    from scipy import sparse

    rows = np.repeat(np.arange(len(sequences)), [len(s) for s in sequences])
    columns = np.concatenate([np.asarray(s, dtype=np.int64) for s in sequences])
    users = sparse.csr_matrix((np.ones(len(columns)), (rows, columns)), shape=(len(sequences), n_items))
    users.sum_duplicates()
    users.data[:] = 1.0
    gram = (users.T @ users).toarray()
    gram[np.diag_indices(n_items)] += l2
    inverse = np.linalg.inv(gram)
    weights = -inverse / np.diag(inverse)
    weights[np.diag_indices(n_items)] = 0.0
    return weights.astype(np.float32)


def ease_channel(dataset, loo, split, scores, l2: float, decay: float, config):
    """The EASE channel's per-user z-scores for `scores`' cases, fitted on the split's training histories."""
    import numpy as np

    from recommender.retrieval.collab import LowRatings, profile
    from recommender.retrieval.hybrid import zscore
    from recommender.types import Request

    sequences = [h.items for h in loo.fit_histories(split).values()]
    weights = fit_ease(sequences, len(dataset.catalog), l2)
    low = LowRatings(config.low_rating_weight, config.low_rating_threshold)
    z = np.zeros_like(scores.allowed, dtype=np.float32)
    for u, case in enumerate(scores.cases):
        items, recency = profile(Request(history=case.history.items, ratings=case.history.ratings), decay,
                                 config.liked_weight, low)
        z[u] = zscore(recency @ weights[items], scores.allowed[u])
    return z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k")
    parser.add_argument("--l2", type=float, nargs="+", default=L2_GRID)
    parser.add_argument("--decay", type=float, nargs="+", default=DECAY_GRID)
    parser.add_argument("--out", default="eval/results/dead_ends/ease")
    args = parser.parse_args()

    import numpy as np
    from rating_history import per_user_ndcg  # eval/ is the script's own folder

    from recommender.data.registry import load_dataset
    from recommender.data.split import LeaveOneOut
    from recommender.evaluation.retrieval_eval import WEIGHT_GRID, row_metrics, score_split, tune_weights
    from recommender.retrieval.config import RetrievalConfig

    dataset = load_dataset(args.data, progress=False)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    users = loo.eligible_users()
    config = RetrievalConfig()
    val, _ = score_split(dataset, loo, "val", users, config, progress=False)
    base_weights, base_ndcg = tune_weights(val)
    print("without EASE", base_weights, round(base_ndcg, 4), flush=True)
    pairs = {}
    for l2 in args.l2:
        for decay in args.decay:
            val.channel_z["ease"] = ease_channel(dataset, loo, "val", val, l2, decay, config)
            alone = row_metrics(val, val.fused({"ease": 1.0}))["ndcg@10"]
            grid = {**{k: [v] for k, v in base_weights.items()}, "ease": EASE_WEIGHTS}
            weights, ndcg = tune_weights(val, grid)
            pairs[(l2, decay)] = {"ease_alone_ndcg@10": alone, "fusion_ndcg@10": ndcg, "ease_weight": weights["ease"]}
            print(l2, decay, json.dumps(pairs[(l2, decay)]), flush=True)
    l2, decay = max(pairs, key=lambda p: pairs[p]["fusion_ndcg@10"])
    val.channel_z["ease"] = ease_channel(dataset, loo, "val", val, l2, decay, config)
    full_grid = {**WEIGHT_GRID, "ease": EASE_WEIGHTS}
    weights, val_ndcg = tune_weights(val, full_grid)
    print("chosen", l2, decay, weights, round(val_ndcg, 4), flush=True)

    test, _ = score_split(dataset, loo, "test", users, config, progress=False)
    test.channel_z["ease"] = ease_channel(dataset, loo, "test", test, l2, decay, config)
    rows = {"without EASE": row_metrics(test, test.fused(base_weights)), "with EASE": row_metrics(test, test.fused(weights)),
            "EASE alone": row_metrics(test, test.fused({"ease": 1.0}))}
    diff = per_user_ndcg(test, test.fused(weights)) - per_user_ndcg(test, test.fused(base_weights))
    rng = np.random.default_rng(0)
    boot = [float(diff[rng.integers(0, len(diff), len(diff))].mean()) for _ in range(2000)]
    interval = (float(diff.mean()), float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5)))
    write(args, users, pairs, (l2, decay), base_weights, base_ndcg, weights, val_ndcg, rows, interval)


def write(args, users, pairs, chosen, base_weights, base_ndcg, weights, val_ndcg, rows, interval) -> None:
    command = (f".venv/bin/python eval/ease.py --data {args.data} --l2 {' '.join(f'{x:g}' for x in args.l2)} "
               f"--decay {' '.join(f'{x:g}' for x in args.decay)} --out {args.out}")
    result = {"command": command, "date": time.strftime("%Y-%m-%d"), "users": len(users),
              "validation_pairs": {f"{k[0]:g},{k[1]:g}": v for k, v in pairs.items()},
              "chosen_l2_decay": list(chosen), "validation_without_ease": {"weights": base_weights, "ndcg@10": base_ndcg},
              "validation_with_ease": {"weights": weights, "ndcg@10": val_ndcg}, "test": rows,
              "test_ndcg@10_with_minus_without_bootstrap_95": interval,
              "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()]}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [f"Command: `{command}`", "", f"Date: {result['date']}; {len(users)} users. Every other channel scored with "
             "the default config; test rows use weights tuned on validation.", "",
             "### Validation: L2 penalty and recency decay (only the EASE weight tuned per pair)", "",
             "| l2 | decay | EASE alone NDCG@10 | fusion NDCG@10 | EASE weight |", "|---:|---:|---:|---:|---:|"]
    for (l2, decay), row in pairs.items():
        mark = " (chosen)" if (l2, decay) == chosen else ""
        lines.append(f"| {l2:g}{mark} | {decay:g} | {row['ease_alone_ndcg@10']:.4f} | {row['fusion_ndcg@10']:.4f} | "
                     f"{row['ease_weight']:g} |")
    lines += ["", f"Validation fusion NDCG@10 without EASE: {base_ndcg:.4f} (weights {base_weights}); with EASE at the "
              f"chosen pair, full grid: {val_ndcg:.4f} (weights {weights}).", "",
              "### Test", "", "| | NDCG@10 | Recall@10 | Recall@20 | MRR@10 | coverage@10 |", "|---|---:|---:|---:|---:|---:|"]
    for label, row in rows.items():
        lines.append(f"| {label} | {row['ndcg@10']:.4f} | {row['recall@10']:.4f} | {row['recall@20']:.4f} | "
                     f"{row['mrr@10']:.4f} | {row['coverage@10']:.4f} |")
    mean, lo, hi = interval
    lines += ["", f"with minus without EASE, test NDCG@10: {mean:+.4f}, 95% paired bootstrap interval [{lo:+.4f}, {hi:+.4f}]."]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
