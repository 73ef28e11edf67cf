"""Training examples for the LoRA ranker, built from training interactions only.

Leakage rules (tests/test_examples.py checks each):

1. Only `LeaveOneOut.fit_histories("val")` is used: no validation or test target is ever a training
   target or part of a training history.
2. Inside that training data, each user's last `targets_per_user` positions (those with at least
   `min_history` earlier items) are the example targets, walking backwards. The retriever that builds
   training candidates is fitted on every user's history *cut before their first target*, so its
   co-occurrence and transition counts never contain an example's answer. Without the cut, retrieval
   would "know" the answers and the model would learn to over-trust retrieval ranks.
3. The candidates are the retrieval shortlist over the history before the target. When retrieval
   missed the target, it replaces the last candidate ('insert') and that example shows no retrieval
   ranks at all: at inference every candidate has a rank <= the shortlist size, so a shown rank for an
   inserted item would be either impossible (> 20) or a lie that teaches a false prior. 'skip' drops
   such examples instead.
4. The candidate order is shuffled (seeded per example), so position carries no information; the
   retrieval ranks travel with their candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from recommender.data.split import LeaveOneOut, UserHistory
from recommender.data.types import Dataset
from recommender.llm.ranker import RankInput
from recommender.metrics import top_k
from recommender.retrieval.config import RetrievalConfig
from recommender.types import Request


@dataclass(frozen=True)
class TrainingExample:
    """One next-item prediction: the shown candidates and which of them is the answer."""

    user: str
    history: np.ndarray  # catalogue indices strictly before the target, chronological
    ratings: np.ndarray  # parallel to history
    candidates: np.ndarray  # in the (shuffled) order shown in the prompt
    retrieval_ranks: np.ndarray | None  # 1-based, parallel to candidates; None when the target was inserted
    label: int  # position of the target in `candidates`
    target: int  # catalogue index of the target
    target_position: int  # index of the target in the user's training history

    @property
    def inserted(self) -> bool:
        return self.retrieval_ranks is None

    def rank_input(self) -> RankInput:
        ranks = None if self.retrieval_ranks is None else [int(r) for r in self.retrieval_ranks]
        return RankInput([int(i) for i in self.history], [float(r) for r in self.ratings],
                         [int(c) for c in self.candidates], None, ranks)


@dataclass
class HeldOutTargets:
    """Where each user's example targets sit, and the sequences the candidate retriever may be fitted on."""

    target_positions: dict[str, list[int]]  # per user, latest first
    fit_sequences: list[np.ndarray]  # every user's history cut before their first target


@dataclass
class ExampleSet:
    examples: list[TrainingExample]
    n_users: int  # users with at least one target
    n_targets: int  # targets considered (before skipping missed ones and capping)
    retrieval_hits: int  # targets that were on the retrieval shortlist
    skipped: int  # missed targets dropped by missed_target='skip'

    def summary(self) -> dict:
        return {"examples": len(self.examples), "users": self.n_users, "targets": self.n_targets,
                "retrieval_hit_rate": round(self.retrieval_hits / max(self.n_targets, 1), 4),
                "inserted": sum(e.inserted for e in self.examples), "skipped": self.skipped}


def hold_out_targets(histories: dict[str, UserHistory], targets_per_user: int, min_history: int) -> HeldOutTargets:
    """Pick example target positions (rule 2) and the retriever's fit sequences that exclude them."""
    positions, sequences = {}, []
    for user in sorted(histories):
        hist = histories[user]
        first = max(min_history, len(hist) - targets_per_user)
        chosen = list(range(len(hist) - 1, first - 1, -1))
        if chosen:
            positions[user] = chosen
        sequences.append(hist.items[:first] if chosen else hist.items)
    return HeldOutTargets(positions, sequences)


def training_histories(loo: LeaveOneOut) -> dict[str, UserHistory]:
    """Rule 1: the per-user histories with the validation and test targets (and anything later) removed."""
    return loo.fit_histories("val")


def build_examples(dataset: Dataset, loo: LeaveOneOut, config, embedder_factory: Callable | None = None,
                   progress: bool = True) -> ExampleSet:
    """All training examples for `config` (a TrainConfig), deterministic given its seed."""
    from tqdm import tqdm

    from recommender.retrieval.hybrid import HybridRetriever

    histories = training_histories(loo)
    if config.users is not None and config.users < len(histories):
        rng = np.random.default_rng([config.seed, 1])
        keep = set(rng.choice(sorted(histories), size=config.users, replace=False).tolist())
        histories = {u: h for u, h in histories.items() if u in keep}
    held_out = hold_out_targets(histories, config.targets_per_user, config.min_history)
    retrieval_config = RetrievalConfig(shortlist_size=config.shortlist_size)
    retriever = HybridRetriever.build(dataset.catalog, held_out.fit_sequences, retrieval_config,
                                      embedder_factory, progress)
    examples, hits, skipped, n_targets = [], 0, 0, 0
    users = sorted(held_out.target_positions)
    for u, user in enumerate(tqdm(users, desc="building training examples", unit="user", disable=not progress)):
        hist = histories[user]
        for position in held_out.target_positions[user]:
            n_targets += 1
            request = Request(history=hist.items[:position], ratings=hist.ratings[:position])
            # The shortlist's order without its evidence texts (which cost most of the time here).
            shortlist = top_k(retriever.scores(request), config.shortlist_size)
            target = int(hist.items[position])
            hit = bool(np.any(shortlist == target))
            hits += hit
            if not hit and config.missed_target == "skip":
                skipped += 1
                continue
            rng = np.random.default_rng([config.seed, u, position])
            examples.append(make_example(hist, position, shortlist, target, hit, rng))
    if config.max_examples is not None and config.max_examples < len(examples):
        rng = np.random.default_rng([config.seed, 2])
        keep_idx = np.sort(rng.choice(len(examples), size=config.max_examples, replace=False))
        examples = [examples[i] for i in keep_idx]
    return ExampleSet(examples, len(users), n_targets, hits, skipped)


def make_example(hist: UserHistory, position: int, shortlist: np.ndarray, target: int, hit: bool,
                 rng: np.random.Generator) -> TrainingExample:
    """Rules 3 and 4: insert a missed target in place of the last candidate, then shuffle."""
    candidates = np.array(shortlist, dtype=np.int64)
    ranks = np.arange(1, len(candidates) + 1)
    if not hit:
        if len(candidates) == 0:
            candidates = np.array([target], dtype=np.int64)
        else:
            candidates[-1] = target
    order = rng.permutation(len(candidates))
    shown = candidates[order]
    label = int(np.flatnonzero(shown == target)[0])
    return TrainingExample(
        user=hist.user, history=hist.items[:position].copy(), ratings=hist.ratings[:position].copy(),
        candidates=shown, retrieval_ranks=ranks[order] if hit else None, label=label, target=target,
        target_position=position,
    )


def example_order(n_examples: int, epochs: int, seed: int) -> np.ndarray:
    """The order examples are trained in: a fresh seeded permutation per epoch, concatenated."""
    rng = np.random.default_rng([seed, 3])
    return np.concatenate([rng.permutation(n_examples) for _ in range(epochs)]).astype(np.int64)
