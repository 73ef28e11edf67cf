import json
import math
import string

import numpy as np
import pytest

from recommender.errors import AdapterMismatchError, ConfigError, ModelError
from recommender.llm import backend as backend_module
from recommender.llm.backend import (
    DEFAULT_MODEL_ID, HFBackend, LLMConfig, check_adapter_matches, load_backend, load_base_model,
    repeated_ngram_completions,
)
from recommender.llm.convert import MARKER_FILE

CHAT_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                 "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def write_adapter(directory, base) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": base, "r": 8}))
    return str(directory)


# --- configuration and adapters ---------------------------------------------------------------


def test_llm_config_is_validated():
    with pytest.raises(ConfigError, match="quantize must be one of 4bit, 8bit, none"):
        LLMConfig(quantize="3bit")
    with pytest.raises(ConfigError, match="device"):
        LLMConfig(device="tpu")
    assert LLMConfig().quantize == "4bit" and LLMConfig().model is None


def test_adapter_for_another_base_model_is_refused_naming_both(tmp_path):
    adapter = write_adapter(tmp_path / "lora", "meta-llama/Llama-3.2-1B-Instruct")
    with pytest.raises(AdapterMismatchError) as err:
        check_adapter_matches(adapter, DEFAULT_MODEL_ID)
    assert "meta-llama/Llama-3.2-1B-Instruct" in str(err.value) and DEFAULT_MODEL_ID in str(err.value)
    assert isinstance(err.value, ModelError)


def test_adapter_for_the_default_model_matches_by_id_or_converted_path(tmp_path):
    check_adapter_matches(write_adapter(tmp_path / "a", DEFAULT_MODEL_ID), DEFAULT_MODEL_ID)
    converted = tmp_path / "cache" / "SmolLM2-135M-Instruct-98362432"
    converted.mkdir(parents=True)
    (converted / MARKER_FILE).write_text(json.dumps({"canonical_id": DEFAULT_MODEL_ID}))
    check_adapter_matches(write_adapter(tmp_path / "b", str(converted)), DEFAULT_MODEL_ID)
    # trained on another machine: the path does not exist here, its converted-checkpoint name still counts
    check_adapter_matches(write_adapter(tmp_path / "c", "/home/x/.cache/m/SmolLM2-135M-Instruct-98362432"),
                          DEFAULT_MODEL_ID)
    check_adapter_matches(write_adapter(tmp_path / "d", DEFAULT_MODEL_ID), str(converted))


def test_missing_or_invalid_adapter_is_a_clear_model_error(tmp_path):
    with pytest.raises(ModelError, match="adapter directory not found"):
        check_adapter_matches(tmp_path / "nope", DEFAULT_MODEL_ID)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no adapter_config.json"):
        check_adapter_matches(tmp_path / "empty", DEFAULT_MODEL_ID)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "adapter_config.json").write_text("{not json")
    with pytest.raises(ModelError, match="not a valid adapter config"):
        check_adapter_matches(tmp_path / "bad", DEFAULT_MODEL_ID)
    with pytest.raises(ModelError, match="base_model_name_or_path is missing"):
        check_adapter_matches(write_adapter(tmp_path / "nobase", ""), DEFAULT_MODEL_ID)


def test_missing_model_is_a_clear_model_error(tmp_path):
    with pytest.raises(ModelError, match="model directory not found"):
        load_base_model(LLMConfig(model=str(tmp_path / "no-such-model"), device="cpu"), progress=False)
    (tmp_path / "empty-model").mkdir()
    with pytest.raises(ModelError, match="cannot load model"):
        load_base_model(LLMConfig(model=str(tmp_path / "empty-model"), device="cpu"), progress=False)
    with pytest.raises(ModelError, match="cannot load model 'nobody/no-such-model'"):
        load_base_model(LLMConfig(model="nobody/no-such-model", device="cpu", offline=True), progress=False)


