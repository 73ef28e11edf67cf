"""`recommender train`: LoRA fine-tuning of the LLM ranker (recommender/train/run.py)."""

from __future__ import annotations

import argparse
import dataclasses

from recommender.config import field_help
from recommender.train.config import TrainConfig

FLAG_TYPES = {"int": int, "float": float, "str": str}


def _flag_type(field: dataclasses.Field):
    annotation = str(field.type)
    for name, kind in FLAG_TYPES.items():
        if annotation.startswith(name):
            return kind
    return str


def add_parser(sub):
    helps = field_help(TrainConfig)
    p = sub.add_parser("train", help="fine-tune the LLM ranker with LoRA on a data set's training interactions",
                       description="QLoRA fine-tuning of the LLM ranker on leakage-free next-item examples, with "
                                   "validation, best-checkpoint selection, early stopping and resumable checkpoints. "
                                   "Settings: defaults < --config YAML < flags.")
    p.add_argument("--config", help="YAML file with TrainConfig fields (see adapters/configs/)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run of --out from its last checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out (once the new adapter is complete)")
    p.add_argument("--quiet", action="store_true", help="no progress bars or messages")
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        if field.name == "target_modules":
            p.add_argument(flag, dest=field.name, type=lambda s: [m.strip() for m in s.split(",") if m.strip()],
                           help=helps[field.name] + " Comma-separated.")
        elif str(field.type).startswith("bool"):
            p.add_argument(flag, dest=field.name, action=argparse.BooleanOptionalAction, default=None,
                           help=helps[field.name])
        else:
            p.add_argument(flag, dest=field.name, type=_flag_type(field), help=helps[field.name])
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    import shlex
    import sys

    from recommender.config import build_config
    from recommender.train.run import train

    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)}
    config = build_config(TrainConfig, args.config, overrides)
    command = "recommender " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["train"] else None
    train(config, resume=args.resume, overwrite=args.overwrite, progress=not args.quiet, command=command)
    return 0
