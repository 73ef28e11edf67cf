"""What one chat turn shows: the reply and the rows of the results panel."""

from __future__ import annotations

import re
from dataclasses import dataclass

EXPLANATION_MAX_CHARS = 220


@dataclass
class ResultRow:
    """One line of the results panel."""

    position: int  # 1-based
    index: int
    item_id: str
    title: str
    year: int | None
    genres: tuple[str, ...]
    explanation: str = ""
    explained: bool = False  # the card shows an explanation (its plain rendering until the LLM's arrives)
    source: str = ""  # who wrote the explanation: "llm", "plain" or "cache"
    final: bool = False  # nothing more will be written for this card


@dataclass
class ChatTurn:
    """What one handler call shows: the assistant's reply and the (possibly unchanged) list."""

    reply: str
    rows: list[ResultRow]
    list_changed: bool
    seconds: float = 0.0  # time until the list was ready (understanding the message included)
    parser: str = ""  # which parser read the message: "rules" or "llm" ("" for buttons)


def one_line(text: str) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= EXPLANATION_MAX_CHARS else text[: EXPLANATION_MAX_CHARS - 1].rstrip() + "…"
