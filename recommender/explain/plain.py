"""The plain explanation: a fact sheet rendered by templates, true by construction.

An explanation is a first sentence naming the strongest fact particular to this user and item (a source
from their history, a "like X" reference, what they asked for), and often a second one adding another
fact (shared genres, the year, how many people watched it). Each kind of fact has several phrasings;
`render` takes the phrasing pair that repeats no three-word phrase and that the other cards of the list
use least (`used`), with `style` deciding among equals, so the cards of a list read differently.
"""

from __future__ import annotations

import re
from typing import Sequence

from recommender.explain.facts import FactSheet, Source, _rating, mean_rating_text

MAX_CHARS = 125  # longer options only when nothing shorter fits: a card is read at a glance, and written fast

FIRST = {
    "count": [
        "You rated {s} {r}/5, and {n} of the {v} people who watched it also watched {t}.",
        "{n} of the {v} people who watched {s} (your {r}/5) also saw {t}.",
        "Viewers of {s}, which you rated {r}/5, often pick {t}: {n} of {v} watched both.",
        "Because you gave {s} {r}/5: {t} was watched by {n} of its {v} viewers.",
        "Your {r}/5 for {s} points here; {n} of its {v} viewers also saw {t}.",
        "Of the {v} people who saw {s}, which you gave {r}/5, {n} watched {t} as well.",
        "{t} pairs with {s} (you rated it {r}/5): {n} of {v} viewers watched both.",
        "Since you liked {s} enough for {r}/5, note that {n} of its {v} viewers saw {t}.",
    ],
    "liked": [
        "You liked {s}; {n} of the {v} people who watched it also watched {t}.",
        "{n} of the {v} people who watched {s}, which you liked, also saw {t}.",
        "Since you liked {s}: {n} of its {v} viewers watched {t} too.",
    ],
    "reference": [
        "Like {s}, your reference, {t} is {g}; {n} people watched both.",
        "You want something like {s}: {t} shares {g} with it, and {n} people saw both.",
        "{t} is {g}, as {s} is; {n} of the people who watched {s} saw it.",
        "Close to {s}: both are {g}, and {n} viewers watched the two.",
    ],
    "reference_genres": [
        "Like {s}, your reference, {t} is {g}.",
        "You want something like {s}, and {t} shares {g} with it.",
        "{t} is {g}, as {s} is.",
    ],
    "source": [
        "You rated {s} {r}/5, and {t} shares {g} with it.",
        "{t} is close to {s} ({g}), which you rated {r}/5.",
        "Like {s}, which you gave {r}/5, {t} is {g}.",
    ],
    "genres": [
        "It is {w}, as you asked.",
        "{t} is the {w} you wanted.",
        "You asked for {w}, and {t} fits.",
        "It matches your wish for {w}.",
        "Genre: {w}, just as requested.",
        "{w} is what you asked for, and {t} delivers it.",
        "For your {w} request: {t}.",
        "{t} answers your request for {w}.",
        "A pick for the {w} you requested.",
        "You wished for {w}; here is {t}.",
    ],
    "years": [
        "From {y}, within the years you asked for.",
        "Made in {y}, inside your {a} range.",
        "{t} came out in {y}, as you wanted.",
    ],
    "less_known": [
        "One of the lesser-known films you asked for: {V} people here watched it, the {Rth} most watched.",
        "Less watched, as you wanted: {t} has {V} viewers here, the {Rth} most.",
        "Off the beaten track, as asked: only {V} people here have seen {t}.",
    ],
    "acclaimed": [
        "One of the best rated, as you asked: {M}/5 on average from {N} people here.",
        "Well rated, as you wanted: {t} averages {M}/5 from {N} ratings here.",
        "{t} is rated {M}/5 on average by {N} people here.",
    ],
    "item": [
        "{t} ({y}) is {G}; {V} people here watched it.",
        "{AG} film from {y}, watched by {V} people.",
        "{V} viewers here watched {t}, {aG} film.",
        "{t} is a {y} {G} title with {V} viewers.",
    ],
}
SECOND = {
    "shared": ["Both are {g}.", "They share {g}.", "The two have {g} in common."],
    "genres": ["It is also the {w} you wanted.", "And it is {w}, as requested.", "That fits your wish for {w}."],
    "years": ["It dates from {y}, inside your years.", "Released in {y}, within your range.",
              "{y} puts it inside the range you gave."],
    "item": ["{V} people here watched it.", "It came out in {y}.", "Out in {y}, with {V} viewers here.",
             "{V} people here have seen it.", "A {y} release with {V} viewers here.", "It is from {y}.",
             "It has {V} viewers here.", "It was released in {y}."],
    "also": ["It is also {o}.", "It counts as {o} too.", "It has some {o} as well."],
    "tags": ["People tag it {tags}."],
    "less_known": ["Lesser known, as you asked: the {Rth} most watched here.", "Only {V} people here have seen it."],
    "acclaimed": ["Rated {M}/5 on average by {N} people here.", "Its {N} ratings here average {M}/5."],
}


