"""The rules that tell a title typed in chat from ordinary words, and what makes a title a sequel.

`TitleIndex` (recommender/titles.py) finds candidate spans; these rules decide whether a span is plausibly
meant as a title ("something with an edge" is not about "The Edge"; "seen alien and aliens" is), check a
one-letter typo, and tell which catalogue titles continue an older one ("Jaws 2", "Batman Returns").
"""

from __future__ import annotations

import re

# "with my wife": no "Wife, The"; "anything heavy": no "Heavy"
_INDEFINITE = re.compile(r"\b(?:a|an|some|any|more|less|my|your|his|her|our|their|(?:any|some|no|every)thing)$", re.I)
# "all the Godfather movies", "every alien movie": the words around a title that name its whole series
SERIES_BEFORE = re.compile(r"\b(?:all|every|each|both)(?:\s+of)?(?:\s+the)?\s*$", re.I)
SERIES_AFTER = re.compile(r"\s*(?:movies?|films?|ones|sequels|series|franchise|flicks)\b", re.I)
_HYPHENED = re.compile(r"\w-$")  # a letter and a hyphen right before the span (or, reversed, after it)


def plausible_mention(message: str, span, common: frozenset[str], everyday: frozenset[str]) -> bool:
    """Reject spans that are probably ordinary words rather than a title. `common` holds the words that need
    quotes or a mid-sentence capital to be a title; `everyday` the chat words that are never a film after "seen"."""
    words = [w for w, _, _ in span]
    start, end = span[0][1], span[-1][2]
    if _HYPHENED.match(message[max(0, start - 2):start]) or _HYPHENED.match(message[end:end + 2][::-1]):
        return False  # part of a hyphenated word: "earth-bound stuff" is not about "Bound"
    before, after = message[:start].rstrip(), message[end:]
    indefinite = words[0] in ("a", "an") and len(words) == 2
    if (len(words) == 1 and _INDEFINITE.search(before) or indefinite) and message[start:end].islower():
        return False  # "something with an edge" is not about "The Edge"
    if len(words) == 1 and message[start:end].islower() and DEGREE_BEFORE.search(before):
        return False  # "drama but not too heavy" is not about "Heavy"
    if message[start:end].islower() and OF_SOMEONE_AFTER.match(after):
        return False  # "on the edge of my seat" is not about "The Edge"
    if any(w not in common and not w.isdigit() for w in words):
        return True
    if before[-1:] in "\"'“‘«" and after[:1] in "\"'”’»":
        return True
    if SERIES_BEFORE.search(before) and SERIES_AFTER.match(after):  # "seen every alien movie"
        return True
    if LIKE_BEFORE.search(before) and PHRASE_ENDS_AFTER.match(after):  # "a sci-fi like alien": the film
        return True
    if (REPORTED.search(before) and not any(w in everyday for w in words)  # "seen alien and aliens": a genre
            and not GENRE_NOUN_AFTER.match(after)):  # word after "seen" is the film; "loved war movies" is no film
        return True
    first = message[start]
    sentence_start = not before or before[-1] in ".!?"
    return first.isupper() and not sentence_start and not words[0].isdigit()


REPORTED = re.compile(r"\b(?:seen|watched|saw|loved|liked|hated|enjoyed|disliked|adored)(?:\s+[\w'-]+\s*(?:,|and|&))?\s*$",
                      re.I)
GENRE_NOUN_AFTER = re.compile(r"^[\s-]*(?:movies?|films?|flicks?|stuff|ones|genre|type|kind|things|pictures|stories|"
                              r"comed(?:y|ies)|dramas?|thrillers?|romances?|westerns?|musicals?|horror)\b", re.I)
# "like" as a preposition ("a sci-fi like alien", "a comedy like big"), not the verb ("i'd like action")
LIKE_BEFORE = re.compile(r"(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!'d )(?<!\bwould )(?<!\bdo )(?<!n't )"
                         r"(?<!\breally )(?<!\busually )(?<!\balso )(?<!\bto )\b(?:like|similar\s+to|such\s+as|in\s+the\s+vein\s+of)$",
                         re.I)
PHRASE_ENDS_AFTER = re.compile(r"\s*(?:$|[,.!?;:)]|(?:but|and|or|from|with|only|please|plz|though|except|movies?|films?)\b)",
                               re.I)
OF_SOMEONE_AFTER = re.compile(r"\s+of\s+(?:my|your|our|his|her|their)\b", re.I)  # an idiom's noun, not a title
DEGREE_BEFORE = re.compile(r"\b(?:too|so|very|less|more|quite|pretty|really|super|kinda|overly|a bit|a little)$", re.I)
ONE_TYPO_MIN_LENGTH = 6  # a title this long with one letter wrong, added, dropped or swapped is that title
ONE_TYPO_MIN_SPAN = 12  # in free text, only spans of several words this long are checked for such a typo


def one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one substitution, insertion, deletion or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long_)) if x != y), len(short))
    return short[i:] == long_[i + 1:]


NUMBERED_SEQUEL = re.compile(r"\S\s+(?:[2-9]|1[0-2]|II|III|IV|VI{0,3})(?:\s*:|$)")  # "Robocop 3", "Tetsuo II: Body Hammer"
SEQUEL_WORDS = frozenset({"part", "returns", "forever", "resurrection", "annihilation", "reloaded", "revenge"})


def continues_as_sequel(word: str, title: str, base: tuple[str, ...]) -> bool:
    """Whether the word after a base title's words starts a sequel's title (`title` as written, for its colon)."""
    if word.isdigit() and 2 <= int(word) <= 12 or word in SEQUEL_WORDS:
        return True
    head = r"\W+".join(map(re.escape, base))
    return re.match(rf"^\W*{head}\s*:", title, re.I) is not None
