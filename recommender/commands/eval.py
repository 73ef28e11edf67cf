"""`recommender eval`: offline evaluation of retrieval, the LLM ranker, or scripted conversations."""

from __future__ import annotations

import argparse

from recommender.config import field_help
from recommender.evaluation.config import EvalConfig

FLAGS = ["data", "split", "ranker", "users", "seed", "shortlist_size", "model", "quantize", "adapter",
         "batch_size", "permutations", "out", "turns", "llm_val_users", "bias_users"]


def add_parser(sub):
    helps = field_help(EvalConfig)
    p = sub.add_parser("eval", help="evaluate rankings offline (leave-one-out, full ranking)",
                       description="Evaluate retrieval (and the LLM ranker) on a leave-one-out split. "
                                   "Protocol: eval/README.md.")
    p.add_argument("--config", help="YAML file with EvalConfig fields (flags override it)")
    p.add_argument("--data", help=helps["data"])
    p.add_argument("--split", choices=["val", "test"], help=helps["split"])
    p.add_argument("--ranker", choices=["none", "llm"], help=helps["ranker"])
    p.add_argument("--users", type=int, help=helps["users"])
    p.add_argument("--seed", type=int, help=helps["seed"])
    p.add_argument("--shortlist-size", dest="shortlist_size", type=int, help=helps["shortlist_size"])
    p.add_argument("--conversational", action="store_true", default=None, help=helps["conversational"])
    p.add_argument("--turns", type=int, help=helps["turns"])
    p.add_argument("--model", help=helps["model"])
    p.add_argument("--quantize", choices=["4bit", "8bit", "none"], help=helps["quantize"])
    p.add_argument("--adapter", help=helps["adapter"])
    p.add_argument("--batch-size", dest="batch_size", type=int, help=helps["batch_size"])
    p.add_argument("--permutations", type=int, help=helps["permutations"])
    p.add_argument("--llm-val-users", dest="llm_val_users", type=int, help=helps["llm_val_users"])
    p.add_argument("--bias-users", dest="bias_users", type=int, help=helps["bias_users"])
    p.add_argument("--out", help=helps["out"])
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from recommender.config import build_config
    from recommender.evaluation.runner import run_eval

    overrides = {name: getattr(args, name) for name in FLAGS + ["conversational"]}
    config = build_config(EvalConfig, args.config, overrides)
    run_eval(config, progress=not args.quiet)
    return 0
