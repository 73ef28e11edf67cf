"""Chat latency: 20 scripted turns through the app's own handlers (ChatView.send, then ChatView.stream),
on ML-100k with the default model on CPU.

    .venv/bin/python eval/bench_chat.py --out eval/results/bench_chat

Loading and one warm-up request happen first, as in `recommender chat`. Per turn it times (1) the ranked list: from the message to the handler's return, which is when the
page shows the list (bar: median <= 2 s), and (2) the explanations: from the message until the last
one has finished streaming (and until the first one has). Turns run one after another, as a user who
waits for every explanation would. `--explain-turns N` streams explanations for the first N turns
only (the list is still timed on every turn), for machines where 20 full rounds take too long.
The machine may be shared: the load average is recorded with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

LIST_BAR_S = 2.0
SCRIPT = [  # (user picker choice or None = keep the session, message)
    ("new user", "something like Alien but funnier, from the 90s"),
    (None, "I've seen #2"),
    (None, "more like #3"),
    (None, "no horror"),
    (None, "more please"),
    (None, "only after 1990"),
    (None, "not that one"),
    (None, "I loved Heat and Se7en"),
    (None, "a romantic comedy"),
    (None, "more please"),
    ("1", "a dark crime thriller"),
    (None, "I've seen #1"),
    (None, "from the 80s"),
    (None, "no war films"),
    (None, "more please"),
    (None, "animated movies for kids"),
    (None, "only comedies"),
    (None, "reset"),
    (None, "space adventure with robots"),
    (None, "more please"),
]


class TimedRecommender:
    """The loaded recommender, unchanged, except that it adds up the seconds spent in `rank`, to tell
    the ranking's share of a turn from the chat's own (parsing, state, rendering)."""

    def __init__(self, inner):
        self.inner, self.rank_s = inner, 0.0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def rank(self, request, k: int = 10):
        started = time.perf_counter()
        try:
            return self.inner.rank(request, k)
        finally:
            self.rank_s += time.perf_counter() - started


def run_turn(view, session, message: str, explain: bool) -> tuple[dict, object]:
    timed = view.engine.recommender
    timed.rank_s = 0.0
    started = time.perf_counter()
    outputs = view.send(message, session)
    list_s = time.perf_counter() - started
    rank_s = timed.rank_s
    session = outputs[-1]
    first_s = done_s = None
    if explain and session.rows:
        for _ in view.stream(session):
            if first_s is None and session.rows[0].explained:
                first_s = time.perf_counter() - started
        done_s = time.perf_counter() - started
    return {"message": message, "items": len(session.rows), "list_s": round(list_s, 3),
            "rank_s": round(rank_s, 3), "chat_overhead_s": round(list_s - rank_s, 3),
            "first_explanation_s": None if first_s is None else round(first_s, 3),
            "explanations_done_s": None if done_s is None else round(done_s, 3)}, session


def median_of(turns: list[dict], key: str) -> float | None:
    """Median over the turns that showed a list ("reset" shows none)."""
    values = [t[key] for t in turns if t[key] is not None and t["items"]]
    return round(statistics.median(values), 3) if values else None


def to_markdown(result: dict) -> str:
    lines = [
        f"Command: `{result['command']}`", "",
        f"Date: {result['date']}; machine: {result['machine']}; load average at end: "
        f"{result['load_average_1_5_15_at_end']}; model: {result['model']}", "",
        "| turns | median time to the list | bar (<= 2 s) | of which ranking | of which chat handling "
        "| median time to the first explanation | median time until all explanations are done (turns explained) |",
        "|---:|---:|:---:|---:|---:|---:|---:|",
        f"| {len(result['turns'])} | {result['list_s_median']:.2f} s | {'met' if result['list_bar_met'] else 'missed'} "
        f"| {result['rank_s_median']:.2f} s | {result['chat_overhead_s_median'] * 1000:.0f} ms "
        f"| {_seconds(result['first_explanation_s_median'])} "
        f"| {_seconds(result['explanations_done_s_median'])} ({result['explained_turns']}) |",
        "", "| # | message | items | list | ranking | first explanation | all explanations |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, t in enumerate(result["turns"], 1):
        lines.append(f"| {n} | {t['message']} | {t['items']} | {t['list_s']:.2f} s | {t['rank_s']:.2f} s "
                     f"| {_seconds(t['first_explanation_s'])} | {_seconds(t['explanations_done_s'])} |")
    return "\n".join(lines) + "\n"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def summarise(args, recommender, turns: list[dict], load_s: float) -> dict:
    backend = getattr(getattr(recommender, "ranker", None), "backend", None)
    return {
        "command": f".venv/bin/python eval/bench_chat.py --data {args.data} --ranker {args.ranker} "
                   f"--turns {args.turns} --explain-turns {args.explain_turns} --out {args.out}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}, "
                   f"python {platform.python_version()}",
        "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "model": getattr(backend, "model_id", None) if args.ranker == "llm" else "none (retrieval only)",
        "load_s": round(load_s, 2),
        "list_s_median": median_of(turns, "list_s"),
        "rank_s_median": median_of(turns, "rank_s"),
        "chat_overhead_s_median": median_of(turns, "chat_overhead_s"),
        "first_explanation_s_median": median_of(turns, "first_explanation_s"),
        "explanations_done_s_median": median_of(turns, "explanations_done_s"),
        "explained_turns": sum(t["explanations_done_s"] is not None for t in turns),
        "turns": turns,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k")
    parser.add_argument("--ranker", default="llm", choices=["llm", "none"])
    parser.add_argument("--turns", type=int, default=len(SCRIPT), help=f"turns to run (at most {len(SCRIPT)})")
    parser.add_argument("--explain-turns", type=int, default=len(SCRIPT), help="turns whose explanations are timed")
    parser.add_argument("--out", default="eval/results/bench_chat", help="path stem for .json and .md")
    args = parser.parse_args()

    from tqdm import tqdm

    from recommender.chat.app import ChatView
    from recommender.chat.config import ChatConfig
    from recommender.chat.session import ChatEngine
    from recommender.commands.chat import load_recommender

    config = ChatConfig(data=args.data, ranker=args.ranker)
    load_started = time.perf_counter()
    recommender = load_recommender(config)
    load_s = time.perf_counter() - load_started
    engine = ChatEngine(TimedRecommender(recommender), k=config.k)
    load_s += engine.warm_up()  # as `recommender chat` does before serving
    view = ChatView(engine, status="benchmark")
    session, turns = None, []
    for n, (user, message) in enumerate(tqdm(SCRIPT[: args.turns], desc="chat turns", unit="turn")):
        if user is not None:
            session = view.start(user)[-1]
        record, session = run_turn(view, session, message, explain=n < args.explain_turns)
        turns.append(record)

    result = summarise(args, recommender, turns, load_s)
    result["list_bar_met"] = result["list_s_median"] is not None and result["list_s_median"] <= LIST_BAR_S
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(to_markdown(result))
    print(to_markdown(result))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
