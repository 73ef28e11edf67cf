"""Link the titles people type ("the usual suspects", "Se7en", "Heat (1995)") to catalogue items.

Titles are compared in a normal form (recommender/title_text.py): lower case, accents and punctuation
dropped, and a leading or trailing article removed. A parenthesised part of a catalogue title is indexed
as an alias ("Seven (Se7en)"). Exact lookups come first; fuzzy matching uses character trigrams to find
candidates quickly and difflib to score them, so it stays fast for catalogues of tens of thousands of titles.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from recommender.data.types import Catalog
from recommender.errors import UnknownItemError
from recommender.title_rules import (NUMBERED_SEQUEL, ONE_TYPO_MIN_LENGTH, ONE_TYPO_MIN_SPAN, continues_as_sequel,
                                      one_edit, plausible_mention)
from recommender.title_text import (ARTICLES, KEPT_AT_HEAD, PARENTHESISED, TRAILING_ARTICLE, TRAILING_YEAR, fold,
                                    normalise, title_keys, tokens)

_YEAR_AFTER = re.compile(r"\s*\((\d{4})\)")
_SEQUEL_AFTER = re.compile(r"\s+(?:[2-9]|ii|iii|iv)\b(?!\s*(?:times?|days?|hours?|weeks?|months?|years?|mins?|minutes?|"
                           r"more|of|out|stars?|x|/|%|\.\d))", re.I)

FUZZY_ACCEPT = 0.86  # below this a fuzzy hit is only offered as a suggestion
FUZZY_SUGGEST = 0.65  # "the matrix" suggested Matilda (0.62) and Maverick (0.57); "Casablanka Nights" keeps Casablanca (0.67)
FUZZY_SUGGEST_ANY_INITIAL = 0.80  # below this a suggestion must also start with the typed first letter:
# "Inception" suggested Addiction (0.67) and "Interstellar" Cinderella (0.73)
FUZZY_TIE_MARGIN = 0.03  # two different titles this close to the best score make a match ambiguous

# Words people use in chat that are also (parts of) real titles: a span made only of these is taken
# as a title only when it is quoted or capitalised mid-sentence ("Big", "It", "Always", "More").
COMMON_WORDS = frozenset(
    """a about after again against all already also always am an and another any anything are as at away
    back bad be because been before being best better big both but by can could day days did do does
    doing done down each else even ever every few film films find for from fun funny funnier get give go
    going good great had has have having he her here him his how i i'd i'm i've if in into is it it's its
    just kind last least less let let's life like liked likes little long look lot love loved lovely made
    make man many maybe me more most movie movies much must my need new next nice night no not nothing now
    of off old older on once one only or other others our out over please pretty quite rather really
    recent reset right same saw say see seen 7 she show shown similar so some something sort still
    such than thank thanks that the their them then there these they thing things this those time to too
    2 up us very want wanted was watch watched way we well were what when where which while who why will
    with without world would year years yes yet you your
    hate hated hates enjoy enjoyed adore adored dislike disliked prefer mood laugh cry sad happy dark scary
    fan fans sleepover party weekend holiday birthday fall
    nobody everybody everyone someone somebody anyone anybody heard list lists picks""".split()  # feelings: "i hate musicals" is not about
)  # "Hate (Haine, La)"; occasions: "for a sleepover" is not about "Sleepover", nor "fall asleep" about "Fall"


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass
class TitleMatch:
    """How a piece of text links to the catalogue.

    exact: `item` is the one item whose title (or alias) normalises to the text.
    fuzzy: `item` is the one clearly closest title. ambiguous: several items fit, listed in
    `candidates`, `item` is None. unknown: nothing fits; `candidates` holds the closest suggestions.
    For find_mentions, `start`/`end` are the character span in the message.
    """

    status: Literal["exact", "fuzzy", "ambiguous", "unknown"]
    item: int | None
    candidates: list[int] = field(default_factory=list)
    text: str = ""
    start: int = 0
    end: int = 0


class TitleIndex:
    """Exact and fuzzy title lookup over one catalogue."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.years: list[int | None] = []
        self._exact: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(catalog):
            written_year, keys = title_keys(item.title)
            self.years.append(item.year or written_year)
            for key in keys:
                if index not in self._exact[key]:
                    self._exact[key].append(index)
        self._keys = list(self._exact)
        self._by_trigram: dict[str, list[int]] = defaultdict(list)
        for key_id, key in enumerate(self._keys):
            for gram in _trigrams(key):
                self._by_trigram[gram].append(key_id)
        self.max_words = max((len(k.split()) for k in self._keys), default=1)
        released = [item.year for item in catalog if item.year]
        self.year_range = (min(released), max(released)) if released else None  # "films from 1922 to 1998"

    def display(self, index: int) -> str:
        year = self.years[index]
        title = self.catalog[index].title
        return f"{title} ({year})" if year and not TRAILING_YEAR.search(title) else title

    def link(self, text: str) -> TitleMatch:
        """Link one title as typed; an optional "(1995)" restricts the match to that year."""
        year = None
        m = TRAILING_YEAR.search(text)
        if m:
            year, text = int(m.group(1)), text[: m.start()]
        key = normalise(text)
        if not key:
            return TitleMatch("unknown", None, [], text)
        same_title = self._exact.get(key, [])
        exact = self._with_year(same_title, year)
        if exact:
            return self._from_items("exact", exact, text)
        if same_title:  # right title, wrong year: offer the ones that exist
            return TitleMatch("unknown", None, list(same_title), text)
        prefixed = self._with_year(self._prefix_items(key), year)
        if prefixed:
            match = self._from_items("fuzzy", prefixed, text)
            return match if match.status == "fuzzy" or len(prefixed) <= 10 else self._fuzzy(key, year, text)
        match = self._fuzzy(key, year, text)
        sole = self._sole_title_with(key, year) if match.status == "unknown" else None
        return TitleMatch("fuzzy", sole, [sole], text) if sole is not None else match

    def _sole_title_with(self, word: str, year: int | None) -> int | None:
        """The one title holding this uncommon word, if only one does: "i've seen star wars, empire and jedi"
        said "I don't know the movie “jedi”" and then listed Return of the Jedi."""
        if " " in word or len(word) < 4 or word in COMMON_WORDS:
            return None
        holders = self._with_year([i for i, words in enumerate(self._title_words()) if word in words], year)
        return holders[0] if len(holders) == 1 else None

    def resolve(self, text: str) -> int:
        """The item a typed title means; UnknownItemError naming the closest titles otherwise."""
        match = self.link(text)
        if match.item is not None:
            return match.item
        options = "; ".join(f"{self.display(i)} [id {self.catalog[i].item_id}]" for i in match.candidates[:5])
        if match.status == "ambiguous":
            raise UnknownItemError(f"title {text.strip()!r} is ambiguous: {options}; add the year, e.g. 'Title (1995)'")
        hint = f"; closest: {options}" if options else ""
        raise UnknownItemError(f"unknown title {text.strip()!r}{hint}")

    def find_mentions(self, message: str, common_words: frozenset[str] = frozenset()) -> list[TitleMatch]:
        """Titles mentioned in free text, left to right, longest span first, never overlapping.

        Only exact (normalised) spans count: fuzzy matching of arbitrary n-grams would turn ordinary
        words into titles. Spans made only of common chat words (COMMON_WORDS plus `common_words`,
        e.g. genre words: "an action war movie" is not about "War, The") need quotes or a
        mid-sentence capital.
        """
        words = tokens(message)
        common = COMMON_WORDS | common_words
        found, pos = [], 0
        while pos < len(words):
            match = self._longest_span_at(message, words, pos, common)
            if match is None:
                pos += 1
                continue
            found.append(match)
            pos = next((i for i, w in enumerate(words) if w[1] >= match.end), len(words))
        return found

    def _longest_span_at(self, message: str, words, pos: int, common: frozenset[str]) -> TitleMatch | None:
        for length in range(min(self.max_words + 1, len(words) - pos), 0, -1):
            span = words[pos : pos + length]
            key = normalise(" ".join(w for w, _, _ in span))
            items = self._exact.get(key) or (self._typo_of(key) if length >= 2 else None)
            if not items or not plausible_mention(message, span, common, COMMON_WORDS):
                continue
            start, end = span[0][1], span[-1][2]
            year_match = _YEAR_AFTER.match(message, end)
            year = int(year_match.group(1)) if year_match else None
            if year_match:
                end = year_match.end()
            chosen = self._with_year(items, year) or items
            sequel = _SEQUEL_AFTER.match(message, end) if not any(w.isdigit() for w, _, _ in span) else None
            if sequel and not year_match:  # "Toy Story 2" is not Toy Story; "godfather 2" is Part II
                end = sequel.end()
                number = fold(sequel.group(0).strip())
                sequels = sorted({i for item in chosen for i in self.series(item)
                                  if number in normalise(self.catalog[i].title).split()})
                match = (self._from_items("exact", sequels, message[start:end]) if sequels
                         else TitleMatch("unknown", None, list(chosen), message[start:end]))
            else:
                match = self._from_items("exact", chosen, message[start:end])
            match.start, match.end = start, end
            return match
        return None

    def _typo_of(self, key: str) -> list[int] | None:
        """The items of the one title a span of several words is one letter away from ("jurrasic park and
        independance day": the model read only the first), when the span is long enough not to be everyday words."""
        if len(key) < ONE_TYPO_MIN_SPAN:
            return None
        if getattr(self, "_by_ends", None) is None:  # one edit leaves the first two or the last two letters
            self._by_ends = defaultdict(set)
            for k in self._keys:
                self._by_ends[len(k), k[:2], ""].add(k)
                self._by_ends[len(k), "", k[-2:]].add(k)
        candidates = set().union(*(self._by_ends.get(e, set()) for n in (len(key) - 1, len(key), len(key) + 1)
                                   for e in ((n, key[:2], ""), (n, "", key[-2:]))))
        near = [k for k in candidates if one_edit(key, k)]
        return list(self._exact[near[0]]) if len(near) == 1 else None

    def series(self, index: int) -> list[int]:
        """The item and those whose title continues its title ("Godfather, The" -> "Godfather: Part II, The",
        "Die Hard" -> "Die Hard 2"): what "all the Godfather movies" names."""
        words = self._title_words()
        own = words[index]
        if len(own) == 1 and own[0] in COMMON_WORDS:
            return [index]
        return [i for i, title in enumerate(words) if i == index or title[:len(own)] == own]

    def franchise(self, text: str) -> list[int]:
        """Items whose title starts with the two or more words of `text` when two or more do and none is titled
        just that ("star trek": the Star Trek films, of which none is "Star Trek"); [] otherwise."""
        key = _without_leading_article(tuple(w for w, _, _ in tokens(text)))
        if len(key) < 2 or any(w in COMMON_WORDS for w in key) or normalise(text) in self._exact:  # not "my favorite"
            return []
        items = [i for i, title in enumerate(self._title_words()) if title[:len(key)] == key]
        return items if len(items) >= 2 else []

    def sequels(self) -> frozenset[int]:
        """Items whose title continues an older item's title with a number, "Part", a colon or a word that
        marks a sequel ("Jaws 2", "Godfather: Part II", "Alien: Resurrection", "Batman Returns"): what "no
        sequels" leaves out when it names no film. Built on first use."""
        if getattr(self, "_sequels", None) is None:
            words = self._title_words()
            found = {i for i, item in enumerate(self.catalog)  # "Star Trek III: …": its first part is not here
                     if NUMBERED_SEQUEL.search(TRAILING_ARTICLE.sub("", PARENTHESISED.sub(" ", item.title)).strip())}
            for base, own in enumerate(words):
                if not own:
                    continue
                found.update(i for i in self.series(base) if len(words[i]) > len(own)  # the base and its continuations
                             and (self.years[i] or 0) > (self.years[base] or 0)
                             and continues_as_sequel(words[i][len(own)], self.catalog[i].title, own))
            self._sequels = frozenset(found)
        return self._sequels

    def family(self, index: int) -> list[int]:
        """`index`'s series by title: the film whose title it continues as a sequel (else itself), then that film's
        sequels ("Jaws 2": Jaws, Jaws 2, Jaws 3-D); else the films whose titles start with its first two words
        ("Star Trek: First Contact": the Star Trek films, of which none is titled just that); else [index]."""
        words, sequels = self._title_words(), self.sequels()
        own = words[index]
        bases = [b for b, title in enumerate(words) if 0 < len(title) < len(own) and own[:len(title)] == title] \
            if index in sequels else []
        base = min(bases, key=lambda b: len(words[b]), default=index)
        found = [base] + [i for i in self.series(base) if i != base and i in sequels]
        return found if len(found) > 1 else (self.franchise(" ".join(own[:2])) or [index])

    def _title_words(self) -> list[tuple[str, ...]]:
        """Each title's folded words, built on first use: unlike `normalise`, a leading "Die" stays ("Die
        Hard" is no "Hard Rain")."""
        if getattr(self, "_words", None) is None:
            self._words = [_without_leading_article(tuple(w for w, _, _ in tokens(
                TRAILING_ARTICLE.sub("", PARENTHESISED.sub(" ", item.title))))) for item in self.catalog]
        return self._words

    def _prefix_items(self, key: str) -> list[int]:
        """Items whose title starts with the typed words ("Shawshank" -> "Shawshank Redemption")."""
        if len(key) < 4 or all(w in COMMON_WORDS for w in key.split()):
            return []
        items = {i for k in self._keys if k.startswith(key + " ") for i in self._exact[k]}
        return sorted(items)

    def _initial(self, index: int) -> str:
        return normalise(self.catalog[index].title)[:1]

    def _with_year(self, items: list[int], year: int | None) -> list[int]:
        return list(items) if year is None else [i for i in items if self.years[i] == year]

    def _from_items(self, status: str, items: list[int], text: str) -> TitleMatch:
        if len(items) == 1:
            return TitleMatch(status, items[0], list(items), text)
        ordered = sorted(items, key=lambda i: (self.years[i] or 0, i), reverse=True)
        return TitleMatch("ambiguous", None, ordered, text)

    def _fuzzy(self, key: str, year: int | None, text: str) -> TitleMatch:
        scored = self._fuzzy_scores(key)
        per_item: dict[int, float] = {}
        for score, candidate in scored:
            for item in self._with_year(self._exact[candidate], year):
                per_item[item] = max(per_item.get(item, 0.0), score)
        ranked = sorted(per_item.items(), key=lambda kv: (-kv[1], kv[0]))
        typo = [k for _, k in scored if len(key) >= ONE_TYPO_MIN_LENGTH and one_edit(key, k)]
        if len(typo) == 1 and len(items := self._with_year(self._exact[typo[0]], year)) == 1:
            return TitleMatch("fuzzy", items[0], list(items), text)  # "Titanik" (0.857) was only a suggestion
        if not ranked or ranked[0][1] < FUZZY_ACCEPT:
            suggestions = [i for i, s in ranked if s >= FUZZY_SUGGEST and (s >= FUZZY_SUGGEST_ANY_INITIAL
                           or self._initial(i) == key[:1])][:5]  # a typo keeps the first letter
            return TitleMatch("unknown", None, suggestions, text)
        best = ranked[0][1]
        close = [i for i, s in ranked if s >= best - FUZZY_TIE_MARGIN]
        if len(close) == 1:
            return TitleMatch("fuzzy", close[0], [close[0]], text)
        return TitleMatch("ambiguous", None, close[:5], text)

    def _fuzzy_scores(self, key: str, shortlist: int = 40) -> list[tuple[float, str]]:
        """(similarity, key) for the keys sharing the most trigrams with `key`, best first."""
        counts: dict[int, int] = defaultdict(int)
        for gram in _trigrams(key):
            for key_id in self._by_trigram.get(gram, ()):
                counts[key_id] += 1
        top = sorted(counts, key=lambda k: -counts[k])[:shortlist]
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        scored = []
        for key_id in top:
            candidate = self._keys[key_id]
            matcher.set_seq1(candidate)
            scored.append((matcher.ratio() * _number_agreement(key, candidate), candidate))
        return sorted(scored, reverse=True)


def _number_agreement(typed: str, candidate: str) -> float:
    """Penalise fuzzy hits whose numbers differ: "Toy Story 2" is not "Toy Story"."""
    numbers = lambda key: {w for w in key.split() if w.isdigit()}  # noqa: E731
    return 1.0 if numbers(typed) == numbers(candidate) else 0.8


def _without_leading_article(words: tuple[str, ...]) -> tuple[str, ...]:
    """"The Godfather" as "Godfather, The" was: MovieLens titles load in reading order."""
    return words[1:] if len(words) > 1 and words[0] in ARTICLES and words[0] not in KEPT_AT_HEAD else words
