"""Loading the model: the quantized base (no adapter) and its tokenizer, from the embedded checkpoint, a
local directory or the Hugging Face cache, on the CPU or a GPU (used by the backend and by training)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from recommender.errors import ModelError
from recommender.llm.adapters import first_line, normalise_model_id
from recommender.llm.convert import DEFAULT_MODEL_ID, ensure_default_checkpoint

if TYPE_CHECKING:
    from recommender.llm.backend import LLMConfig

class LoadedModel(NamedTuple):
    model: Any
    tokenizer: Any
    model_id: str  # canonical id of the base model


def load_base_model(config: LLMConfig, progress: bool = True) -> LoadedModel:
    """The quantized base model (no adapter) and its left-padding tokenizer; used by training too.
    Leaves torch's thread count alone: inference threads are set by load_backend."""
    _quiet_bitsandbytes()
    device = resolve_device(config.device)
    source, model_id = resolve_model_source(config, progress)
    if progress:
        print(f"Loading {model_id} ({config.quantize}, {device})...", file=sys.stderr, flush=True)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = _from_pretrained(AutoTokenizer, source, config.offline)
    if not getattr(tokenizer, "chat_template", None):
        raise ModelError(f"model {model_id!r} has no chat template; use an instruction-tuned (chat) model")
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    kwargs = _quantization_kwargs(config.quantize, device)
    model = _from_pretrained(AutoModelForCausalLM, source, config.offline, **kwargs)
    if config.quantize == "none":
        model = model.to(device)
    return LoadedModel(model, tokenizer, model_id)


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("device 'cuda' requested but no CUDA GPU is available; use --device cpu or auto")
    return device


def configure_threads(threads: int = 0) -> int:
    """Set torch's CPU threads: `threads`, or by default one less than the cores this process may run
    on (not the host's count, which containers overstate), at least one. The spare core keeps the web
    server and retrieval responsive, and an oversubscribed core is costly (see the module docstring)."""
    import torch

    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(threads or max(1, available - 1))
    return torch.get_num_threads()


def resolve_model_source(config: LLMConfig, progress: bool = True) -> tuple[str, str]:
    """(what to pass to from_pretrained, canonical model id)."""
    if config.model is None:
        return str(ensure_default_checkpoint(config.cache_dir, progress=progress)), DEFAULT_MODEL_ID
    local = Path(config.model).expanduser()
    if local.is_dir():
        return str(local), normalise_model_id(config.model)
    if local.exists() or _looks_like_path(config.model):
        raise ModelError(f"model directory not found: {config.model}")
    return config.model, config.model


def _looks_like_path(name: str) -> bool:
    """Hub ids look like 'name' or 'owner/name'; anything else is meant as a local directory."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or (os.sep != "/" and os.sep in name)


def _quantization_kwargs(quantize: str, device: str) -> dict:
    import torch

    if quantize == "none":
        return {"dtype": torch.float32}
    from transformers import BitsAndBytesConfig

    if quantize == "4bit":
        bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32)
    else:
        bnb = BitsAndBytesConfig(load_in_8bit=True)
    # the current GPU, not GPU 0: under `accelerate launch` each process is pinned to its own
    place = torch.cuda.current_device() if device == "cuda" else "cpu"
    return {"quantization_config": bnb, "device_map": {"": place}}


def _from_pretrained(loader, source: str, offline: bool, **kwargs):
    """Local files first (fast, no network); download only when allowed. Failures become ModelError."""
    try:
        return loader.from_pretrained(source, local_files_only=True, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        if offline or Path(source).is_dir():
            raise ModelError(f"cannot load model {source!r}: {first_line(exc)}") from None
    try:
        return loader.from_pretrained(source, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load model {source!r} (not on disk, download failed): {first_line(exc)}") from None


def _quiet_bitsandbytes() -> None:
    # Both messages repeat per call or per import and say nothing actionable for our users.
    logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)
    logging.getLogger("bitsandbytes.autograd._functions").setLevel(logging.ERROR)
