"""The pointwise scheme: packing, its block mask, equivalence with separate prompts, and training.

Uses a tiny randomly initialised Llama with SmolLM2's tokenizer (tests/test_train.py's fixture)."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.errors import ConfigError, ModelError
from recommender.llm.pointwise import PAD, PREFIX, answer_token_ids, batch_tensors, pack, yes_minus_no
from recommender.llm.ranker import LLMRanker, RankerConfig, RankInput
from tests.fakes import FakeTokenizer
from tests.test_train import dataset, isolated_caches, tiny_config, tiny_model_dir, trainer_for  # noqa: F401


def test_pack_by_hand():
    row = pack([7, 8, 9], [[1, 2], [3]])
    assert row.ids == [7, 8, 9, 1, 2, 3]
    assert row.positions == [0, 1, 2, 3, 4, 3]  # each segment starts where the prefix ends
    assert row.segments == [PREFIX] * 3 + [0, 0, 1]
    assert row.score_at == [4, 5]
    with pytest.raises(ModelError, match="empty"):
        pack([1], [[2], []])


def test_block_mask_by_hand():
    """Prefix: causal. A segment: the prefix and its own earlier tokens. Padding: padding only."""
    ids, mask, positions = batch_tensors([pack([5, 6], [[1], [2, 3]]), pack([5], [[4]])], pad_id=0, device="cpu")
    allowed = mask[:, 0].int().tolist()
    assert allowed[0] == [[1, 0, 0, 0, 0],
                          [1, 1, 0, 0, 0],
                          [1, 1, 1, 0, 0],   # segment 0
                          [1, 1, 0, 1, 0],   # segment 1 does not see segment 0
                          [1, 1, 0, 1, 1]]
    assert allowed[1] == [[1, 0, 0, 0, 0],
                          [1, 1, 0, 0, 0],
                          [0, 0, 1, 0, 0],   # padding
                          [0, 0, 1, 1, 0],
                          [0, 0, 1, 1, 1]]
    assert ids[1].tolist() == [5, 4, 0, 0, 0] and positions[0].tolist() == [0, 1, 2, 2, 3]
    assert PAD not in (PREFIX, 0)


def test_yes_minus_no_and_answer_tokens():
    np.testing.assert_allclose(yes_minus_no(np.array([[2.0, 0.5], [0.0, 1.0]])), [1.5, -1.0])
    with pytest.raises(ModelError, match="single-token answers"):
        answer_token_ids(FakeTokenizer())  # splits words into characters


def test_config_rejects_orderings_that_pointwise_ignores(tmp_path, tiny_model_dir):
    with pytest.raises(ConfigError, match="pointwise scores do not depend on the candidate order"):
        RankerConfig(scheme="pointwise", labels_by_rank=True)
    with pytest.raises(ConfigError, match="pointwise scores do not depend on the candidate order"):
        RankerConfig(scheme="pointwise", n_permutations=3)
    with pytest.raises(ConfigError, match="scheme must be one of"):
        RankerConfig(scheme="pairs")
    with pytest.raises(ConfigError, match="labels_by_rank must be false"):
        tiny_config(tmp_path, tiny_model_dir, scheme="pointwise", labels_by_rank=True, missed_target="skip")


@pytest.fixture(scope="module")
def tiny_backend(tiny_model_dir):
    from recommender.llm.backend import LLMConfig, clear_backend_cache, load_backend

    clear_backend_cache()
    yield load_backend(LLMConfig(model=str(tiny_model_dir), quantize="none", device="cpu"), progress=False)
    clear_backend_cache()


def separate_prompt_scores(backend, catalog, inp, config) -> np.ndarray:
    """The reference: every candidate as its own prompt (prefix + segment), full forward pass."""
    import torch

    from recommender.llm.pointwise import pointwise_texts

    prefix, segments = pointwise_texts(backend.tokenizer, catalog, inp, config)
    encode = lambda text: backend.tokenizer(text, add_special_tokens=False)["input_ids"]  # noqa: E731
    yes, no = answer_token_ids(backend.tokenizer)
    out = []
    with torch.no_grad():
        for segment in segments:
            logits = backend.model(input_ids=torch.tensor([encode(prefix) + encode(segment)])).logits[0, -1]
            out.append(float(logits[yes] - logits[no]))
    return np.array(out)


def test_packed_scores_equal_separate_prompts_and_ignore_order(tiny_backend, dataset):
    config = RankerConfig(scheme="pointwise", show_year=True, show_genres=True, batch_size=2)
    ranker = LLMRanker(tiny_backend, dataset.catalog, config)
    inputs = [RankInput([1, 2, 3, 4], [4.0, 5.0, 3.0, 2.0], [10, 11, 12, 13, 14], "something funny"),
              RankInput([5], [], [20, 21, 22]),  # a shorter row: padded in the same batch
              RankInput([6, 7], [], [])]
    scores = ranker.score(inputs)
    for inp, got in zip(inputs[:2], scores):
        np.testing.assert_allclose(got, separate_prompt_scores(tiny_backend, dataset.catalog, inp, config), atol=1e-4)
    assert scores[2].shape == (0,)
    assert np.ptp(scores[0]) > 1e-3  # the candidates really are told apart
    reversed_input = RankInput([1, 2, 3, 4], [4.0, 5.0, 3.0, 2.0], [14, 13, 12, 11, 10], "something funny")
    np.testing.assert_allclose(ranker.score([reversed_input])[0], scores[0][::-1], atol=1e-4)


def test_pointwise_training_learns_the_target_and_adds_the_prior(tiny_model_dir, dataset, tmp_path):
    """Steps on one example: its loss falls and its target gets the best score; the residual prior is
    added to the scores both in the loss and by the validation ranker."""
    import torch

    from recommender.train.model import answer_label, batch_loss, label_offsets, ranker_scorer

    config = tiny_config(tmp_path / "out", tiny_model_dir, scheme="pointwise", residual=True, missed_target="skip",
                         batch_size=1, grad_accum=1, epochs=15, lr=1e-2, warmup_steps=0, schedule="constant",
                         lora_dropout=0.0, show_genres=True)
    trainer, tm, examples = trainer_for(config, dataset, tmp_path, n_examples=1)
    example, ranker_config = examples[0], trainer.ranker_config
    assert answer_label(example, ranker_config) == example.label and ranker_config.rank_prior is not None
    score = ranker_scorer(tm, dataset.catalog, ranker_config)

    def loss_and_scores():
        tm.model.eval()
        with torch.no_grad():
            return float(batch_loss(tm, dataset.catalog, [example], ranker_config)), score([example.rank_input()])[0]

    start, before = loss_and_scores()
    expected = torch.nn.functional.cross_entropy(torch.tensor(before)[None], torch.tensor([example.label]))
    assert start == pytest.approx(float(expected), rel=1e-4)  # the ranker's scores, prior included, are the loss's
    for _ in range(15):
        trainer.train_step()
    end, after = loss_and_scores()
    assert end < 0.3 * start and int(np.argmax(after)) == example.label
    assert np.any(label_offsets(example, ranker_config) != 0)
