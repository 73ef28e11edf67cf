"""`recommender train`: LoRA updates, save/load round trip, resume after SIGKILL, outputs, bad input.

Fast tests use a tiny randomly initialised Llama with the default model's tokenizer and the synthetic
data set; tests marked slow use the real SmolLM2 model and ML-100k.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from recommender.cli import main
from recommender.config import to_dict
from recommender.errors import AdapterMismatchError, ConfigError, ModelError, RecommenderError
from recommender.llm.defaults import SHIPPED_ADAPTER
from recommender.train.checkpoint import MARKER, WorkDir, is_complete, write_dir_atomically
from recommender.train.config import TrainConfig
from recommender.train.model import lr_multiplier
from tests.synthetic import HashEmbedder, synthetic_dataset

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "adapters" / SHIPPED_ADAPTER


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A 2-layer Llama (random weights) with SmolLM2's tokenizer and chat template, saved like a checkpoint.
    The larger initializer range lets the (tied, RMS-normalised) output layer reach confident label logits."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from recommender.llm.convert import ensure_default_checkpoint

    tokenizer = AutoTokenizer.from_pretrained(ensure_default_checkpoint("~/.cache/recommender/models", progress=False))
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         tie_word_embeddings=True, initializer_range=0.1, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny-model")
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(autouse=True)
def isolated_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "index-cache"))
    monkeypatch.setenv("RECOMMENDER_DATA_DIR", str(tmp_path / "data-cache"))


@pytest.fixture(scope="module")
def dataset():
    return synthetic_dataset(n_items=60, n_users=40, length=12, seed=0)


def tiny_config(out: Path, model_dir: Path, **overrides) -> TrainConfig:
    values = dict(out=str(out), model=str(model_dir), quantize="none", targets_per_user=2, max_examples=12,
                  missed_target="insert", val_users=6, grad_accum=2, eval_every=3, checkpoint_every=2,
                  patience=0, warmup_steps=1, lr=1e-3, threads=1, seed=0)
    values.update(overrides)
    return TrainConfig(**values)


def trainer_for(config, dataset, tmp_path, n_examples: int | None = None):
    from recommender.data.split import LeaveOneOut
    from recommender.train.examples import build_examples
    from recommender.train.model import prepare_model
    from recommender.train.trainer import Trainer

    tm = prepare_model(config, progress=False)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    examples = build_examples(dataset, loo, config, HashEmbedder, progress=False).examples[:n_examples]
    trainer = Trainer(config, tm, dataset.catalog, examples, [], WorkDir(tmp_path / "work"), time.perf_counter(),
                      progress=False)
    return trainer, tm, examples


def run_train(config, dataset, **kwargs):
    from recommender.train.run import train

    return train(config, dataset=dataset, embedder_factory=HashEmbedder, progress=False, **kwargs)


# --- what training does to the weights ------------------------------------------------------------------------

def test_qlora_steps_change_lora_weights_only(tiny_model_dir, dataset, tmp_path):
    config = tiny_config(tmp_path / "out", tiny_model_dir, quantize="4bit", grad_accum=2)
    trainer, tm, _ = trainer_for(config, dataset, tmp_path)
    assert type(tm.model.base_model.model.model.layers[0].self_attn.q_proj.base_layer).__name__ == "Linear4bit"
    before = {name: p.detach().clone() for name, p in tm.model.named_parameters()}
    for _ in range(3):
        trainer.train_step()
    after = dict(tm.model.named_parameters())
    lora = [n for n in before if "lora_" in n]
    assert lora and all(after[n].requires_grad for n in lora)
    assert all(not torch_equal(before[n], after[n]) for n in lora if "lora_B" in n)  # B starts at zero
    base = [n for n in before if "lora_" not in n]
    assert base and all(torch_equal(before[n], after[n]) and not after[n].requires_grad for n in base)
    assert trainer.state.step == 3 and trainer.state.examples_seen == 6


def test_qlora_gradients_equal_the_dequantized_reference_after_an_inference_pass(tiny_model_dir, dataset, tmp_path):
    """Validation runs the 4-bit model in eval mode without gradients. bitsandbytes then repacks the
    weights for a CPU kernel that has no backward (on CPUs with AVX512-BF16), which used to cut the
    gradient through every frozen base projection. After such a pass, every LoRA gradient must still
    equal that of an fp32 model holding the dequantized 4-bit weights (and the same LoRA weights)."""
    import bitsandbytes as bnb
    import torch

    from recommender.train.model import batch_loss

    modules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    trainers = {q: trainer_for(tiny_config(tmp_path / q, tiny_model_dir, quantize=q, lora_dropout=0.0,
                                           target_modules=modules), dataset, tmp_path / q)
                for q in ("4bit", "none")}
    (trainer, tm, examples), (_, reference, _) = trainers["4bit"], trainers["none"]
    reference_modules = dict(reference.model.named_modules())
    with torch.no_grad():
        for name, module in tm.model.named_modules():
            if isinstance(module, bnb.nn.Linear4bit):
                weight = bnb.functional.dequantize_4bit(module.weight.data, module.weight.quant_state)
                reference_modules[name].weight.copy_(weight.float())
        for model in (tm.model, reference.model):  # B starts at zero, which would make every A gradient zero
            for name, p in model.named_parameters():
                if "lora_B" in name:
                    p.normal_(0.0, 0.05, generator=torch.Generator().manual_seed(len(name)))

    def lora_grads(model_of) -> dict:
        model_of.model.train()
        model_of.model.zero_grad()
        batch_loss(model_of, dataset.catalog, examples[:2], trainer.ranker_config).backward()
        return {n: p.grad.clone() for n, p in model_of.model.named_parameters() if p.requires_grad}

    expected = lora_grads(reference)
    assert len(expected) == 2 * 7 * 2 and all(float(g.abs().sum()) > 0 for g in expected.values())
    tm.model.eval()
    with torch.inference_mode():  # what HFBackend does while validating
        tm.model(input_ids=torch.tensor([tm.tokenizer("a short prompt")["input_ids"]]))
    got = lora_grads(tm)
    for name, grad in expected.items():
        assert torch.allclose(got[name], grad, rtol=1e-4, atol=1e-6), name


def torch_equal(a, b) -> bool:
    import torch

    return bool(torch.equal(a, b))


@pytest.mark.parametrize("labels_by_rank", [False, True])
def test_training_lowers_the_label_loss(tiny_model_dir, dataset, tmp_path, labels_by_rank):
    """A few steps on one example: its loss falls and the model's top label becomes the one that names
    the target in the prompt (its position, or its retrieval rank with labels_by_rank)."""
    import torch

    from recommender.llm.ranker import LABELS
    from recommender.train.model import answer_label, encode_example, label_loss
    from tests.fakes import labelled_candidates

    config = tiny_config(tmp_path / "out", tiny_model_dir, batch_size=1, grad_accum=1, epochs=15, lr=1e-2,
                         warmup_steps=0, schedule="constant", lora_dropout=0.0, missed_target="skip",
                         labels_by_rank=labels_by_rank)
    trainer, tm, examples = trainer_for(config, dataset, tmp_path, n_examples=1)
    example = examples[0]
    row = encode_example(tm.tokenizer, dataset.catalog, example, trainer.ranker_config)
    label = answer_label(example, trainer.ranker_config)
    prompt = tm.tokenizer.decode(row)
    assert labelled_candidates(prompt)[LABELS[label]] == dataset.catalog[example.target].title
    if labels_by_rank:
        assert label == example.retrieval_ranks[example.label] - 1

    def loss_and_top() -> tuple[float, int]:
        tm.model.eval()
        with torch.no_grad():
            loss = float(label_loss(tm, [row], [label], [len(example.candidates)]))
            logits = tm.model(input_ids=torch.tensor([row]), logits_to_keep=1).logits[0, -1, tm.label_ids]
        return loss, int(logits.argmax())

    start, _ = loss_and_top()
    for _ in range(15):
        trainer.train_step()
    end, top = loss_and_top()
    assert end < 0.3 * start and top == label


def test_loss_references_by_hand():
    from recommender.llm.ranker import RankerConfig
    from recommender.train.examples import TrainingExample
    from recommender.train.model import loss_references

    def example(label: int, ranks: list[int]) -> TrainingExample:
        return TrainingExample("u", np.array([0]), np.array([4.0]), np.array([1, 2, 3]), np.array(ranks), label,
                               target=[1, 2, 3][label], target_position=1)

    # shown positions of the answers 0, 0, 1, 2; their retrieval ranks 1, 1, 1, 3
    examples = [example(0, [1, 2, 3]), example(0, [1, 3, 2]), example(1, [2, 1, 3]), example(2, [2, 1, 3])]
    by_position = loss_references(examples, RankerConfig())
    by_rank = loss_references(examples, RankerConfig(labels_by_rank=True))
    assert by_position.uniform == by_rank.uniform == pytest.approx(math.log(3))
    assert by_position.label_prior == pytest.approx(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))
    assert by_rank.label_prior == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    # pointwise scores cannot see positions: the title-blind yardstick is the retrieval-rank prior
    assert loss_references(examples, RankerConfig(scheme="pointwise")).label_prior == pytest.approx(by_rank.label_prior)


def test_rank_prior_and_label_offsets_by_hand():
    from recommender.llm.ranker import RankerConfig
    from recommender.train.examples import TrainingExample
    from recommender.train.model import label_offsets, rank_prior

    def example(label: int, ranks: list[int]) -> TrainingExample:
        return TrainingExample("u", np.array([0]), np.array([4.0]), np.array([1, 2, 3]), np.array(ranks), label,
                               target=[1, 2, 3][label], target_position=1)

    # the targets' retrieval ranks are 1, 1, 2: add-one counts 3, 2, 1 over 6
    examples = [example(0, [1, 2, 3]), example(1, [3, 1, 2]), example(2, [3, 1, 2])]
    prior = rank_prior(examples, 3)
    np.testing.assert_allclose(prior, np.log([3 / 6, 2 / 6, 1 / 6]), atol=1e-6)
    shown = example(0, [3, 1, 2])  # candidates at retrieval ranks 3, 1, 2
    by_position = label_offsets(shown, RankerConfig(rank_prior=prior))
    by_rank = label_offsets(shown, RankerConfig(rank_prior=prior, labels_by_rank=True))
    np.testing.assert_allclose(by_position, [prior[2], prior[0], prior[1]])  # label k names position k
    np.testing.assert_allclose(by_rank, prior)  # label k names rank k + 1
    np.testing.assert_array_equal(label_offsets(shown, RankerConfig()), np.zeros(3))
    inserted = TrainingExample("u", np.array([0]), np.array([4.0]), np.array([1, 2]), None, 0, 1, 1)
    with pytest.raises(ConfigError, match="missed_target 'skip'"):
        rank_prior([inserted], 2)


def test_residual_training_learns_on_top_of_the_prior_and_writes_it(tiny_model_dir, dataset, tmp_path):
    """The loss is the cross-entropy of (label logits + prior), the validation ranker adds the same prior,
    and the adapter's ranker.yaml carries it, so inference scores what training optimised."""
    import torch
    import torch.nn.functional as F

    from recommender.config import read_yaml
    from recommender.train.model import answer_label, encode_example, label_loss, label_offsets, rank_prior

    config = tiny_config(tmp_path / "out", tiny_model_dir, missed_target="skip", labels_by_rank=True,
                         residual=True, epochs=1)
    trainer, tm, examples = trainer_for(config, dataset, tmp_path)
    example = examples[0]
    assert trainer.ranker_config.rank_prior == rank_prior(examples, config.shortlist_size)
    row = encode_example(tm.tokenizer, dataset.catalog, example, trainer.ranker_config)
    label, offsets = answer_label(example, trainer.ranker_config), label_offsets(example, trainer.ranker_config)
    n = len(example.candidates)
    tm.model.eval()
    with torch.no_grad():
        logits = tm.model(input_ids=torch.tensor([row]), logits_to_keep=1).logits[0, -1, tm.label_ids[:n]].float()
        expected = F.cross_entropy((logits + torch.tensor(offsets, dtype=torch.float32))[None], torch.tensor([label]))
        got = label_loss(tm, [row], [label], [n], [offsets])
    assert float(got) == pytest.approx(float(expected), rel=1e-5)
    assert float(got) != pytest.approx(float(label_loss(tm, [row], [label], [n])), rel=1e-3)

    outcome = run_train(config, dataset)
    saved = read_yaml(outcome.out / "ranker.yaml")
    assert saved["labels_by_rank"] is True and len(saved["rank_prior"]) == config.shortlist_size
    assert json.loads((outcome.out / "metrics.json").read_text())["rank_prior"] == saved["rank_prior"]
    assert "Residual:" in (outcome.out / "README.md").read_text()
    with pytest.raises(ConfigError, match="residual needs missed_target 'skip'"):
        tiny_config(tmp_path / "x", tiny_model_dir, missed_target="insert", residual=True)


