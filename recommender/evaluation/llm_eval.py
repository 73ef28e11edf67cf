"""LLM re-ranking evaluation on the retrieval shortlists (ShortlistCase) of the val and test splits.

Rows: retrieval only; LLM alone (shortlist re-ordered by LLM score); mix of both, with the mix weight
tuned by grid search on val NDCG@10 only and reported on test. Also per-user ranking latency, the
invalid-item rate (ranked items outside the shortlist or catalogue: 0 by construction, counted anyway)
and a position-bias figure: LLM-alone test NDCG@10 with the shortlist shown in retrieval order versus
in a seeded random order. Only the first MAX_CANDIDATES (20) shortlist items are re-ranked; the rest
keep their retrieval order below them, and a target outside the shortlist keeps its retrieval rank.

    result = evaluate_llm(val_cases, test_cases, ranker)          # zero-shot
    add_ranker(result, "lora", val_cases, test_cases, lora_ranker)  # side by side
    print(format_markdown(result))
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

from recommender.evaluation.cases import ShortlistCase
from recommender.llm.ranker import MAX_CANDIDATES, RankInput, mix_scores
from recommender.metrics import ndcg_at_k, paired_bootstrap, summarize

DEFAULT_MIX_GRID = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 11))
TUNE_METRIC = "ndcg@10"


@dataclass
class CaseScores:
    """LLM scores for each case's first `len(scores[i])` shortlist positions, in retrieval order."""

    scores: list[np.ndarray]
    latencies_s: list[float]
    invalid_items: int
    ranked_items: int


@dataclass
class RankerEval:
    name: str
    mix_weight: float  # tuned on val
    val_grid: dict[float, float]  # mix weight -> val NDCG@10
    llm_val: dict[str, float]
    llm_test: dict[str, float]
    mix_test: dict[str, float]
    latency_median_s: float
    latency_p90_s: float
    invalid_item_rate: float
    position_bias_ndcg10: dict[str, float]  # {"retrieval_order": .., "shuffled": .., "users": n}
    mix_test_ndcg10_per_user: list[float] = field(default_factory=list, repr=False)
    # Test NDCG@10 at every grid weight: hindsight, to show what tuning on val left on the table. Never
    # used to pick anything.
    test_grid: dict[float, float] = field(default_factory=dict)


@dataclass
class LLMEvalResult:
    n_val: int
    n_test: int
    retrieval_val: dict[str, float]
    retrieval_test: dict[str, float]
    rankers: list[RankerEval] = field(default_factory=list)
    shuffle_seed: int = 0
    bias_users: int | None = None  # position-bias figure on this many sampled test users (None = all)

    def to_json(self) -> dict:
        return asdict(self)


def can_change(case: ShortlistCase) -> bool:
    """Whether re-ordering the scored head of the shortlist can change this user's metrics: only when
    the target is in it. Otherwise the target keeps its retrieval rank (> 20) whatever the LLM says."""
    return bool(np.any(case.candidates[:MAX_CANDIDATES] == case.target))


def score_cases(ranker, cases: Sequence[ShortlistCase], shuffle_seed: int | None = None,
                progress: bool = True, desc: str = "LLM ranking", skip_unchangeable: bool = True,
                dist=None) -> CaseScores:
    """Score each case's top shortlist, `ranker.config.batch_size` users per forward pass; a user's
    latency is its batch's time divided by the batch's users. With shuffle_seed, the model sees the
    candidates in a seeded random order; scores are mapped back to retrieval order.

    With skip_unchangeable, users whose target is not on the shortlist are not sent to the model
    (their scores are zeros: retrieval order). Their metrics are identical either way (see can_change),
    so this only saves time; tests/test_llm_eval.py checks the equality.

    Under `accelerate launch` (or with `dist`, a train.distributed.Distributed), the batches are dealt
    out to the processes and every process gets all results; the batches and the shuffles (drawn for
    all users first) are those of one process, so the scores are the same however many processes run."""
    from tqdm.auto import tqdm

    from recommender.train.distributed import current

    dist = dist if dist is not None else current()
    rng = np.random.default_rng(shuffle_seed) if shuffle_seed is not None else None
    n_items = len(ranker.catalog)
    todo = [i for i, c in enumerate(cases) if can_change(c) or not skip_unchangeable]
    shown_orders = {}
    for i in todo:
        n = min(len(cases[i].candidates), MAX_CANDIDATES)
        shown_orders[i] = rng.permutation(n) if rng is not None else np.arange(n)

    def score_batch(positions: list[int]) -> list[tuple[np.ndarray, float, int]]:
        """(scores in retrieval order, latency per user, invalid items) for each case."""
        inputs = [RankInput(cases[i].history.items.tolist(), cases[i].history.ratings.tolist(),
                            [int(cases[i].candidates[p]) for p in shown_orders[i]], None,
                            [int(p) + 1 for p in shown_orders[i]]) for i in positions]
        began = time.perf_counter()
        batch_scores = ranker.score(inputs)
        per_user = (time.perf_counter() - began) / len(positions)
        results = []
        for i, inp, shown_scores in zip(positions, inputs, batch_scores):
            shown = shown_orders[i]
            scores = np.empty(len(shown))
            scores[shown] = shown_scores
            ranked = cases[i].candidates[:len(shown)][np.argsort(-scores, kind="stable")]
            allowed = set(inp.candidates)
            invalid = sum(1 for item in ranked.tolist() if item not in allowed or not 0 <= item < n_items)
            results.append((scores, per_user, invalid))
        return results

    out = CaseScores([np.zeros(min(len(c.candidates), MAX_CANDIDATES)) for c in cases], [], 0, 0)
    batch = max(1, ranker.config.batch_size)
    show = progress and dist.is_main
    with tqdm(total=dist.share(len(todo), batch), desc=desc, unit="user", disable=not show) as bar:
        scored = dist.map_batches(todo, score_batch, batch, on_batch=bar.update)
    for i, (scores, per_user, invalid) in zip(todo, scored):
        out.scores[i] = scores
        out.latencies_s.append(per_user)
        out.invalid_items += invalid
        out.ranked_items += len(scores)
    return out


