"""Chat latency: a scripted conversation through the app's own handlers (ChatView.send and ChatView.click),
on ML-100k with the default model, adapters and settings on CPU.

    .venv/bin/python eval/bench_chat.py --out eval/results/bench_chat

Loading and one warm-up happen first, as in `recommender chat`. Per turn it times (1) the list: from the
message (or button click) to the handler's return, which is when the page shows the list (understanding
the message included; bars: median <= 1.5 s for a typed request, <= 2 s for any turn), and (2) the
explanations: how many cards show their checked facts (the plain rendering or a cached text) with the
list itself, and the LLM's pass as the page's background thread runs it (`ChatEngine.explain`): the
first card it writes and all cards, over the turns where it wrote any (bars: <= 1.5 s and <= 6 s
median), and how many cards a click made the explainer write
again (the others come from the session's cache). Turns run one after another, as a user who waits for
every explanation would. The machine may be shared: the load average is recorded with the results.
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

BARS = {"typed_list_s_median": 1.5, "list_s_median": 2.0, "first_card_s_median": 1.5, "all_cards_s_median": 6.0}
SCRIPT = [  # (user picker choice or None = keep the session, message or "[action position]" for a button)
    ("new user", "something like Alien but funnier, from the 90s"),
    (None, "[seen 2]"),
    (None, "more like #3"),
    (None, "no horror"),
    (None, "more please"),
    (None, "what is #1 about?"),
    (None, "[disliked 1]"),
    (None, "I loved Heat and Se7en"),
    (None, "a romantic comedy for date night"),
    (None, "more please"),
    ("1", "a dark crime thriller"),
    (None, "[seen 1]"),
    (None, "from the 80s"),
    (None, "movies with Tom Hanks"),
    (None, "why did you recommend #4?"),
    (None, "animated movies for kids, nothing scary"),
    (None, "[liked 3]"),
    (None, "reset"),
    (None, "robots and the future"),
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
    if message.startswith("["):
        action, position = message.strip("[]").split()
        outputs = view.click(int(position), action, session)
    else:
        outputs = view.send(message, session)
    list_s, rank_s = time.perf_counter() - started, timed.rank_s
    session = outputs[-1]
    understood = session.understood if not message.startswith("[") else None
    first_s = done_s = None
    written, with_list = 0, sum(row.explained for row in session.rows)  # cards showing checked text with the list
    if explain and session.rows and not all(row.final for row in session.rows):
        explain_started = time.perf_counter()
        pending = [row for row in session.rows if not row.final]  # the cards the LLM is to write
        for _ in view.engine.explain(session):
            if first_s is None and any(row.final for row in pending):
                first_s = time.perf_counter() - explain_started
        done_s = time.perf_counter() - explain_started
        written = sum(row.source != "cache" for row in session.rows)
    return {"message": message, "typed": not message.startswith("["), "items": len(session.rows),
            "parser": getattr(understood, "parser", "button"), "list_s": round(list_s, 3), "rank_s": round(rank_s, 3),
            "first_card_s": None if first_s is None else round(first_s, 3),
            "all_cards_s": None if done_s is None else round(done_s, 3), "cards_written": written,
            "explained_with_list": with_list}, session


def median_of(turns: list[dict], key: str, where=lambda t: True) -> float | None:
    """Median over the turns that showed a list ("reset" shows none) and satisfy `where`."""
    values = [t[key] for t in turns if t[key] is not None and t["items"] and where(t)]
    return round(statistics.median(values), 3) if values else None


def to_markdown(result: dict) -> str:
    m = result["medians"]
    lines = [
        f"Command: `{result['command']}`", "",
        f"Date: {result['date']}; machine: {result['machine']}; load average at end: "
        f"{result['load_average_1_5_15_at_end']}; model: {result['model']}", "",
        "| median | seconds | bar | met |", "|---|---:|---:|:---:|",
    ]
    names = {"typed_list_s_median": "list after a typed message", "list_s_median": "list after any turn",
             "first_card_s_median": "the LLM done with the first card",
             "all_cards_s_median": "the LLM done with all cards"}
    for key, bar in BARS.items():
        value = m[key]
        lines.append(f"| {names[key]} | {'–' if value is None else f'{value:.2f}'} | <= {bar} | "
                     f"{'yes' if value is not None and value <= bar else 'no'} |")
    shown = [t for t in result["turns"] if t["items"]]
    lines += ["", f"Cards that showed their checked facts (cached or plain text) with the list itself: "
              f"{sum(t['explained_with_list'] for t in shown)} of {sum(t['items'] for t in shown)}. The LLM's "
              "text replaces a card's later when it passes the check (times below).", ""]
    lines += ["", "| # | message or click | parser | items | list | of which ranking | LLM first card | "
              "LLM all cards | cards written |", "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for n, t in enumerate(result["turns"], 1):
        lines.append(f"| {n} | {t['message']} | {t['parser']} | {t['items']} | {t['list_s']:.2f} s | {t['rank_s']:.2f} s "
                     f"| {_seconds(t['first_card_s'])} | {_seconds(t['all_cards_s'])} | {t['cards_written']} |")
    return "\n".join(lines) + "\n"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def summarise(args, recommender, turns: list[dict], load_s: float) -> dict:
    backend = getattr(getattr(recommender, "ranker", None), "backend", None)
    medians = {"typed_list_s_median": median_of(turns, "list_s", lambda t: t["typed"]),
               "list_s_median": median_of(turns, "list_s"),
               "first_card_s_median": median_of(turns, "first_card_s", lambda t: t["cards_written"]),
               "all_cards_s_median": median_of(turns, "all_cards_s", lambda t: t["cards_written"])}
    return {
        "command": f".venv/bin/python eval/bench_chat.py --data {args.data} --ranker {args.ranker} "
                   f"--turns {args.turns} --explain-turns {args.explain_turns} --out {args.out}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}, "
                   f"python {platform.python_version()}",
        "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "model": getattr(backend, "model_id", None) if args.ranker == "llm" else "none (retrieval only)",
        "load_s": round(load_s, 2), "medians": medians,
        "bars_met": {k: v is not None and v <= BARS[k] for k, v in medians.items()},
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
    engine = ChatEngine(TimedRecommender(recommender), k=config.k, intent_parser=recommender.intent_parser)
    load_s += engine.warm_up()  # as `recommender chat` does before serving
    view = ChatView(engine, status="benchmark", explain_in_background=False)  # this script times the writing
    session, turns = None, []
    for n, (user, message) in enumerate(tqdm(SCRIPT[: args.turns], desc="chat turns", unit="turn")):
        if user is not None:
            session = view.start(user)[-1]
        record, session = run_turn(view, session, message, explain=n < args.explain_turns)
        turns.append(record)

    result = summarise(args, recommender, turns, load_s)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(to_markdown(result))
    print(to_markdown(result))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