def test_lr_schedule_by_hand():
    assert lr_multiplier(0, 4, 10, "cosine") == pytest.approx(0.2)
    assert lr_multiplier(3, 4, 10, "cosine") == pytest.approx(0.8)
    assert lr_multiplier(4, 4, 10, "cosine") == pytest.approx(1.0)
    assert lr_multiplier(7, 4, 10, "cosine") == pytest.approx(0.5)  # halfway through the decay
    assert lr_multiplier(7, 4, 10, "linear") == pytest.approx(0.5)
    assert lr_multiplier(10, 4, 10, "linear") == pytest.approx(0.0)
    assert lr_multiplier(9, 0, 10, "constant") == 1.0


# --- save / load ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("quantize", ["none", "4bit"])
def test_saved_adapter_gives_identical_scores(tiny_model_dir, dataset, tmp_path, quantize):
    """Also on a 4-bit base, where asking PEFT for a state dict rewrote bitsandbytes' packed CPU weights
    in place: the model left in memory (still training) then scored differently from the saved adapter."""
    from recommender.llm.backend import LLMConfig, check_adapter_matches, clear_backend_cache, load_backend
    from recommender.llm.ranker import LLMRanker, RankInput
    from recommender.train.model import keep_trainable_layout, ranker_scorer

    config = tiny_config(tmp_path / "out", tiny_model_dir, lr=1e-2, quantize=quantize)
    trainer, tm, examples = trainer_for(config, dataset, tmp_path)
    for _ in range(3):
        trainer.train_step()
    inputs = [RankInput(ex.history, ex.ratings, ex.candidates, None, list(range(1, 21))) for ex in examples[:4]]
    ranker_config = trainer.ranker_config
    tm.model.eval()
    before_saving = ranker_scorer(tm, dataset.catalog, ranker_config)(inputs)  # as a validation does
    trainer.work.save_best(tm.model, 3, {})
    adapter = trainer.work.best_adapter(3)
    saved = json.loads((adapter / "adapter_config.json").read_text())
    assert saved["base_model_name_or_path"] == tm.model_id
    check_adapter_matches(adapter, tm.model_id)
    with pytest.raises(AdapterMismatchError):
        check_adapter_matches(adapter, "HuggingFaceTB/SmolLM2-360M-Instruct")

    in_memory = ranker_scorer(tm, dataset.catalog, ranker_config)(inputs)
    clear_backend_cache()
    try:
        loaded = load_backend(LLMConfig(model=str(tiny_model_dir), quantize=quantize, adapter=str(adapter)), progress=False)
        base = load_backend(LLMConfig(model=str(tiny_model_dir), quantize=quantize), progress=False)
        # The training model runs bitsandbytes' trainable 4-bit kernel, inference its packed CPU kernel,
        # which rounds differently (~1e-2 here); compare the round trip on one kernel.
        keep_trainable_layout(loaded.model)
        reloaded = LLMRanker(loaded, dataset.catalog, ranker_config).score(inputs)
        zero_shot = LLMRanker(base, dataset.catalog, ranker_config).score(inputs)
        # explanations are generated with the (ranking-only) adapter switched off
        prompt = loaded.chat_prompt("Why would I like Heat?")
        assert loaded.generate(prompt, max_new_tokens=12) == base.generate(prompt, max_new_tokens=12)
    finally:
        clear_backend_cache()
    for first, a, b, z in zip(before_saving, in_memory, reloaded, zero_shot):
        np.testing.assert_allclose(a, first, atol=1e-5)  # saving left the live model alone
        np.testing.assert_allclose(a, b, atol=1e-5)
        assert np.abs(a - z).max() > 1e-4  # the adapter changed the scores, and loading applied it


