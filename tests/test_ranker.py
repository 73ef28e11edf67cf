import numpy as np
import pytest

from recommender.config import build_config
from recommender.data.types import Catalog, Item
from recommender.errors import ConfigError, ModelError, UnknownItemError
from recommender.llm.ranker import (
    LLMRanker, RankerConfig, RankInput, RankInputError, candidate_permutations, label_token_ids, mix_scores,
    ranked_order, verbalizer_scores,
)
from recommender.types import Request, Shortlist
from tests.fakes import FakeBackend, FakeTokenizer, title_logits

TITLES = [f"Movie {chr(ord('a') + i)}" for i in range(26)]  # "Movie a" .. "Movie z"


def catalog() -> Catalog:
    return Catalog([Item(str(i), t, 2000, ("Drama",)) for i, t in enumerate(TITLES)])


def title_value(title: str) -> float:
    return float(TITLES.index(title))  # later letters score higher


def test_verbalizer_scores_are_log_softmax_over_the_labels():
    logits = np.log([[1.0, 2.0, 3.0], [5.0, 5.0, 10.0]])
    expected = np.log([[1 / 6, 2 / 6, 3 / 6], [0.25, 0.25, 0.5]])
    np.testing.assert_allclose(verbalizer_scores(logits), expected, atol=1e-12)
    np.testing.assert_allclose(verbalizer_scores(logits[0] + 1000.0), expected[0], atol=1e-9)  # shift-invariant
    np.testing.assert_allclose(np.exp(verbalizer_scores(np.array([0.0, 0.0]))), [0.5, 0.5])


def test_label_token_ids():
    assert label_token_ids(FakeTokenizer(), 20) == list(range(65, 85))
    assert label_token_ids(FakeTokenizer(), 3) == [65, 66, 67]

    class SplittingTokenizer(FakeTokenizer):
        def encode(self, text, add_special_tokens=False):
            return [1, ord(text)]

    with pytest.raises(ModelError, match="single-token"):
        label_token_ids(SplittingTokenizer(), 2)
    with pytest.raises(RankInputError):
        label_token_ids(FakeTokenizer(), 21)


def test_scores_follow_the_model_and_map_back_through_permutations():
    candidates = [3, 0, 7, 2]
    expected = verbalizer_scores(np.array([title_value(TITLES[c]) for c in candidates]))
    for n_permutations in (1, 5):
        ranker = LLMRanker(FakeBackend(title_logits(title_value)), catalog(), RankerConfig(n_permutations=n_permutations))
        (scores,) = ranker.score([RankInput([1], [4.0], candidates)])
        np.testing.assert_allclose(scores, expected, atol=1e-9)
        assert [candidates[p] for p in ranked_order(scores)] == [7, 3, 2, 0]


def test_labels_by_rank_name_candidates_by_retrieval_rank_and_shuffle_the_lines():
    from recommender.llm.ranker import LABELS, rank_prompt_variables
    from recommender.llm.prompts import render
    from tests.fakes import labelled_candidates

    config = RankerConfig(labels_by_rank=True, show_retrieval_rank=True)
    candidates, ranks = [3, 0, 7, 2, 9, 5], [4, 1, 6, 2, 5, 3]
    text = render("rank", **rank_prompt_variables(catalog(), RankInput([1], [4.0], candidates, None, ranks), config))
    shown = labelled_candidates(text)
    assert {label: title for label, title in shown.items()} == {
        LABELS[r - 1]: TITLES[c] for c, r in zip(candidates, ranks)}  # A = rank 1, B = rank 2, ...
    assert list(shown) != sorted(shown)  # the lines are not listed in label order
    # The same shortlist arriving in another order reads the same.
    again = render("rank", **rank_prompt_variables(
        catalog(), RankInput([1], [4.0], candidates[::-1], None, ranks[::-1]), config))
    assert again == text
    with pytest.raises(RankInputError, match="retrieval ranks"):
        rank_prompt_variables(catalog(), RankInput([1], [4.0], candidates), config)
    with pytest.raises(RankInputError, match="retrieval ranks"):
        rank_prompt_variables(catalog(), RankInput([1], [4.0], candidates, None, [1, 1, 2, 3, 4, 5]), config)


