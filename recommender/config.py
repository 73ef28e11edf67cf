"""Config dataclasses: defaults in code, overridden by a YAML file, overridden by CLI flags.

Every field carries `metadata={"help": ...}` (use `option`). Validation lives in each class's
`__post_init__` and raises ConfigError, so a bad YAML value and a bad flag fail the same way.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TypeVar

from recommender.errors import ConfigError

T = TypeVar("T")


def option(default: Any, help: str, **kwargs):
    """A dataclass field with a help text (shown by `--help` and in docs)."""
    if isinstance(default, (list, dict, set)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata={"help": help}, **kwargs)
    return dataclasses.field(default=default, metadata={"help": help}, **kwargs)


def check(condition: bool, message: str) -> None:
    """Raise ConfigError(message) unless condition holds. Used in __post_init__."""
    if not condition:
        raise ConfigError(message)


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping, turning every failure into a ConfigError that names the file."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of field: value at the top level")
    return data


def build_config(cls: type[T], yaml_path: str | Path | None = None, overrides: dict | None = None) -> T:
    """Defaults < YAML file < overrides (CLI flags; None values are ignored). Unknown fields are errors."""
    values: dict[str, Any] = {}
    if yaml_path:
        values.update(read_yaml(yaml_path))
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        where = f" in {yaml_path}" if yaml_path else ""
        raise ConfigError(
            f"unknown config field(s){where}: {', '.join(unknown)}; known fields: {', '.join(sorted(known))}"
        )
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"invalid config for {cls.__name__}: {exc}") from None


def to_dict(config) -> dict:
    """A plain dict of a config dataclass, for JSON results and saved training configs."""
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(config).items()}


def field_help(cls) -> dict[str, str]:
    """Field name -> help text, for building argparse flags from a config class."""
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(cls)}
