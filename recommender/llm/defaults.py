"""Which model, quantization and adapter a command uses, and how the ranker is configured for it.

`--adapter default` picks the adapter shipped in adapters/ when its base model is the loaded model
(and says so); `--adapter none` turns adapters off; anything else is a path. An adapter directory may
carry `ranker.yaml` (RankerConfig fields, e.g. the prompt options it was trained with and the mix
weight tuned on validation), so inference uses the same prompt as training.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path

from recommender.errors import ModelError

SHIPPED_ADAPTER = "smollm2-135m-ml100k-pointwise"
SHIPPED_INTENT_ADAPTER = "smollm2-135m-intent"
SHIPPED_EXPLAIN_ADAPTER = "smollm2-135m-explain"


def adapters_root() -> Path:
    return Path(__file__).resolve().parents[2] / "adapters"


def shipped_adapter(name: str = SHIPPED_ADAPTER) -> Path | None:
    path = adapters_root() / name
    return path if (path / "adapter_config.json").is_file() else None


def adapter_base(path: Path) -> str | None:
    try:
        return json.loads((path / "adapter_config.json").read_text()).get("base_model_name_or_path")
    except (OSError, ValueError):
        return None


def resolve_adapter(spec: str | None, model: str | None, quiet: bool = False, name: str = SHIPPED_ADAPTER,
                    flag: str = "--adapter") -> str | None:
    """'none'/None -> None; 'default' -> the shipped adapter `name` when it fits the model; else the path."""
    from recommender.llm.backend import DEFAULT_MODEL_ID, normalise_model_id

    if spec is None or spec.lower() == "none":
        return None
    if spec != "default":
        if not Path(spec).is_dir():
            raise ModelError(f"adapter directory not found: {spec}")
        return spec
    shipped = shipped_adapter(name)
    loaded = normalise_model_id(model) if model else DEFAULT_MODEL_ID
    if shipped is None:
        return None
    base = adapter_base(shipped)
    if base is None or normalise_model_id(base) != loaded:
        if not quiet:
            print(f"not using the shipped adapter {name}: it was trained for {base}, not {loaded}", file=sys.stderr)
        return None
    if not quiet:
        print(f"using the shipped LoRA adapter {shipped.relative_to(adapters_root().parent)} "
              f"({flag} none turns it off)", file=sys.stderr)
    return str(shipped)


def resolve_intent_adapter(spec: str | None, model: str | None, quiet: bool = False) -> str | None:
    """The intent model's adapter: 'default' (the shipped one when its base is the model), 'none'
    (the chat then reads messages with the rule parser only) or a directory."""
    return resolve_adapter(spec, model, quiet, SHIPPED_INTENT_ADAPTER, "--intent")


def llm_config_from(model: str | None, quantize: str, adapter: str | None, quiet: bool = False):
    from recommender.llm.backend import LLMConfig

    return LLMConfig(model=model, quantize=quantize, adapter=resolve_adapter(adapter, model, quiet))


def ranker_config_for(adapter: str | None, **overrides):
    """RankerConfig with the adapter's saved ranker settings (ranker.yaml), then `overrides`."""
    from recommender.config import read_yaml
    from recommender.llm.ranker import RankerConfig

    values = {}
    if adapter and (Path(adapter) / "ranker.yaml").is_file():
        saved = read_yaml(Path(adapter) / "ranker.yaml")
        known = {f.name for f in fields(RankerConfig)}
        values = {k: v for k, v in saved.items() if k in known}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return RankerConfig(**values)


def resolve_explain_adapter(spec: str | None, model: str | None, quiet: bool = False) -> str | None:
    """The explainer's adapter: 'default' (the shipped one when its base is the model), 'none' (plain
    renderings of the facts, no LLM writing) or a directory."""
    return resolve_adapter(spec, model, quiet, SHIPPED_EXPLAIN_ADAPTER, "--explain")