def full_order(case: ShortlistCase, head_scores: np.ndarray) -> np.ndarray:
    """Shortlist positions: the scored head by score (ties keep retrieval order), then the rest."""
    head = np.argsort(-np.asarray(head_scores, dtype=np.float64), kind="stable")
    return np.concatenate([head, np.arange(len(head_scores), len(case.candidates))]).astype(np.int64)


def metrics_for(cases: Sequence[ShortlistCase], head_scores: Sequence[np.ndarray]) -> dict[str, float]:
    return summarize([case.rank_after_rerank(full_order(case, s)) for case, s in zip(cases, head_scores)])


def mixed(cases: Sequence[ShortlistCase], llm: CaseScores, weight: float) -> list[np.ndarray]:
    return [mix_scores(case.retrieval_scores[:len(s)], s, weight) for case, s in zip(cases, llm.scores)]


def retrieval_metrics(cases: Sequence[ShortlistCase]) -> dict[str, float]:
    return summarize([case.rank_after_rerank(np.arange(len(case.candidates))) for case in cases])


def bias_sample(n_cases: int, n: int | None, seed: int) -> np.ndarray:
    """Indices of the test cases used for the position-bias figure (all when n is None)."""
    if n is None or n >= n_cases:
        return np.arange(n_cases)
    return np.sort(np.random.default_rng([seed, 7]).choice(n_cases, size=n, replace=False))


def evaluate_ranker(name: str, val_cases: Sequence[ShortlistCase], test_cases: Sequence[ShortlistCase], ranker,
                    mix_grid: Sequence[float] = DEFAULT_MIX_GRID, shuffle_seed: int = 0,
                    progress: bool = True, bias_users: int | None = None) -> RankerEval:
    val = score_cases(ranker, val_cases, progress=progress, desc=f"{name}: val")
    test = score_cases(ranker, test_cases, progress=progress, desc=f"{name}: test")
    picked = bias_sample(len(test_cases), bias_users, shuffle_seed)
    bias_cases = [test_cases[i] for i in picked]
    shuffled = score_cases(ranker, bias_cases, shuffle_seed, progress=progress, desc=f"{name}: test, shuffled")
    grid = {float(w): metrics_for(val_cases, mixed(val_cases, val, w))[TUNE_METRIC] for w in mix_grid}
    best = max(grid, key=lambda w: (grid[w], -w))  # ties: the smaller LLM weight
    llm_test = metrics_for(test_cases, test.scores)
    mix_heads = mixed(test_cases, test, best)
    mix_per_user = [ndcg_at_k(case.rank_after_rerank(full_order(case, h)), 10) for case, h in zip(test_cases, mix_heads)]
    latencies = np.array(test.latencies_s) if test.latencies_s else np.zeros(1)
    checked = val.ranked_items + test.ranked_items + shuffled.ranked_items
    invalid = val.invalid_items + test.invalid_items + shuffled.invalid_items
    return RankerEval(
        name=name, mix_weight=best, val_grid=grid,
        llm_val=metrics_for(val_cases, val.scores), llm_test=llm_test,
        mix_test=metrics_for(test_cases, mix_heads),
        latency_median_s=float(np.median(latencies)), latency_p90_s=float(np.percentile(latencies, 90)),
        invalid_item_rate=invalid / checked if checked else 0.0,
        position_bias_ndcg10={"retrieval_order": metrics_for(bias_cases, [test.scores[i] for i in picked])["ndcg@10"],
                              "shuffled": metrics_for(bias_cases, shuffled.scores)["ndcg@10"],
                              "users": len(bias_cases)},
        mix_test_ndcg10_per_user=mix_per_user,
        test_grid={float(w): metrics_for(test_cases, mixed(test_cases, test, w))[TUNE_METRIC] for w in mix_grid},
    )


