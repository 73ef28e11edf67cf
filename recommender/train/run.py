"""Fine-tune the LLM ranker with LoRA on a data set's training interactions.

    recommender train --data ml-100k --out adapters/smollm2-135m-ml100k-pointwise --config adapters/configs/pointwise.yaml

(the same as `python -m recommender.train.run --data ml-100k --out ...`). Interrupted? Run the same
command with `--resume`. The output directory holds the adapter, its configs, metrics.json and a README;
while training, checkpoints live in `<out>.partial/`.

Data parallel on several GPUs (or CPU processes): `accelerate launch --multi_gpu --num_processes N -m
recommender train ...` (recommender/train/distributed.py). Every process reads the data and the work
directory; the main process prepares shared caches first, and alone writes checkpoints and the adapter.
"""

from __future__ import annotations

import hashlib
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from recommender.config import to_dict
from recommender.errors import ConfigError, RecommenderError
from recommender.train.checkpoint import WorkDir, is_complete
from recommender.train.config import RESUMABLE_CHANGES, TrainConfig
from recommender.train.distributed import Distributed, current


@dataclass
class TrainOutcome:
    out: Path
    metrics: dict  # what metrics.json holds; empty when there was nothing to do
    already_complete: bool = False


def work_dir_for(out: Path) -> WorkDir:
    return WorkDir(out.with_name(out.name + ".partial"))


def check_output(out: Path, work: WorkDir, resume: bool, overwrite: bool) -> None:
    """Refuse to clobber anything unless asked to (one clear error per case)."""
    if out.exists() and not out.is_dir():
        raise RecommenderError(f"output path {out} exists and is not a directory")
    if out.exists() and not overwrite and not (resume and is_complete(out)):
        raise RecommenderError(f"output directory {out} already exists; pass --overwrite to replace it "
                               f"(it is replaced only once the new adapter is complete)")
    if work.exists() and not (resume or overwrite):
        raise RecommenderError(f"{work.root} holds an interrupted run of this output; pass --resume to continue "
                               f"it or --overwrite to start over")


def resumed_config(config: TrainConfig, work: WorkDir) -> TrainConfig:
    """The interrupted run's config; a resume may change only RESUMABLE_CHANGES."""
    saved = work.saved_config()
    if saved is None:
        return config
    saved_config = TrainConfig(**saved["config"])
    current = to_dict(config)
    changed = sorted(k for k, v in to_dict(saved_config).items() if current[k] != v and k not in RESUMABLE_CHANGES)
    if changed:
        raise ConfigError(f"--resume with a different config than the interrupted run ({', '.join(changed)}); "
                          f"use the same config, or --overwrite to start over")
    for name in RESUMABLE_CHANGES:
        setattr(saved_config, name, getattr(config, name))
    return saved_config


def examples_digest(examples) -> str:
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.user}:{ex.target_position}:{ex.target}:{ex.label};".encode())
    return digest.hexdigest()[:16]


def default_command(config: TrainConfig) -> str:
    task = f" --task {config.task}" if config.task != "rank" else ""
    return f"recommender train{task} --data {shlex.quote(config.data)} --out {shlex.quote(str(config.out))}"


def train(config: TrainConfig, dataset=None, embedder_factory=None, resume: bool = False, overwrite: bool = False,
          progress: bool = True, command: str | None = None, dist: Distributed | None = None) -> TrainOutcome:
    """Run `recommender train`. `dataset` and `embedder_factory` let tests inject small fakes. `dist`: the
    data-parallel processes (default: from `accelerate launch`'s environment, else this process alone)."""
    clock_start = time.perf_counter()
    dist = dist if dist is not None else current()
    progress = progress and dist.is_main
    if not config.out:
        raise ConfigError("an output directory is required (--out adapters/NAME)")
    out = Path(config.out).expanduser()
    work = work_dir_for(out)
    check_output(out, work, resume, overwrite)
    if resume and is_complete(out) and not work.exists():
        if dist.is_main:
            print(f"{out} is already complete; nothing to resume", file=sys.stderr)
        return TrainOutcome(out, {}, already_complete=True)
    if resume and work.exists():
        config = resumed_config(config, work)
    if config.task != "rank":
        from recommender.train.completion_run import train_completion

        return train_completion(config, out, work, clock_start, dataset, resume, progress, command, dist)

    from recommender.data.registry import load_dataset
    from recommender.data.split import LeaveOneOut
    from recommender.train.examples import build_examples
    from recommender.train.model import loss_references, prepare_model
    from recommender.train.report import RunInfo, build_metrics, write_adapter
    from recommender.train.trainer import Trainer
    from recommender.train.validation import val_shortlists

    if dist.enabled:
        import torch

        torch.set_num_threads(config.threads or dist.default_threads())
    with dist.main_first():  # the main process fills the shared caches (data, model, indexes) first
        dataset = dataset if dataset is not None else load_dataset(config.data, progress=progress)
        tm = prepare_model(config, progress)
        loo = LeaveOneOut(dataset.interactions, dataset.catalog)
        examples = build_examples(dataset, loo, config, embedder_factory, progress)
        val_cases = val_shortlists(dataset, loo, config.val_users, config.seed, config.shortlist_size,
                                   embedder_factory, progress) if examples.examples else []
    if not examples.examples:
        raise RecommenderError(f"no training examples in {config.data!r}: users need more than "
                               f"{config.min_history} training interactions")
    if progress:
        print(f"{len(examples.examples):,} training examples ({examples.summary()}), "
              f"{len(val_cases)} validation users", file=sys.stderr, flush=True)

    trainer = Trainer(config, tm, dataset.catalog, examples.examples, val_cases, work, clock_start, progress, dist)
    checkpoint = start_or_resume(trainer, work, examples_digest(examples.examples), config, resume, progress, dist)
    result = trainer.run()
    info = RunInfo(command or default_command(config), tm.model_id, f"{dataset.name} ({dataset.source})".strip(),
                   examples, len(val_cases), trainer.elapsed(), resumed=checkpoint is not None,
                   loss_refs=loss_references(examples.examples, config.ranker_config()),
                   rank_prior=trainer.ranker_config.rank_prior)
    if dist.is_main:
        metrics = write_adapter(out, config, result, info)
        work.remove()
    else:
        metrics = build_metrics(config, result, info)
    dist.barrier()  # no process returns before the adapter is in place
    if progress:
        best = result.best_metrics
        print(f"wrote {out}: best step {result.state.best_step}, val NDCG@10 llm {best.get('llm', 0):.4f}, "
              f"mix {best.get('best_mix', 0):.4f}, retrieval {best.get('retrieval', 0):.4f}; "
              f"{metrics['wall_seconds'] / 60:.1f} min", file=sys.stderr)
    if result.state.best_step == 0 and result.state.step > 0 and dist.is_main:
        print(f"warning: no trained step beat the untrained model on validation, so {out} holds the untrained "
              f"(no-op) adapter; try more examples, a longer run or patience 0", file=sys.stderr)
    return TrainOutcome(out, metrics)


def start_or_resume(trainer, work: WorkDir, digest: str, config: TrainConfig, resume: bool, progress: bool,
                    dist: Distributed) -> Path | None:
    """Resume `trainer` from the work directory's last checkpoint (with `resume`, when there is one and
    it was made from the same examples), else start the work directory afresh. The checkpoint or None."""
    checkpoint = work.latest_checkpoint() if resume else None
    saved = work.saved_config() or {}
    dist.barrier()  # every process has read the work directory before the main process changes it
    if checkpoint is not None:
        if saved.get("examples_digest") != digest:
            raise RecommenderError(f"the training examples differ from those of the interrupted run in {work.root} "
                                   f"(did the data change?); use --overwrite to start over")
        if progress:
            print(f"resuming from {checkpoint}", file=sys.stderr, flush=True)
        trainer.resume(checkpoint)
    else:
        if resume and progress:
            print(f"no checkpoint in {work.root}: starting from the beginning", file=sys.stderr, flush=True)
        if dist.is_main:
            work.clear()
            work.create({"config": to_dict(config), "examples_digest": digest})
    return checkpoint


def main(argv: list[str] | None = None) -> int:
    from recommender.cli import main as cli_main

    return cli_main(["train", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
