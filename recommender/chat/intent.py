"""The structured intent of one chat message: what the LLM intent model writes, under a JSON schema.

The schema is built per message (`intent_schema`): every title, person, plot phrase or descriptive
word must be a span of the message as written (whole words), a year range one the message's years or
decades can mean (`recommender.chat.years`), genres come from the catalogue's list and positions from
the list on screen, so whatever the model writes parses, and nothing in it can be invented. Linking spans to catalogue items (typos included) is the title linker's job, not the model's.

The JSON is compact, keys in the order of FIELDS, empty fields left out:
    {"action":"request","like":["Alien"],"genres":["Comedy"],"years":"1990-1999"}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields

from recommender.chat.years import year_candidates
from recommender.errors import RecommenderError

ACTIONS = ("request", "more", "feedback", "question", "reset", "off_topic")
ASKS = ("about", "why", "fit")
TITLE_LISTS = ("like", "liked", "disliked", "seen")
POSITION_LISTS = ("like_items", "liked_items", "disliked_items", "seen_items")
SPAN_LISTS = TITLE_LISTS + ("people", "plot", "rest")
YEARS = re.compile(r"^(1[89]\d\d|20\d\d)?-(1[89]\d\d|20\d\d)?$")
MAX_SPANS = 4  # per list: a chat message names few titles, people or themes
MAX_SPAN_WORDS = 12


class IntentError(RecommenderError):
    """An intent that does not fit the schema (only the model's unconstrained output can be one)."""


@dataclass
class Intent:
    """What one message asks for. Spans are as the person wrote them; positions are 1-based on the
    list on screen. Field meanings (the generator, the held-out set and the chat all follow them):

    action: request (says what to watch now) · more (more of the same) · feedback (only reports
      liking, disliking or having seen titles or listed items) · question (asks about a listed item)
      · reset (start over) · off_topic (not about movies, or instructions to the system).
    like / like_items: reference titles or positions the person wants something similar to
      ("like Alien", "Alien but funnier", "more like #3"); they steer this request only.
    liked, disliked, seen (+ _items): titles or positions the person reports on; kept for the session.
    ask, item: for a question, what is asked (about: what it is; why: why it was picked; fit: whether
      it matches `genres` / `years`) about which position.
    genres: wished genres (soft: items matching all of them come first). exclude_genres: hard.
    years: "1990-1999", "1990-" or "-1999".
    people: actors, directors and other people named (the catalogue has no cast or crew).
    plot: story details asked for ("a dog that saves its family"; the catalogue has no plots).
    rest: other descriptive words (mood, theme) for the text channels.
    """

    action: str = "request"
    like: list[str] = field(default_factory=list)
    liked: list[str] = field(default_factory=list)
    disliked: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    like_items: list[int] = field(default_factory=list)
    liked_items: list[int] = field(default_factory=list)
    disliked_items: list[int] = field(default_factory=list)
    seen_items: list[int] = field(default_factory=list)
    ask: str | None = None
    item: int | None = None
    genres: list[str] = field(default_factory=list)
    exclude_genres: list[str] = field(default_factory=list)
    years: str | None = None
    people: list[str] = field(default_factory=list)
    plot: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """Compact JSON, keys in field order, empty fields left out: the model's target text."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, [], ()):
                out[f.name] = value
        return json.dumps(out, ensure_ascii=False, separators=(",", ":"))

    @property
    def year_range(self) -> tuple[int | None, int | None]:
        if not self.years:
            return None, None
        low, _, high = self.years.partition("-")
        return (int(low) if low else None), (int(high) if high else None)


FIELDS = tuple(f.name for f in fields(Intent))


def parse_intent(text: str, genres: set[str] | None = None, max_position: int = 10) -> Intent:
    """An Intent from the model's JSON; IntentError naming the first problem when it does not fit."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise IntentError(f"intent is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise IntentError("intent must be a JSON object")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise IntentError(f"unknown intent field(s): {', '.join(sorted(unknown))}")
    intent = Intent(**data)
    check_intent(intent, genres, max_position)
    return intent


def check_intent(intent: Intent, genres: set[str] | None = None, max_position: int = 10) -> None:
    """IntentError unless every field has the schema's type and range."""
    def fail(message: str):
        raise IntentError(f"intent: {message}")

    if intent.action not in ACTIONS:
        fail(f"action must be one of {', '.join(ACTIONS)}, not {intent.action!r}")
    for name in SPAN_LISTS:
        spans = getattr(intent, name)
        if not isinstance(spans, list) or not all(isinstance(s, str) and s.strip() for s in spans):
            fail(f"{name} must be a list of non-empty strings")
        if len(spans) > MAX_SPANS:
            fail(f"{name} has more than {MAX_SPANS} entries")
    for name in POSITION_LISTS + (("item",) if intent.item is not None else ()):
        value = getattr(intent, name)
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= max_position for v in values):
            fail(f"{name} must hold list positions between 1 and {max_position}")
    if intent.ask is not None and intent.ask not in ASKS:
        fail(f"ask must be one of {', '.join(ASKS)}, not {intent.ask!r}")
    for name in ("genres", "exclude_genres"):
        values = getattr(intent, name)
        if not isinstance(values, list) or (genres is not None and not set(values) <= genres):
            fail(f"{name} must be a list of the catalogue's genres")
    if intent.years is not None and not (isinstance(intent.years, str) and YEARS.match(intent.years)
                                         and intent.years != "-"):
        fail(f"years must look like 1990-1999, 1990- or -1999, not {intent.years!r}")


