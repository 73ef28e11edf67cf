"""Which base model a LoRA adapter belongs to, and attaching one to a loaded model.

Base models are compared by a normalised id (`normalise_model_id`), so an adapter trained on the
converted default checkpoint (whose path it records) matches the canonical DEFAULT_MODEL_ID.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from recommender.errors import AdapterMismatchError, ModelError
from recommender.llm.convert import DEFAULT_MODEL_ID, canonical_id_of

# Converted checkpoints are named like this (see convert.checkpoint_dir); an adapter trained on one names
# that path as its base, possibly on another machine where the marker file cannot be read.
_CONVERTED_NAME = re.compile(r"^SmolLM2-135M-Instruct-\d+$")


def normalise_model_id(name: str) -> str:
    """The id used to compare base models: the default model's canonical id for the embedded model and
    its converted checkpoints, a resolved path for other local directories, else the id itself."""
    if name == DEFAULT_MODEL_ID:
        return name
    path = Path(name).expanduser()
    canonical = canonical_id_of(path) if path.is_dir() else None
    if canonical or _CONVERTED_NAME.match(path.name):
        return canonical or DEFAULT_MODEL_ID
    return str(path.resolve()) if path.is_dir() else name


def check_adapter_matches(adapter_path: str | Path, model_id: str) -> None:
    """Raise AdapterMismatchError unless the adapter was trained for the base model `model_id`."""
    config_file = Path(adapter_path).expanduser() / "adapter_config.json"
    if not Path(adapter_path).expanduser().is_dir():
        raise ModelError(f"adapter directory not found: {adapter_path}")
    if not config_file.is_file():
        raise ModelError(f"{adapter_path} is not a LoRA adapter directory (no adapter_config.json)")
    try:
        base = json.loads(config_file.read_text(encoding="utf-8")).get("base_model_name_or_path")
    except (OSError, ValueError, AttributeError) as exc:
        raise ModelError(f"{config_file}: not a valid adapter config ({exc})") from None
    if not base:
        raise ModelError(f"{config_file}: base_model_name_or_path is missing")
    if normalise_model_id(str(base)) != normalise_model_id(model_id):
        raise AdapterMismatchError(
            f"adapter {adapter_path} was trained for base model {base!r}, but the loaded model is {model_id!r}; "
            f"load that base model (--model) or use an adapter trained for {model_id!r}")


def attach_adapter(model, adapter: str, model_id: str, progress: bool):
    check_adapter_matches(adapter, model_id)
    if progress:
        print(f"Loading LoRA adapter {adapter}...", file=sys.stderr, flush=True)
    from peft import PeftModel

    try:
        return PeftModel.from_pretrained(model, adapter, is_trainable=False)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelError(f"cannot load adapter {adapter}: {first_line(exc)}") from None


def first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_named_adapter(model, name: str, adapter: str, model_id: str, progress: bool = False):
    """`model` with the LoRA adapter at `adapter` loaded under `name` (not active). A model without
    adapters is wrapped in a PeftModel first; its own active adapter stays active."""
    check_adapter_matches(adapter, model_id)
    if progress:
        print(f"Loading LoRA adapter {adapter} ({name})...", file=sys.stderr, flush=True)
    from peft import PeftModel

    try:
        if not isinstance(model, PeftModel):
            wrapped = PeftModel.from_pretrained(model, adapter, adapter_name=name, is_trainable=False)
            return wrapped
        active = model.active_adapter
        model.load_adapter(adapter, adapter_name=name, is_trainable=False)
        model.set_adapter(active, inference_mode=True)
        return model
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelError(f"cannot load adapter {adapter}: {first_line(exc)}") from None