def test_adapter_weights_round_trip_and_a_mismatched_checkpoint_is_refused(tiny_model_dir, tmp_path):
    import torch

    from recommender.train.checkpoint import load_adapter_weights, lora_parameters, save_adapter_weights
    from recommender.train.model import prepare_model

    source = prepare_model(tiny_config(tmp_path / "a", tiny_model_dir, seed=1), progress=False)
    with torch.no_grad():
        for param in lora_parameters(source.model).values():
            param.add_(0.5)  # B starts at 0: make every tensor differ from a fresh adapter
    save_adapter_weights(source.model, tmp_path / "adapter")
    target = prepare_model(tiny_config(tmp_path / "b", tiny_model_dir, seed=2), progress=False)
    load_adapter_weights(target.model, tmp_path / "adapter")
    saved, loaded = lora_parameters(source.model), lora_parameters(target.model)
    assert set(saved) == set(loaded) and all(torch.equal(saved[k], loaded[k]) for k in saved)

    other = prepare_model(tiny_config(tmp_path / "c", tiny_model_dir, target_modules=["q_proj"]), progress=False)
    with pytest.raises(RecommenderError, match="do not match the model's LoRA layers"):
        load_adapter_weights(other.model, tmp_path / "adapter")


# --- the whole command ----------------------------------------------------------------------------------------

