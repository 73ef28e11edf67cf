"""A dead end, kept as a record: a rating-quality channel in the retrieval fusion.

Tried as a known user (user 42 of ML-100k, no request), the chat's #1 was Lawnmower Man 2 (mean rating 1.7/5
from 21 people), pulled in by 8 co-watchers of a film the user rated 4/5. A per-item channel scoring each
film by its Bayesian-average rating (`ItemRatings`, fitted on `fit_histories(split)` only, so no target's
rating is counted) would push such films down. Its weight is chosen on validation NDCG@10 with the other
fusion weights at their tuned values, as `recommender eval` tunes them; test NDCG@10 is printed for every
weight, in the same run, as hindsight only. A second table tries a floor instead: films whose Bayesian average
is below it are never listed.

    flock /tmp/heavy.lock .venv/bin/python eval/quality_channel.py --out eval/results/dead_ends/quality_channel
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k", help="data set name or path")
    parser.add_argument("--prior", type=float, default=25.0, help="ratings the Bayesian average's prior is worth")
    parser.add_argument("--weights", type=float, nargs="+", default=[0, 0.01, 0.02, 0.05, 0.1, 0.2],
                        help="quality channel weights tried")
    parser.add_argument("--floors", type=float, nargs="+", default=[2.5, 2.7, 2.9],
                        help="Bayesian-average floors tried: films rated below one are never listed")
    parser.add_argument("--out", default="eval/results/dead_ends/quality_channel", help="writes OUT.md and OUT.json")
    args = parser.parse_args()

    from recommender.data.registry import load_dataset
    from recommender.data.split import LeaveOneOut
    from recommender.evaluation.retrieval_eval import score_split, tune_weights
    from recommender.metrics import summarize, target_ranks
    from recommender.retrieval.config import RetrievalConfig
    from recommender.retrieval.hybrid import zscore
    from recommender.retrieval.ratings import ItemRatings

    started = time.perf_counter()
    dataset = load_dataset(args.data, progress=False)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    users = loo.sample_users(None, 0)
    scores, shrunk = {}, {}
    for split in ("val", "test"):
        split_scores, _ = score_split(dataset, loo, split, users, RetrievalConfig(), progress=False)
        fit = list(loo.fit_histories(split).values())
        ratings = ItemRatings.fit(np.concatenate([h.items for h in fit]), np.concatenate([h.ratings for h in fit]),
                                  len(dataset.catalog), args.prior)
        split_scores.channel_z["quality"] = np.stack(
            [zscore(ratings.shrunk, split_scores.allowed[u]) for u in range(len(split_scores.cases))])
        scores[split] = split_scores
        shrunk[split] = ratings.shrunk
    tuned, _ = tune_weights(scores["val"])
    rows = []
    for weight in args.weights:
        fused = {s: scores[s].fused(dict(tuned, quality=weight)) for s in scores}
        rows.append({"weight": weight, **{s: summarize(target_ranks(fused[s], scores[s].targets), (10,))["ndcg@10"]
                                          for s in scores}})
    chosen = max(rows, key=lambda r: (round(r["val"], 6), -r["weight"]))
    floors = [{"floor": f, "films": int((shrunk["val"] < f).sum()),
               **{s: summarize(target_ranks(np.where(shrunk[s] < f, -np.inf, scores[s].fused(tuned)), scores[s].targets),
                               (10,))["ndcg@10"] for s in scores}} for f in args.floors]
    command = (f".venv/bin/python eval/quality_channel.py --data {args.data} --prior {args.prior:g} --weights "
               f"{' '.join(f'{w:g}' for w in args.weights)} --floors {' '.join(f'{f:g}' for f in args.floors)} --out {args.out}")
    table = ["| quality weight | validation NDCG@10 | test NDCG@10 (hindsight) |", "|---:|---:|---:|"]
    table += [f"| {r['weight']:g}{' (chosen on validation)' if r is chosen else ''} | {r['val']:.4f} | {r['test']:.4f} |"
              for r in rows]
    text = "\n".join([
        f"Command: `{command}`", "",
        f"{len(users)} users; the other fusion weights tuned on validation: {tuned}; prior {args.prior:g} ratings; "
        f"{time.perf_counter() - started:.0f} s, load average {[round(x, 2) for x in os.getloadavg()]}.", "",
        *table, "",
        f"Validation chooses weight {chosen['weight']:g}: the channel does not help ranking accuracy there, so the "
        "product's fusion has no quality channel, and a known user's list may still open with a film most "
        "people rated low when the history channels point at it.", "",
        "| floor (Bayesian average) | films left out | validation NDCG@10 | test NDCG@10 (hindsight) |",
        "|---:|---:|---:|---:|",
        *[f"| {r['floor']:g} | {r['films']} | {r['val']:.4f} | {r['test']:.4f} |" for r in floors], "",
        "A floor costs ranking accuracy as soon as it leaves out any film: the films most people rated low are "
        "still watched next (ML-100k's held-out items are each user's latest ratings, whatever the rating).", ""])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({"command": command, "tuned": tuned, "rows": rows, "floors": floors}, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