def test_labels_by_rank_scores_map_back_to_candidates():
    candidates, ranks = [3, 0, 7, 2], [2, 4, 1, 3]
    inp = RankInput([1], [4.0], candidates, None, ranks)
    # A model that reads titles: the same scores per candidate whatever letters name them.
    plain = LLMRanker(FakeBackend(title_logits(title_value)), catalog(), RankerConfig(show_retrieval_rank=True))
    by_rank = LLMRanker(FakeBackend(title_logits(title_value)), catalog(),
                        RankerConfig(show_retrieval_rank=True, labels_by_rank=True, n_permutations=3))
    np.testing.assert_allclose(by_rank.score([inp])[0], plain.score([inp])[0], atol=1e-9)
    # A model that only likes early letters: with labels_by_rank that is a preference for retrieval rank 1.
    letters = LLMRanker(FakeBackend(title_logits(lambda t: 0.0, position_bias=1.0)), catalog(),
                        RankerConfig(labels_by_rank=True))
    assert [candidates[p] for p in ranked_order(letters.score([inp])[0])] == [7, 3, 2, 0]


def test_permutation_average_is_the_mean_over_the_orders_each_candidate_was_shown_in():
    # A model with pure position bias: it scores the label, whatever the title.
    ranker = LLMRanker(FakeBackend(title_logits(lambda t: 0.0, position_bias=1.0)), catalog(),
                       RankerConfig(n_permutations=4, seed=3))
    candidates = [5, 6, 7, 8, 9]
    (scores,) = ranker.score([RankInput([], [], candidates)])
    by_position = verbalizer_scores(-np.arange(5.0))
    expected = np.zeros(5)
    for perm in candidate_permutations(5, 4, seed=3):
        expected[perm] += by_position / 4  # position p showed candidate perm[p]
    np.testing.assert_allclose(scores, expected, atol=1e-9)
    unbiased = LLMRanker(ranker.backend, catalog(), RankerConfig(n_permutations=1)).score([RankInput([], [], candidates)])[0]
    assert np.ptp(scores) < np.ptp(unbiased)  # averaging shrinks the position effect


def test_candidate_permutations_are_seeded_and_start_with_the_identity():
    perms = candidate_permutations(6, 3, seed=1)
    assert len(perms) == 3 and perms[0].tolist() == list(range(6))
    assert all(sorted(p.tolist()) == list(range(6)) for p in perms)
    assert all((a == b).all() for a, b in zip(perms, candidate_permutations(6, 3, seed=1)))
    assert not all((a == b).all() for a, b in zip(perms, candidate_permutations(6, 3, seed=2)))


def test_batched_scores_equal_unbatched_and_batches_are_respected():
    inputs = [RankInput([i], [5.0], [i + 1, i + 2, i + 3], query=f"q{i}") for i in range(5)]
    batched_backend = FakeBackend()
    batched = LLMRanker(batched_backend, catalog(), RankerConfig(batch_size=2, n_permutations=2)).score(inputs)
    assert batched_backend.calls == [[2, 2, 2, 2, 2]]  # 5 inputs x 2 orders, one call, batches of 2
    single_backend = FakeBackend()
    single = LLMRanker(single_backend, catalog(), RankerConfig(batch_size=1, n_permutations=2))
    for inp, scores in zip(inputs, batched):
        np.testing.assert_allclose(single.score([inp])[0], scores, atol=1e-12)


