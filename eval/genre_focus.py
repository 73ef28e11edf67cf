"""Tuning `RetrievalConfig.genre_focus` on the validation split: the scripted conversational evaluation
(`recommender.evaluation.conversational`, retrieval only) for each value, on validation users, so the test
split is never looked at. Also prints the top ten of a Romance and a Sci-Fi wish for a new user, the lists a
person sees ("something romantic" listed Star Wars third at 1.0).

    .venv/bin/python eval/genre_focus.py --users 300 --values 0 1 2 3 4 --out eval/results/genre_focus
"""

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300, help="validation users sampled (seed 0)")
    parser.add_argument("--values", type=float, nargs="+", default=[0, 1, 2, 3, 4], help="genre_focus values")
    parser.add_argument("--out", default="eval/results/genre_focus", help="writes OUT.md and OUT.json")
    args = parser.parse_args()

    from recommender.data.split import LeaveOneOut
    from recommender.evaluation.conversational import fit_for_split, run_conversational_eval
    from recommender.facade import Recommender
    from recommender.retrieval.config import RetrievalConfig
    from recommender.types import Request

    rows, lists = [], {}
    for value in args.values:
        rec = Recommender.load("ml-100k", ranker="none", progress=False,
                               retrieval_config=RetrievalConfig(genre_focus=value))
        loo = LeaveOneOut(rec.dataset.interactions, rec.catalog)
        started = time.perf_counter()
        outcome = run_conversational_eval(fit_for_split(rec, "val", progress=False),
                                          loo.cases("val", loo.sample_users(args.users, 0)), refit=False, progress=False)
        rows.append({"genre_focus": value, "hit_at_turn": [round(h, 3) for h in outcome.hit_at_turn],
                     "seconds": round(time.perf_counter() - started, 1)})
        lists[value] = {g: [r.title for r in rec.rank(Request(wished_genres=(g,)), k=10)] for g in ("Romance", "Sci-Fi")}
    command = (f".venv/bin/python eval/genre_focus.py --users {args.users} --values "
               f"{' '.join(f'{v:g}' for v in args.values)} --out {args.out}")
    load = [round(x, 2) for x in os.getloadavg()]
    table = ["| genre_focus | hit@10 turn 1 | turn 2 | turn 3 | Star Wars in the Romance top 10 | in the Sci-Fi top 10 |",
             "|---:|---:|---:|---:|:---:|:---:|"]
    for row in rows:
        value, hits = row["genre_focus"], row["hit_at_turn"]
        table.append(f"| {value:g} | {hits[0]:.3f} | {hits[1]:.3f} | {hits[2]:.3f} | "
                     f"{_position('Star Wars', lists[value]['Romance'])} | {_position('Star Wars', lists[value]['Sci-Fi'])} |")
    text = "\n".join([f"Command: `{command}`", "",
                      f"Validation split, {args.users} sampled users, retrieval only; load average at end {load}.", "",
                      *table, "", *[f"- {v:g}, Romance: {'; '.join(lists[v]['Romance'])}" for v in args.values], ""])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({"command": command, "rows": rows, "lists": lists}, indent=2) + "\n")
    print(text)


def _position(title: str, titles: list[str]) -> str:
    found = [i for i, t in enumerate(titles) if t.startswith(f"{title} (")]
    return f"#{found[0] + 1}" if found else "no"


if __name__ == "__main__":
    main()