def test_train_writes_a_complete_adapter(tiny_model_dir, dataset, tmp_path):
    import yaml

    from recommender.llm.ranker import RankerConfig

    out = tmp_path / "adapter"
    config = tiny_config(out, tiny_model_dir)
    outcome = run_train(config, dataset)
    m = outcome.metrics
    assert is_complete(out) and not (tmp_path / "adapter.partial").exists()
    assert {p.name for p in out.iterdir()} == {MARKER, "adapter_model.safetensors", "adapter_config.json",
                                               "training_config.yaml", "ranker.yaml", "metrics.json", "README.md"}
    assert m["optimizer_steps"] == m["planned_steps"] == 6 and m["examples_seen"] == 12
    assert [p["step"] for p in m["val_curve"]] == [0, 3, 6]
    assert m["best_step"] in (0, 3, 6) and m["best"]["step"] == m["best_step"]
    best = max(m["val_curve"], key=lambda p: p["llm"])
    assert m["best"]["llm"] == best["llm"]  # select_on=llm keeps the best validation step
    assert m["stop_reason"] == "completed" and m["wall_seconds"] > 0
    assert 0 < m["loss_references"]["label_prior"] <= m["loss_references"]["uniform"] == pytest.approx(math.log(20))
    assert json.loads((out / "metrics.json").read_text()) == m
    assert TrainConfig(**yaml.safe_load((out / "training_config.yaml").read_text())) == config
    ranker = RankerConfig(**yaml.safe_load((out / "ranker.yaml").read_text()))
    assert ranker.show_retrieval_rank and ranker.mix_weight == m["best"]["best_mix_weight"]
    assert "recommender train --data" in (out / "README.md").read_text()

    with pytest.raises(RecommenderError, match="already exists"):
        run_train(config, dataset)
    assert run_train(config, dataset, resume=True).already_complete
    again = run_train(config, dataset, overwrite=True)
    assert again.metrics["optimizer_steps"] == 6 and is_complete(out)
    # an --overwrite run interrupted before any checkpoint: --resume runs it, then replaces the old adapter
    WorkDir(tmp_path / "adapter.partial").create({"config": to_dict(config)})
    resumed = run_train(config, dataset, resume=True)
    assert not resumed.already_complete and resumed.metrics["optimizer_steps"] == 6
    assert not (tmp_path / "adapter.partial").exists()


