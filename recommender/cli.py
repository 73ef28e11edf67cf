"""The `recommender` command. Thin: each subcommand lives in recommender/commands/<name>.py and
exposes `add_parser(subparsers)` and `run(args) -> int`. Heavy imports happen inside `run`, so
`recommender --help` is instant. User mistakes (RecommenderError) print one line, no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from recommender import __version__
from recommender.errors import RecommenderError

COMMANDS = ["data", "recommend", "eval", "train", "chat"]
# bitsandbytes warns on import that it could not fetch an optional CPU kernel from the Hugging Face hub.
# Offline (always, here) it uses its built-in kernel, which every measured number in this repo used.
QUIET_LOGGERS = ("bitsandbytes.backends.cpu.ops",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recommender",
        description="Conversational recommender: hybrid retrieval + quantized LLM ranker with LoRA + chat.",
    )
    parser.add_argument("--version", action="version", version=f"recommender {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"recommender.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        return int(args.run(args) or 0)
    except RecommenderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
