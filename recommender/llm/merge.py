"""A LoRA adapter merged into a copy of the base model, for generation with no adapter overhead.

An unmerged adapter runs two small matrix products and a handful of Python calls next to every one of
its layers' 4-bit products. In one-token generation steps those calls dominate: on the 2-core CPU the
explain adapter (30 layers, 7 projections) made a step 58 ms instead of 41 ms alone and 108 ms instead
of 83 ms for nine rows (`eval/merge_adapters.py` measures it with the quality side by side).

The merge is done once, in full precision: the base checkpoint plus the adapter's product, saved under
the model cache (keyed by the adapter's bytes and the base), then loaded with the backend's own
quantization like the base itself. Merging into the already quantized weights instead would round most
of the adapter's small update away.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recommender.errors import ModelError
from recommender.llm.adapters import check_adapter_matches, first_line

if TYPE_CHECKING:
    from recommender.llm.backend import LLMConfig

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")


def merged_checkpoint_dir(cache_dir: str | Path, base_source: str, adapter: str | Path) -> Path:
    """Where the merge of `adapter` into `base_source` is cached: named by the adapter's directory and
    a hash of its files and the base, so a retrained adapter or another base is merged anew."""
    digest = hashlib.sha256(str(Path(base_source).expanduser().resolve()).encode())
    folder = Path(adapter).expanduser()
    for name in ADAPTER_FILES:
        if (folder / name).is_file():
            digest.update(name.encode())
            digest.update((folder / name).read_bytes())
    return Path(cache_dir).expanduser() / "merged" / f"{folder.resolve().name}-{digest.hexdigest()[:16]}"


def ensure_merged_checkpoint(base_source: str, adapter: str | Path, cache_dir: str | Path,
                             progress: bool = True) -> Path:
    """The merged full-precision checkpoint of `adapter` on `base_source`, built first if not cached.
    Written to a temporary directory and renamed into place, so an interrupted merge leaves nothing."""
    target = merged_checkpoint_dir(cache_dir, base_source, adapter)
    if (target / "config.json").is_file():
        return target
    if progress:
        print(f"Merging LoRA adapter {adapter} into the base model (once; cached in {target.parent})...",
              file=sys.stderr, flush=True)
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".merging-", dir=target.parent))
    try:
        base = AutoModelForCausalLM.from_pretrained(base_source, dtype=torch.float32, local_files_only=True)
        merged = PeftModel.from_pretrained(base, str(adapter), is_trainable=False).merge_and_unload()
        merged.save_pretrained(scratch)
        if target.exists():  # another process merged it meanwhile
            shutil.rmtree(scratch)
        else:
            os.replace(scratch, target)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise ModelError(f"cannot merge adapter {adapter} into {base_source}: {first_line(exc)}") from None
    return target


def load_merged_model(config: LLMConfig, adapter: str | Path, model_id: str, progress: bool = True) -> Any:
    """A second copy of the base model with `adapter` merged in, quantized as `config` says, in eval mode.
    AdapterMismatchError when the adapter was trained for another base."""
    from recommender.llm.loading import _from_pretrained, _quantization_kwargs, resolve_device, resolve_model_source

    check_adapter_matches(adapter, model_id)
    device = resolve_device(config.device)
    source, _ = resolve_model_source(config, progress=False)
    if not Path(source).is_dir():  # a hub id: merge from the files the base was loaded from
        from huggingface_hub import snapshot_download

        source = snapshot_download(source, local_files_only=True)
    merged = ensure_merged_checkpoint(source, adapter, config.cache_dir, progress)
    model = _from_pretrained(_auto_model(), str(merged), True, **_quantization_kwargs(config.quantize, device))
    if config.quantize == "none":
        model = model.to(device)
    return model.eval()


def _auto_model():
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM
