"""The training loop: gradient accumulation, periodic validation with best-checkpoint selection and
early stopping, resumable checkpoints, and a wall-time budget that stops cleanly.

A run is a fixed schedule of optimizer steps over a seeded example order, so an interrupted run that
resumes from its last checkpoint (weights, optimizer, scheduler, RNG states, order, position) ends
with the same number of steps as an uninterrupted one.

Under `accelerate launch` every process runs this loop in lockstep (recommender/train/distributed.py):
each step's examples and each validation's users are split across the processes, gradients and scores
are combined, and only the main process writes checkpoints and best weights. Everything that decides
what happens next (losses, validation metrics, the time budget) is the same on every process.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from recommender.data.types import Catalog
from recommender.evaluation.cases import ShortlistCase
from recommender.train.checkpoint import TrainState, WorkDir, rng_states
from recommender.train.distributed import Distributed, data_parallel_backward
from recommender.train.examples import TrainingExample, example_order
from recommender.train.model import TrainingModel, batch_loss, make_optimizer, rank_prior, ranker_scorer
from recommender.train.validation import evaluate

SAVE_RESERVE_S = 20.0  # time kept for writing the final checkpoint and adapter


@dataclass
class TrainResult:
    state: TrainState
    best_adapter: Path
    best_metrics: dict  # validation metrics of the best step
    examples_per_s: float  # training throughput of this process (validation excluded)


class Trainer:
    def __init__(self, config, tm: TrainingModel, catalog: Catalog, examples: Sequence[TrainingExample],
                 val_cases: Sequence[ShortlistCase], work: WorkDir, clock_start: float, progress: bool = True,
                 dist: Distributed | None = None):
        self.config, self.tm, self.catalog, self.examples = config, tm, catalog, list(examples)
        self.dist = dist if dist is not None else Distributed()
        self.val_cases, self.work, self.progress = list(val_cases), work, progress and self.dist.is_main
        self.clock_start = clock_start  # this process's start; earlier processes' time is in state.elapsed_s
        prior = rank_prior(self.examples, config.shortlist_size) if config.residual else None
        self.ranker_config = config.ranker_config(prior)
        self.ranker_config.batch_size = config.eval_batch_size
        self.order = example_order(len(self.examples), config.epochs, config.seed)
        self.total_steps = math.ceil(len(self.order) / config.examples_per_step)
        self.optimizer, self.scheduler = make_optimizer(tm, config, self.total_steps)
        self.trainable = [p for p in tm.model.parameters() if p.requires_grad]
        self._start_in_lockstep()
        self.state = TrainState(total_steps=self.total_steps)
        self._elapsed_before = 0.0
        self._train_seconds, self._trained_examples, self._steps_here = 0.0, 0, 0

    def _start_in_lockstep(self) -> None:
        """Every process starts from the main process's LoRA weights (they are seeded alike anyway), and
        each draws its own dropout masks: the main process keeps the stream one process would use."""
        if not self.dist.enabled:
            return
        import torch

        self.dist.copy_from_main_(self.trainable)
        if not self.dist.is_main:
            torch.manual_seed(int(np.random.SeedSequence([self.config.seed, self.dist.rank]).generate_state(1)[0]))

    # --- resume -------------------------------------------------------------------------------
    def resume(self, checkpoint: Path) -> None:
        """Every process loads the checkpoint (weights, optimizer, its own RNG states)."""
        self.state, self.order = self.work.load_checkpoint(checkpoint, self.tm.model, self.optimizer, self.scheduler,
                                                           rank=self.dist.rank)
        if self.dist.is_main:
            self.work.forget_after(self.state.step)
        self._elapsed_before = self.state.elapsed_s

    def elapsed(self) -> float:
        return self._elapsed_before + time.perf_counter() - self.clock_start

    # --- the loop -----------------------------------------------------------------------------
    def run(self) -> TrainResult:
        from tqdm import tqdm

        if not self.state.curve:
            self.validate()  # step 0: the zero-shot model, the baseline every later step must beat
        bar = tqdm(total=self.total_steps, initial=self.state.step, desc="training", unit="step",
                   disable=not self.progress, dynamic_ncols=True)
        while not self.state.stop_reason:
            if self.state.step >= self.total_steps:
                self.finish("completed")
            elif self.out_of_time():
                self.finish("time budget (max_minutes) reached")
            else:
                self.train_step()
                bar.update(1)
                bar.set_postfix(loss=f"{np.mean(self.state.losses[-20:]):.3f}", ex_s=f"{self.examples_per_s():.2f}")
                self.after_step()
        bar.close()
        return TrainResult(self.state, self.work.best_adapter(self.state.best_step), self.best_metrics(),
                           self.examples_per_s())

    def train_step(self) -> None:
        self.tm.model.train()
        start = time.perf_counter()
        per_step = self.config.examples_per_step
        positions = self.order[self.state.examples_seen:self.state.examples_seen + per_step]
        batch = [self.examples[int(i)] for i in positions]
        loss = data_parallel_backward(self.dist, batch, self.config.batch_size, self.loss, self.trainable)
        self._optimizer_step()
        self.state.step += 1
        self.state.examples_seen += len(positions)
        self.state.losses.append(round(loss, 5))
        self._train_seconds += time.perf_counter() - start
        self._trained_examples += len(positions)
        self._steps_here += 1

    def loss(self, batch: list[TrainingExample]):
        """Mean training loss of one forward pass's examples (a scalar tensor)."""
        return batch_loss(self.tm, self.catalog, batch, self.ranker_config)

    def _optimizer_step(self) -> None:
        import torch

        if self.config.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.trainable, self.config.max_grad_norm)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)

    def after_step(self) -> None:
        step = self.state.step
        if step % self.config.eval_every == 0:
            self.validate()
            patience = self.config.patience
            if patience and self.state.evals_since_best >= patience:
                self.finish(f"early stopping: no improvement in {patience} validations")
                return
            self.checkpoint()
        elif step % self.config.checkpoint_every == 0:
            self.checkpoint()

    def finish(self, reason: str) -> None:
        if not self.state.curve or self.state.curve[-1]["step"] != self.state.step:
            self.validate()
        self.state.stop_reason = reason
        self.checkpoint()

    # --- validation, budget, checkpoints -----------------------------------------------------
    def validate(self) -> dict:
        """Measure the model on validation, keep its weights when it is the best so far; the curve point."""
        self.tm.model.eval()
        metrics, score, summary = self.measure()
        recent = self.state.losses[-self.config.eval_every:]
        point = {"step": self.state.step, "examples_seen": self.state.examples_seen,
                 "train_loss": round(float(np.mean(recent)), 5) if recent else None,
                 "elapsed_s": round(self.elapsed(), 1), **metrics}
        self.state.curve.append(point)
        if self.state.best_score is None or score > self.state.best_score + 1e-9:
            self.state.best_score, self.state.best_step, self.state.evals_since_best = score, self.state.step, 0
            if self.dist.is_main:
                self.work.save_best(self.tm.model, self.state.step, point)
        else:
            self.state.evals_since_best += 1
        if self.progress:
            print(f"step {self.state.step}: {summary}; best step {self.state.best_step} [{metrics['seconds']:.0f}s]",
                  flush=True)
        return point

    def measure(self) -> tuple[dict, float, str]:
        """(validation metrics with their `seconds`, the score the best step is chosen on, a progress line)."""
        metrics = evaluate(ranker_scorer(self.tm, self.catalog, self.ranker_config), self.val_cases,
                           self.config.eval_batch_size, self.progress, desc=f"validating step {self.state.step}",
                           dist=self.dist)
        metrics = self.dist.broadcast(metrics)  # identical anyway, but for its own clock's `seconds`
        summary = (f"val NDCG@10 retrieval {metrics.retrieval:.4f}, llm {metrics.llm:.4f}, "
                   f"mix {metrics.best_mix:.4f} (w={metrics.best_mix_weight:g})")
        return metrics.to_dict(), metrics.selection_score(self.config.select_on), summary

    def out_of_time(self) -> bool:
        if not self.config.max_minutes:
            return False
        last_eval = self.state.curve[-1]["seconds"] if self.state.curve else 0.0
        step_time = self._train_seconds / max(self._steps_here, 1)
        reserve = 1.2 * last_eval + step_time + SAVE_RESERVE_S
        # Each process has its own clock: the main process decides for all, or they would part ways.
        return self.dist.broadcast(self.elapsed() + reserve > self.config.max_minutes * 60)

    def checkpoint(self) -> None:
        self.state.elapsed_s = round(self.elapsed(), 1)
        rng_by_rank = self.dist.all_gather(rng_states())  # each process resumes its own dropout stream
        if self.dist.is_main:
            self.work.save_checkpoint(self.tm.model, self.optimizer, self.scheduler, self.state, self.order,
                                      rng_by_rank)
            self.work.forget_best_except(self.state.best_step)

    def examples_per_s(self) -> float:
        return self._trained_examples / self._train_seconds if self._train_seconds else 0.0

    def best_metrics(self) -> dict:
        return next((p for p in self.state.curve if p["step"] == self.state.best_step), {})
