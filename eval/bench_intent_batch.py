"""Simultaneous chat messages read by the LLM intent model: wall time until all are parsed, per count.

    .venv/bin/python eval/bench_intent_batch.py --out eval/results/bench_intent_batch

N threads call `IntentParser.parse` at once (as N chat sessions sending a message together), for N in
--counts, with the batcher's collection window at its default and widened (--windows), so that the
batch sizes it formed and the time a batch of N costs on this CPU can be read side by side. Each
setting is measured --reps times, interleaved; medians are reported with the load average. Nothing
else runs: no retrieval, no explanations. It answers one question: how fast can the intent model read
eight messages that arrive at once on two cores?
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path

MESSAGES = ["something like Alien but funnier", "a darker film like Fargo", "something like Toy Story for a family evening",
            "an old romance like Casablanca", "space adventures like Star Wars", "a clever comedy like Groundhog Day",
            "dinosaurs and adventure like Jurassic Park", "moody science fiction like Blade Runner"]


def simultaneous(parser, messages: list[str]) -> tuple[float, list[int], int]:
    """Wall seconds until every message is parsed, the sizes the batcher's batches began with, and how
    many messages joined a batch already running."""
    before, joined = len(parser.batcher.batch_sizes), parser.batcher.joined
    threads = [threading.Thread(target=parser.parse, args=(m,)) for m in messages]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, parser.batcher.batch_sizes[before:], parser.batcher.joined - joined


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4, 8], help="messages sent at once")
    cli.add_argument("--windows", type=float, nargs="+", default=[0.005, 0.05],
                     help="batcher collection windows in seconds (the first is the shipped default)")
    cli.add_argument("--reps", type=int, default=5)
    cli.add_argument("--out", default="eval/results/bench_intent_batch", help="path stem for .json and .md")
    args = cli.parse_args()
    if max(args.counts) > len(MESSAGES) or min(args.counts) < 1:
        cli.error(f"--counts must be between 1 and {len(MESSAGES)}")

    from recommender.facade import Recommender
    from recommender.llm.defaults import llm_config_from, resolve_intent_adapter

    recommender = Recommender.load("ml-100k", ranker="llm", llm_config=llm_config_from(None, "4bit", "default"),
                                   intent_adapter=resolve_intent_adapter("default", None), explain_adapter=None,
                                   progress=False)
    parser = recommender.intent_parser
    parser.parse("a warm-up request like Heat")
    runs: dict[str, list] = {}
    for _ in range(args.reps):
        for window in args.windows:
            parser.batcher.window_s = window
            for n in args.counts:
                seconds, batches, joined = simultaneous(parser, MESSAGES[:n])
                runs.setdefault(f"{window}:{n}", []).append({"seconds": round(seconds, 3), "batches": batches,
                                                             "joined": joined})
    rows = [{"window_s": w, "messages": n, "median_s": round(statistics.median(r["seconds"] for r in runs[f"{w}:{n}"]), 3),
             "batches": [r["batches"] for r in runs[f"{w}:{n}"]], "joined": [r["joined"] for r in runs[f"{w}:{n}"]]}
            for w in args.windows for n in args.counts]
    command = (f".venv/bin/python eval/bench_intent_batch.py --counts {' '.join(map(str, args.counts))} --windows "
               f"{' '.join(map(str, args.windows))} --reps {args.reps} --out {args.out}")
    result = {"command": command, "date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()], "rows": rows}
    lines = [f"Command: `{command}`", "", f"Date: {result['date']}; {result['cpus']} CPUs; load average at end: "
             f"{result['load_average_at_end']}; SmolLM2-135M 4-bit with the intent adapter; medians of {args.reps}.", "",
             "| batcher window | messages at once | median s until all are parsed | batches began with (per run) "
             "| joined a running batch (per run) |", "|---:|---:|---:|---|---|"]
    lines += [f"| {r['window_s']} s | {r['messages']} | {r['median_s']:.2f} | {r['batches']} | {r['joined']} |"
              for r in rows]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
