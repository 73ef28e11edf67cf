"""`recommender train --task intent`: the same loop, checkpoints, resume and budget as the ranker's
training (Trainer), with the intent task's examples, loss, validation and report (intent_task.py).

    recommender train --data ml-100k --out adapters/smollm2-135m-intent --config adapters/configs/intent.yaml
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from recommender.config import to_dict
from recommender.train.checkpoint import WorkDir, write_dir_atomically
from recommender.train.report import ADAPTER_FILES, budget_note
from recommender.train.trainer import Trainer


class IntentTrainer(Trainer):
    """Trainer with the intent task's loss (target-token cross-entropy) and validation (decoded intents)."""

    def __init__(self, config, tm, catalog, examples, val_examples, work, clock_start, progress, dist):
        super().__init__(config, tm, catalog, examples, [], work, clock_start, progress, dist)
        self.val_examples = list(val_examples)

    def loss(self, batch):
        from recommender.train.intent_task import intent_loss

        return intent_loss(self.tm.model, self.tm.tokenizer, batch, self.tm.device)

    def measure(self) -> tuple[dict, float, str]:
        from recommender.train.intent_task import validate_intents

        m = validate_intents(self.tm.model, self.tm.tokenizer, self.val_examples, self.config.eval_batch_size,
                             self.tm.device, self.progress, self.dist)
        m = self.dist.broadcast(m)
        summary = f"val intents exactly right {m.exact:.3f} (teacher-forced, {m.n} messages)"
        return m.to_dict(), m.exact, summary


def examples_digest(examples) -> str:
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.shown}|{ex.message}|{ex.intent.to_json()};".encode())
    return digest.hexdigest()[:16]


def train_intent(config, out: Path, work: WorkDir, clock_start: float, dataset, resume: bool, progress: bool,
                 command: str | None, dist):
    from recommender.data.registry import load_dataset
    from recommender.train.intent_task import VAL_SEED_OFFSET, encode, generate, popularity_of
    from recommender.train.model import prepare_model
    from recommender.train.run import TrainOutcome, default_command, start_or_resume

    with dist.main_first():
        dataset = dataset if dataset is not None else load_dataset(config.data, progress=progress)
        tm = prepare_model(config, progress)
    popularity = popularity_of(dataset)
    examples = generate(dataset.catalog, popularity, config.intent_examples, config.seed)
    val_examples = generate(dataset.catalog, popularity, config.intent_val_examples, config.seed + VAL_SEED_OFFSET)
    encoded = [encode(tm.tokenizer, e) for e in examples]
    val_encoded = [encode(tm.tokenizer, e) for e in val_examples]
    if progress:
        print(f"{len(encoded):,} generated training messages ({summary(examples)['actions']}), "
              f"{len(val_examples)} validation messages", file=sys.stderr, flush=True)
    trainer = IntentTrainer(config, tm, dataset.catalog, encoded, val_encoded, work, clock_start, progress, dist)
    checkpoint = start_or_resume(trainer, work, examples_digest(examples), config, resume, progress, dist)
    result = trainer.run()
    metrics = build_metrics(config, result, command or default_command(config), tm.model_id,
                            f"{dataset.name} ({dataset.source})".strip(), examples, trainer.elapsed(),
                            checkpoint is not None)
    if dist.is_main:
        write_intent_adapter(out, config, result, metrics)
        work.remove()
    dist.barrier()
    if progress:
        best = result.best_metrics
        print(f"wrote {out}: best step {result.state.best_step}, validation intents exactly right "
              f"{best.get('exact', 0):.3f}; {metrics['wall_seconds'] / 60:.1f} min", file=sys.stderr)
    return TrainOutcome(out, metrics)


def summary(examples) -> dict:
    return {"examples": len(examples), "actions": dict(Counter(e.intent.action for e in examples).most_common())}


