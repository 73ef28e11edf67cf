"""The finished adapter directory: PEFT weights, the resolved configs, metrics.json and a README.

Written to a temporary directory and renamed into place (marker file last), so a partly written
adapter never looks complete.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from recommender.config import to_dict
from recommender.train.checkpoint import write_dir_atomically
from recommender.train.examples import ExampleSet
from recommender.train.model import LossReferences
from recommender.train.trainer import TrainResult

ADAPTER_FILES = ("adapter_model.safetensors", "adapter_config.json")


@dataclass
class RunInfo:
    """What the report says about the run besides the trainer's state."""

    command: str
    model_id: str
    dataset: str  # data set name and provenance
    examples: ExampleSet
    val_users: int
    wall_seconds: float
    resumed: bool
    loss_refs: LossReferences
    rank_prior: list | None = None  # the residual adapter's retrieval-rank prior (None: not residual)


def write_adapter(out: Path, config, result: TrainResult, info: RunInfo) -> dict:
    """Write the final adapter directory `out` (replacing it only once the new one is complete)."""
    import yaml

    metrics = build_metrics(config, result, info)
    ranker = to_dict(config.ranker_config(info.rank_prior))
    ranker["mix_weight"] = float(result.best_metrics.get("best_mix_weight", ranker["mix_weight"]))

    def write(tmp: Path) -> None:
        for name in ADAPTER_FILES:
            shutil.copy2(result.best_adapter / name, tmp / name)
        (tmp / "training_config.yaml").write_text(yaml.safe_dump(to_dict(config), sort_keys=False), encoding="utf-8")
        (tmp / "ranker.yaml").write_text(
            "# RankerConfig that reproduces the training prompt; mix_weight = best val mix at the best step\n"
            + yaml.safe_dump(ranker, sort_keys=False), encoding="utf-8")
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(readme(config, metrics), encoding="utf-8")

    write_dir_atomically(out, write, {"best_step": result.state.best_step, "steps": result.state.step})
    return metrics


