"""The pieces generated messages are built from (see `intent_data.py`): each part is a list of
Segments, and a Segment with a `role` fills that intent field (with its own text as the span, or with
`value` when the field is not a span: genres, years, positions)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Any, Sequence

from recommender.chat import intent_lexicon as lx

SPAN_ROLES = ("like", "liked", "disliked", "seen", "people", "plot", "rest")
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


@dataclass(frozen=True)
class Segment:
    text: str
    role: str | None = None  # an Intent field, or None for free text
    value: Any = None  # the field's value when it is not the (trimmed) text itself


def render_title_forms(title: str) -> list[str]:
    """How people type a catalogue title: "Usual Suspects, The" -> "The Usual Suspects", "Usual
    Suspects"; "Seven (Se7en)" -> "Seven", "Se7en". Long or foreign-aliased titles keep their main part."""
    main = re.sub(r"\s*\([^()]*\)", "", title).strip()
    aliases = [a.strip() for a in re.findall(r"\(([^()]*)\)", title)]
    forms = []
    m = re.match(r"^(.*), (The|A|An)$", main)
    first = re.match(r"^(The|A|An) (.+)$", main)  # catalogues now load titles in reading order
    if m:
        forms += [f"{m.group(2)} {m.group(1)}", m.group(1)]
    elif first:
        forms += [main, first.group(2)]
    else:
        forms.append(main)
    forms += [a for a in aliases if len(a.split()) <= 2 and a[:1].isalnum() and not a.lower().startswith("a.k.a")]
    return [f for f in dict.fromkeys(forms) if f and len(f.split()) <= 6 and re.search(r"[A-Za-z]", f)]


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: a swapped, dropped, doubled or wrong letter."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 4:
        return word
    i = rng.choice(letters[1:])
    op = rng.choice(["swap", "drop", "double", "wrong"])
    if op == "swap" and i + 1 < len(word) and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(_KEYBOARD) + word[i + 1:]


def _frame(frame: str, slot: str, segments: list[Segment]) -> list[Segment]:
    """`frame` with `slot` replaced by `segments` ("like {t}" -> [Segment("like "), title])."""
    before, _, after = frame.partition(slot)
    return [s for s in [Segment(before)] + segments + [Segment(after)] if s.text]


