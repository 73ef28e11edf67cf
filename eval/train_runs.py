"""Compare finished LoRA training runs: train loss against what a prompt-blind model reaches, and validation.

    .venv/bin/python eval/train_runs.py eval/results/lora_runs/*/ adapters/smollm2-135m-ml100k-pointwise \
        --out eval/results/train_runs

Each argument is a directory written by `recommender train` (only its training_config.yaml and
metrics.json are read). The yardsticks come from metrics.json; for runs written before `recommender
train` reported them, and for pointwise runs, they are recomputed from the run's own examples (about a
minute each). The label prior is the loss of always predicting the answer labels' frequencies, uniform
the loss of a uniform guess. A train loss above the label prior means the model has not learned even
which answer labels are frequent, let alone anything from the prompt.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

LAST_STEPS = 40  # the train loss is the mean over the run's last optimizer steps


def run_row(run: Path) -> dict:
    import numpy as np
    import yaml

    from recommender.data.registry import load_dataset
    from recommender.data.split import LeaveOneOut
    from recommender.train.config import TrainConfig
    from recommender.train.examples import build_examples
    from recommender.train.model import loss_references

    config = TrainConfig(**yaml.safe_load((run / "training_config.yaml").read_text(encoding="utf-8")))
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    refs = metrics.get("loss_references")  # written by `recommender train` since it reports them
    # The first pointwise run stored a position-based yardstick; its rank-based one is recomputed (the same
    # value for later runs).
    if refs is None or config.scheme == "pointwise":
        dataset = load_dataset(config.data, progress=False)
        examples = build_examples(dataset, LeaveOneOut(dataset.interactions, dataset.catalog), config, progress=False)
        refs = loss_references(examples.examples, config.ranker_config())._asdict()
    losses = metrics["train_loss_per_step"]
    return {"run": str(run), "examples": metrics["examples"]["examples"], "steps": metrics["optimizer_steps"],
            "wall_min": round(metrics["wall_seconds"] / 60, 1),
            "train_loss_last": round(float(np.mean(losses[-LAST_STEPS:])), 3),
            "label_prior_loss": round(refs["label_prior"], 3), "uniform_loss": round(refs["uniform"], 3),
            "best_step": metrics["best_step"], "val_llm_zero_shot": metrics["zero_shot"]["llm"],
            "val_llm_best": metrics["best"]["llm"], "val_mix_best": metrics["best"]["best_mix"],
            "val_retrieval": metrics["best"]["retrieval"]}


def markdown(rows: list[dict], command: str) -> str:
    lines = [f"# LoRA training runs\n\n```bash\n{command}\n```\n",
             f"Train loss: mean of the last {LAST_STEPS} optimizer steps (nats, cross-entropy over the answer labels). "
             "Validation: NDCG@10 on the run's 300 validation users (not test).\n",
             "| run | examples | steps | wall (min) | train loss | label prior | uniform | val LLM step 0 | "
             "val LLM best (step) | val best mix | val retrieval |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| `{r['run']}` | {r['examples']} | {r['steps']} | {r['wall_min']} | {r['train_loss_last']:.3f} | "
                     f"{r['label_prior_loss']:.3f} | {r['uniform_loss']:.3f} | {r['val_llm_zero_shot']:.4f} | "
                     f"{r['val_llm_best']:.4f} ({r['best_step']}) | {r['val_mix_best']:.4f} | {r['val_retrieval']:.4f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    import shlex
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="directories written by `recommender train`")
    parser.add_argument("--out", default="eval/results/train_runs", help="path stem for .json and .md")
    args = parser.parse_args()
    for run in args.runs:
        if not (run / "metrics.json").is_file() or not (run / "training_config.yaml").is_file():
            parser.error(f"{run} has no metrics.json and training_config.yaml (not a `recommender train` output)")
    rows = [run_row(run) for run in args.runs]
    command = ".venv/bin/python eval/train_runs.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    Path(args.out + ".json").write_text(json.dumps({"command": command, "runs": rows}, indent=2) + "\n", encoding="utf-8")
    Path(args.out + ".md").write_text(markdown(rows, command), encoding="utf-8")
    print(markdown(rows, command))


if __name__ == "__main__":
    main()
