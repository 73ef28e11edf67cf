"""`recommender train --task intent|explain`: adapters that write text after a prompt (a JSON intent, an
explanation), trained by the same loop, checkpoints, resume and budget as the ranker's (Trainer).

A task module (intent_task.py, explain_task.py) provides `prepare` (encoded training and validation
examples: prompt + target ids), `validate` (teacher-forced scores, `exact` first) and `about` (what the
README says of its data). The loss is the target tokens' cross-entropy (`completion_loss`).

    recommender train --task intent --data ml-100k --out adapters/smollm2-135m-intent --config adapters/configs/intent.yaml
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import sys
import time
from pathlib import Path

from recommender.config import to_dict
from recommender.train.checkpoint import WorkDir, write_dir_atomically
from recommender.train.report import ADAPTER_FILES, budget_note
from recommender.train.trainer import Trainer


class CompletionTrainer(Trainer):
    """Trainer with a completion loss and the task's teacher-forced validation."""

    def __init__(self, config, tm, catalog, examples, val_examples, work, clock_start, progress, dist, task):
        super().__init__(config, tm, catalog, examples, [], work, clock_start, progress, dist)
        self.val_examples, self.task = list(val_examples), task

    def loss(self, batch):
        from recommender.train.completion import completion_loss

        return completion_loss(self.tm.model, self.tm.tokenizer, batch, self.tm.device)

    def measure(self) -> tuple[dict, float, str]:
        m = self.task.validate(self.tm.model, self.tm.tokenizer, self.val_examples, self.config.eval_batch_size,
                               self.tm.device, self.progress, self.dist)
        m = self.dist.broadcast(m)
        summary = f"val {self.task.NAME} exactly right {m.exact:.3f} (teacher-forced, {m.n} examples)"
        return m.to_dict(), m.exact, summary


def examples_digest(encoded) -> str:
    digest = hashlib.sha256()
    for ex in encoded:
        digest.update(",".join(map(str, ex.ids)).encode() + b";")
    return digest.hexdigest()[:16]


def task_module(name: str):
    from recommender.train import explain_task, intent_task

    return {"intent": intent_task, "explain": explain_task}[name]


def train_completion(config, out: Path, work: WorkDir, clock_start: float, dataset, resume: bool, progress: bool,
                     command: str | None, dist):
    from recommender.data.registry import load_dataset
    from recommender.train.model import prepare_model
    from recommender.train.run import TrainOutcome, default_command, start_or_resume

    task = task_module(config.task)
    with dist.main_first():
        dataset = dataset if dataset is not None else load_dataset(config.data, progress=progress)
        tm = prepare_model(config, progress)
        prepared = task.prepare(config, dataset, tm.tokenizer, progress)
    if progress:
        print(f"{len(prepared.train):,} training examples ({prepared.summary}), {len(prepared.val)} validation "
              f"examples", file=sys.stderr, flush=True)
    trainer = CompletionTrainer(config, tm, dataset.catalog, prepared.train, prepared.val, work, clock_start,
                                progress, dist, task)
    checkpoint = start_or_resume(trainer, work, examples_digest(prepared.train), config, resume, progress, dist)
    result = trainer.run()
    metrics = build_metrics(config, result, command or default_command(config), tm.model_id,
                            f"{dataset.name} ({dataset.source})".strip(), prepared, trainer.elapsed(),
                            checkpoint is not None)
    if dist.is_main:
        write_completion_adapter(out, config, result, metrics, task)
        work.remove()
    dist.barrier()
    if progress:
        best = result.best_metrics
        print(f"wrote {out}: best step {result.state.best_step}, validation {task.NAME} exactly right "
              f"{best.get('exact', 0):.3f}; {metrics['wall_seconds'] / 60:.1f} min", file=sys.stderr)
    return TrainOutcome(out, metrics)


def build_metrics(config, result, command: str, model_id: str, data: str, prepared, wall: float, resumed: bool) -> dict:
    state = result.state
    return {
        "task": config.task, "command": command, "base_model": model_id, "data": data,
        "examples": {"examples": len(prepared.train), **prepared.summary},
        "optimizer_steps": state.step, "planned_steps": state.total_steps, "examples_seen": state.examples_seen,
        "epochs_seen": round(state.examples_seen / max(len(prepared.train), 1), 3), "stop_reason": state.stop_reason,
        "best_step": state.best_step, "val_examples": len(prepared.val), "best": result.best_metrics,
        "zero_shot": state.curve[0] if state.curve else {}, "val_curve": state.curve,
        "train_loss_per_step": state.losses, "wall_seconds": round(wall, 1), "resumed": resumed,
        "train_examples_per_s_last_process": round(result.examples_per_s, 3),
        "machine": f"{platform.machine()}, {platform.system()}, python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def write_completion_adapter(out: Path, config, result, metrics: dict, task) -> None:
    import yaml

    def write(tmp: Path) -> None:
        for name in ADAPTER_FILES:
            shutil.copy2(result.best_adapter / name, tmp / name)
        (tmp / "training_config.yaml").write_text(yaml.safe_dump(to_dict(config), sort_keys=False), encoding="utf-8")
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(readme(config, metrics, task), encoding="utf-8")

    write_dir_atomically(out, write, {"best_step": result.state.best_step, "steps": result.state.step})


def curve_table(curve: list[dict]) -> str:
    lines = ["| step | examples seen | train loss | exactly right | elapsed |", "|---:|---:|---:|---:|---:|"]
    for p in curve:
        loss = f"{p['train_loss']:.3f}" if p.get("train_loss") is not None else "–"
        lines.append(f"| {p['step']} | {p['examples_seen']} | {loss} | {p['exact']:.3f} | {p['elapsed_s'] / 60:.1f} min |")
    return "\n".join(lines)


def readme(config, m: dict, task) -> str:
    best, fields = m["best"], m["best"].get("fields", {})
    field_table = ("\n\nField accuracy at the best step:\n\n| field | accuracy |\n|---|---:|\n"
                   + "\n".join(f"| {f} | {v:.3f} |" for f, v in fields.items())) if fields else ""
    return f"""# LoRA adapter: {task.TITLE}

Written by `recommender train --task {config.task}` on {m['date']} ({m['machine']}). Rerun the exact command to reproduce it:

```bash
{m['command']}
```

- Base model: `{m['base_model']}`, {config.quantize} base weights while training (QLoRA when 4bit).
- LoRA: r={config.lora_r}, alpha={config.lora_alpha}, dropout={config.lora_dropout}, on {', '.join(config.target_modules)}.
- Data: {task.about(config, m)}
- Optimisation: AdamW lr {config.lr:g}, {config.warmup_steps} warm-up steps then {config.schedule}, {config.examples_per_step} examples per optimizer step; {m['optimizer_steps']} of {m['planned_steps']} planned steps ({m['examples_seen']} examples, {m['epochs_seen']} epochs). Stopped: {m['stop_reason']}.{budget_note(m)}
- Wall time: {m['wall_seconds'] / 60:.1f} minutes for the whole command{' (summed over resumed runs)' if m['resumed'] else ''}.

## Validation ({m['val_examples']} examples, teacher-forced)

Best step {m['best_step']}: {best.get('exact', 0):.3f} exactly right (every target token the model's first choice given
the right tokens before it, so greedy decoding writes exactly the target). {task.VALIDATION_NOTE}

{curve_table(m['val_curve'])}{field_table}
"""
