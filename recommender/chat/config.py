"""Settings of `recommender chat`: defaults here, a YAML file over them, CLI flags over that."""

from __future__ import annotations

from dataclasses import dataclass

from recommender.config import check, option

MAX_ROWS = 10  # the results panel has this many rows of buttons


@dataclass
class ChatConfig:
    data: str = option("ml-100k", "data set name or directory to recommend from")
    host: str = option("127.0.0.1", "address to bind; the default serves this machine only")
    port: int = option(7860, "port to serve the page on")
    ranker: str = option("llm", "llm: retrieval + LLM re-ranking and explanations; none: retrieval only")
    model: str | None = option(None, "LLM: Hugging Face id or local directory (default: the embedded SmolLM2-135M)")
    quantize: str = option("4bit", "LLM weight quantization: 4bit, 8bit or none")
    adapter: str = option("default", "LoRA adapter: 'default' (the shipped adapter when its base matches the model), "
                                     "'none', or a directory")
    intent: str = option("default", "intent model (reads free-form messages): 'default' (the shipped intent LoRA "
                                    "adapter when its base matches the model), 'none' (rule parser only) or a directory")
    explain: str = option("default", "explain adapter (the LLM writes each card's explanation from its facts): "
                                      "'default' (the shipped one when its base matches), 'none' (plain renderings "
                                      "of the facts) or a directory")
    auth: str | None = option(None, "require a login, given as user:password")
    k: int = option(10, f"items per list (1-{MAX_ROWS})")
    max_message_chars: int = option(500, "longer messages are cut to this many characters (with a notice)")

    def __post_init__(self):
        check(self.ranker in ("llm", "none"), f"ranker must be 'llm' or 'none', not {self.ranker!r}")
        check(1 <= self.port <= 65535, f"port must be between 1 and 65535, not {self.port}")
        check(1 <= self.k <= MAX_ROWS, f"k must be between 1 and {MAX_ROWS}, not {self.k}")
        check(self.max_message_chars >= 20, f"max_message_chars must be at least 20, not {self.max_message_chars}")
        check(bool(self.host.strip()), "host must not be empty")
        if self.auth is not None:
            user, sep, password = self.auth.partition(":")
            check(bool(sep and user and password), "auth must look like user:password")

    def credentials(self) -> tuple[str, str] | None:
        if self.auth is None:
            return None
        user, _, password = self.auth.partition(":")
        return user, password