def test_budget_stops_cleanly_and_still_saves(tiny_model_dir, dataset, tmp_path):
    out = tmp_path / "adapter"
    config = tiny_config(out, tiny_model_dir, max_minutes=0.001)
    m = run_train(config, dataset).metrics
    assert m["stop_reason"].startswith("time budget") and m["optimizer_steps"] < m["planned_steps"]
    assert is_complete(out) and (out / "adapter_model.safetensors").is_file()


def test_early_stopping_with_patience(tiny_model_dir, dataset, tmp_path, capsys):
    # lr 0 never changes the weights, so no validation improves on step 0.
    config = tiny_config(tmp_path / "adapter", tiny_model_dir, lr=1e-12, eval_every=1, patience=2, max_examples=20)
    m = run_train(config, dataset).metrics
    assert m["stop_reason"].startswith("early stopping") and m["optimizer_steps"] == 2 and m["best_step"] == 0
    assert "holds the untrained (no-op) adapter" in capsys.readouterr().err


RESUME_SCRIPT = """
import json, sys
sys.path.insert(0, {repo!r})
from recommender.train.config import TrainConfig
from recommender.train.run import train
from tests.synthetic import HashEmbedder, synthetic_dataset
config = TrainConfig(**json.loads(sys.argv[1]))
train(config, dataset=synthetic_dataset(n_items=60, n_users=40, length=12, seed=0), embedder_factory=HashEmbedder,
      progress=False)
"""