def quoted(title: str) -> str:
    return f"“{title}”"


def genres_text(genres: Sequence[str]) -> str:
    genres = list(genres)
    return " and ".join(genres) if len(genres) <= 2 else ", ".join(genres[:-1]) + " and " + genres[-1]


def _fill(sheet: FactSheet, src: Source | None) -> dict:
    low, high = sheet.asked_years or (None, None)
    return {"t": quoted(sheet.title), "y": sheet.year, "V": sheet.viewers, "G": genres_text(sheet.genres),
            "a": f"{low or '…'}–{high or '…'}", "tags": ", ".join(sheet.tags[:3]),
            "s": quoted(src.title) if src else None, "n": src.together if src else None,
            "v": src.viewers if src else None,
            "r": _rating(src.rating) if src and src.rating is not None else None,
            "g": genres_text(src.shared_genres) if src and src.shared_genres else genres_text(sheet.asked_genres),
            "w": genres_text(sheet.asked_genres), "aG": _article(genres_text(sheet.genres)),
            "o": genres_text([g for g in sheet.genres if g not in sheet.asked_genres]),
            "AG": "A" + _article(genres_text(sheet.genres))[1:], "Rth": _ordinal(sheet.popularity_rank),
            "M": mean_rating_text(sheet.mean_rating) if sheet.mean_rating is not None else None, "N": sheet.raters}