class PartMaker:
    def __init__(self, rng: random.Random, genres: Sequence[str], catalog, title_forms: list[list[str]],
                 title_weights: list[float]):
        self.rng, self.genres, self.catalog = rng, list(genres), catalog
        self.title_forms, self.title_weights = title_forms, [w ** 0.75 for w in title_weights]

    # --- words ----------------------------------------------------------------------------------
    def genre_word(self, genre: str, adjective: bool | None = None) -> str:
        adjective = self.rng.random() < 0.5 if adjective is None else adjective
        pool = lx.GENRE_ADJECTIVES[genre] if adjective else lx.GENRE_NOUNS[genre]
        return self.rng.choice(pool)

    def title(self) -> Segment:
        forms = self.rng.choices(self.title_forms, self.title_weights)[0]
        return Segment(self.rng.choice(forms))

    def position(self, shown: int) -> tuple[str, int]:
        if self.rng.random() < 0.1:
            return self.rng.choice(lx.LAST_FORMS), shown
        n = self.rng.randint(1, shown)
        form = self.rng.choice(lx.POSITION_FORMS)
        return form.format(n=n, o=lx.ORDINALS[n - 1]), n

    # --- parts of a request -------------------------------------------------------------------
    def genre_wish(self) -> list[Segment]:
        if self.rng.random() < 0.12:
            word, pair = self.rng.choice(lx.GENRE_PAIRS)
            if set(pair) <= set(self.genres):
                return [Segment(self.rng.choice(["a ", "", "some ", "any good "]) + word, "genres", pair)]
        genres = self.rng.sample(self.genres, self.rng.choice([1, 1, 1, 2]))
        if len(genres) == 2 and self.rng.random() < 0.6:
            text = f"{self.genre_word(genres[0], True)} {self.genre_word(genres[1], False)}"
        elif len(genres) == 2:
            text = f"{self.genre_word(genres[0])}{self.rng.choice([' and ', ' or ', ', ', ' + '])}{self.genre_word(genres[1])}"
        elif self.rng.random() < 0.5:
            text = self.rng.choice(lx.KIND_FRAMES).format(self.genre_word(genres[0], True))
            text = self.rng.choice(["a ", "some ", "", "something ", "an " if text[0] in "aeiou" else "a "]) + text
        else:
            text = self.genre_word(genres[0], False)
        return [Segment(text, "genres", genres)]

    def exclusion(self) -> list[Segment]:
        roll = self.rng.random()
        if roll < 0.12:
            return [Segment(self.rng.choice(lx.VIOLENCE_PHRASES), "exclude_genres",
                            [g for g in lx.VIOLENT if g in self.genres])]
        if roll < 0.2 and "Horror" in self.genres:
            return [Segment(self.rng.choice(lx.NOT_SCARY), "exclude_genres", ["Horror"])]
        genres = self.rng.sample(self.genres, self.rng.choice([1, 1, 2]))
        words = f" {self.rng.choice(['or', 'and', 'nor'])} ".join(self.genre_word(g, False) for g in genres)
        return [Segment(self.rng.choice(lx.EXCLUDE_FRAMES).format(words), "exclude_genres", genres)]

    def years(self) -> list[Segment]:
        return [Segment(*self.year_phrase())]

    def year_phrase(self) -> tuple[str, str, str]:
        roll = self.rng.random()
        if roll < 0.04:  # the catalogue ends in the 90s: "nothing from the 90s" means before 1990
            return self.rng.choice(["nothing from the 90s", "no 90s stuff", "not from the nineties"]), "years", "-1989"
        if roll < 0.5:
            decade = self.rng.choice([1940, 1950, 1960, 1970, 1970, 1980, 1980, 1990, 1990, 1990])
            word = self.rng.choice(lx.DECADE_WORDS[decade])
            lo, hi = decade, decade + 9
            if self.rng.random() < 0.25:
                part = self.rng.choice(list(lx.DECADE_PARTS))
                word, lo, hi = f"{part} {word}", decade + lx.DECADE_PARTS[part][0], decade + lx.DECADE_PARTS[part][1]
            return self.rng.choice(lx.DECADE_FRAMES).format(d=word), "years", f"{lo}-{hi}"
        if roll < 0.65:
            a = self.rng.randint(1930, 1990)
            b = self.rng.randint(a + 1, 1998)
            return self.rng.choice(lx.RANGE_FRAMES).format(a=a, b=b), "years", f"{a}-{b}"
        y = self.rng.randint(1935, 1998)
        frame, rule = self.rng.choice(lx.YEAR_FRAMES)
        bounds = {"y-y": f"{y}-{y}", "y+1-": f"{y + 1}-", "y-": f"{y}-", "-y-1": f"-{y - 1}", "-y": f"-{y}"}
        return frame.format(y=y), "years", bounds[rule]

    def like_title(self) -> list[Segment]:
        frame = self.rng.choice(lx.LIKE_FRAMES)
        titles = self.titles_joined("like", 2 if self.rng.random() < 0.15 else 1)
        segments = _frame(frame, "{t}", titles)
        if frame.endswith("but") or self.rng.random() < 0.35:
            genre = self.rng.choice([g for g in lx.COMPARATIVES if g in self.genres] or self.genres)
            comparative = self.rng.choice(lx.COMPARATIVES.get(genre, [self.genre_word(genre, True)]))
            segments += [Segment(" " if frame.endswith("but") else self.rng.choice([" but ", ", just ", " only "])),
                         Segment(comparative, "genres", [genre])]
        return segments

    def liked_title(self) -> list[Segment]:
        return self.title_statement(lx.LIKED_FRAMES, "liked")

    def disliked_title(self) -> list[Segment]:
        return self.title_statement(lx.DISLIKED_FRAMES, "disliked")

    def seen_title(self) -> list[Segment]:
        return self.title_statement(lx.SEEN_FRAMES, "seen")

    def title_statement(self, frames: list[str], role: str) -> list[Segment]:
        count = 2 if self.rng.random() < 0.25 else 1
        return _frame(self.rng.choice(frames), "{t}", self.titles_joined(role, count))

    def titles_joined(self, role: str, count: int) -> list[Segment]:
        out: list[Segment] = []
        for k in range(count):
            if k:
                out.append(Segment(self.rng.choice([" and ", ", ", " & ", " or "])))
            out.append(replace(self.title(), role=role))
        return out

    def people(self) -> list[Segment]:
        names = self.rng.sample(lx.PEOPLE, self.rng.choice([1, 1, 1, 2]))
        segments: list[Segment] = []
        for k, name in enumerate(names):
            if k:
                segments.append(Segment(self.rng.choice([" and ", " or ", ", "])))
            segments.append(Segment(name.lower() if self.rng.random() < 0.3 else name, "people"))
        return _frame(self.rng.choice(lx.PEOPLE_FRAMES), "{x}", segments)

    def plot(self) -> list[Segment]:
        story, genres = self.rng.choice(lx.PLOTS)
        implied = [Segment("", "genres", [g for g in genres if g in self.genres])] if genres else []
        return _frame(self.rng.choice(lx.PLOT_FRAMES), "{x}", [Segment(story, "plot")]) + implied

    def rest(self) -> list[Segment]:
        if self.rng.random() < 0.25:
            return [Segment(self.rng.choice(["", "but ", "and ", "ideally "])), Segment(self.rng.choice(lx.NEGATED_REST), "rest")]
        return _frame(self.rng.choice(lx.REST_FRAMES), "{x}", [Segment(self.rng.choice(lx.REST_WORDS), "rest")])

    # --- parts about the list on screen -------------------------------------------------------
    def like_position(self, shown: int) -> list[Segment]:
        text, n = self.position(shown)
        return _frame(self.rng.choice(lx.POS_LIKE_FRAMES), "{p}", [Segment(text, "like_items", [n])])

    def position_feedback(self, shown: int) -> list[Segment]:
        role, frames = self.rng.choice([("liked_items", lx.POS_LIKED_FRAMES), ("disliked_items", lx.POS_DISLIKED_FRAMES),
                                        ("seen_items", lx.POS_SEEN_FRAMES), ("seen_items", lx.POS_SEEN_FRAMES)])
        first, n = self.position(shown)
        segments = [Segment(first, role, [n])]
        if self.rng.random() < 0.3 and shown > 1:
            m = self.rng.choice([k for k in range(1, shown + 1) if k != n])
            segments += [Segment(self.rng.choice([" and ", ", ", " & "])),
                         Segment(self.rng.choice(["#{}", "{}", "number {}"]).format(m), role, [m])]
        return _frame(self.rng.choice(frames), "{p}", segments)

    def all_seen(self, shown: int) -> list[Segment]:
        return [Segment(self.rng.choice(lx.ALL_SEEN), "seen_items", list(range(1, shown + 1)))]

    def question(self, shown: int) -> list[Segment]:
        ask = self.rng.choices(["about", "why", "fit"], [1, 1, 1.3])[0]
        text, n = self.position(shown)
        frame = self.rng.choice(lx.QUESTION_FRAMES[ask])
        segments = [Segment("", "ask", ask), Segment("", "item", n)]
        slots = {"{g}": None, "{n}": None, "{k}": None, "{d}": None, "{y}": None}
        slot = next((s for s in slots if s in frame), None)
        before, _, after = frame.partition("{p}")
        filled = [Segment(before), Segment(text)]
        if slot is None:
            filled.append(Segment(after))
        else:
            middle, _, tail = after.partition(slot)
            filled += [Segment(middle), *self.fit_slot(slot), Segment(tail)]
        closer = self.rng.choice(["?", "?", "", " ?", "??"])
        return segments + filled + [Segment(closer)]

    def fit_slot(self, slot: str) -> list[Segment]:
        if slot in ("{g}", "{n}"):
            genre = self.rng.choice(self.genres)
            return [Segment(self.genre_word(genre, slot == "{g}"), "genres", [genre])]
        if slot == "{k}":
            genre = "Children's" if "Children's" in self.genres else self.genres[0]
            return [Segment(self.rng.choice(["kids", "children", "the kids", "my kids", "a family night"]),
                            "genres", [genre])]
        if slot == "{d}":
            decade = self.rng.choice(list(lx.DECADE_WORDS))
            return [Segment(self.rng.choice(lx.DECADE_WORDS[decade]), "years", f"{decade}-{decade + 9}")]
        year = self.rng.randint(1940, 1998)
        return [Segment(str(year), "years", f"{year}-{year}")]

    # --- assembly and style -------------------------------------------------------------------
    def join(self, parts: list[list[Segment]], opener: bool) -> list[Segment]:
        out: list[Segment] = []
        if opener:
            out.append(Segment(self.rng.choice(lx.OPENERS)))
        for k, part in enumerate(parts):
            if k:
                out.append(Segment(self.rng.choice(lx.CONNECTORS)))
            out += part
        out.append(Segment(self.rng.choice(lx.CLOSERS)))
        return out

    def style(self, segments: list[Segment]) -> list[Segment]:
        """Case, slang and typos, applied to free text everywhere and to spans as typed."""
        lower = self.rng.random() < 0.45
        slang = self.rng.random() < 0.2
        out = []
        for s in segments:
            text = s.text.lower() if lower else s.text
            if s.role is None and slang:
                for word, short in lx.SLANG.items():
                    text = re.sub(rf"\b{re.escape(word)}\b", short, text)
            rate = 0.1 if s.role in ("like", "liked", "disliked", "seen") else 0.03
            if s.role is None or s.role in SPAN_ROLES or s.role in ("genres", "exclude_genres"):
                text = re.sub(r"[A-Za-z]{4,}", lambda m: typo(m.group(0), self.rng)
                              if self.rng.random() < rate else m.group(0), text)
            out.append(replace(s, text=text))
        if not lower and out and self.rng.random() < 0.5:
            first = next((i for i, s in enumerate(out) if s.text.strip()), None)
            if first is not None and out[first].role is None:
                t = out[first].text
                out[first] = replace(out[first], text=t[:1].upper() + t[1:])
        return out
