"""Explanations the LLM writes from each card's fact sheet, and only from it.

For the cards of one list (`Explainer.explain_list`):
1. each card's fact sheet (`recommender.explain.facts`) and its plain rendering (the fallback);
2. cards whose sheet was explained before (the caller's cache: same item, same facts) come back at once;
3. the LLM writes the others with the explain adapter, the first card alone (so it shows first), then
   the rest in one batch, each under the fact gate (`recommender.llm.gate`), so no title, number, name,
   genre or source claim the sheet does not hold can be written; card k writes in style k, so the cards
   of a list are phrased differently;
4. the independent check (`recommender.explain.check`) reads every finished text; a text that fails it,
   or says the same sentence as an earlier card of the list, is replaced by the plain rendering.
Cards come back as they finish. Without the explain adapter the base model cannot write from facts
(measured: it loops on the prompt), so every card is the plain rendering.

The chat does not wait for the model: `quick_cards` gives every card its cached text or its plain
rendering at once (checked facts, shown with the list), and the LLM's text replaces a card's only when
it passes the check; a card whose draft fails keeps what it showed, so nothing flickers.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple, Sequence

from recommender.config import check as check_config
from recommender.config import option
from recommender.explain.check import check, skeleton
from recommender.explain.facts import FactSheet, _rating
from recommender.explain.plain import render_list
from recommender.llm.gate import FactGate
from recommender.llm.prompts import chat_format, render as render_prompt
from recommender.types import Recommendation, Request

PROMPT_SPLIT = "\u0000"
_SENTENCE = re.compile(r"[.!?][\"”')]*(?=\s|$)")


@dataclass
class ExplainerConfig:
    max_new_tokens: int = option(48, "generation budget per explanation, in tokens")
    max_sentences: int = option(2, "an explanation ends after this many sentences")
    styles: int = option(10, "phrasing styles the explain adapter knows; card k of a list writes in style k mod this")
    adapter: str = option("explain", "name of the explain LoRA adapter on the backend ('' = no LLM: plain renderings)")
    first_alone: bool = option(True, "write the first card on its own before the others, so it shows first")

    def __post_init__(self):
        check_config(self.max_new_tokens >= 8, f"max_new_tokens must be >= 8, not {self.max_new_tokens}")
        check_config(self.max_sentences >= 1, f"max_sentences must be >= 1, not {self.max_sentences}")
        check_config(self.styles >= 1, f"styles must be >= 1, not {self.styles}")


class Card(NamedTuple):
    """One card's explanation: who wrote it and, when the plain rendering replaced the LLM's, why."""

    position: int  # 0-based, on the list
    text: str
    source: str  # "llm", "plain" or "cache"
    rejected: tuple[str, ...] = ()  # what the check found in the LLM's text (source "plain")
    draft: str = ""  # the LLM's text, also when rejected
    seconds: float = 0.0  # from the start of explain_list
    final: bool = True  # False: shown for now, the LLM is still to write this card


@dataclass
class ExplainerStats:
    written: int = 0
    fallbacks: int = 0
    reasons: dict = field(default_factory=dict)


def explain_prompt(backend_or_tokenizer, sheet: FactSheet, style: int) -> str:
    return "".join(explain_prompt_parts(backend_or_tokenizer, sheet, style))


def explain_prompt_parts(backend_or_tokenizer, sheet: FactSheet, style: int) -> tuple[str, str]:
    """(the fixed prompt start, the card's part): chat-formatted, split where the facts begin."""
    user = PROMPT_SPLIT + render_prompt("explain_facts", sheet=sheet, style=style, rating=_rating)
    full = chat_format(backend_or_tokenizer, user, system=render_prompt("explain_system"))
    start, _, rest = full.partition(PROMPT_SPLIT)
    return start, rest


def plain_cards(sheets: Sequence[FactSheet], cache: dict, final: bool = True) -> list[Card]:
    """Each sheet's cached text, else its plain rendering (the uncached cards of one list phrased
    differently). `final` plain texts are stored in `cache`; others wait for the LLM's."""
    todo = [k for k, sheet in enumerate(sheets) if sheet.key() not in cache]
    plain = dict(zip(todo, render_list([sheets[k] for k in todo])))
    # "the best rated films": the LLM's prompt holds no ratings, so the plain text, which gives them, is final
    done = {k for k in plain if final or sheets[k].rated_as_asked}
    cache.update((sheets[k].key(), plain[k]) for k in done)
    return [Card(k, plain[k], "plain", final=k in done) if k in plain else Card(k, cache[sheet.key()], "cache")
            for k, sheet in enumerate(sheets)]


def sentences(text: str) -> int:
    return len(_SENTENCE.findall(text))


def closed_before_aside(text: str) -> str:
    """A first sentence the gate cut inside an aside ("… also saw “Shine” (it") ends before the aside:
    "… also saw “Shine”." (31 of 80 drafts of an audit ended so). Unchanged otherwise."""
    if sentences(text):
        return text
    outside = re.sub(r"[\"“][^\"”]*[\"”]", lambda m: "T" * len(m.group(0)), text)
    opened = outside.rfind("(")
    if opened <= 0 or ")" in outside[opened:] or outside[:opened].count("“") != outside[:opened].count("”"):
        return text
    return text[:opened].rstrip(" ,;:") + "."


def complete_sentences(text: str) -> str:
    """`text` up to its last finished sentence: a draft the token budget cut ("… saw “Fargo”. It came
    out") keeps what it finished, and the check then reads that. Unchanged when no sentence is finished."""
    ends = [m.end() for m in _SENTENCE.finditer(text) if text[:m.start()].count("“") == text[:m.start()].count("”")]
    return text[:ends[-1]].strip() if ends else text  # never inside a quoted title ("“E.T. the …”")


class Explainer:
    def __init__(self, backend, catalog, config: ExplainerConfig | None = None, titles=None, facts=None):
        from recommender.titles import TitleIndex

        self.backend, self.catalog = backend, catalog
        self.config = config or ExplainerConfig()
        self.titles = titles or TitleIndex(catalog)
        self.facts = facts  # a FactBuilder (the facade sets it: it needs the retriever)
        self.genres = sorted({g for item in catalog for g in item.genres})
        self.stats = ExplainerStats()

    @property
    def writes(self) -> bool:
        """Whether the LLM writes (the explain adapter is loaded), else every card is the plain rendering."""
        adapters = getattr(self.backend, "adapters", {})
        return bool(self.config.adapter) and self.config.adapter in adapters

    def quick_cards(self, request: Request, recs: Sequence[Recommendation], cache: dict | None = None,
                    sheets: Sequence[FactSheet] | None = None) -> list[Card]:
        """What a list shows at once: a card's cached text, else its plain rendering (cards of one list
        phrased differently). A plain card is not final while the LLM is to write it."""
        sheets = list(sheets) if sheets is not None else [self.facts.build(request, r) for r in recs]
        return plain_cards(sheets, {} if cache is None else cache, final=not self.writes)

    def explain_list(self, request: Request, recs: Sequence[Recommendation], cache: dict | None = None,
                     sheets: Sequence[FactSheet] | None = None, shown: Sequence[Card] | None = None) -> Iterator[Card]:
        """The cards' final explanations as they finish (see the module docstring); `cache` (fact-sheet
        key -> text) is read and filled. `shown`: the list's `quick_cards`, computed here when not given;
        a draft that fails the check leaves its card's shown text."""
        started = time.perf_counter()
        sheets = list(sheets) if sheets is not None else [self.facts.build(request, r) for r in recs]
        cache = {} if cache is None else cache
        shown = list(shown) if shown is not None else self.quick_cards(request, recs, cache, sheets)
        current = {c.position: skeleton(c.text, sheets[c.position]) for c in shown}
        todo = [c.position for c in shown if not c.final]
        for card in shown:
            if card.final:
                yield card._replace(seconds=time.perf_counter() - started)
        batches = [todo[:1], todo[1:]] if self.config.first_alone else [todo]
        for batch in (b for b in batches if b):
            for k, draft in self._write(sheets, batch):
                draft = complete_sentences(closed_before_aside(" ".join(draft.split())))
                card = self._accept(k, sheets[k], draft, shown[k].text, current, started)
                current[k] = skeleton(card.text, sheets[k])
                cache[sheets[k].key()] = card.text
                yield card

    def _write(self, sheets: Sequence[FactSheet], positions: Sequence[int]) -> Iterator[tuple[int, str]]:
        parts = [explain_prompt_parts(self.backend, sheets[k], k % self.config.styles) for k in positions]
        gates = [FactGate(sheets[k], self.genres) for k in positions]
        limit = self.config.max_sentences

        def finished(text: str, wants_stop: bool) -> bool:
            n = sentences(text)
            return n >= limit or (wants_stop and n >= 1)

        rows = self.backend.generate_batch(parts[0][0], [rest for _, rest in parts], [g.choose for g in gates],
                                           finished, self.config.max_new_tokens, adapter=self.config.adapter,
                                           force=[g.forced for g in gates])
        try:
            for row, text in rows:
                yield positions[row], text
        finally:
            getattr(rows, "close", lambda: None)()  # a stale list: stop generating

    def _accept(self, k: int, sheet: FactSheet, draft: str, plain: str, current: dict, started: float) -> Card:
        """The draft, or the card's plain text when the check fails or another card says the same sentence."""
        verdict = check(draft, sheet, self.titles, self.genres)
        problems = verdict.kinds()
        if not problems and skeleton(draft, sheet) in {sk for j, sk in current.items() if j != k}:
            problems = ["duplicate skeleton"]
        self.stats.written += 1
        if not problems:
            return Card(k, draft, "llm", draft=draft, seconds=time.perf_counter() - started)
        self.stats.fallbacks += 1
        for p in problems:
            self.stats.reasons[p] = self.stats.reasons.get(p, 0) + 1
        return Card(k, plain, "plain", tuple(problems), draft, time.perf_counter() - started)