def test_load_backend_loads_once_per_model_quantization_adapter_and_device(monkeypatch):
    loads = []

    def fake_load(config, progress=True):
        loads.append(config.quantize)
        return backend_module.LoadedModel(_EvalOnly(), _tiny_tokenizer(), DEFAULT_MODEL_ID)

    monkeypatch.setattr(backend_module, "load_base_model", fake_load)
    backend_module.clear_backend_cache()
    try:
        first = load_backend(LLMConfig(device="cpu"), progress=False)
        assert load_backend(LLMConfig(device="cpu", cache_dir="/elsewhere"), progress=False) is first
        assert load_backend(LLMConfig(device="cpu", quantize="8bit"), progress=False) is not first
        assert load_backend(LLMConfig(device="cpu", dense_4bit="off"), progress=False) is not first
        assert loads == ["4bit", "8bit", "4bit"]
    finally:
        backend_module.clear_backend_cache()


class _EvalOnly:
    def eval(self):
        return self

    def modules(self):
        return iter(())


# --- a tiny random Llama, to test the backend's mechanics without the real model ----------------


def _tiny_tokenizer(chat_template: str | None = CHAT_TEMPLATE):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<unk>", "<|im_start|>", "<|im_end|>"]
    vocab = {token: i for i, token in enumerate(specials + list(string.printable))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")  # one token per character
    tok.decoder = decoders.Fuse()
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>",
                                 eos_token="<|im_end|>", additional_special_tokens=["<|im_start|>"])
    hf.chat_template = chat_template
    return hf


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tokenizer = _tiny_tokenizer()
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         pad_token_id=0, eos_token_id=3, bos_token_id=2, tie_word_embeddings=True)
    directory = tmp_path_factory.mktemp("tiny-llama")
    LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def tiny_backend(tiny_model_dir) -> HFBackend:
    model, tokenizer, model_id = load_base_model(
        LLMConfig(model=str(tiny_model_dir), quantize="none", device="cpu"), progress=False)
    return HFBackend(model.eval(), tokenizer, model_id, "cpu")


def test_local_model_id_is_its_resolved_path(tiny_backend, tiny_model_dir):
    assert tiny_backend.model_id == str(tiny_model_dir.resolve())
    assert tiny_backend.tokenizer.padding_side == "left"


def test_next_token_logits_with_left_padding_equal_unpadded_forward_passes(tiny_backend):
    import torch

    prompts = [tiny_backend.chat_prompt(text) for text in ("Hi", "A much longer prompt here", "Mid size")]
    wanted = [40, 41, 42]
    batched = tiny_backend.next_token_logits(prompts, wanted, batch_size=3)
    assert batched.shape == (3, 3)
    for row, prompt in zip(batched, prompts):
        ids = torch.tensor([tiny_backend.tokenizer(prompt, add_special_tokens=False)["input_ids"]])
        with torch.no_grad():
            reference = tiny_backend.model(ids).logits[0, -1, wanted].numpy()
        np.testing.assert_allclose(row, reference, atol=1e-4)
    np.testing.assert_allclose(tiny_backend.next_token_logits(prompts, wanted, batch_size=1), batched, atol=1e-4)


