"""`recommender train --task intent`: examples, loss, teacher-forced validation, and a run end to end."""

import json
from pathlib import Path

import pytest

from recommender.chat.intent import Intent
from recommender.chat.intent_data import IntentExample
from recommender.train.config import TrainConfig
from recommender.train.completion import completion_loss
from recommender.train.intent_task import encode, field_hits
from tests.synthetic import synthetic_dataset


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from recommender.llm.convert import ensure_default_checkpoint

    return AutoTokenizer.from_pretrained(ensure_default_checkpoint("~/.cache/recommender/models", progress=False))


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory, tokenizer) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny-intent-model")
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(autouse=True)
def isolated_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "index-cache"))
    monkeypatch.setenv("RECOMMENDER_DATA_DIR", str(tmp_path / "data-cache"))


def example(message="a scary movie from the 80s", **fields) -> IntentExample:
    return IntentExample(message, 0, Intent(**(fields or {"action": "request", "genres": ["Horror"],
                                                          "years": "1980-1989"})))


def test_the_training_prompt_is_the_parsers_prompt_followed_by_the_json(tokenizer):
    from recommender.llm.intent_model import intent_prompt_parts

    enc = encode(tokenizer, example())
    start, rest = intent_prompt_parts(tokenizer, "a scary movie from the 80s", 0)
    text = tokenizer.decode(enc.ids)
    assert text == start + rest + '{"action":"request","genres":["Horror"],"years":"1980-1989"}<|im_end|>'
    assert tokenizer.decode(enc.ids[-enc.n_target:]).startswith('{"action"')


def test_field_hits_blame_only_the_field_whose_token_was_wrong(tokenizer):
    enc = encode(tokenizer, example())
    target = enc.ids[-enc.n_target:]
    wrong = next(k for k in range(len(target)) if "Hor" in tokenizer.decode(target[k:k + 1]))
    hits = [k != wrong for k in range(len(target))]
    fields = field_hits(tokenizer, enc, hits)
    assert fields["genres"] is False
    assert fields["action"] and fields["years"] and fields["people"]  # absent fields count as right


def test_intent_loss_is_the_mean_of_per_example_means(tiny_model_dir, tokenizer):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    a, b = encode(tokenizer, example()), encode(tokenizer, example("reset please", action="reset"))
    with torch.no_grad():
        both = float(completion_loss(model, tokenizer, [a, b]))
        each = (float(completion_loss(model, tokenizer, [a])) + float(completion_loss(model, tokenizer, [b]))) / 2
    assert both == pytest.approx(each, rel=1e-4)


def test_intent_training_writes_a_reported_adapter_and_resume_of_a_complete_run_is_a_no_op(tiny_model_dir, tmp_path):
    from recommender.train.run import train

    dataset = synthetic_dataset(n_items=40, n_users=20, length=8, seed=0)
    config = TrainConfig(task="intent", out=str(tmp_path / "intent"), model=str(tiny_model_dir), quantize="none",
                         intent_examples=12, intent_val_examples=4, batch_size=2, grad_accum=2, eval_every=2,
                         checkpoint_every=1, warmup_steps=1, lr=1e-3, threads=1, lora_r=4)
    outcome = train(config, dataset=dataset, progress=False)
    out = Path(outcome.out)
    assert {"adapter_model.safetensors", "adapter_config.json", "README.md", "metrics.json",
            "training_config.yaml", "COMPLETE"} <= {p.name for p in out.iterdir()}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["task"] == "intent" and metrics["optimizer_steps"] == 3
    assert [p["step"] for p in metrics["val_curve"]] == [0, 2, 3]
    assert set(metrics["val_curve"][-1]["fields"]) >= {"action", "genres", "years"}
    assert "recommender train --task intent" in (out / "README.md").read_text()
    again = train(config, dataset=dataset, progress=False, resume=True)
    assert again.already_complete


def test_task_is_validated():
    from recommender.errors import ConfigError

    with pytest.raises(ConfigError, match="task must be one of rank, intent, explain"):
        TrainConfig(task="poetry")
