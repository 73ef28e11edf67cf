"""The fact gate: while the LLM writes an explanation, a token that would name something the fact sheet
does not hold is never chosen.

At each step the decoder offers its candidate tokens best first (`FactGate.choose`); the gate takes the
first whose text keeps the explanation within the facts:
- a number (a run of digits) must be, or start, one of the sheet's numbers, and a rating goes only to the
  title the user gave it ("“Bean” (your" is refused when Bean is not a rated source); a count goes only
  with its own title in its sentence ("31 of the 45 people who watched “Fargo”" is refused at the closing
  quote when 31 of 45 watched “Heat”);
- a capitalised word inside a sentence (a name, a title) must be, or start, a word of the sheet's titles
  or genres; a sentence may open only with a word of STARTERS or of the sheet;
- a quoted passage must be, or start, one of the sheet's titles, and a sentence that does not name the film
  names no title twice;
- a genre word must name one of the item's genres; words that claim a source or a person ("novel",
  "directed", "starring") are never written;
- a report of the request names only what it asked for and this item matches ("the Comedy you wanted");
- an aside in parentheses follows a quoted title and is one of that title's own (`sheet_asides`: "(your
  4/5)" after the rated source, "(with 508 viewers)", "(1991)", "(Drama, Thriller)" after the film itself):
  the model's "(since it came out in 1991)" or "(the Drama it is)" read garbled and made 28 of 80 drafts
  fail the check; refused at their first wrong word, the model writes on;
- no word is written twice in a row, no three-word phrase twice, and the text ends at a sentence end.
The post-check (`recommender.explain.check`) runs again on the finished text, independently.
"""

from __future__ import annotations

import re
from typing import Sequence

from recommender.explain.facts import FactSheet
from recommender.llm.claims import (genre_key, misattributed_counts, misattributed_ratings, misreported_requests,
                                     ungrounded_genres, unshared_genres)

