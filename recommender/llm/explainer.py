"""Grounded explanations: the LLM writes one or two sentences from the evidence, then a post-check
makes sure every movie title it names is the recommended item or one of the evidence items shown to
it, that every genre it claims is the item's own (a phrase reporting the request is exempt), that it
does not repeat the system prompt and does not pose as a viewer ("a favorite of mine";
`recommender.llm.claims`). If a check fails, the caller gets a plain explanation built from the
evidence instead.

Streaming API: `Explainer.stream` yields ExplanationUpdate(text so far) while generating; the last
update has done=True and carries the final text, which is either the checked generated text or the
fallback (fallback=True). A UI shows the pieces as they come and replaces them with the last update.

Which titles count as "named" (see `mentioned_items`): exact, normalised title spans found by
recommender.titles.TitleIndex (longest span first, never overlapping, so "Die Hard 2" is not also
"Die Hard"; spans of common words only count when quoted or capitalised mid-sentence), minus
titles whose normalised form is shorter than 4 characters ("Up", "It", "M") and single-word titles
not capitalised in the text ("heat" is a word, "Heat" is the film).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from recommender.config import check, option
from recommender.data.types import Catalog
from recommender.explain_plain import latest_rating
from recommender.llm.claims import blank_spans, echoes_prompt, speaks_as_viewer, ungrounded_genres
from recommender.llm.prompts import PromptMovie, chat_format, format_rating, movie_text, quote_query, render
from recommender.types import Evidence, ExplanationUpdate, Recommendation, Request

MIN_TITLE_CHARS = 4
# What `Explainer.problems` reports, in the order it checks.
CHECKS = ("empty", "echoes the prompt", "speaks as a viewer", "ungrounded title", "ungrounded genre")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s)")


@dataclass
class ExplainInput:
    item: int  # catalogue index of the recommended item
    query: str | None = None
    evidence: Sequence[Evidence] = ()  # `related` holds the history items that pulled the item in
    history: Sequence[int] = ()  # chronological catalogue indices
    ratings: Sequence[float] = ()  # parallel to history, NaN where unknown; may be empty


@dataclass
class Explanation:
    text: str
    fallback: bool


@dataclass
class ExplainerConfig:
    max_new_tokens: int = option(40, "generation budget per explanation, in tokens")
    max_sentences: int = option(2, "stop generating after this many sentences")
    max_evidence_items: int = option(3, "history items shown to the model as evidence")
    title_chars: int = option(40, "titles longer than this are cut with an ellipsis")

    def __post_init__(self):
        check(self.max_new_tokens >= 1, f"max_new_tokens must be >= 1, not {self.max_new_tokens}")
        check(self.max_sentences >= 1, f"max_sentences must be >= 1, not {self.max_sentences}")
        check(self.max_evidence_items >= 0, f"max_evidence_items must be >= 0, not {self.max_evidence_items}")


@dataclass
class ExplainerStats:
    explained: int = 0
    fallbacks: int = 0
    reasons: Counter = field(default_factory=Counter)  # why fallbacks happened


class Explainer:
    def __init__(self, backend, catalog: Catalog, config: ExplainerConfig | None = None, titles=None):
        from recommender.titles import TitleIndex

        self.backend, self.catalog = backend, catalog
        self.config = config or ExplainerConfig()
        self.titles = titles or TitleIndex(catalog)
        self.stats = ExplainerStats()
        self._catalogue_genres = {g for item in catalog for g in item.genres}

    def evidence_items(self, inp: ExplainInput) -> list[int]:
        """The history items shown to the model: those the evidence names, first come first."""
        related = [int(i) for e in inp.evidence for i in e.related if int(i) != inp.item]
        return list(dict.fromkeys(related))[: self.config.max_evidence_items]

    def prompt(self, inp: ExplainInput) -> str:
        """The chat prompt, ending inside the assistant's turn with `answer_start`: a 135M model
        asked open-endedly tends to chat about itself; started off, it gives a reason."""
        return self._chat_prompt(inp) + self.answer_start(inp)

    def answer_start(self, inp: ExplainInput) -> str:
        return render("explain_answer", item=PromptMovie(movie_text(self.catalog[inp.item], self.config.title_chars)))

    def _chat_prompt(self, inp: ExplainInput) -> str:
        item = self.catalog[inp.item]
        chars = self.config.title_chars
        evidence = [
            PromptMovie(movie_text(self.catalog[i], chars), rating=format_rating(latest_rating(inp.history, inp.ratings, i)),
                        shared_genres=", ".join(g for g in item.genres if g in self.catalog[i].genres))
            for i in self.evidence_items(inp)
        ]
        target = PromptMovie(movie_text(item, chars), genres=", ".join(item.genres))
        user = render("explain", item=target, evidence=evidence, query=quote_query(inp.query))
        return chat_format(self.backend, user, system=render("system"))

    def stream(self, inp: ExplainInput) -> Iterator[ExplanationUpdate]:
        start = self.answer_start(inp)
        yield ExplanationUpdate(start)
        added = ""
        for added in self._generate(inp, start):
            yield ExplanationUpdate((start + added).strip())
        yield self.finish(inp, added, start)

    def _generate(self, inp: ExplainInput, start: str) -> Iterator[str]:
        """The text generated after `start` so far, growing piece by piece, cut after max_sentences."""
        added = ""  # sentences are counted here only: a title such as "Mr. Holland's Opus" has a period
        pieces = self.backend.stream(self._chat_prompt(inp) + start, max_new_tokens=self.config.max_new_tokens)
        try:
            for piece in pieces:
                added, complete = cut_sentences(added + piece, self.config.max_sentences)
                yield added
                if complete:
                    break
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()  # a generator backend stops generating at once

    def draft(self, inp: ExplainInput) -> tuple[str, str]:
        """(answer start, the text the post-check would judge), without judging it: for measuring the checks."""
        start, added = self.answer_start(inp), ""
        for added in self._generate(inp, start):
            pass
        return start, checked_text(start, added)

    def explain(self, inp: ExplainInput) -> Explanation:
        final = None
        for final in self.stream(inp):
            pass
        return Explanation(final.text, final.fallback)

    def finish(self, inp: ExplainInput, added: str, start: str = "") -> ExplanationUpdate:
        """Post-check `start` + what the model added: that text, or the evidence-based fallback."""
        self.stats.explained += 1
        text = checked_text(start, added)
        problem = self.problem_with(inp, text, start)
        if problem is None:
            return ExplanationUpdate(text, done=True)
        self.stats.fallbacks += 1
        self.stats.reasons[problem] += 1
        return ExplanationUpdate(self.fallback_text(inp), done=True, fallback=True)

    def problem_with(self, inp: ExplainInput, text: str, start: str = "") -> str | None:
        """Why `text` may not be shown (the first failed check), or None when it passes."""
        return next(iter(self.problems(inp, text, start)), None)

    def problems(self, inp: ExplainInput, text: str, start: str = "") -> list[str]:
        """Every check `text` fails, in the order of CHECKS. An empty text fails only "empty"."""
        added = text[len(start):] if text.startswith(start) else text
        if len(added.strip(" .,!?")) < 3:
            return ["empty"]
        mentions = self.titles.find_mentions(text)
        untitled = blank_spans(text, [(m.start, m.end) for m in mentions])
        found = ["echoes the prompt"] if echoes_prompt(added) else []
        if speaks_as_viewer(untitled):
            found.append("speaks as a viewer")
        allowed = {inp.item, *self.evidence_items(inp)}
        if any(not allowed.intersection(candidates) for candidates in self.mentioned_items(text, mentions)):
            found.append("ungrounded title")
        if ungrounded_genres(untitled, self.catalog[inp.item].genres, self._catalogue_genres):
            found.append("ungrounded genre")
        return found

    def mentioned_items(self, text: str, mentions=None) -> list[list[int]]:
        """For each title named in `text`: the catalogue items it may refer to (see module docstring).
        `mentions` are `text`'s `TitleIndex.find_mentions`, when the caller already has them."""
        from recommender.titles import normalise

        found = []
        for match in self.titles.find_mentions(text) if mentions is None else mentions:
            span = text[match.start:match.end]
            key = normalise(re.sub(r"\s*\(\d{4}\)\s*$", "", span))
            single_word = len(key.split()) == 1
            if len(key.replace(" ", "")) < MIN_TITLE_CHARS or (single_word and not span.lstrip("\"'“‘")[:1].isupper()):
                continue
            found.append([match.item] if match.item is not None else list(match.candidates))
        return found

    def fallback_text(self, inp: ExplainInput) -> str:
        from recommender.explain_plain import plain_explanation

        item = self.catalog[inp.item]
        request = Request(history=list(inp.history), ratings=list(inp.ratings), query=inp.query)
        rec = Recommendation(item.item_id, item.display, 0.0, list(inp.evidence), index=inp.item)
        return plain_explanation(self.catalog, request, rec)

    def stream_for(self, request: Request, rec: Recommendation) -> Iterator[ExplanationUpdate]:
        """`stream` for the facade's request/recommendation types."""
        inp = ExplainInput(rec.index, request.query, rec.evidence, request.history, request.ratings)
        return self.stream(inp)


def checked_text(start: str, added: str) -> str:
    """What the post-check judges and the user sees: the answer start, then the generated text without
    an unfinished last sentence, whitespace collapsed."""
    return " ".join((start + trim_to_sentence(added)).split())


def cut_sentences(text: str, max_sentences: int) -> tuple[str, bool]:
    """(text cut after its max_sentences-th sentence end, whether that many sentences are complete)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if len(ends) >= max_sentences:
        return text[:ends[max_sentences - 1]], True
    return text, False


def trim_to_sentence(text: str) -> str:
    """Drop an unfinished last sentence (generation ran out of tokens), unless nothing would remain."""
    text = text.rstrip()
    if not text or text[-1] in ".!?\"')":
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text + " ")]
    return text[:ends[-1]] if ends else text
