import math

import numpy as np
import pytest

from recommender.data.split import UserHistory
from recommender.data.types import Catalog, Item
from recommender.evaluation.cases import ShortlistCase
from recommender.evaluation.llm_eval import (add_ranker, bootstrap_table, evaluate_llm, format_markdown, full_order,
                                             mix_minus_retrieval)
from recommender.llm.ranker import LLMRanker, RankerConfig
from tests.fakes import FakeBackend, title_logits

N_ITEMS = 300


def catalog() -> Catalog:
    return Catalog([Item(str(i), f"Film {i:02d}", 2000, ("Drama",)) for i in range(N_ITEMS)])


def case(user: str, target_position: int | None, n_candidates: int = 20, offset: int = 0) -> ShortlistCase:
    """A shortlist of items offset+10.. with the target at `target_position` (None: not on it, rank 30).
    Cases with offsets 30 apart share no items, so no shortlist holds another case's target."""
    candidates = np.arange(10 + offset, 10 + offset + n_candidates)
    target = int(candidates[target_position]) if target_position is not None else 5
    history = UserHistory(user, np.array([1, 2, 3], dtype=np.int32), np.array([5, 4, np.nan], dtype=np.float32),
                          np.arange(3, dtype=np.int64))
    rank = target_position + 1 if target_position is not None else 30
    return ShortlistCase(user, history, target, candidates, np.linspace(1.0, 0.0, n_candidates), rank)


def target_loving_ranker(cases) -> LLMRanker:
    """A fake model that gives the targets of `cases` a far higher logit than anything else."""
    targets = {f"Film {c.target:02d}" for c in cases}
    return LLMRanker(FakeBackend(title_logits(lambda t: 10.0 if t in targets else 0.0)), catalog(), RankerConfig())


def test_rows_are_hand_computed_for_a_model_that_knows_the_target():
    val = [case("u1", 4), case("u2", 0, offset=30)]
    test = [case("u1", 4, offset=60), case("u2", None, offset=90), case("u3", 12, n_candidates=24, offset=120)]
    result = evaluate_llm(val, test, target_loving_ranker(val + test), mix_grid=(0.0, 0.5, 1.0), progress=False)
    # retrieval: ranks 5, 30 (off the shortlist), 13 -> NDCG@10 = (1/log2(6) + 0 + 0) / 3
    assert result.retrieval_test["ndcg@10"] == pytest.approx(1 / math.log2(6) / 3)
    (zero_shot,) = result.rankers
    # LLM alone: the targets on the shortlist move to rank 1; the one off the shortlist stays at 30
    assert zero_shot.llm_test["ndcg@10"] == pytest.approx(2 / 3)
    assert zero_shot.llm_test["recall@20"] == pytest.approx(2 / 3)
    assert zero_shot.val_grid[0.0] == pytest.approx((1 / math.log2(6) + 1) / 2)
    assert zero_shot.val_grid[1.0] == pytest.approx(1.0)
    assert zero_shot.mix_weight in (0.5, 1.0) and zero_shot.mix_test["ndcg@10"] == pytest.approx(2 / 3)
    # the hindsight test grid: weight 0 is retrieval order, weight 1 the LLM alone
    assert zero_shot.test_grid[0.0] == pytest.approx(result.retrieval_test["ndcg@10"])
    assert zero_shot.test_grid[1.0] == pytest.approx(2 / 3)
    assert "| 0.5 | " in format_markdown(result) and "test (hindsight)" in format_markdown(result)
    assert zero_shot.invalid_item_rate == 0.0
    assert zero_shot.latency_p90_s >= zero_shot.latency_median_s >= 0.0
    # the fake has no position bias: the shuffled order finds the same targets
    assert zero_shot.position_bias_ndcg10 == {"retrieval_order": pytest.approx(2 / 3), "shuffled": pytest.approx(2 / 3),
                                              "users": 3}