def evaluate_llm(val_cases: Sequence[ShortlistCase], test_cases: Sequence[ShortlistCase], ranker,
                 mix_grid: Sequence[float] = DEFAULT_MIX_GRID, name: str = "zero-shot", shuffle_seed: int = 0,
                 progress: bool = True, bias_users: int | None = None, seed: int | None = None) -> LLMEvalResult:
    """Retrieval-only rows plus one ranker's LLM-alone and tuned-mix rows (see the module docstring)."""
    result = LLMEvalResult(len(val_cases), len(test_cases), retrieval_metrics(val_cases),
                           retrieval_metrics(test_cases), shuffle_seed=shuffle_seed if seed is None else seed,
                           bias_users=bias_users)
    return add_ranker(result, name, val_cases, test_cases, ranker, mix_grid, progress)


def add_ranker(result: LLMEvalResult, name: str, val_cases: Sequence[ShortlistCase],
               test_cases: Sequence[ShortlistCase], ranker, mix_grid: Sequence[float] = DEFAULT_MIX_GRID,
               progress: bool = True) -> LLMEvalResult:
    """Evaluate another ranker (e.g. with a LoRA adapter) on the same cases and add its rows."""
    if len(val_cases) != result.n_val or len(test_cases) != result.n_test:
        raise ValueError("add_ranker needs the same val and test cases as the result it extends")
    result.rankers.append(evaluate_ranker(name, val_cases, test_cases, ranker, mix_grid, result.shuffle_seed, progress,
                                          result.bias_users))
    return result


METRIC_COLUMNS = ("ndcg@10", "recall@10", "mrr@10", "ndcg@20", "recall@20")


def format_markdown(result: LLMEvalResult, scorer: str = "LLM") -> str:
    """Two tables: test metrics per row, then latency / validity / position bias per ranker. `scorer`
    names what the rankers are in row labels ("LLM alone", "LLM weight")."""
    head = "| ranking (test) | " + " | ".join(METRIC_COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(METRIC_COLUMNS) + 1)]

    def row(label: str, metrics: dict[str, float]) -> str:
        return f"| {label} | " + " | ".join(f"{metrics[c]:.4f}" for c in METRIC_COLUMNS) + " |"

    lines.append(row("retrieval only", result.retrieval_test))
    for r in result.rankers:
        lines.append(row(f"{scorer} alone ({r.name})", r.llm_test))
        lines.append(row(f"mix w={r.mix_weight:g} ({r.name}, w tuned on val)", r.mix_test))
    lines += ["", "| ranker | latency per user, median (s, batched) | p90 (s) | invalid items | "
                  "NDCG@10 retrieval order | NDCG@10 shuffled |", "|---|---|---|---|---|---|"]
    for r in result.rankers:
        bias = r.position_bias_ndcg10
        lines.append(f"| {r.name} | {r.latency_median_s:.3f} | {r.latency_p90_s:.3f} | {r.invalid_item_rate:.2%} | "
                     f"{bias['retrieval_order']:.4f} | {bias['shuffled']:.4f} |")
    lines += ["", grid_table(result, scorer)]
    bias = result.rankers[0].position_bias_ndcg10.get("users", result.n_test) if result.rankers else 0
    lines.append(f"\nval users (mix tuning): {result.n_val}, test users: {result.n_test}; position bias on {bias} "
                 f"sampled test users (seed {result.shuffle_seed}); mix weight tuned on val {TUNE_METRIC}.")
    return "\n".join(lines)


def grid_table(result: LLMEvalResult, scorer: str = "LLM") -> str:
    """NDCG@10 at each mix weight: on val (what tunes the weight) and on test (hindsight only)."""
    names = [r.name for r in result.rankers]
    lines = [f"| {scorer} weight | " + " | ".join(f"{n}: val | {n}: test (hindsight)" for n in names) + " |",
             "|---:|" + "---:|" * (2 * len(names))]
    for w in (result.rankers[0].val_grid if result.rankers else {}):
        cells = [f"{r.val_grid.get(w, float('nan')):.4f} | {r.test_grid.get(w, float('nan')):.4f}"
                 for r in result.rankers]
        lines.append(f"| {w:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def mix_minus_retrieval(result: LLMEvalResult, test_cases: Sequence[ShortlistCase], seed: int = 0) -> dict:
    """Per ranker, the paired bootstrap 95% interval of "val-tuned mix minus retrieval only" on per-user
    test NDCG@10: {name: {"mean_difference", "low", "high"}}."""
    retrieval_ndcg = [ndcg_at_k(c.retrieval_rank, 10) for c in test_cases]
    intervals = {}
    for r in result.rankers:
        ci = paired_bootstrap(r.mix_test_ndcg10_per_user, retrieval_ndcg, seed=seed)
        intervals[r.name] = {"mean_difference": ci.mean_difference, "low": ci.low, "high": ci.high}
    return intervals


def bootstrap_table(intervals: dict) -> str:
    lines = ["| mix minus retrieval only, test NDCG@10 | mean | 95% CI (paired bootstrap over users) |",
             "|---|---:|---|"]
    for name, ci in intervals.items():
        lines.append(f"| {name} mix | {ci['mean_difference']:+.4f} | [{ci['low']:+.4f}, {ci['high']:+.4f}] |")
    return "\n".join(lines)
