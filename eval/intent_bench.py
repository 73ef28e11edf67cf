"""The chat-understanding benchmark: hand-written messages through the chat engine, one row per parser.

    .venv/bin/python eval/intent_bench.py --out eval/results/intent_bench

Cases: eval/intent/heldout_first.jsonl (first messages) and heldout_followup.jsonl (follow-ups typed in
a given dialogue state), written by hand in wording the training-data generator never produces (never
tune on them: eval/intent/dev.jsonl is the set to tune on, `--cases eval/intent/dev.jsonl`). Rows: the
rule parser, the LLM intent model (every message), and the product's router (rules where exact, else
the LLM), all on the same default model, adapters and ML-100k catalogue, in one run. Reported:
precision@10 of the list shown after the message, intent field accuracy, the LLM's invalid outputs and
the time from the message until the list is ready (median, p90), with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

CASES = ["eval/intent/heldout_first.jsonl", "eval/intent/heldout_followup.jsonl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k", help="data set name or path")
    parser.add_argument("--cases", nargs="+", default=CASES, help="JSONL case files (eval/intent/README.md)")
    parser.add_argument("--rows", nargs="+", default=["rules", "llm", "auto"], choices=["rules", "llm", "auto"],
                        help="parsers to compare")
    parser.add_argument("--intent", default="default", help="intent adapter: 'default', 'none' or a directory")
    parser.add_argument("--out", default="eval/results/intent_bench", help="writes OUT.json and OUT.md")
    args = parser.parse_args()

    from recommender.chat.session import ChatEngine
    from recommender.evaluation.intent_bench import load_cases
    from recommender.evaluation.intent_runner import format_markdown, run_rows, to_json
    from recommender.facade import Recommender
    from recommender.llm.defaults import llm_config_from, resolve_intent_adapter

    cases = load_cases(*args.cases)
    adapter = resolve_intent_adapter(args.intent, None)
    rec = Recommender.load(args.data, ranker="llm", llm_config=llm_config_from(None, "4bit", "default"),
                           intent_adapter=adapter)
    if rec.intent_parser is None and set(args.rows) & {"llm", "auto"}:
        parser.error("no intent adapter loaded: the llm and auto rows need one (--intent DIR)")
    engines = {mode: ChatEngine(rec, intent_parser=rec.intent_parser, router_mode=mode) for mode in args.rows}
    for engine in engines.values():
        engine.warm_up()
    rows = run_rows(engines, cases)
    load = os.getloadavg()
    command = (f".venv/bin/python eval/intent_bench.py --cases {' '.join(args.cases)} --rows {' '.join(args.rows)} "
               f"--intent {args.intent} --out {args.out}")
    header = (f"Command: `{command}`\n\n{len(cases)} messages ({', '.join(args.cases)}); model "
              f"{rec.ranker.backend.model_id} (4-bit), intent adapter {adapter or 'none'}. Machine: "
              f"{platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
              "(after the run). Seconds to list: from the message until the list is ready (parsing + retrieval).")
    text = format_markdown(rows, header)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"command": command, "load_average": load, **to_json(rows)},
                                                   indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