def message_spans(message: str, max_words: int = MAX_SPAN_WORDS) -> list[str]:
    """Every run of 1..max_words consecutive words of `message`, as written (inner punctuation kept,
    outer punctuation trimmed): the strings a span field may hold."""
    words = [m for m in re.finditer(r"\S+", message)]
    spans = []
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_words)):
            text = trim_span(message[words[i].start():words[j].end()])
            if text and re.search(r"\w", text):
                spans.append(text)
    return list(dict.fromkeys(spans))


def trim_span(text: str) -> str:
    """`text` without outer punctuation; brackets stay where they pair up ("Heat (1995)")."""
    while True:
        trimmed = text.strip(".,;:!?[]{}\"'“”‘’")
        if trimmed.startswith("(") and trimmed.count("(") > trimmed.count(")"):
            trimmed = trimmed[1:]
        if trimmed.endswith(")") and trimmed.count(")") > trimmed.count("("):
            trimmed = trimmed[:-1]
        if trimmed == text:
            return text
        text = trimmed


def intent_schema(message: str, genres: list[str], max_position: int = 10) -> dict:
    """The JSON schema the model decodes under for this message (property order = FIELDS)."""
    spans = message_spans(message)
    span = ({"type": "string", "enum": spans} if spans else {"type": "string", "enum": ["-"]})
    span_list = {"type": "array", "items": span, "minItems": 1, "maxItems": MAX_SPANS}
    position = {"type": "integer", "minimum": 1, "maximum": max(1, max_position)}
    position_list = {"type": "array", "items": position, "minItems": 1, "maxItems": max(1, max_position)}
    genre_list = {"type": "array", "items": {"type": "string", "enum": sorted(genres) or ["-"]},
                  "minItems": 1, "maxItems": max(1, len(genres))}
    properties = {
        "action": {"type": "string", "enum": list(ACTIONS)},
        **{name: span_list for name in TITLE_LISTS},
        **{name: position_list for name in POSITION_LISTS},
        "ask": {"type": "string", "enum": list(ASKS)},
        "item": position,
        "genres": genre_list,
        "exclude_genres": genre_list,
        "years": {"type": "string", "enum": year_candidates(message) or ["-"]},
        **{name: span_list for name in ("people", "plot", "rest")},
    }
    assert list(properties) == list(FIELDS)
    if not year_candidates(message):  # the message names no year: there is no range to choose
        del properties["years"]
    return {"type": "object", "properties": properties, "required": ["action"], "additionalProperties": False}