def test_rank_prior_is_added_to_each_candidate_by_its_retrieval_rank():
    candidates, ranks = [3, 0, 7, 2], [2, 4, 1, 3]
    inp = RankInput([1], [4.0], candidates, None, ranks)
    prior = [-0.5, -1.0, -2.0, -4.0]
    for labels_by_rank in (False, True):
        config = dict(labels_by_rank=labels_by_rank, n_permutations=2)
        plain = LLMRanker(FakeBackend(title_logits(title_value)), catalog(), RankerConfig(**config))
        with_prior = LLMRanker(FakeBackend(title_logits(title_value)), catalog(),
                               RankerConfig(rank_prior=prior, **config))
        np.testing.assert_allclose(with_prior.score([inp])[0] - plain.score([inp])[0], [-1.0, -4.0, -0.5, -2.0])
    with pytest.raises(RankInputError, match="rank_prior needs each candidate's retrieval rank"):
        LLMRanker(FakeBackend(), catalog(), RankerConfig(rank_prior=prior)).score([RankInput([1], [4.0], candidates)])
    with pytest.raises(RankInputError, match="from 1 to 3"):
        LLMRanker(FakeBackend(), catalog(), RankerConfig(rank_prior=prior[:3])).score([inp])


def test_bad_inputs_raise_one_clear_error():
    ranker = LLMRanker(FakeBackend(), catalog())
    with pytest.raises(RankInputError, match="at most 20 candidates"):
        ranker.score([RankInput([], [], list(range(21)))])
    with pytest.raises(RankInputError, match="2 ratings for 1 history"):
        ranker.score([RankInput([0], [4.0, 5.0], [1, 2])])
    with pytest.raises(UnknownItemError, match="item index 99"):
        ranker.score([RankInput([], [], [1, 99])])
    assert ranker.score([RankInput([0], [4.0], [])])[0].shape == (0,)


def test_mix_scores_standardises_each_list_then_weights():
    retrieval, llm = np.array([3.0, 2.0, 1.0]), np.array([-2.0, -1.0, -3.0])
    z = np.sqrt(1.5)  # z-scores of (3, 2, 1) are (+z, 0, -z) since the std is sqrt(2/3)
    np.testing.assert_allclose(mix_scores(retrieval, llm, 0.0), [z, 0, -z])
    np.testing.assert_allclose(mix_scores(retrieval, llm, 1.0), [0, z, -z])
    np.testing.assert_allclose(mix_scores(retrieval, llm, 0.5), [z / 2, z / 2, -z])
    np.testing.assert_allclose(mix_scores(retrieval, np.full(3, -1.0), 0.7), [0.3 * z, 0, -0.3 * z])


def test_rerank_scores_the_first_20_and_keeps_the_rest_below_in_retrieval_order():
    ranker = LLMRanker(FakeBackend(title_logits(title_value)), catalog(), RankerConfig(mix_weight=1.0))
    indices = np.array(list(range(24)))
    shortlist = Shortlist(indices, np.linspace(1, 0, 24), [[] for _ in range(24)])
    final, llm = ranker.rerank(Request(history=[24], ratings=[], liked=[25]), shortlist)
    order = np.argsort(-final, kind="stable")
    assert order.tolist() == list(range(19, -1, -1)) + [20, 21, 22, 23]
    assert np.isnan(llm[20:]).all() and np.isfinite(llm[:20]).all()


def test_rerank_with_weight_0_keeps_retrieval_order_without_running_the_llm():
    ranker = LLMRanker(FakeBackend(title_logits(title_value)), catalog(), RankerConfig(mix_weight=0.0))

    def no_llm(_inputs):
        raise AssertionError("mix_weight 0 must not run the LLM")

    ranker.score = no_llm
    shortlist = Shortlist(np.arange(24), np.linspace(1, 0, 24), [[] for _ in range(24)])
    final, llm = ranker.rerank(Request(history=[24], ratings=[]), shortlist)
    assert np.argsort(-final, kind="stable").tolist() == list(range(24)) and np.isnan(llm).all()


def test_ranker_config_is_validated():
    with pytest.raises(ConfigError, match="n_permutations"):
        RankerConfig(n_permutations=0)
    with pytest.raises(ConfigError, match="mix_weight"):
        build_config(RankerConfig, overrides={"mix_weight": 1.5})
    assert build_config(RankerConfig, overrides={"batch_size": 4}).batch_size == 4
    for bad in ([], [0.1], [float("nan")], ["x"], [-1.0] * 21, -1.0):
        with pytest.raises(ConfigError, match="rank_prior"):
            RankerConfig(rank_prior=bad)
