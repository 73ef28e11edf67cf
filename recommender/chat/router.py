"""Which parser reads a message: the rule parser where it is exact and instant, the LLM intent model
for everything free-form.

The rule parser (`parse.py`) handles what it understands completely: "reset", the answer to a "which
one did you mean?" question, "#2 seen", "not that one", "more like #3", "more please", "no horror",
"only after 1990", and titles typed exactly ("I loved Heat and Se7en"). A message with words left over
after those patterns (a free-form request), or a question ("what is #1 about?", "why #4"), goes to the
LLM intent model (`recommender.llm.intent_model`). If the model is not loaded, or its output does not
fit the schema, the rule parser's reading is used.
"""

from __future__ import annotations

import logging
import re
import time
from typing import NamedTuple

from recommender.chat.parse import parse_message
from recommender.chat.state import DialogueState, Update
from recommender.chat.understand import update_from_intent

log = logging.getLogger(__name__)

QUESTION = re.compile(r"\?|^\s*(?:what|why|how|is|are|does|do|did|which|who|tell me|can you tell|explain)\b", re.I)


class Understood(NamedTuple):
    update: Update
    parser: str  # "rules" or "llm"
    seconds: float
    raw: str = ""  # the model's JSON, when the LLM read the message
    invalid: bool = False  # the model's output did not fit the schema (the rule parser's reading was used)


def rules_are_exact(text: str, rules: Update, state: DialogueState) -> bool:
    """Whether the rule parser understood every word of `text` (nothing left as a free-text request)."""
    if rules.kind != "message" or (state.pending is not None and not rules.query):
        return True
    return rules.understood and rules.query is None and not rules.non_english and not QUESTION.search(text)


class MessageRouter:
    def __init__(self, titles, genres, intent_parser=None, text_search: bool = False, mode: str = "auto"):
        """mode: "auto" (rules where exact, else the LLM), "rules" or "llm" (every message that is not
        empty goes to the model; for the benchmark)."""
        self.titles, self.genres, self.intent_parser = titles, genres, intent_parser
        self.text_search, self.mode = text_search, mode

    def understand(self, text: str, state: DialogueState) -> Understood:
        started = time.perf_counter()
        rules = parse_message(text, state, self.titles, self.genres)
        use_rules = (self.intent_parser is None or self.mode == "rules" or rules.kind == "empty"
                     or (self.mode == "auto" and rules_are_exact(text, rules, state)))
        if use_rules:
            return Understood(rules, "rules", time.perf_counter() - started)
        from recommender.llm.intent_model import safe_parse

        parsed = safe_parse(self.intent_parser, text, len(state.last_shown))
        if parsed is None:
            log.warning("the intent model's output did not fit the schema; using the rule parser for %r", text)
            return Understood(rules, "rules", time.perf_counter() - started, invalid=True)
        update = update_from_intent(parsed.intent, state, self.titles, self.text_search)
        update.non_english = rules.non_english
        update.ignored_instruction = rules.ignored_instruction
        return Understood(update, "llm", time.perf_counter() - started, parsed.raw)