STARTERS = frozenset("""It Its This That You Your If Like As And But Both Fans Viewers People Because Since With
A An The For Many Here Plus Also So Then Just Those These Their They Everyone Anyone Someone Of Close Out
Released Made From Genre Try Another Same One""".split())
SOURCE_WORDS = frozenset("""novel novels book books adaptation adapted adapts based directed director directors
directing starring stars starred actor actors actress actresses cast oscar oscars award awards awarded nominated
remake sequel prequel trilogy franchise biography biopic memoir playwright author written writer screenplay
box budget grossed premiered festival critics critic acclaimed bestseller""".split())
SENTENCE_END = re.compile(r"[.!?][\"”')]*\s*$")
SENTENCE_SPLIT = re.compile(r"[.!?][\"”')]*\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


class FactGate:
    """The constraint for one explanation (see the module docstring)."""

    def __init__(self, sheet: FactSheet, catalogue_genres: Sequence[str]):
        self.sheet = sheet
        self.numbers = sheet.numbers()
        names = " ".join(sheet.titles() + list(sheet.genres) + list(sheet.tags))
        self.names = {w for w in _WORD.findall(names)} | {w.capitalize() for w in _WORD.findall(names)}
        self.titles = [t for t in sheet.titles()]
        self.ratings, self.counts = sheet.ratings(), sheet.counts()
        self.catalogue_genres = list(catalogue_genres)
        self.asides = sheet_asides(sheet)

    def allows(self, text: str) -> bool:
        """Whether `text` (the explanation so far, perhaps ending mid-word) stays within the facts."""
        return (self._numbers_ok(text) and self._quotes_ok(text) and self._asides_ok(text) and self._words_ok(text)
                and not self._repeats(text) and not misattributed_ratings(text, self.ratings)
                and not misattributed_counts(text, *self.counts, final=False))

    def forced(self, text: str) -> str | None:
        """Inside a quote whose start fits one title only: the rest of that title and the closing quote
        (the model once closed "Awfully Big Adventure" before the ", An" the sheet's title has, and the
        gate, refusing the close, cut the explanation short)."""
        marks = list(re.finditer(r"[\"“”]", text))
        if len(marks) % 2 == 0 or not text[marks[-1].end():].strip():
            return None
        inside = text[marks[-1].end():]
        fits = {t for t in self.titles if t.startswith(inside)}
        if len(fits) != 1:
            return None
        rest = fits.pop()[len(inside):] + ("”" if marks[-1].group() == "“" else '"')
        return rest if self.allows(text + rest) else None  # a title the sentence's counts do not belong to

    def choose(self, text: str, candidates: Sequence[tuple[int, str]]) -> int | None:
        """The first (token id, token text) of `candidates` whose text the gate allows after `text`."""
        for token, piece in candidates:
            if self.allows(text + piece):
                return token
        return None

    # --- the checks ---------------------------------------------------------------------------
    def _numbers_ok(self, text: str) -> bool:
        text = _QUOTED.sub("T", text)  # digits in a title ("Jungle2Jungle") are the title's: `_quotes_ok`
        for m in re.finditer(r"\d[\d,./]*", text):
            run, at_end = m.group(0).rstrip(",."), m.end() == len(text)
            if at_end and not any(n.startswith(run) for n in self.numbers):
                return False
            if not at_end and run not in self.numbers:
                return False
        return True

    def _quotes_ok(self, text: str) -> bool:
        quotes = [m.start() for m in re.finditer(r"[\"“”]", text)]
        named = set()  # (sentence, title): "27 of the 71 people who watched “Quilt” … also saw “Quilt”" was shown
        for k in range(0, len(quotes), 2):
            inside = text[quotes[k] + 1:quotes[k + 1]] if k + 1 < len(quotes) else text[quotes[k] + 1:]
            closed = k + 1 < len(quotes)
            if closed and inside not in self.titles:
                return False
            sentence = len(SENTENCE_SPLIT.findall(text[:quotes[k]]))
            if closed and (sentence, inside) in named and (sentence, self.sheet.title) not in named:
                return False  # a source named twice without the film ("“Y” is Drama, as “X” is; … watched “X”" is fine)
            named.add((sentence, inside))
            if not closed and not any(t.startswith(inside) for t in self.titles):
                return False
        return True

    def _asides_ok(self, text: str) -> bool:
        for m in _ASIDE.finditer(text):
            if text[:m.start()].count("“") != text[:m.start()].count("”"):
                continue  # inside a title ("Seven (Se7en)"): `_quotes_ok`
            # only the asides of the title right before: "“Heat” (with 60 viewers)" gave Heat the film's count
            after = _TITLE_END.search(text[:m.start()])
            allowed = self.asides.get(after.group(1), set()) if after else set()
            aside = m.group(0)
            if aside.endswith(")") and aside not in allowed:
                return False
            if not aside.endswith(")") and not any(a.startswith(aside) for a in allowed):
                return False
        return True

    def _words_ok(self, text: str) -> bool:
        words = list(_WORD.finditer(text))
        for k, m in enumerate(words):
            word, complete = m.group(0), m.end() < len(text)
            if word.lower() in SOURCE_WORDS and complete:
                return False
            if word[0].isupper() and not self._capital_ok(text, m.start(), word, complete):
                return False
        # a title may hold a genre word ("Awfully Big Adventure, An" on a Drama's card): quotes are no claim
        done, sheet = _QUOTED.sub(" ", _complete_part(text)), self.sheet
        return not (ungrounded_genres(done, sheet.genres, self.catalogue_genres) or misreported_requests(
            done, sheet.asked_genres, bool(sheet.asked_years), sheet.answers_request, self.catalogue_genres)
            or unshared_genres(_complete_part(text), sheet.shared_genres(), self.catalogue_genres))

    def _capital_ok(self, text: str, start: int, word: str, complete: bool) -> bool:
        opening = start == 0 or SENTENCE_END.search(text[:start]) is not None
        allowed = self.names | (STARTERS if opening else set())
        if word == "I":
            return False  # the recommender speaks to "you"; "I" is the viewer's voice
        if complete:
            return word in allowed or word.rstrip("'s’") in allowed
        return any(a.startswith(word) for a in allowed)

    def _repeats(self, text: str) -> bool:
        done = _QUOTED.sub(" ", _complete_part(text))
        words = [w.lower() for w in _WORD.findall(done)]  # "Liar Liar" may
        numbers = re.findall(r"\d[\d,.]*\d|\d", re.sub(r"\d(?:\.\d+)?/5\b", " ", done))  # "174 people … 174 people here …"
        if any(a == b for a, b in zip(words, words[1:])) or len(numbers) != len(set(numbers)):
            return True
        grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
        return len(grams) != len(set(grams))


_QUOTED = re.compile(r"[\"“][^\"”]*(?:[\"”]|$)")  # a quoted passage, also one still open at the end
_ASIDE = re.compile(r"\([^()]*(?:\)|$)")  # an aside in parentheses, also one still open at the end
_TITLE_END = re.compile(r"[\"“]([^\"“”]+)[\"”]\s*$")  # a quoted title right before an aside


def sheet_asides(sheet: FactSheet) -> dict[str, set[str]]:
    """Title -> the asides in parentheses an explanation of `sheet` may write right after that title: a
    source's rating after the source, the film's viewers, year and genres after the film."""
    out = {title: {f"(your {r}/5)", f"(you rated it {r}/5)"} for title, r in sheet.ratings().items()}
    own = {f"({how} {sheet.viewers} viewers)" for how in ("with", "its")} if sheet.viewers else set()  # not "fans"
    if sheet.year:
        own.add(f"({sheet.year})")
    genres = set(sheet.genres)  # a list of two or three, not "(it is Action and Adventure and Romance and …)"
    if 2 <= len(sheet.genres) <= 3:
        genres |= {", ".join(sheet.genres[:-1]) + " and " + sheet.genres[-1], ", ".join(sheet.genres)}
    own |= {f"({lead}{g})" for g in genres for lead in ("", "it is ")}  # not "also saw “Clerks” (because it is Comedy)"
    out[sheet.title] = out.get(sheet.title, set()) | own
    return out


def _complete_part(text: str) -> str:
    """`text` without a word that may still be growing at its end."""
    return text if not text or not text[-1].isalnum() else text[: len(text) - len(re.split(r"\W", text)[-1])]


def is_finished(text: str) -> bool:
    return bool(SENTENCE_END.search(text))


def genre_words_of(sheet: FactSheet) -> set[str]:
    return {genre_key(g) for g in sheet.genres}
