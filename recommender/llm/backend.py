"""The one language model of the process: loading (quantized, optionally with a LoRA adapter) and the
three things everything else needs from it: chat formatting, next-token logits, greedy streaming.

torch and transformers are imported inside functions so that importing this module stays cheap.

Threads: prompt passes (scoring, the first step of generation) use `threads` (default: the available
cores minus one), one-token generation steps `decode_threads` (default 1). When other processes
compete for the cores, an OpenMP thread that loses its core stalls the others at every barrier. On the
shared 2-core machine (load average 3-6), eval/bench_llm.py measured a median scoring pass of 1.0 s
with 1 thread against 9.7 s with 2, and streaming at 17-21 tokens/s with 1 decode thread while 2
decode threads gave anywhere from 19 down to 1.3 tokens/s between runs (--threads, --decode-threads).
Forward passes run under `torch.inference_mode` with `logits_to_keep=1`, so only the last position
goes through the 49k-word output layer (the bench measures the effect).
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from recommender.config import check, option
from recommender.errors import ModelError
from recommender.llm.adapters import attach_adapter, check_adapter_matches, normalise_model_id
from recommender.llm.convert import DEFAULT_MODEL_ID, ensure_default_checkpoint
from recommender.llm.generation import GenerationMixin, repeated_ngram_completions  # noqa: F401
from recommender.llm.dense_4bit import MODES as DENSE_MODES, dense_4bit_layers, wanted as wants_dense_4bit
from recommender.llm.lean_lora import use_lean_lora
from recommender.llm.loading import (LoadedModel, configure_threads, load_base_model, resolve_device,  # noqa: F401
                                     resolve_model_source)

__all__ = [
    "DEFAULT_MODEL_ID", "LLMConfig", "HFBackend", "LoadedModel", "load_backend", "load_base_model",
    "check_adapter_matches", "normalise_model_id", "ensure_default_checkpoint", "clear_backend_cache",
]

QUANTIZE_MODES = ("4bit", "8bit", "none")
DEVICES = ("auto", "cpu", "cuda")


@dataclass
class LLMConfig:
    model: str | None = option(None, "Hugging Face causal-LM id or local directory with a chat template "
                                     "(default: the embedded SmolLM2-135M-Instruct)")
    quantize: str = option("4bit", "weight quantization: 4bit (NF4), 8bit or none (fp32)")
    adapter: str | None = option(None, "directory of a PEFT LoRA adapter trained for this base model")
    device: str = option("auto", "auto (cuda when available, else cpu), cpu or cuda")
    cache_dir: str = option("~/.cache/recommender/models", "where the converted default model is cached")
    offline: bool = option(False, "never download: use only local directories and the Hugging Face cache")
    threads: int = option(0, "torch CPU threads for scoring prompts (0 = available cores minus one, at least 1)")
    decode_threads: int = option(1, "torch CPU threads while generating token by token (0 = as threads); "
                                    "one-token steps are too small to split, extra threads mostly wait")
    dense_4bit: str = option("auto", "keep 4-bit weights dequantized for inference on CPU, for the memory of "
                                     "dense weights: auto (on CPUs without bitsandbytes' AVX512-BF16 4-bit "
                                     "kernel, where every layer is otherwise dequantized on every step), on or off")

    def __post_init__(self):
        check(self.quantize in QUANTIZE_MODES, f"quantize must be one of {', '.join(QUANTIZE_MODES)}, "
                                               f"not {self.quantize!r}")
        check(self.device in DEVICES, f"device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        check(self.threads >= 0, f"threads must be >= 0, not {self.threads}")
        check(self.decode_threads >= 0, f"decode_threads must be >= 0, not {self.decode_threads}")
        check(self.dense_4bit in DENSE_MODES, f"dense_4bit must be one of {', '.join(DENSE_MODES)}, "
                                              f"not {self.dense_4bit!r}")


class HFBackend(GenerationMixin):
    """A loaded transformers causal LM; implements recommender.types.LLMBackend."""

    def __init__(self, model, tokenizer, model_id: str, device: str, threads: int = 0, decode_threads: int = 0):
        """threads / decode_threads: torch CPU threads for prompt passes and for one-token generation
        steps (0 = leave torch's setting alone)."""
        self.model, self.tokenizer, self.model_id, self.device = model, tokenizer, model_id, device
        self.threads, self.decode_threads = threads, decode_threads or threads
        self._lock = threading.RLock()  # one forward pass at a time: concurrent ones only fight for cores
        self._stop_ids = _stop_token_ids(model, tokenizer)
        self.adapters: dict[str, str] = {}  # named extra adapters (add_adapter), name -> directory
        # the ranker's adapter: PEFT names the adapter a model is loaded with "default"
        self.ranker_adapter: str | None = "default" if hasattr(model, "peft_config") else None
        self._prefix_cache: dict[tuple, Any] = {}  # (prefix ids, adapter) -> KV cache of a fixed prompt start
        self._prefix_computing: dict[tuple, threading.Lock] = {}  # one lock per prompt start (see _prefix_kv)
        self._prefix_guard = threading.Lock()
        self._priority, self._waiting = threading.Condition(), 0  # foreground work waiting (see generation.py)

    @contextlib.contextmanager
    def _running(self, threads: int, adapter: bool | str = True):
        """One forward pass at a time, without autograd, on `threads` threads. `adapter`: True runs the
        ranker's adapter (the one the backend was loaded with, if any), False the base model with every
        LoRA adapter off, a name that adapter (see `add_adapter`)."""
        import torch

        name = self.ranker_adapter if adapter is True else (adapter or None)
        with self._lock, torch.inference_mode(), self._adapter_active(name):
            if threads and torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
            yield

    @contextlib.contextmanager
    def _adapter_active(self, name: str | None):
        if not hasattr(self.model, "set_adapter") or not hasattr(self.model, "peft_config"):
            if name is not None:
                raise ModelError(f"no adapter named {name!r} is loaded")
            yield
            return
        if name is None:
            with self.model.disable_adapter():
                yield
            return
        if name not in self.model.peft_config:
            raise ModelError(f"no adapter named {name!r} is loaded (loaded: {', '.join(self.model.peft_config)})")
        if name != self.model.active_adapter:  # no switch: set_adapter would also freeze an adapter being trained
            # left active afterwards: every forward pass names its adapter, and a switch walks every module
            # (switching there and back cost the explanations a quarter of their time)
            self.model.set_adapter(name, inference_mode=True)
        yield

    def add_adapter(self, name: str, path: str, progress: bool = False) -> None:
        """Load a second LoRA adapter (for example the intent parser's) next to the ranker's, under
        `name`; AdapterMismatchError when it was trained for another base model."""
        from recommender.llm.adapters import load_named_adapter

        with self._lock:
            if name not in self.adapters:
                self.model = load_named_adapter(self.model, name, path, self.model_id, progress)
                use_lean_lora(self.model)
                self.adapters[name] = str(path)

    def _forward(self, threads: int, adapter: bool | str = True, background: bool = False, **inputs):
        with (self._background_turn() if background else contextlib.nullcontext()), self._running(threads, adapter):
            return self.model(**inputs)

    @contextlib.contextmanager
    def _background_turn(self, patience_s: float = 10.0):
        """The model lock for one step of background work, taken only while no foreground work waits
        (see `GenerationMixin.foreground`). The lock is not fair: a background step already queued on it
        would otherwise run before the person's. After `patience_s` the step runs anyway."""
        deadline = time.monotonic() + patience_s
        while True:
            self._yield_to_foreground(max(0.0, deadline - time.monotonic()))
            self._lock.acquire()
            if not self._waiting or time.monotonic() >= deadline:
                break
            self._lock.release()
        try:
            yield
        finally:
            self._lock.release()

    @property
    def stop_ids(self) -> set[int]:
        """Token ids that end the assistant's turn."""
        return set(self._stop_ids)

    def chat_prompt(self, user_message: str, system: str | None = None) -> str:
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": user_message}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def count_tokens(self, text: str) -> int:
        return len(self._encode(text))

    def next_token_logits(self, prompts: Sequence[str], token_ids: Sequence[int], batch_size: int = 8) -> np.ndarray:
        """Logits of `token_ids` right after each prompt. Prompts are batched by length (less padding),
        left-padded so that every row's last position is its answer position."""
        encoded = [self._encode(p) for p in prompts]
        out = np.zeros((len(prompts), len(token_ids)), dtype=np.float32)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        wanted = list(token_ids)
        for start in range(0, len(order), max(1, batch_size)):
            rows = order[start:start + max(1, batch_size)]
            logits = self._last_logits([encoded[i] for i in rows])
            out[rows] = logits[:, wanted]
        return out

    def packed_logits(self, rows: Sequence, token_ids: Sequence[int], batch_size: int = 8) -> list[np.ndarray]:
        """Logits of `token_ids` at each candidate's answer position of packed pointwise rows
        (recommender.llm.pointwise): one (candidates, tokens) array per row."""
        from recommender.llm.pointwise import packed_answer_logits

        out: list[np.ndarray] = [np.zeros((0, len(token_ids)))] * len(rows)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i].ids))
        for start in range(0, len(order), max(1, batch_size)):
            batch = order[start:start + max(1, batch_size)]
            with self._running(self.threads):
                logits = packed_answer_logits(self.model, [rows[i] for i in batch], token_ids,
                                              self.tokenizer.pad_token_id, self.device).cpu().numpy()
            for k, i in enumerate(batch):
                out[i] = logits[k, :len(rows[i].score_at)]
        return out

    def _encode(self, text: str) -> list[int]:
        # Chat-formatted text already holds its special tokens; adding a BOS would duplicate them.
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _last_logits(self, rows: list[list[int]]) -> np.ndarray:
        import torch

        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id
        ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=self.device)
        mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # positions count real tokens only, as in generate()
        out = self._forward(self.threads, input_ids=ids, attention_mask=mask, position_ids=positions,
                            use_cache=False, logits_to_keep=1)
        return out.logits[:, -1, :].float().cpu().numpy()