def test_stream_is_greedy_decoding(tiny_backend):
    import torch

    prompt = tiny_backend.chat_prompt("Say something")
    streamed = list(tiny_backend.stream(prompt, max_new_tokens=12, no_repeat_ngram=0))
    ids = torch.tensor([tiny_backend.tokenizer(prompt, add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        out = tiny_backend.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12,
                                          do_sample=False, eos_token_id=3, pad_token_id=0)
    expected = tiny_backend.tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)
    assert "".join(streamed) == expected and len(streamed) >= 1


def test_prompt_passes_and_generation_steps_use_their_own_thread_counts(tiny_backend):
    import torch

    before = torch.get_num_threads()
    backend = HFBackend(tiny_backend.model, tiny_backend.tokenizer, "tiny", "cpu", threads=2, decode_threads=1)
    try:
        prompt = backend.chat_prompt("Hi")
        backend.next_token_logits([prompt], [40])
        assert torch.get_num_threads() == 2
        backend.generate(prompt, max_new_tokens=3)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_repeated_ngrams_are_banned():
    assert repeated_ngram_completions([1, 2, 3, 1, 2], 3) == [3]  # "1 2" was followed by 3
    assert repeated_ngram_completions([1, 2, 1, 2, 1], 2) == [2, 2]
    assert repeated_ngram_completions([1, 2, 3], 3) == []
    assert repeated_ngram_completions([1, 1, 1], 0) == []


def test_tokenizer_without_chat_template_is_a_model_error(tiny_model_dir, tmp_path):
    import shutil

    shutil.copytree(tiny_model_dir, tmp_path / "m")
    for name in ("chat_template.jinja", "tokenizer_config.json"):
        (tmp_path / "m" / name).unlink(missing_ok=True)
    _tiny_tokenizer(chat_template=None).save_pretrained(tmp_path / "m")
    with pytest.raises(ModelError, match="no chat template"):
        load_base_model(LLMConfig(model=str(tmp_path / "m"), quantize="none", device="cpu"), progress=False)


# --- the real embedded model (slow) -------------------------------------------------------------


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    """A fresh cache dir holding the converted default checkpoint (converted once per module)."""
    from recommender.llm.convert import ensure_default_checkpoint

    cache = tmp_path_factory.mktemp("models")
    ensure_default_checkpoint(cache, progress=False)
    return cache


@pytest.mark.slow
def test_converted_checkpoint_reproduces_the_gguf_model(model_cache):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from recommender.llm.convert import canonical_id_of, default_gguf_path, ensure_default_checkpoint, load_gguf_model

    path = ensure_default_checkpoint(model_cache, progress=False)  # cached: no second conversion
    assert canonical_id_of(path) == DEFAULT_MODEL_ID
    assert [p.name for p in model_cache.iterdir()] == [path.name]  # no temporary directory left behind
    gguf_model, gguf_tokenizer = load_gguf_model(default_gguf_path())
    model, tokenizer = AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    assert tokenizer.chat_template == gguf_tokenizer.chat_template
    assert model.get_output_embeddings().weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "Recommend a film like Heat."}],
                                           tokenize=False, add_generation_prompt=True)
    ids = torch.tensor([tokenizer(prompt, add_special_tokens=False)["input_ids"]])
    with torch.inference_mode():
        torch.testing.assert_close(model(ids).logits, gguf_model(ids).logits, atol=1e-5, rtol=1e-5)


def test_batched_generation_equals_greedy_generation_row_by_row(tiny_backend):
    """Rows of different lengths after a shared, cached prefix (left padding, positions counting real
    tokens only) generate exactly what each prompt generates alone."""
    prefix = "<|im_start|>user\n"
    rests = ["hello there<|im_end|>", "a<|im_end|>", "what is this?<|im_end|>"]

    def finished(text, wants_stop):
        return wants_stop or len(text) >= 12

    greedy = [lambda text, candidates: candidates[0][0]] * len(rests)
    batched = dict(tiny_backend.generate_batch(prefix, rests, greedy, finished, max_new_tokens=12))
    for row, rest in enumerate(rests):
        alone = tiny_backend.generate(prefix + rest, max_new_tokens=12, no_repeat_ngram=0)
        assert batched[row] == alone[:12]
    first_only = dict(tiny_backend.generate_batch(prefix, rests[:1], greedy, finished, max_new_tokens=12))
    assert first_only[0] == batched[0]


class ForcingPolicy:
    """Greedy, and after every choice `force` extra tokens (as a grammar forces keys and brackets)."""

    def __init__(self, force: list[int], steps: int):
        self.force, self.steps, self.done = force, steps, False

    def __call__(self, logits):
        self.steps -= 1
        self.done = self.steps == 0
        return [int(np.argmax(logits))] + self.force