def build_metrics(config, result: TrainResult, info: RunInfo) -> dict:
    state = result.state
    n_examples = len(info.examples.examples)
    return {
        "command": info.command,
        "base_model": info.model_id,
        "data": info.dataset,
        "examples": info.examples.summary(),
        "optimizer_steps": state.step,
        "planned_steps": state.total_steps,
        "examples_seen": state.examples_seen,
        "epochs_seen": round(state.examples_seen / max(n_examples, 1), 3),
        "stop_reason": state.stop_reason,
        "select_on": config.select_on,
        "best_step": state.best_step,
        "val_users": info.val_users,
        "best": result.best_metrics,
        "final": state.curve[-1] if state.curve else {},
        "zero_shot": state.curve[0] if state.curve else {},
        "val_curve": state.curve,
        "train_loss_per_step": state.losses,
        "loss_references": info.loss_refs._asdict(),
        "rank_prior": info.rank_prior,
        "wall_seconds": round(info.wall_seconds, 1),
        "train_examples_per_s_last_process": round(result.examples_per_s, 3),
        "resumed": info.resumed,
        "machine": f"{platform.machine()}, {platform.system()}, python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def curve_table(curve: list[dict]) -> str:
    lines = ["| step | examples seen | train loss | retrieval | LLM | best mix (weight) | elapsed |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for p in curve:
        loss = f"{p['train_loss']:.3f}" if p.get("train_loss") is not None else "–"
        lines.append(f"| {p['step']} | {p['examples_seen']} | {loss} | {p['retrieval']:.4f} | {p['llm']:.4f} | "
                     f"{p['best_mix']:.4f} ({p['best_mix_weight']:g}) | {p['elapsed_s'] / 60:.1f} min |")
    return "\n".join(lines)


def budget_note(m: dict) -> str:
    if not m["stop_reason"].startswith("time budget"):
        return ""
    return (" The time budget ended training before the planned steps; a rerun on a faster or less busy machine "
            "trains more steps (everything else is seeded and repeats exactly).")


def residual_note(m: dict) -> str:
    prior = m.get("rank_prior")
    if not prior:
        return ""
    return ("- Residual: the LLM was trained as a correction to a retrieval-rank prior, the log-frequency of each "
            f"rank among the training targets (rank 1: {prior[0]:.2f}, rank {len(prior)}: {prior[-1]:.2f}). The loss "
            "adds it to every candidate's score, and the ranker adds it at inference (`rank_prior` in ranker.yaml), so "
            "\"LLM\" below means LLM plus prior, and step 0 is the base model plus the prior.\n")


def prompt_summary(config) -> str:
    scheme = ("pointwise: a \"yes\" minus \"no\" logit per candidate after the shared history, all candidates "
              "in one packed pass" if config.scheme == "pointwise" else
              "letters: the candidates listed as A., B., ... and scored by their letter's logit"
              + (" (letters follow retrieval rank, lines shuffled)" if config.labels_by_rank else ""))
    shown = [name for name, on in (("years", config.show_year), ("genres", config.show_genres),
                                   ("retrieval ranks", config.show_retrieval_rank)) if on]
    return (f"{scheme}; the last {config.max_history} history items with ratings, titles cut at "
            f"{config.title_chars} characters" + (f", with {' and '.join(shown)}" if shown else ""))


def readme(config, m: dict) -> str:
    ex = m["examples"]
    best, zero = m["best"], m["zero_shot"]
    target = ", ".join(config.target_modules)
    return f"""# LoRA adapter for the LLM ranker

Written by `recommender train` on {m['date']} ({m['machine']}). Rerun the exact command to reproduce it:

```bash
{m['command']}
```

- Base model: `{m['base_model']}`, {config.quantize} base weights while training (QLoRA when 4bit).
- LoRA: r={config.lora_r}, alpha={config.lora_alpha}, dropout={config.lora_dropout}, on {target}.
- Data: {m['data']}.
- Prompt: {prompt_summary(config)}.
- Examples (training interactions only, `fit_histories("val")`): the last {config.targets_per_user} items of each user's training history are targets ({ex['targets']} targets from {ex['users']} users), and the retriever that builds the candidates was fitted without them. Retrieval put {ex['retrieval_hit_rate']:.1%} of the targets on its {config.shortlist_size}-item shortlist; missed targets were {'skipped' if config.missed_target == 'skip' else 'inserted without retrieval ranks'} ({ex['skipped']} skipped, {ex['inserted']} inserted). {ex['examples']} examples used{f" (a seeded sample, max_examples={config.max_examples})" if config.max_examples else ""}.
- Optimisation: AdamW lr {config.lr:g}, {config.warmup_steps} warm-up steps then {config.schedule}, {config.examples_per_step} examples per optimizer step; {m['optimizer_steps']} of {m['planned_steps']} planned steps ({m['examples_seen']} examples, {m['epochs_seen']} epochs). Stopped: {m['stop_reason']}.{budget_note(m)}
- Train-loss yardsticks (nats): a model that ignores the prompt reaches {m['loss_references']['label_prior']:.3f} by always predicting the answer labels' frequencies (the label prior), and {m['loss_references']['uniform']:.3f} by guessing uniformly. A train loss above the prior has not even learned which labels are frequent.
{residual_note(m)}- Wall time: {m['wall_seconds'] / 60:.1f} minutes for the whole command{' (summed over resumed runs)' if m['resumed'] else ''}.

## Validation (NDCG@10, {m['val_users']} validation users, full-ranking semantics)

Best step {m['best_step']} (chosen on the {m['select_on']} ranking): LLM alone {best.get('llm', 0):.4f}, best mix with retrieval {best.get('best_mix', 0):.4f} (LLM weight {best.get('best_mix_weight', 0):g}), retrieval order {best.get('retrieval', 0):.4f}. Zero-shot (step 0): LLM {zero.get('llm', 0):.4f}, mix {zero.get('best_mix', 0):.4f}.{' Step 0 is the untrained adapter (identical to the base model): no trained step beat it.' if m['best_step'] == 0 else ''}

{curve_table(m['val_curve'])}

These are validation numbers (used to pick the step and the mix weight); test numbers come from
`recommender eval --split test --ranker llm --adapter <this directory>`.

## Using it

The prompt settings used in training are in `ranker.yaml` (the ranker must use the same ones, in
particular `scheme`, `show_retrieval_rank` and `labels_by_rank`), with the validation-tuned `mix_weight`.
`training_config.yaml` is the resolved training config; `metrics.json` holds everything above plus the per-step training loss.
"""

