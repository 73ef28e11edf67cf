"""Year constraints in a message: "only after 1990", "from the 90s", "nothing before 1985", "black and
white", "older ones" (against the list on screen). Each finder returns what it understood plus the
character spans it used, so the parser can remove them and treat whatever is left as the free-text request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from recommender.chat.phrases import NEGATIONS, Span
from recommender.title_text import tokens


@dataclass
class YearFilters:
    min_year: int | None = None
    max_year: int | None = None
    clear: bool = False  # "any year"
    spans: list[Span] = field(default_factory=list)


def _decade_start(text: str) -> int | None:
    """'1990s' -> 1990, "90s" / "'90s" -> 1990, "00s" -> 2000, 'nineties' -> 1990."""
    words = {"twent": 20, "thirt": 30, "fort": 40, "fourt": 40, "fift": 50, "sixt": 60, "sevent": 70,
             "eight": 80, "ninet": 90, "nint": 90}
    text = text.lower().lstrip("'’")
    stem = re.sub(r"(?:ies|ys|is|y's|ie's)$", "", text)  # "nineties", "ninetys", "ninties"
    if stem in words:
        return 1900 + words[stem]
    digits = text.rstrip("s").rstrip("'’")
    if len(digits) == 4:
        return int(digits) // 10 * 10
    if len(digits) == 2:
        value = int(digits)
        return (2000 if value < 30 else 1900) + value // 10 * 10
    return None


def _decade_part(part: str | None, decade: str) -> tuple[int, int]:
    """"the mid nineties" is 1993-1997, "the 90s" 1990-1999 (eval/intent/README.md conventions)."""
    start = _decade_start(decade)
    low, high = DECADE_PARTS.get((part or "").lower(), (0, 9))
    return start + low, start + high


DECADE_PARTS = {"early": (0, 4), "mid": (3, 7), "late": (5, 9)}
_DECADE = r"(\d{4}s|['’]?\d0s|(?:twent|thirt|fou?rt|fift|sixt|sevent|eight|ninet|nint)(?:ies|ys|is|y's|ie's))"
_YEAR = r"(1[89]\d\d|20\d\d)"
_NOT = r"\b(?:nothing|not|no|none|never|skip|avoid|exclude|without)\s+(?:\w+\s+){0,2}?"  # "nothing before 1985", "no films made after 1990"
# an age, no decade: "my parents would like, they're in their 70s" listed films of the 1970s
AGE = re.compile(rf"\b(?:in|into)\s+(?:their|his|her|my|our|your)\s+(?:(?:early|mid|late)[\s-]+)?{_DECADE}", re.I)
_RULES = [  # (pattern, groups -> (min_year, max_year)); earlier rules win where spans overlap
    (AGE.pattern, lambda _: (None, None)),
    (rf"{_NOT}(?:before|b4|earlier than|older than|prior to)\s+{_YEAR}\b", lambda a: (int(a), None)),
    (rf"{_NOT}(?:after|later than|newer than)\s+{_YEAR}\b", lambda a: (None, int(a))),
    (rf"{_NOT}(?:before|b4|older than)\s+(?:the\s+)?{_DECADE}", lambda d: (_decade_start(d), None)),
    (rf"{_NOT}(?:after|newer than)\s+(?:the\s+)?{_DECADE}", lambda d: (None, _decade_start(d) + 9)),
    # "skip the 90s stuff", "too much 90s stuff": the catalogues end in the 1990s, so no 90s is before 1990; "nothing from the 70s"
    # is taken as newer (a range cannot leave out a middle decade, and people mostly leave out old films)
    (rf"\b(?:nothing|not|no|skip|without|avoid|too(?:\s+(?:much|many)(?:\s+of)?)?)\s+(?:from\s+|in\s+)?(?:the\s+)?{_DECADE}",
     lambda d: (None, _decade_start(d) - 1) if _decade_start(d) >= 1990 else (_decade_start(d) + 10, None)),
    (rf"\bbetween\s+{_YEAR}\s+and\s+{_YEAR}\b", lambda a, b: (int(a), int(b))),
    (rf"\b{_YEAR}\s*(?:-|–|to)\s*{_YEAR}\b", lambda a, b: (int(a), int(b))),
    (rf"(?<!\w)(?:(?:from|in|of)\s+)?(?:the\s+)?{_DECADE}\s*(?:or|and|&)\s+(?:earlier|older|before)\b",
     lambda d: (None, _decade_start(d) + 9)),  # "from the 70s or earlier" (was read as the 70s alone)
    (rf"(?<!\w)(?:(?:from|in|of)\s+)?(?:the\s+)?{_DECADE}\s*(?:(?:or|and|&)\s+(?:later|newer|after|up|onwards?)"
     rf"|onwards?|forwards?|on(?:ward)?\s*$|\+)(?!\w)", lambda d: (_decade_start(d), None)),  # "90s onward"
    (rf"\b{_YEAR}\s+or\s+(?:later|newer|after)\b", lambda a: (int(a), None)),
    (rf"\b{_YEAR}\s+or\s+(?:earlier|older|before)\b", lambda a: (None, int(a))),
    (rf"\b(?:(?:after|later than|newer than)\s+|post[\s-]*){_YEAR}\b", lambda a: (int(a) + 1, None)),
    (rf"\b(?:since|from)\s+{_YEAR}\s+(?:on|onwards?)\b", lambda a: (int(a), None)),
    (rf"\bsince\s+{_YEAR}\b", lambda a: (int(a), None)),
    (rf"\b(?:(?:before|b4|earlier than|older than|prior to)\s+|pre[\s-]*){_YEAR}\b", lambda a: (None, int(a) - 1)),  # "pre-1990"
    (rf"(?<!\w)(?:(?:from|in|of)\s+)?(?:the\s+)?{_DECADE}\s*(?:or|and|to|through|-|–|/)\s*(?:the\s+)?{_DECADE}(?!\w)",
     lambda a, b: (_decade_start(a), _decade_start(b) + 9)),  # "the 60s or 70s"
    (rf"\b(?:until|up to|no later than)\s+{_YEAR}\b", lambda a: (None, int(a))),
    (rf"\b(?:after|since)\s+(?:the\s+)?{_DECADE}", lambda d: (_decade_start(d) + 10, None)),
    (rf"\b(?:before|b4)\s+(?:the\s+)?{_DECADE}", lambda d: (None, _decade_start(d) - 1)),
    (rf"(?<!\w)(?:(?:from|in|of|during)\s+)?(?:the\s+)?(?:(early|late|mid)[\s-]+)?{_DECADE}(?!\w)", _decade_part),
    # "movies from the year I was born, 1985" matched nothing and quoted the whole message as unmatched
    (rf"\b(?:(?:from|in)\s+)?(?:the\s+year\s+(?:i\s+was|we\s+were|(?:he|she)\s+was)\s+born|my\s+birth\s*year"
     rf"|when\s+(?:i\s+was|we\s+were)\s+born)\s*(?:[,:(–-]\s*)?(?:(?:in|which\s+(?:is|was)|so)\s+)?{_YEAR}\b"
     rf"|\b(?:i\s+was\s+)?born\s+in\s+{_YEAR}\b", lambda a, b: (int(a or b), int(a or b))),
    (rf"\b(?:from|in|released in|made in)\s+{_YEAR}\b", lambda a: (int(a), int(a))),
    (r"\bin (?:colou?r|technicolou?r)\b", lambda: (1960, None)),  # "like Casablanca but in color": not black and white
]
YEAR_RULES = [(re.compile(p, re.I), bounds) for p, bounds in _RULES]
_FILMS = (r"movies?|films?|flicks?|stories|classics|ones|pictures|westerns?|musicals?|comedy|comedies|thrillers?|"
          r"horror|romances?|dramas?|myster(?:y|ies)|noirs?|cartoons|war films")
SILENT = re.compile(r"\bsilent(?:[\s-]+era\b|(?=[\s-]+(?:movies?|films?|pictures|classics|comed(?:y|ies)|dramas?|horror)\b))"
                    r"|\bsilents\b", re.I)  # "silent" alone: "a silent comedy" keeps its comedy
ERAS = [  # eras without numbers, read only when the message gives no year: the tightest bound wins
    (SILENT, 1929),  # sound came in from 1927 ("silent films" listed The Wizard of Oz and Casablanca)
    (re.compile(r"\bblack[\s-]+(?:and|&)[\s-]+white\b|\bb\s*&\s*w\b|\b(?:old|classic)[\s-]+hollywood\b", re.I),
     1959),  # black and white gave way to colour around 1960
    (re.compile(rf"(?<!year )(?<!years )(?<!many )(?<!much )\bold\b(?![\s-]+(?:school|friends?|m[ae]n|wom[ae]n|lady|guys?|folks|people|days))"
                rf"(?=(?:\s+[\w'&-]+){{0,4}}?\s+(?:{_FILMS})\b)|(?<!many )\boldies?\b|\bgolden[\s-]+age\b|\bthe older the better\b"
                r"|\b(?:preferably|ideally|something|an?) old\b(?![\s-]+(?:school|friends?|m[ae]n|wom[ae]n|lady|guys?|folks))",
                re.I), 1969),
]
_ANY_YEAR = re.compile(r"\b(?:any|all)\s+(?:years?|decades?|time|era)\b|\byears? (?:don'?t|doesn'?t) matter\b", re.I)


def find_year_filters(text: str) -> YearFilters:
    """'only after 1990', 'before 2000', 'from the 90s', 'between 1980 and 1990', 'black and white' (before
    1960), 'old movies' (before 1970), 'any year'."""
    out = YearFilters()
    taken: list[Span] = []
    for pattern, bounds in YEAR_RULES:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            low, high = bounds(*m.groups())
            out.min_year = low if low is not None else out.min_year
            out.max_year = high if high is not None else out.max_year
            taken.append(m.span())
    if out.min_year is None and out.max_year is None:
        for pattern, before in ERAS:
            for m in pattern.finditer(text):
                if set(t for t, _, _ in tokens(text[max(0, m.start() - 24):m.start()])) & NEGATIONS:
                    out.min_year = max(out.min_year or before + 1, before + 1)  # "not the black and white ones"
                else:
                    out.max_year = min(out.max_year or before, before)
                taken.append(m.span())
        if out.min_year is not None and out.max_year is not None and out.min_year > out.max_year:
            out.max_year = None
    for m in _ANY_YEAR.finditer(text):
        out.clear = True
        taken.append(m.span())
    out.spans = taken
    return out


AROUND_TITLE = re.compile(r"\b(before|b4|earlier than|older than|prior to|after|later than|newer than|since)\s+(?:the\s+)?$",
                          re.I)
CAME_OUT = re.compile(r"^\s+(?:came out|come out|was (?:made|released|out))\b", re.I)


def find_title_relative_years(text: str, titles: Iterable[tuple[int, int, int | None]]) -> YearFilters | None:
    """"sci-fi from before Star Wars came out": years against a title the message names (`titles`: the
    (start, end, year) of each title mention); the title is a date here, not a film the person liked.
    The spans returned cover the preposition, the title and "came out"."""
    for start, end, year in titles:
        m = AROUND_TITLE.search(text[:start])
        if m is None or year is None:
            continue
        after = CAME_OUT.match(text[end:])
        span = (m.start(), end + (after.end() if after else 0))
        before = m.group(1).lower() in ("before", "b4", "earlier than", "older than", "prior to")
        return YearFilters(None, year - 1, spans=[span]) if before else YearFilters(year + 1, None, spans=[span])
    return None


OLDER = re.compile(r"\b(?:older|earlier|less recent)(?:\s+(?:ones?|stuff|movies?|films?|picks?))?\b", re.I)
NEWER = re.compile(r"\b(?:newer|more recent|more modern|less old|too old|(?:too|so) many old(?:ies|er)?"  # "too many old ones"
                   # "these are kinda old", not "something kinda old"
                   r"|(?:are|is|'re|seem|seems|look|looks|feel|feels)\s+(?:all\s+)?(?:kinda|kind of|a bit|a little|pretty|quite|so|really|very)\s+old"
                   r"|(?:not|isn'?t|aren'?t|nothing|none)(?:\s+(?:so|too|that|very|super))?\s+old)"
                   r"(?:\s+(?:ones?|stuff|movies?|films?|picks?))?\b", re.I)


def find_relative_years(text: str, shown_years: Iterable[int | None], new_subject: bool = False,
                        latest: int | None = None) -> YearFilters | None:
    """"something older" / "newer ones", against the years of the list on screen: older is before the
    decade of its median year, newer is after its median year. None without such words. In a message
    that names its own subject ("a romantic movie, not too old"), or with no list on screen ("a movie
    that's not too old" said "I can't match"), the list is no measure: older is before 1980, newer from 1990.
    When the median is within a year of the catalogue's `latest`, newer leaves out the list's oldest
    quarter instead: "something less old" after mysteries from 1954 to 1997 (median 1997) asked for 1998 alone."""
    years = sorted(y for y in shown_years if y)
    median = years[len(years) // 2] if years and not new_subject else None
    newest_end = median is not None and latest is not None and median + 1 >= latest
    lower_quartile = years[len(years) // 4] if years else None
    after = lower_quartile + 1 if newest_end and lower_quartile < median else (median or 0) + 1
    older, newer = ((None, median // 10 * 10 - 1), (after, None)) if median else ((None, 1979), (1990, None))
    for pattern, (low, high) in ((OLDER, older), (NEWER, newer)):
        m = pattern.search(text)
        if m:
            return YearFilters(low, high, spans=[m.span()])
    return None