def build_metrics(config, result, command: str, model_id: str, data: str, examples, wall: float, resumed: bool) -> dict:
    state = result.state
    return {
        "task": "intent", "command": command, "base_model": model_id, "data": data, "examples": summary(examples),
        "optimizer_steps": state.step, "planned_steps": state.total_steps, "examples_seen": state.examples_seen,
        "epochs_seen": round(state.examples_seen / max(len(examples), 1), 3), "stop_reason": state.stop_reason,
        "best_step": state.best_step, "val_messages": config.intent_val_examples, "best": result.best_metrics,
        "zero_shot": state.curve[0] if state.curve else {}, "val_curve": state.curve,
        "train_loss_per_step": state.losses, "wall_seconds": round(wall, 1), "resumed": resumed,
        "train_examples_per_s_last_process": round(result.examples_per_s, 3),
        "machine": f"{platform.machine()}, {platform.system()}, python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def write_intent_adapter(out: Path, config, result, metrics: dict) -> None:
    import yaml

    def write(tmp: Path) -> None:
        for name in ADAPTER_FILES:
            shutil.copy2(result.best_adapter / name, tmp / name)
        (tmp / "training_config.yaml").write_text(yaml.safe_dump(to_dict(config), sort_keys=False), encoding="utf-8")
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(readme(config, metrics), encoding="utf-8")

    write_dir_atomically(out, write, {"best_step": result.state.best_step, "steps": result.state.step})


def curve_table(curve: list[dict]) -> str:
    lines = ["| step | examples seen | train loss | exactly right | elapsed |", "|---:|---:|---:|---:|---:|"]
    for p in curve:
        loss = f"{p['train_loss']:.3f}" if p.get("train_loss") is not None else "–"
        lines.append(f"| {p['step']} | {p['examples_seen']} | {loss} | {p['exact']:.3f} | {p['elapsed_s'] / 60:.1f} min |")
    return "\n".join(lines)


def readme(config, m: dict) -> str:
    best, fields = m["best"], m["best"].get("fields", {})
    field_lines = "\n".join(f"| {f} | {v:.3f} |" for f, v in fields.items())
    return f"""# LoRA adapter for the chat's intent parser

Written by `recommender train --task intent` on {m['date']} ({m['machine']}). Rerun the exact command to reproduce it:

```bash
{m['command']}
```

- Base model: `{m['base_model']}`, {config.quantize} base weights while training (QLoRA when 4bit).
- LoRA: r={config.lora_r}, alpha={config.lora_alpha}, dropout={config.lora_dropout}, on {', '.join(config.target_modules)}.
- Data: {m['examples']['examples']:,} messages generated from {m['data']}'s titles and genres and the lexicons of
  `recommender/chat/intent_lexicon.py` (seed {config.seed}); actions: {m['examples']['actions']}.
- Target: the compact JSON intent (`recommender/chat/intent.py`); the loss is the cross-entropy of its tokens.
- Optimisation: AdamW lr {config.lr:g}, {config.warmup_steps} warm-up steps then {config.schedule}, {config.examples_per_step} examples per optimizer step; {m['optimizer_steps']} of {m['planned_steps']} planned steps ({m['examples_seen']} examples, {m['epochs_seen']} epochs). Stopped: {m['stop_reason']}.{budget_note(m)}
- Wall time: {m['wall_seconds'] / 60:.1f} minutes for the whole command{' (summed over resumed runs)' if m['resumed'] else ''}.

## Validation ({m['val_messages']} generated messages of another seed, teacher-forced)

Best step {m['best_step']}: {best.get('exact', 0):.3f} of the intents exactly right (every target token the model's
first choice given the right tokens before it: greedy decoding under the schema then writes that exact intent).
Generated validation messages share the training lexicons, so this measures template recall; the held-out
benchmark (`eval/intent_bench.py`, hand-written wording, decoded under the schema) measures generalisation.

{curve_table(m['val_curve'])}

Field accuracy at the best step:

| field | accuracy |
|---|---:|
{field_lines}
"""