def test_rows_fed_different_numbers_of_tokens_per_step_decode_as_they_would_alone(tiny_backend):
    prefix = "<|im_start|>user\n"
    rests = ["hello there<|im_end|>", "a<|im_end|>", "what is this?<|im_end|>"]
    forced = [[], [5, 6, 7], [8]]
    batched = dict(tiny_backend.decode_batch(prefix, rests, [ForcingPolicy(f, 4) for f in forced], 10))
    for row, rest in enumerate(rests):
        alone = dict(tiny_backend.decode_batch(prefix, [rest], [ForcingPolicy(forced[row], 4)], 10))
        assert batched[row] == alone[0] and len(alone[0]) == 4 * (1 + len(forced[row]))


def test_sessions_asking_for_the_same_prompt_start_at_once_share_one_pass(tiny_backend, monkeypatch):
    """Under load, eight sessions' explanations began at once and each ran the same prompt start's pass,
    one after another, ahead of the messages people were waiting on; now the first computes it and the
    others wait for it. Background work computes it at background priority."""
    import threading
    import time

    prefix = "<|im_start|>system\nshared start of eight sessions<|im_end|>\n"
    width = len(tiny_backend._encode(prefix))
    forward, passes = tiny_backend._forward, []

    def slow(*args, **inputs):
        if inputs["input_ids"].shape == (1, width):
            passes.append(inputs.get("background", False))
            time.sleep(0.2)  # long enough for every thread to ask before the first pass ends
        return forward(*args, **inputs)

    monkeypatch.setattr(tiny_backend, "_forward", slow)
    results = {}

    def decode(i):
        results[i] = dict(tiny_backend.decode_batch(prefix, [f"row {i}<|im_end|>"], [ForcingPolicy([], 2)], 5,
                                                    background=True))

    threads = [threading.Thread(target=decode, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert passes == [True] and len(results) == 4
    assert results[0] == dict(tiny_backend.decode_batch(prefix, ["row 0<|im_end|>"], [ForcingPolicy([], 2)], 5))


def test_finished_rows_leave_the_batch_and_the_rest_decode_as_they_would_alone(tiny_backend, monkeypatch):
    """A row that has ended costs no more work: later steps run only the rows still writing."""
    prefix = "<|im_start|>user\n"
    rests = ["hello there<|im_end|>", "a<|im_end|>", "what is this?<|im_end|>"]
    steps = [2, 6, 4]
    rows_per_step = []
    forward = tiny_backend._forward

    def counting(*args, **inputs):
        rows_per_step.append(inputs["input_ids"].shape[0])
        return forward(*args, **inputs)

    monkeypatch.setattr(tiny_backend, "_forward", counting)
    batched = dict(tiny_backend.decode_batch(prefix, rests, [ForcingPolicy([], n) for n in steps], 10))
    assert rows_per_step[-6:] == [3, 3, 2, 2, 1, 1]  # row 0 ends after 2 steps, row 2 after 4, row 1 after 6
    monkeypatch.setattr(tiny_backend, "_forward", forward)
    for row, rest in enumerate(rests):
        assert batched[row] == dict(tiny_backend.decode_batch(prefix, [rest], [ForcingPolicy([], steps[row])], 10))[0]


def test_a_row_that_joins_a_running_batch_decodes_as_it_would_alone(tiny_backend):
    """A message arriving while others are decoded joins the batch at its next step (a continuous batch):
    its cache starts as the prompt start's, padded to the batch's length and masked."""
    prefix = "<|im_start|>user\n"
    rests = ["hello there<|im_end|>", "a<|im_end|>"]
    late = ["what is this, a longer one?<|im_end|>", "b<|im_end|>"]
    arrivals = {2: [(late[0], ForcingPolicy([8], 4))], 4: [(late[1], ForcingPolicy([], 3))]}
    step = [0]

    def joining():
        step[0] += 1
        return arrivals.get(step[0], [])

    batched = dict(tiny_backend.decode_batch(prefix, rests, [ForcingPolicy([5, 6], 4), ForcingPolicy([], 6)], 10,
                                             joining=joining))
    alone = [dict(tiny_backend.decode_batch(prefix, [rest], [policy], 10))[0]
             for rest, policy in [(rests[0], ForcingPolicy([5, 6], 4)), (rests[1], ForcingPolicy([], 6)),
                                  (late[0], ForcingPolicy([8], 4)), (late[1], ForcingPolicy([], 3))]]
    assert [batched[row] for row in range(4)] == alone


def test_text_a_row_must_write_is_fed_in_one_step_and_decoding_goes_on_after_it(tiny_backend):
    """`force` writes a title's rest at once: the row's text holds it, and the next choice follows it."""
    greedy = [lambda text, candidates: candidates[0][0]]
    force = [lambda text: " world" if text and "world" not in text else None]
    steps = []

    def finished(text, wants_stop):
        steps.append(text)
        return len(steps) > 3

    out = dict(tiny_backend.generate_batch("<|im_start|>user\n", ["hi<|im_end|>"], greedy, finished, 10, force=force))
    assert " world" in out[0] and not out[0].startswith(" world")  # one free choice, then the forced text
    assert steps[2].endswith(" world")  # forced in a single step, the next step chose after it


def test_a_gate_that_refuses_every_token_ends_the_row_with_what_it_has(tiny_backend):
    never = [lambda text, candidates: None]
    assert dict(tiny_backend.generate_batch("<|im_start|>", ["x"], never, lambda t, s: False, 5)) == {0: ""}


@pytest.fixture(scope="module")
def ml100k_catalog(ml100k_dir):
    from recommender.data.loaders import load_recbole

    return load_recbole(ml100k_dir, "ml-100k")


@pytest.mark.slow
def test_end_to_end_rank_with_the_4bit_model(model_cache, ml100k_catalog):
    from recommender.llm.ranker import LLMRanker, RankerConfig, RankInput, build_rank_prompt, ranked_order

    backend = load_backend(LLMConfig(cache_dir=str(model_cache), device="cpu"), progress=False)
    assert backend.model_id == DEFAULT_MODEL_ID and getattr(backend.model, "is_loaded_in_4bit", False)
    catalog = ml100k_catalog.catalog
    rng = np.random.default_rng(7)
    inputs = []
    for query in (None, "a funny animated film", "something scary"):
        items = rng.choice(len(catalog), 28, replace=False).tolist()
        inputs.append(RankInput(items[:8], [5.0, 4.0, 3.0, 5.0, math.nan, 4.0, 2.0, 5.0], items[8:], query))
    config = RankerConfig(batch_size=3)
    assert max(backend.count_tokens(build_rank_prompt(backend, catalog, i, config)) for i in inputs) <= 400
    ranker = LLMRanker(backend, catalog, config)
    batched = ranker.score(inputs)
    for inp, scores in zip(inputs, batched):
        assert scores.shape == (20,) and np.isfinite(scores).all()
        assert np.exp(scores).sum() == pytest.approx(1.0)
        ranked = [inp.candidates[p] for p in ranked_order(scores)]
        assert sorted(ranked) == sorted(inp.candidates)  # every ranked item is a candidate, each once
    # batching with left padding changes the numbers only by the 4-bit kernel's bf16 rounding
    single = LLMRanker(backend, catalog, RankerConfig(batch_size=1)).score(inputs[:1])[0]
    np.testing.assert_allclose(single, batched[0], atol=0.25)



@pytest.mark.slow
def test_lora_adapter_loads_on_the_quantized_model_and_a_mismatch_is_refused(model_cache, tmp_path):
    from peft import LoraConfig, get_peft_model

    base = load_base_model(LLMConfig(cache_dir=str(model_cache), quantize="none", device="cpu"), progress=False)
    lora = get_peft_model(base.model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    lora.save_pretrained(tmp_path / "lora")  # records the converted checkpoint's path as its base
    config = LLMConfig(cache_dir=str(model_cache), device="cpu", adapter=str(tmp_path / "lora"))
    with_adapter = load_backend(config, progress=False)
    plain = load_backend(LLMConfig(cache_dir=str(model_cache), device="cpu"), progress=False)
    prompt = plain.chat_prompt("Pick one: A or B?")
    assert not np.allclose(with_adapter.next_token_logits([prompt], [49, 50]),
                           plain.next_token_logits([prompt], [49, 50]))

    write_adapter(tmp_path / "other", "Qwen/Qwen2.5-0.5B-Instruct")
    with pytest.raises(AdapterMismatchError, match="Qwen/Qwen2.5-0.5B-Instruct"):
        load_backend(LLMConfig(cache_dir=str(model_cache), device="cpu", adapter=str(tmp_path / "other")),
                     progress=False)


def test_a_background_step_queued_on_the_model_gives_its_turn_to_foreground_work(tiny_backend):
    """Eight sessions' explanations queued on the model lock used to run before a person's message."""
    import threading
    import time

    import torch

    backend = HFBackend(tiny_backend.model, tiny_backend.tokenizer, "tiny", "cpu")
    ids = torch.tensor([backend._encode(backend.chat_prompt("Hi"))])
    order: list[str] = []

    def background_step():
        backend._forward(0, False, background=True, input_ids=ids)
        order.append("background")

    backend._lock.acquire()  # a forward pass in progress
    worker = threading.Thread(target=background_step)
    worker.start()
    time.sleep(0.2)  # the background step now waits on the lock, no foreground work being there
    with backend.foreground():
        backend._lock.release()
        time.sleep(0.2)
        assert order == []  # it took the lock, saw the person's work waiting and gave it back
        backend._forward(0, False, input_ids=ids)
        order.append("foreground")
    worker.join(10)
    assert order == ["foreground", "background"]


def test_each_forward_pass_runs_the_adapter_it_names_in_any_order(tiny_model_dir, tmp_path):
    """Adapters are no longer switched back after each pass (the switch walks every module and cost the
    explanations a quarter of their time), so each pass must still get exactly the adapter it names."""
    import torch
    from peft import LoraConfig, get_peft_model

    for name in ("ranker", "other"):
        base = load_base_model(LLMConfig(model=str(tiny_model_dir), quantize="none", device="cpu"), progress=False)
        lora = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
        get_peft_model(base.model, lora).save_pretrained(tmp_path / name)
    backend = load_backend(LLMConfig(model=str(tiny_model_dir), quantize="none", device="cpu",
                                     adapter=str(tmp_path / "ranker")), progress=False)
    backend.add_adapter("other", str(tmp_path / "other"))
    ids = torch.tensor([backend._encode(backend.chat_prompt("Hi"))])

    def logits(adapter):
        return backend._forward(0, adapter, input_ids=ids).logits[0, -1].numpy().copy()

    first = {adapter: logits(adapter) for adapter in (True, "other", False)}
    for adapter in ("other", True, False, "other", True, False, True):
        np.testing.assert_allclose(logits(adapter), first[adapter], atol=1e-5)
    assert not np.allclose(first[True], first["other"]) and not np.allclose(first[True], first[False])


def test_the_lean_lora_forward_computes_bitwise_what_peft_computes(tiny_model_dir):
    import torch
    from peft import LoraConfig, get_peft_model

    from recommender.llm.lean_lora import use_lean_lora

    torch.manual_seed(0)
    base = load_base_model(LLMConfig(model=str(tiny_model_dir), quantize="none", device="cpu"), progress=False)
    model = get_peft_model(base.model, LoraConfig(r=4, target_modules=["q_proj", "v_proj", "down_proj"],
                                                  init_lora_weights=False)).eval()
    ids = torch.tensor([[5, 17, 30, 42, 8, 9]])
    with torch.inference_mode():
        reference = model(input_ids=ids).logits
        with model.disable_adapter():
            without = model(input_ids=ids).logits
    assert use_lean_lora(model) == 6 and use_lean_lora(model) == 0  # two layers x three modules, once
    with torch.inference_mode():
        assert torch.equal(model(input_ids=ids).logits, reference)
        with model.disable_adapter():
            assert torch.equal(model(input_ids=ids).logits, without)
    model.train()  # training runs PEFT's own forward: the adapter still gets its gradient
    model(input_ids=ids).logits.sum().backward()
    assert all(p.grad is not None for n, p in model.named_parameters() if "lora_" in n)


def test_dense_4bit_layers_compute_bitwise_what_bitsandbytes_computes(tiny_model_dir):
    """On CPUs without bitsandbytes' 4-bit kernel every step dequantized every layer again; the dense
    forward keeps the dequantized weight and must give the same logits, bit for bit, with a LoRA
    adapter on top (one prompt pass and one-token steps: bitsandbytes takes another path for a
    single row), and leave training to bitsandbytes' own forward."""
    import torch
    from peft import LoraConfig, get_peft_model

    from recommender.llm.dense_4bit import dense_4bit_layers

    torch.manual_seed(0)
    base = load_base_model(LLMConfig(model=str(tiny_model_dir), quantize="4bit", device="cpu"), progress=False)
    model = get_peft_model(base.model, LoraConfig(r=4, target_modules=["q_proj", "down_proj"],
                                                  init_lora_weights=False)).eval()
    for module in model.modules():  # the reference is bitsandbytes' generic path, also on a CPU with its kernel
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False
    prompt, step = torch.tensor([[5, 17, 30, 42, 8, 9]]), torch.tensor([[11]])
    with torch.inference_mode():
        reference = [model(input_ids=ids).logits for ids in (prompt, step)]
    assert dense_4bit_layers(model) == 14 and dense_4bit_layers(model) == 0  # 2 layers x 7 projections, once
    with torch.inference_mode():
        assert all(torch.equal(model(input_ids=ids).logits, ref) for ids, ref in zip((prompt, step), reference))
    model.train()
    model(input_ids=prompt).logits.sum().backward()
    assert all(p.grad is not None for n, p in model.named_parameters() if "lora_" in n)


def test_dense_4bit_leaves_layers_already_repacked_for_the_kernel_alone(tiny_model_dir):
    """A layer bitsandbytes has repacked for its AVX512-BF16 kernel (its first forward in eval mode on such a
    CPU) holds weights in another layout: dequantizing those as plain NF4 would give wrong weights."""
    from bitsandbytes.nn import Linear4bit

    from recommender.llm.dense_4bit import dense_4bit_layers

    model = load_base_model(LLMConfig(model=str(tiny_model_dir), quantize="4bit", device="cpu"), progress=False).model
    layers = [m for m in model.modules() if isinstance(m, Linear4bit)]
    layers[0].weight.quant_state.packing_format_for_cpu = True  # as bitsandbytes marks a repacked layer
    assert dense_4bit_layers(model) == len(layers) - 1
    assert "forward" not in vars(layers[0]) and all(hasattr(m, "dense_weight") for m in layers[1:])


def test_dense_4bit_is_used_only_for_4bit_on_cpu_and_by_default_only_without_the_kernel(monkeypatch):
    from recommender.llm import dense_4bit

    monkeypatch.setattr(dense_4bit, "has_4bit_cpu_kernel", lambda: False)
    assert dense_4bit.wanted("auto", "4bit", "cpu") and dense_4bit.wanted("on", "4bit", "cpu")
    assert not dense_4bit.wanted("off", "4bit", "cpu")
    assert not any(dense_4bit.wanted(mode, q, d) for mode in dense_4bit.MODES
                   for q, d in (("8bit", "cpu"), ("none", "cpu"), ("4bit", "cuda")))
    monkeypatch.setattr(dense_4bit, "has_4bit_cpu_kernel", lambda: True)
    assert not dense_4bit.wanted("auto", "4bit", "cpu") and dense_4bit.wanted("on", "4bit", "cpu")
    with pytest.raises(ConfigError, match="dense_4bit must be one of auto, on, off"):
        LLMConfig(dense_4bit="yes")
