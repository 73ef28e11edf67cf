"""The year ranges a message can mean, so the intent model chooses one instead of spelling out digits.

Every year ("1995") and decade ("the 90s", "early eighties", "'70s") the message names yields the ranges
the annotation conventions give such words (eval/intent/README.md): the year itself, after it, since it,
before it, up to it; the decade, its early, mid or late part when the message says so, before or after it;
and two years, the range between them. The schema then allows exactly these as `years` (none when the
message names no year), so a range the message does not support cannot be written.
"""

from __future__ import annotations

import re

DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                "seventies": 1970, "eighties": 1980, "nineties": 1990}
PARTS = {"early": (0, 4), "mid": (3, 7), "late": (5, 9)}
_DECADE = re.compile(r"(?:\b(early|mid|late)[\s-]+)?(?:\b(1[89]\d0|20[0-2]0)'?s\b|(?<![\w])'?(\d0)'?s\b|\b("
                     + "|".join(DECADE_WORDS) + r")\b)", re.I)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def decade_start(text: str) -> int:
    """'1990s' -> 1990, '90s' -> 1990, '20s' -> 1920, 'nineties' -> 1990."""
    text = text.lower().strip("'")
    if text in DECADE_WORDS:
        return DECADE_WORDS[text]
    digits = int(text.rstrip("s").rstrip("'"))
    return digits if digits >= 1000 else 1900 + digits


def year_candidates(message: str) -> list[str]:
    """Every year range ("1990-1999", "1991-", "-1979") the message can mean, in the order found."""
    found: list[str] = []
    for m in _DECADE.finditer(message):
        part, word = m.group(1), m.group(2) or m.group(3) or m.group(4)
        start = decade_start(word)
        if part:
            low, high = PARTS[part.lower()]
            found.append(f"{start + low}-{start + high}")
        found += [f"{start}-{start + 9}", f"-{start - 1}", f"{start + 10}-"]
    years = [int(y) for y in _YEAR.findall(_DECADE.sub(" ", message))]
    for y in years:
        found += [f"{y}-{y}", f"{y + 1}-", f"{y}-", f"-{y - 1}", f"-{y}"]
    for a, b in zip(years, years[1:]):
        if a < b:
            found.append(f"{a}-{b}")
    return list(dict.fromkeys(found))