def _stop_token_ids(model, tokenizer) -> set[int]:
    ids = {tokenizer.eos_token_id}
    generation = getattr(model, "generation_config", None)
    eos = getattr(generation, "eos_token_id", None)
    ids.update(eos if isinstance(eos, (list, tuple)) else [eos])
    end_of_turn = tokenizer.convert_tokens_to_ids("<|im_end|>") if "<|im_end|>" in tokenizer.get_vocab() else None
    ids.add(end_of_turn)
    return {int(i) for i in ids if i is not None}


_BACKENDS: dict[tuple, HFBackend] = {}
_BACKENDS_LOCK = threading.Lock()


def load_backend(config: LLMConfig, progress: bool = True) -> HFBackend:
    """The backend for `config`, loaded once per process per (model, quantize, adapter, device, dense_4bit)."""
    device = resolve_device(config.device)
    adapter = str(Path(config.adapter).expanduser().resolve()) if config.adapter else None
    key = (config.model or DEFAULT_MODEL_ID, config.quantize, adapter, device, config.dense_4bit)
    with _BACKENDS_LOCK:
        if key not in _BACKENDS:
            model, tokenizer, model_id = load_base_model(config, progress=progress)
            if adapter:
                model = attach_adapter(model, adapter, model_id, progress)
                use_lean_lora(model)
            model.eval()
            if wants_dense_4bit(config.dense_4bit, config.quantize, device):
                dense_4bit_layers(model)
            threads = configure_threads(config.threads)
            _BACKENDS[key] = HFBackend(model, tokenizer, model_id, device, threads, config.decode_threads or threads)
        return _BACKENDS[key]


def clear_backend_cache() -> None:
    with _BACKENDS_LOCK:
        _BACKENDS.clear()
