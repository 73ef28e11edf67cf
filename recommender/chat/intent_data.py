"""Training data for the intent model: (message, list length on screen) -> Intent pairs, composed
from the catalogue's titles and genres and the lexicons in `intent_lexicon.py`.

A message is built from parts (a genre wish, an exclusion, a year range, a title said to be liked,
a person, ...), each a list of segments whose role says which intent field a piece of text fills.
Segments are joined with connectors, openers and closers, with slang, typos and case changes
applied outside the spans, so each gold span is exactly the text the message holds.

    .venv/bin/python -m recommender.chat.intent_data --n 10     # print examples
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

from recommender.chat import intent_lexicon as lx
from recommender.chat.intent import Intent, MAX_SPANS, message_spans, trim_span
from recommender.chat.intent_parts import SPAN_ROLES, PartMaker, Segment, render_title_forms

# (kind, weight): what the generated messages ask. Requests dominate, as in real chats.
KINDS = (("request", 0.52), ("request_on_list", 0.12), ("feedback_titles", 0.07), ("feedback_positions", 0.07),
         ("more", 0.05), ("question", 0.1), ("reset", 0.025), ("reset_request", 0.01), ("off_topic", 0.045))
MAX_MESSAGE_CHARS = 190


@dataclass(frozen=True)
class IntentExample:
    message: str
    shown: int  # length of the list on screen (0: none)
    intent: Intent


class IntentGenerator:
    """Seeded, endless source of IntentExamples for one catalogue."""

    def __init__(self, catalog, popularity: Sequence[float] | None = None, seed: int = 0):
        self.rng = random.Random(seed)
        genres = {g for item in catalog for g in item.genres}
        weights = list(popularity) if popularity is not None else [1.0] * len(catalog)
        titled = [(i, render_title_forms(item.title)) for i, item in enumerate(catalog)]
        titled = [(i, forms) for i, forms in titled if forms]
        self.parts = PartMaker(self.rng, sorted(g for g in genres if g in lx.GENRE_NOUNS), catalog,
                               [forms for _, forms in titled], [weights[i] + 1.0 for i, _ in titled])

    def examples(self, n: int) -> list[IntentExample]:
        out: list[IntentExample] = []
        while len(out) < n:
            example = self.example()
            if example is not None:
                out.append(example)
        return out

    def example(self) -> IntentExample | None:
        """One example, or None when the draw did not fit (too long, or a span the schema cannot hold)."""
        kind = self.rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        shown = 0 if kind in ("request", "off_topic") and self.rng.random() < 0.85 else self.rng.choice(
            [10, 10, 10, 10, 8, 5, 3])
        if kind in ("feedback_positions", "question", "request_on_list", "more") and not shown:
            shown = 10
        segments, action = getattr(self, f"_{kind}")(shown)
        return self._assemble(segments, action, shown)

    # --- kinds --------------------------------------------------------------------------------
    def _request(self, shown: int):
        """A main wish (with an opener), modifiers after it, and sometimes a statement about titles."""
        p, rng = self.parts, self.rng
        main = rng.choices([p.genre_wish, p.like_title, p.people, p.plot, p.rest, p.years],
                           [5, 3, 1.2, 0.8, 0.7, 0.6])[0]()
        segments = [Segment(rng.choice(lx.OPENERS))] + main
        for _ in range(rng.choices([0, 1, 2], [3, 4, 1.5])[0]):
            kind = rng.choices(["genre", "years", "exclusion", "people", "rest"], [2, 2.5, 2.5, 0.5, 0.5])[0]
            part = {"genre": p.genre_wish, "years": p.years, "exclusion": p.exclusion, "people": p.people,
                    "rest": p.rest}[kind]()
            segments += [Segment(rng.choice(lx.MODIFIER_JOINS[kind]))] + part
        segments.append(Segment(rng.choice(lx.CLOSERS)))
        if rng.random() < 0.25:
            statement = rng.choice([p.liked_title, p.seen_title, p.disliked_title])()
            if rng.random() < 0.5:
                segments = statement + [Segment(rng.choice([". ", ", ", "! ", " - "]))] + segments
            else:
                segments += [Segment(rng.choice([". ", " - ", ", also ", ". btw "]))] + statement
        return segments, "request"

    def _request_on_list(self, shown: int):
        p = self.parts
        first = self.rng.choices([p.like_position, p.position_feedback, p.exclusion, p.genre_wish, p.years],
                                 [3, 2, 1.5, 1.5, 1.5])[0]
        first = first(shown) if first in (p.like_position, p.position_feedback) else first()
        second = self.rng.choice([p.genre_wish(), p.exclusion(), p.years(), p.like_title(), p.rest()])
        parts = [first, second] if self.rng.random() < 0.7 else [first]
        wishes = ("genres", "exclude_genres", "years", "like", "like_items", "rest")
        if not any(s.role in wishes for part in parts for s in part):
            parts.append(p.genre_wish())  # position feedback alone is "feedback", not a request
        return p.join(parts, opener=False), "request"

    def _feedback_titles(self, shown: int):
        p = self.parts
        makers = [p.liked_title, p.disliked_title, p.seen_title]
        parts = [self.rng.choice(makers)() for _ in range(self.rng.choice([1, 1, 2]))]
        return p.join(parts, opener=False), "feedback"

    def _feedback_positions(self, shown: int):
        p = self.parts
        parts = [p.position_feedback(shown) for _ in range(self.rng.choice([1, 1, 2]))]
        return p.join(parts, opener=False), "feedback"

    def _more(self, shown: int):
        p = self.parts
        parts = [[Segment(self.rng.choice(lx.MORE))]]
        if self.rng.random() < 0.25:
            parts.insert(0, p.all_seen(shown) if self.rng.random() < 0.4 else p.position_feedback(shown))
        return p.join(parts, opener=False), "more"

    def _question(self, shown: int):
        return self.parts.question(shown), "question"

    def _reset(self, shown: int):
        return [Segment(self.rng.choice(lx.RESET))], "reset"

    def _reset_request(self, shown: int):
        segments, _ = self._request(shown)
        head = Segment(self.rng.choice(lx.RESET) + self.rng.choice([", ", ". ", " - ", "! "]))
        return [head] + segments, "reset"

    def _off_topic(self, shown: int):
        if self.rng.random() < 0.2:
            return [Segment(self.rng.choice(lx.GREETINGS))], "off_topic"
        text = self.rng.choice(lx.OFF_TOPIC)
        if self.rng.random() < 0.3:
            text = self.rng.choice(["hi, ", "hey ", "ok ", "um ", "quick question: "]) + text
        return [Segment(text)], "off_topic"

    # --- assembly -----------------------------------------------------------------------------
    def _assemble(self, segments: list[Segment], action: str, shown: int) -> IntentExample | None:
        segments = self.parts.style(segments)
        message = "".join(s.text for s in segments).strip()
        message = re.sub(r"\s+", " ", message)
        if not message or len(message) > MAX_MESSAGE_CHARS:
            return None
        intent = Intent(action=action)
        allowed = set(message_spans(message))
        for s in segments:
            if s.role is None:
                continue
            value = s.value if s.value is not None else trim_span(s.text.strip())
            if s.role in SPAN_ROLES and value not in allowed:
                return None  # a span must be words of the message as written
            _add(intent, s.role, value)
        if any(len(getattr(intent, name)) > MAX_SPANS for name in ("like", "liked", "disliked", "seen",
                                                                   "people", "plot", "rest")):
            return None
        # "a thriller, nothing violent": a genre asked for by name is not excluded with the rest
        intent.exclude_genres = [g for g in intent.exclude_genres if g not in intent.genres]
        return IntentExample(message, shown, intent)


def _add(intent: Intent, role: str, value) -> None:
    """Put `value` into the intent field `role` (lists deduplicated, in order)."""
    current = getattr(intent, role)
    if isinstance(current, list):
        for v in value if isinstance(value, list) else [value]:
            if v not in current:
                current.append(v)
    else:
        setattr(intent, role, value)


def main() -> None:
    import argparse

    from recommender.data.registry import load_dataset

    parser = argparse.ArgumentParser(description="print generated intent training examples")
    parser.add_argument("--data", default="ml-100k")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dataset = load_dataset(args.data, progress=False)
    for ex in IntentGenerator(dataset.catalog, seed=args.seed).examples(args.n):
        print(f"[{ex.shown}] {ex.message}\n    {ex.intent.to_json()}")


if __name__ == "__main__":
    main()