def test_resume_after_sigkill_ends_with_the_same_steps(tiny_model_dir, dataset, tmp_path):

    killed_out, clean_out = tmp_path / "killed", tmp_path / "clean"
    config = tiny_config(killed_out, tiny_model_dir, max_examples=None, targets_per_user=3, epochs=2,
                         grad_accum=1, checkpoint_every=1, eval_every=1000)
    script = tmp_path / "train_script.py"
    script.write_text(RESUME_SCRIPT.format(repo=str(REPO)))
    proc = subprocess.Popen([sys.executable, str(script), json.dumps(to_dict(config))], env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    checkpoints = killed_out.with_name("killed.partial") / "checkpoints"
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        done = [p for p in checkpoints.glob("step-*") if is_complete(p)] if checkpoints.is_dir() else []
        if done and max(int(p.name[5:]) for p in done) >= 5:
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"training ended before it could be killed: {proc.stderr.read().decode()[-2000:]}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL and not killed_out.exists()

    resumed = run_train(config, dataset, resume=True).metrics
    clean = run_train(tiny_config(clean_out, tiny_model_dir, **{k: getattr(config, k) for k in (
        "max_examples", "targets_per_user", "epochs", "grad_accum", "checkpoint_every", "eval_every")}), dataset).metrics
    assert resumed["resumed"] and not clean["resumed"]
    assert resumed["optimizer_steps"] == clean["optimizer_steps"] == resumed["planned_steps"] > 5
    assert is_complete(killed_out)
    from safetensors.numpy import load_file

    a = load_file(str(killed_out / "adapter_model.safetensors"))
    b = load_file(str(clean_out / "adapter_model.safetensors"))
    assert a.keys() == b.keys() and all(np.all(np.isfinite(v)) for v in a.values())
    for key in a:  # same data order, RNG states and optimizer state: the same weights
        np.testing.assert_allclose(a[key], b[key], atol=1e-5)


def test_atomic_write_never_leaves_a_partial_directory(tmp_path):
    final = tmp_path / "adapter"

    def write_good(tmp: Path) -> None:
        (tmp / "weights").write_text("v1")

    def write_then_fail(tmp: Path) -> None:
        (tmp / "weights").write_text("half")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        write_dir_atomically(final, write_then_fail)
    assert not final.exists() and list(tmp_path.iterdir()) == []
    write_dir_atomically(final, write_good)
    with pytest.raises(RuntimeError):
        write_dir_atomically(final, write_then_fail)
    assert (final / "weights").read_text() == "v1" and is_complete(final)  # the old one survives a failed replace
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter"]


# --- bad input: one clear line, nothing lost ------------------------------------------------------------------

def cli_error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    return err


def test_unknown_data_set(capsys, tmp_path):
    err = cli_error(capsys, ["train", "--data", "no-such-data", "--out", str(tmp_path / "a"), "--quiet"])
    assert "unknown data set 'no-such-data'" in err
    assert not (tmp_path / "a").exists()


def test_existing_output_is_refused(capsys, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    err = cli_error(capsys, ["train", "--out", str(out), "--quiet"])
    assert "already exists" in err and "--overwrite" in err
    assert (out / "precious.txt").read_text() == "keep me"


def test_interrupted_run_needs_resume_or_overwrite(capsys, tmp_path):
    WorkDir(tmp_path / "a.partial").create({"config": {}})
    err = cli_error(capsys, ["train", "--out", str(tmp_path / "a"), "--quiet"])
    assert "interrupted run" in err and "--resume" in err


def test_unknown_config_field(capsys, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("lora_rank: 8\n")
    err = cli_error(capsys, ["train", "--config", str(config), "--out", str(tmp_path / "a"), "--quiet"])
    assert "unknown config field(s)" in err and "lora_rank" in err


def test_invalid_values(capsys, tmp_path):
    assert "lr must be" in cli_error(capsys, ["train", "--lr", "-1", "--out", str(tmp_path / "a")])
    assert "missed_target must be" in cli_error(capsys, ["train", "--missed-target", "maybe", "--out", "x"])
    assert "output directory is required" in cli_error(capsys, ["train", "--quiet"])
    assert "labels_by_rank needs missed_target 'skip'" in cli_error(
        capsys, ["train", "--labels-by-rank", "--missed-target", "insert", "--out", "x"])


def test_model_without_chat_template(tiny_model_dir, dataset, tmp_path):
    import shutil

    plain = tmp_path / "plain-model"
    shutil.copytree(tiny_model_dir, plain)
    (plain / "chat_template.jinja").unlink()
    tokenizer_config = json.loads((plain / "tokenizer_config.json").read_text())
    tokenizer_config.pop("chat_template", None)
    (plain / "tokenizer_config.json").write_text(json.dumps(tokenizer_config))
    with pytest.raises(ModelError, match="no chat template"):
        run_train(tiny_config(tmp_path / "out", plain), dataset)
    assert not (tmp_path / "out").exists()


def test_unknown_target_module(tiny_model_dir, dataset, tmp_path):
    with pytest.raises(ConfigError, match="target_modules"):
        run_train(tiny_config(tmp_path / "out", tiny_model_dir, target_modules=["no_such_proj"]), dataset)


def test_resume_with_a_different_config_is_refused(tiny_model_dir, dataset, tmp_path):
    out = tmp_path / "out"
    WorkDir(out.with_name("out.partial")).create({"config": to_dict(tiny_config(out, tiny_model_dir))})
    with pytest.raises(ConfigError, match="lr"):
        run_train(tiny_config(out, tiny_model_dir, lr=5e-4), dataset, resume=True)


# --- the real model and data ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_shipped_adapter_is_complete_and_loads():
    from recommender.llm.backend import DEFAULT_MODEL_ID, LLMConfig, check_adapter_matches, clear_backend_cache, load_backend
    from recommender.llm.ranker import LLMRanker, RankerConfig, RankInput

    import yaml

    assert is_complete(SHIPPED), f"{SHIPPED} is missing or incomplete"
    check_adapter_matches(SHIPPED, DEFAULT_MODEL_ID)
    assert (SHIPPED / "adapter_model.safetensors").stat().st_size < 10 * 2**20
    m = json.loads((SHIPPED / "metrics.json").read_text())
    assert m["wall_seconds"] <= 45 * 60 and m["optimizer_steps"] > 0 and m["val_curve"][0]["step"] == 0
    ranker_config = RankerConfig(**yaml.safe_load((SHIPPED / "ranker.yaml").read_text()))
    from recommender.data.registry import load_dataset

    from tests.conftest import RECBOLE_ML100K_DIR

    dataset = load_dataset(str(RECBOLE_ML100K_DIR) if RECBOLE_ML100K_DIR.is_dir() else "ml-100k", progress=False)
    inp = RankInput([0, 1, 2], [5.0, 4.0, 3.0], list(range(10, 30)), None, list(range(1, 21)))
    clear_backend_cache()
    try:
        tuned = LLMRanker(load_backend(LLMConfig(adapter=str(SHIPPED)), progress=False), dataset.catalog, ranker_config)
        base = LLMRanker(load_backend(LLMConfig(), progress=False), dataset.catalog, ranker_config)
        a, b = tuned.score([inp])[0], base.score([inp])[0]
    finally:
        clear_backend_cache()
    assert np.all(np.isfinite(a))
    # Step 0 is the untrained LoRA (B = 0): choosing it means the adapter must score exactly like the base.
    changed = np.abs(a - b).max() > 1e-4
    assert changed == (m["best_step"] != 0)


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["letters", "pointwise"])
def test_real_model_short_run(ml100k_dir, tmp_path, scheme):
    from recommender.train.run import train

    out = tmp_path / "adapter"
    shipped_recipe = dict(scheme="pointwise", residual=True, missed_target="skip", show_year=True, show_genres=True,
                          show_retrieval_rank=False, users=16, targets_per_user=2, max_examples=4)
    values = dict(data=str(ml100k_dir), out=str(out), users=4, targets_per_user=1, val_users=3, grad_accum=1,
                  eval_every=2, lora_layers=4, threads=1, warmup_steps=0)
    config = TrainConfig(**{**values, **(shipped_recipe if scheme == "pointwise" else {})})
    m = train(config, progress=False).metrics
    assert m["optimizer_steps"] == m["planned_steps"] == 4 and m["base_model"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert is_complete(out) and [p["step"] for p in m["val_curve"]] == [0, 2, 4]