def _ordinal(n: int) -> str:
    """412 -> "412th", 21 -> "21st", 13 -> "13th"."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _article(words: str) -> str:
    return ("an " if words[:1].upper() in "AEIOU" else "a ") + words


def _first_kinds(sheet: FactSheet) -> list[tuple[str, Source | None]]:
    """(kind, source) of every first sentence the sheet supports, strongest first."""
    kinds = []
    for src in sheet.sources:
        counted = bool(src.together and src.viewers)
        if src.reference:
            kinds.append(("reference" if counted and src.shared_genres else "reference_genres", src)
                         if src.shared_genres else ("liked", src) if counted else ("", src))
        elif counted:
            kinds.append(("count" if src.rating is not None else "liked", src))
        elif src.rating is not None and src.shared_genres:
            kinds.append(("source", src))
    kinds = [k for k in kinds if k[0]]
    if sheet.asked_genres:
        kinds.append(("genres", None))
    if sheet.asked_years and sheet.year:
        kinds.append(("years", None))
    if sheet.asked_less_known and sheet.viewers and sheet.popularity_rank:
        kinds.append(("less_known", None))
    if sheet.rated_as_asked:
        kinds.append(("acclaimed", None))
    if (not kinds or sheet.asked_genres) and sheet.viewers and sheet.year and sheet.genres:
        kinds.append(("item", None))  # also after a genre wish, so that ten cards can read differently
    return kinds


def _second_kinds(sheet: FactSheet, first: str, src: Source | None) -> list[str]:
    kinds = []
    if src is not None and src.shared_genres and first in ("count", "liked"):
        kinds.append("shared")
    if sheet.asked_genres and first != "genres":
        kinds.append("genres")
    if sheet.asked_years and sheet.year and first != "years":
        kinds.append("years")
    if first in ("genres", "years") and sheet.asked_genres and set(sheet.genres) - set(sheet.asked_genres):
        kinds.append("also")  # "Genre: Thriller, just as requested. It is also Action."
    if sheet.viewers and sheet.year and first not in ("item",):
        kinds.append("item")
    if sheet.tags:
        kinds.append("tags")
    if sheet.asked_less_known and sheet.viewers and sheet.popularity_rank and first != "less_known":
        kinds.insert(0, "less_known")  # what the request asked for comes before the item's other facts
    if sheet.rated_as_asked and first != "acclaimed":
        kinds.insert(0, "acclaimed")
    return kinds


def options(sheet: FactSheet) -> list[tuple[str, str]]:
    """Every (skeleton id, text) the sheet supports, strongest facts first, without repeated phrases and
    without stating the year twice ("… came out in 1977, as you wanted. Out in 1977, …")."""
    out = []
    for kind, src in _first_kinds(sheet):
        fill = _fill(sheet, src)
        seconds = [(f"{s}{j}", t.format(**fill)) for s in _second_kinds(sheet, kind, src)
                   for j, t in enumerate(SECOND[s])]
        for sid, second in seconds + [("", "")]:  # consecutive options change the first sentence's phrasing
            for i, first in enumerate(FIRST[kind]):
                if kind == "item" and not sid and sheet.particular:
                    continue  # about the item alone, although the sheet holds a fact about this user
                if "{a}" in first and None in (sheet.asked_years or (None,)):
                    continue  # "inside your …–1989 range": an open range reads better as "the years you asked for"
                full = _one_is_singular(f"{first.format(**fill)} {second}".strip())
                if not _repeats(full) and not (sheet.year and full.count(str(sheet.year)) > 1) \
                        and not (sheet.viewers and full.count(f"{sheet.viewers} ") > 1):  # "127 viewers … 127 people"
                    out.append((f"{kind}{i}" + (f"+{sid}" if sid else ""), full))
    if sheet.rated_as_asked:  # "the best rated films": every card says how its film was rated
        out = [o for o in out if "acclaimed" in o[0]] or out
    if not out:
        out.append(("plain", f"{quoted(sheet.title)} is in the catalogue."))
    return out


def _one_is_singular(text: str) -> str:
    """"1 people here watched it" (a card of a known user's list) reads "1 person"; "1 viewers", "1 viewer"."""
    return re.sub(r"\b1 (people|viewers)\b", lambda m: "1 person" if m.group(1) == "people" else "1 viewer", text)


def _repeats(text: str) -> bool:
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", re.sub(r"“[^”]*”", " ", text))]
    grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    return any(a == b for a, b in zip(words, words[1:])) or len(grams) != len(set(grams))


def render(sheet: FactSheet, used: set[str] | None = None, style: int = 0) -> tuple[str, str]:
    """(skeleton id, text): an option no other card of the list has (`used` holds their skeleton ids and
    sentence ids), with a first sentence they do not use, two sentences before one (a second fact, even in
    a phrasing another card used, says more than "A pick for the Comedy you requested." alone), then the
    fewest phrasings used; `style` rotates among equals."""
    used = used if used is not None else set()
    candidates = [o for o in options(sheet) if len(o[1]) <= MAX_CHARS] or sorted(options(sheet), key=lambda o: len(o[1]))[:1]
    start = style % len(candidates)
    rotated = candidates[start:] + candidates[:start]

    def cost(option) -> tuple[int, int, int, int]:
        ids = option[0].split("+")
        return option[0] in used, ids[0] in used, -len(ids), sum(i in used for i in ids)

    return min(rotated, key=cost)


def render_list(sheets: Sequence[FactSheet], used: set[str] | None = None) -> list[str]:
    """Plain explanations for the cards of one list (card k in style k); cards reuse a sentence's phrasing
    only when the sheets leave no other choice. `used` (sentence ids already on the list) is updated."""
    used = set() if used is None else used
    out = []
    for k, sheet in enumerate(sheets):
        skeleton, text = render(sheet, used, style=k)
        used.update(skeleton.split("+") + [skeleton])
        out.append(text)
    return out
