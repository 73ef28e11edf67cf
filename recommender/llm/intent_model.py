"""The LLM intent parser: one chat message (and how long the list on screen is) in, an `Intent` out.

The model writes compact JSON under the message's own schema (`recommender.chat.intent.intent_schema`),
so the output always parses and every title, person or theme in it is a span of the message. The
system prompt and the chat template's opening are the same for every message: their KV cache is
computed once (`HFBackend.generate_constrained`), so a message costs its own tokens plus one model
step per free choice; keys, quotes and brackets are forced and fed in with the next step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple, Sequence

from recommender.chat.intent import Intent, IntentError, intent_schema, parse_intent
from recommender.config import check, option
from recommender.llm.prompts import QUERY_CHARS, render

PROMPT_SPLIT = "\u0000"  # marks where the per-message part of the prompt starts


@dataclass
class IntentConfig:
    max_new_tokens: int = option(128, "generation budget of one intent, in tokens (keys included)")
    message_chars: int = option(QUERY_CHARS, "longer messages are cut to this many characters for the model")
    adapter: str = option("intent", "name of the intent LoRA adapter on the backend ('' = the base model)")

    def __post_init__(self):
        check(self.max_new_tokens >= 16, f"max_new_tokens must be >= 16, not {self.max_new_tokens}")
        check(self.message_chars >= 20, f"message_chars must be >= 20, not {self.message_chars}")


class ParsedIntent(NamedTuple):
    intent: Intent
    raw: str  # what the model wrote
    seconds: float


def intent_prompt_parts(backend_or_tokenizer, message: str, shown: int) -> tuple[str, str]:
    """(the fixed prompt start, the per-message rest): the chat-formatted intent prompt, split where
    the user turn's content begins, so the start can be cached."""
    from recommender.llm.prompts import chat_format

    user = PROMPT_SPLIT + render("intent", message=quote_message(message), shown=shown)
    full = chat_format(backend_or_tokenizer, user, system=render("intent_system"))
    start, _, rest = full.partition(PROMPT_SPLIT)
    return start, rest


def quote_message(message: str) -> str:
    """The message as one line between double quotes. Unlike `prompts.quote`, quotes inside are kept
    as typed (spans must be copied exactly); a quote cannot end the line, so it cannot end the data."""
    return '"' + " ".join(str(message).split()) + '"'


def prompt_message(message: str, max_chars: int) -> str:
    """What the model reads of a message: whitespace collapsed, cut at a word boundary."""
    text = " ".join(str(message).split())
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut


class IntentParser:
    """Parses messages with the backend's LLM under the intent schema."""

    def __init__(self, backend, genres: Sequence[str], config: IntentConfig | None = None):
        self.backend, self.config = backend, config or IntentConfig()
        self.genres = sorted(g for g in set(genres) if g and g.lower() != "unknown")

    def parse(self, message: str, shown: int = 0) -> ParsedIntent:
        """The intent of `message` with a list of `shown` items on screen (0: none)."""
        from recommender.llm.decoding import GrammarConstraint, ll_tokenizer_for

        started = time.perf_counter()
        text = prompt_message(message, self.config.message_chars)
        schema = intent_schema(text, self.genres, max_position=max(shown, 1))
        tokenizer = self.backend.tokenizer
        constraint = GrammarConstraint.json(ll_tokenizer_for(tokenizer), schema, self.backend.stop_ids)
        start, rest = intent_prompt_parts(self.backend, text, shown)
        raw = self.backend.generate_constrained(start, rest, constraint, self.config.max_new_tokens,
                                                adapter=self.config.adapter or False)
        intent = parse_intent(raw, set(self.genres), max_position=max(shown, 1))
        return ParsedIntent(intent, raw, time.perf_counter() - started)


def safe_parse(parser: IntentParser, message: str, shown: int) -> ParsedIntent | None:
    """`parse`, or None when the output does not fit the schema (the budget ran out mid-JSON)."""
    try:
        return parser.parse(message, shown)
    except IntentError:
        return None
