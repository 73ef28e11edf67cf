"""User-facing errors. The CLI prints these as one line, without a traceback."""

from __future__ import annotations


class RecommenderError(Exception):
    """A mistake the user can fix (bad file, unknown id, bad flag). Never a bug in our code."""


class ConfigError(RecommenderError):
    """A config file or flag is invalid: unknown field, wrong type or out-of-range value."""


class DataError(RecommenderError):
    """A data file is malformed. The message names the file, the line (when known) and the problem."""

    def __init__(self, path, problem: str, line: int | None = None):
        self.path, self.problem, self.line = str(path), problem, line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class UnknownItemError(RecommenderError):
    """An item id or title that is not in the catalogue."""


class ModelError(RecommenderError):
    """The model cannot be found or loaded, or lacks something we need (for example a chat template)."""


class AdapterMismatchError(ModelError):
    """A LoRA adapter was trained for a different base model than the one loaded."""
