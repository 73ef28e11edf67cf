"""The normal form titles are compared in: lower case, accents and punctuation dropped, numbers written one
way ("Twelve" and "12", "Part II" and "Part 2"), and a leading or trailing article removed, because MovieLens
writes "Usual Suspects, The" while people say "The Usual Suspects"."""

from __future__ import annotations

import re
import unicodedata

ARTICLES = frozenset(
    "the a an la le les l il lo gli das der die den det el los las un une o".split()
)
TRAILING_ARTICLE = re.compile(
    r",\s*(the|a|an|la|le|les|l'|il|lo|gli|das|der|die|den|det|el|los|las|un|une|o)\s*$", re.I)
# Foreign articles that are English words too stay at the head of a title: "Die Hard" is no "Hard", so
# "I want to laugh hard" named no film (it said "Noted, you liked: Die Hard").
KEPT_AT_HEAD = frozenset({"die", "den", "o", "lo"})
TRAILING_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
PARENTHESISED = re.compile(r"\(([^()]*)\)")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Normalised word tokens of `text` with their character spans: the unit titles are compared in."""
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        norm = "and" if word == "&" else fold(word)
        if norm:
            out.append((norm, m.start(), m.end()))
    return out


# Sequels are written both ways ("Godfather: Part II", "Rocky 2"). "I", "V" and "X" stay words:
# they are far more often a pronoun, a letter or a name ("Malcolm X") than a number.
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
# Numbers are written both ways too ("12 Monkeys" is "Twelve Monkeys", "Twelve Angry Men" "12 Angry Men");
# "one" stays a word: "the one where", "that one".
_NUMBERS = {w: str(n) for n, w in enumerate("two three four five six seven eight nine ten eleven twelve thirteen "
                                               "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(), 2)}
_FOLDED = {**_ROMAN, **_NUMBERS}


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    folded = "".join(ch for ch in decomposed if ch.isalnum())
    return _FOLDED.get(folded, folded)


def normalise(title: str) -> str:
    """The comparison key of a title: folded tokens, without a leading/trailing article."""
    title = TRAILING_ARTICLE.sub("", title.strip())
    words = [t for t, _, _ in tokens(title)]
    if len(words) > 1 and words[0] in ARTICLES and words[0] not in KEPT_AT_HEAD:
        words = words[1:]
    return " ".join(words)


def title_keys(title: str) -> tuple[int | None, list[str]]:
    """(year written in the title or None, comparison keys of the title and its parenthesised aliases)."""
    year = None
    m = TRAILING_YEAR.search(title)
    if m:
        year, title = int(m.group(1)), title[: m.start()]
    aliases = [a.strip() for a in PARENTHESISED.findall(title)]
    main = PARENTHESISED.sub(" ", title)
    keys = [normalise(main), normalise(title)]
    keys += [normalise(re.sub(r"^a\.?k\.?a\.?\s+", "", a, flags=re.I)) for a in aliases]
    return year, list(dict.fromkeys(k for k in keys if k))