def test_mix_minus_retrieval_interval_by_hand():
    val = [case("u1", 4), case("u2", 0, offset=30)]
    test = [case("u1", 4, offset=60), case("u2", None, offset=90), case("u3", 12, n_candidates=24, offset=120)]
    result = evaluate_llm(val, test, target_loving_ranker(val + test), mix_grid=(0.0, 0.5, 1.0), progress=False)
    intervals = mix_minus_retrieval(result, test)
    # per user, mix minus retrieval: 1 - 1/log2(6), 0 (off the shortlist), 1 - 0 (rank 13 -> 1)
    per_user = [1 - 1 / math.log2(6), 0.0, 1.0]
    ci = intervals["zero-shot"]
    assert ci["mean_difference"] == pytest.approx(np.mean(per_user))
    assert min(per_user) <= ci["low"] <= ci["mean_difference"] <= ci["high"] <= max(per_user)
    row = f"| zero-shot mix | {np.mean(per_user):+.4f} | [{ci['low']:+.4f}, {ci['high']:+.4f}] |"
    assert row in bootstrap_table(intervals)


def test_position_bias_figure_and_side_by_side_rankers():
    cases = [case(f"u{i}", 7, offset=30 * i) for i in range(6)]
    biased = LLMRanker(FakeBackend(title_logits(lambda t: 0.0, position_bias=1.0)), catalog(), RankerConfig())
    result = evaluate_llm(cases, cases, biased, name="biased", progress=False)
    bias = result.rankers[0].position_bias_ndcg10
    # always picks the first label: in retrieval order that keeps the retrieval ranking exactly
    assert bias["retrieval_order"] == pytest.approx(result.retrieval_test["ndcg@10"])
    assert bias["shuffled"] != pytest.approx(bias["retrieval_order"])
    add_ranker(result, "oracle", cases, cases, target_loving_ranker(cases), progress=False)
    assert [r.name for r in result.rankers] == ["biased", "oracle"]
    assert result.rankers[1].llm_test["ndcg@10"] == pytest.approx(1.0)
    table = format_markdown(result)
    assert "| LLM alone (oracle) | 1.0000 |" in table and "| retrieval only |" in table
    assert "mix w=" in table and "val users (mix tuning): 6, test users: 6" in table
    named = format_markdown(result, scorer="feature reranker")
    assert "| feature reranker alone (oracle) | 1.0000 |" in named and "| feature reranker weight |" in named
    assert "LLM" not in named
    with pytest.raises(ValueError):
        add_ranker(result, "x", cases[:2], cases, biased, progress=False)


def test_full_order_keeps_the_tail_in_retrieval_order():
    c = case("u", 0, n_candidates=24)
    order = full_order(c, np.array([0.0] * 19 + [1.0]))
    assert order.tolist() == [19] + list(range(19)) + [20, 21, 22, 23]


def two_of_six_off_the_shortlist() -> list[ShortlistCase]:
    return [case(f"u{i}", p, offset=30 * i) for i, p in enumerate([3, None, 0, None, 19, 7])]


def title_length_ranker(**config) -> LLMRanker:
    """A fake model that likes some titles and has a mild position bias."""
    return LLMRanker(FakeBackend(title_logits(lambda t: float(len(t) % 5), position_bias=0.3)), catalog(),
                     RankerConfig(batch_size=4, **config))


def test_skipping_users_whose_target_is_off_the_shortlist_changes_no_metric():
    from recommender.evaluation.llm_eval import metrics_for, mixed, score_cases

    cases = two_of_six_off_the_shortlist()
    ranker = title_length_ranker()
    full = score_cases(ranker, cases, progress=False, skip_unchangeable=False)
    fast = score_cases(ranker, cases, progress=False)
    assert len(fast.latencies_s) == 4 and len(full.latencies_s) == 6  # two users never reach the model
    assert metrics_for(cases, fast.scores) == metrics_for(cases, full.scores)
    for w in (0.0, 0.3, 1.0):
        assert metrics_for(cases, mixed(cases, fast, w)) == metrics_for(cases, mixed(cases, full, w))


def test_training_validation_skips_off_shortlist_users_without_changing_a_metric():
    from recommender.train.validation import evaluate, metrics_of, rank_input_of

    cases = two_of_six_off_the_shortlist()
    ranker = title_length_ranker(show_retrieval_rank=True)
    sent = []

    def counting_scorer(inputs):
        sent.extend(inputs)
        return ranker.score(inputs)

    fast = evaluate(counting_scorer, cases, batch=4, progress=False)
    full = metrics_of(cases, ranker.score([rank_input_of(c) for c in cases]))
    assert len(sent) == 4  # the two users whose target is off the shortlist never reach the model
    assert (fast.retrieval, fast.llm, fast.mix) == (full.retrieval, full.llm, full.mix)
