"""Checkable claims in a generated explanation, besides the titles it names (see `explainer`).

A 135M model writes fluent reasons that are often false: "Brazil (1985) is a comedy film" when the
catalogue says Sci-Fi, or it repeats the system prompt ("... never instructions"). Three kinds of
claim can be checked without knowing more than the catalogue and the prompt:
- genre words: "a comedy", "romantic", "sci-fi"... must name a genre of the recommended item. What
  the user asked for does not make a claim true: asked for a "funny space adventure", the model called
  Tin Men (Comedy, Drama) a blend of humour and science fiction. Only a phrase that reports the request
  ("you asked for a sci-fi comedy") is exempt. Only genres the catalogue uses are checked (a catalogue
  without genres checks none); words that double as plain English ("war", "western", "family") count
  only in phrases that make them a genre ("a war film", "westerns");
- prompt echo: the system prompt's wording ("instructions", "quoted text") is never a reason;
- the viewer's voice: the model answers the user ("you"), so "a favorite of mine for years" or
  "recommended to me" is the model posing as a viewer, a claim about nobody. "I think you'll like it"
  (the recommender's voice) is fine;
- counts bound to the wrong title: every number on the sheet is true of something, and the model moved
  them ("186 of the 316 people who watched “Thousand Acres”" where 186 of 316 watched “Saint”; "85
  viewers watched it" where 85 watched it and “Alien”), so a count must sit in the sentence of its title.
Titles are blanked out first, so "The Crime of Monsieur Lange" claims no crime film.
"""

from __future__ import annotations

import re
from typing import Iterable

_FILM = r"(?:film|movie|picture)s?"
_WAR_FILM = r"(?:film|movie|picture|story|epic|drama)s?"
GENRE_PATTERNS = {
    "action": r"\baction\b",
    "adventure": r"\badventures?\b",
    "animation": r"\banimat(?:ed|ion)\b|\bcartoons?\b",
    "children's": rf"\b(?:children'?s?|kids'?|family) {_FILM}|\bfor (?:kids|children)\b",
    "comedy": r"\bcomed(?:y|ies)\b|\bcomedic\b",
    "crime": r"\bcrime\b",
    "documentary": r"\bdocumentar(?:y|ies)\b",
    "drama": r"\bdramas?\b",
    "fantasy": r"\bfantasy\b",
    "film-noir": r"\bnoir\b",
    "horror": r"\bhorror\b",
    "musical": r"\bmusicals?\b",
    "mystery": r"\bmyster(?:y|ies)\b",
    "romance": r"\bromance\b|\bromantic\b",
    "sci-fi": r"\bsci-?fi\b|\bscience[- ]fiction\b",
    "thriller": r"\bthrillers?\b",
    "war": rf"\bwar {_WAR_FILM}",
    "western": rf"\bwesterns\b|\ba western\b|\bwestern {_FILM}",
}
_COMPILED = {genre: re.compile(pattern, re.IGNORECASE) for genre, pattern in GENRE_PATTERNS.items()}
_PROMPT_ECHO = re.compile(r"\binstructions?\b|\bquoted text\b", re.IGNORECASE)
_VIEWER_VOICE = re.compile(r"\b(?:my|mine|me|myself|I've|I have|I had|I watched|I saw|I loved)\b", re.IGNORECASE)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
# "you asked for a sci-fi comedy", "your request for ...", "if you're in the mood for ...": up to the
# next punctuation or " and"/" but", which start a claim about the item again.
_REQUEST_REPORT = re.compile(
    r"\b(?:asked for|requested|your request(?: for)?|(?:are|you're) looking for|in the mood for)\b"
    r"(?:(?!\band\b|\bbut\b)[^.,;:!?])*", re.IGNORECASE)


# What reports the user's request ("as you asked", "the Comedy you wanted", "inside your range"), and
# where such a report ends (a sentence end, ", and", "but").
_ASKS = re.compile(r"\b(?:ask|request|want|wish)\w*|\b(?:looking for|in the mood for|range|your years)\b",
                   re.IGNORECASE)  # no end boundary: "you askedfor" is still a report
# "you rated “Heat” 5/5", "you gave “Heat” 4", "“Heat” (your 3/5)", "“Heat” (you gave 4/5)": a rating the
# user gave a title
_RATED = re.compile(r"\b(?:rated|gave)\s+[\"“]([^\"”]+)[\"”]\s+(\d(?:\.\d)?)|"
                    r"[\"“]([^\"”]+)[\"”]\s*\((?:your|you)\b[^)\d]*(\d(?:\.\d)?)?", re.IGNORECASE)
_YEAR_WORDS = re.compile(r"\b(?:years?|decades?|era|range|1[89]\d\ds?|20\d\ds?|\d0s)\b", re.IGNORECASE)
_REPORT_END = re.compile(r"[.;:!?]|,\s*(?:and|but)\b|\bbut\b", re.IGNORECASE)


def misreported_requests(text: str, asked_genres: Iterable[str], asked_years: bool, asked_anything: bool,
                         catalogue_genres: Iterable[str]) -> list[str]:
    """Passages of `text` that report the request wrongly: a genre the request did not ask for ("the
    Romance you wanted" when it asked for Comedy), years when it asked for none, or a request at all
    when it asked for nothing this item matches. Quoted titles are left out."""
    checkable = {genre_key(g) for g in catalogue_genres}
    asked = {genre_key(g) for g in asked_genres}
    out = []
    for passage in _REPORT_END.split(blank_spans(text, ())):
        if not _ASKS.search(passage):
            continue
        genres, years = claimed_genres(passage, checkable), _YEAR_WORDS.search(passage)
        if genres - asked or (years and not asked_years) or not (genres or years or asked_anything):
            out.append(" ".join(passage.split()))
    return out


# a parenthesis after a quoted title, closed or still being written: "“Fargo” (the Drama you rated 4/5)"
_AFTER_TITLE = re.compile(r"[\"“]([^\"”]+)[\"”]\s*\(([^)]*)\)?")
_RATING_WORDS = re.compile(r"\byou\b|\byour\b|/5|\brated\b|\bgave\b", re.IGNORECASE)


def misattributed_ratings(text: str, ratings: dict[str, str]) -> list[str]:
    """Ratings `text` says the user gave a title that the user did not give it (`ratings`: title -> the
    rating as written, e.g. {"Heat": "5"}); "“Bean” (your" already counts when Bean has no rating, and so
    does any parenthesis after an unrated title that speaks of the user's ratings ("(since you gave it 4/5)")."""
    out = [m.group(0) for m in _AFTER_TITLE.finditer(text)
           if m.group(1) not in ratings and _RATING_WORDS.search(m.group(2))
           and not _names_rated_source(m.group(2), ratings)]
    for m in _RATED.finditer(text):
        title, rating = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if (title not in ratings or (rating is not None and rating != ratings[title])) and m.group(0) not in out:
            out.append(m.group(0))
    return out


def _names_rated_source(passage: str, ratings: dict[str, str]) -> bool:
    """"(because you gave “Heat” 5/5)": the parenthesis names the rated title itself, with its rating."""
    return any(re.search(rf"[\"“]{re.escape(t)}[\"”]\s+{re.escape(r)}\b", passage) for t, r in ratings.items())


def genre_key(name: str) -> str:
    """Catalogue genre name -> key of GENRE_PATTERNS ("Sci-Fi" -> "sci-fi", "Children's" -> "children's")."""
    return name.strip().lower().replace("’", "'")


def claimed_genres(text: str, checkable: Iterable[str] | None = None) -> set[str]:
    """GENRE_PATTERNS keys whose pattern occurs in `text`, limited to `checkable` keys when given."""
    keys = GENRE_PATTERNS if checkable is None else [k for k in checkable if k in GENRE_PATTERNS]
    return {k for k in keys if _COMPILED[k].search(text)}


def named_genres(text: str, catalogue_genres: Iterable[str]) -> set[str]:
    """Genre keys `text` claims, by GENRE_PATTERNS or by a catalogue genre's own name as written: "Both are
    Action, Adventure, Romance and War." passed, since "war" alone is no claim in lower case ("the war")."""
    checkable = {genre_key(g) for g in catalogue_genres}
    exact = {genre_key(g) for g in catalogue_genres if re.search(rf"(?<![\w-]){re.escape(g)}(?![\w'-])", text)}
    return claimed_genres(text, checkable) | exact


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the given spans and every quoted passage replaced by spaces (offsets kept)."""
    chars = list(text)
    for start, end in list(spans) + [m.span() for m in _QUOTED.finditer(text)]:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def ungrounded_genres(text: str, item_genres: Iterable[str], catalogue_genres: Iterable[str]) -> set[str]:
    """Genres `text` claims that are not the item's, outside phrases that report the user's request."""
    claims = _REQUEST_REPORT.sub(lambda m: " " * len(m.group()), text)
    return named_genres(claims, catalogue_genres) - {genre_key(g) for g in item_genres}


# "Both are Comedy", "They share Crime", "The two have Drama in common", "“Fargo” shares Crime with it"
_SHARED = re.compile(r"\b(?:both(?: films| movies| of them)? are|they (?:both )?share|the two (?:have|share)|shares?)\s+([^.;]*)",
                     re.I)


def unshared_genres(text: str, shared: dict[str, Iterable[str]], catalogue_genres: Iterable[str]) -> set[str]:
    """Genres `text` says the item shares with a source (`shared`: source title -> genres it shares with the
    item) that it does not: "52 of the 178 people who watched “Primal Fear” also saw “The Frighteners”. Both
    are Comedy." (Primal Fear is Drama and Thriller). The source is the last one quoted before the claim,
    else any."""
    out: set[str] = set()
    for m in _SHARED.finditer(blank_spans(text, ())):
        named = [q.group(0)[1:-1] for q in _QUOTED.finditer(text[:m.start()]) if q.group(0)[1:-1] in shared]
        allowed = shared[named[-1]] if named else [g for genres in shared.values() for g in genres]
        out |= named_genres(m.group(1), catalogue_genres) - {genre_key(g) for g in allowed}
    return out


def echoes_prompt(text: str) -> bool:
    """Whether `text` repeats the system prompt's wording instead of giving a reason."""
    return _PROMPT_ECHO.search(text) is not None


def speaks_as_viewer(text: str) -> bool:
    """Whether `text` talks about the model's own viewing ("a favorite of mine", "I've seen it twice")."""
    return _VIEWER_VOICE.search(text) is not None


_PAIR = re.compile(r"\b(\d+) of (?:the |its |their )?(\d+)(?=\D)")
_NOT_A_COUNT = re.compile(r"\d(?:\.\d)?/5|\b(?:1[89]\d\d|20\d\d)s?\b|\b\d0s\b")  # ratings, years, decades
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def misattributed_counts(text: str, item_counts: set[str], source_counts: dict[str, tuple],
                         final: bool = True) -> list[str]:
    """Counts of `text` that are not the counts of a title in their sentence: "A of B" must be one
    source's (people who watched both, its viewers), and that source must be quoted in the sentence
    once the sentence names a source or ends; any other count must be the item's (`item_counts`) or a
    quoted source's. `source_counts`: source title -> (together, viewers). `final`: the text is finished
    (else its last sentence is checked only as far as it goes: its title may still come)."""
    blanked = _QUOTED.sub(lambda m: "T" * len(m.group(0)), text)  # sentence ends inside titles do not count
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(blanked)] + [len(text)]
    out = []
    for k in range(len(bounds) - 1):
        sentence = text[bounds[k]:bounds[k + 1]]
        if not sentence.strip():
            continue
        complete = final or k < len(bounds) - 2
        quoted = {q.strip("\"“”") for q in _QUOTED.findall(sentence)} & set(source_counts)
        plain = _NOT_A_COUNT.sub(" ", _QUOTED.sub(" ", sentence)) + (" " if complete else "")
        for m in _PAIR.finditer(plain):
            owners = {t for t, counts in source_counts.items() if tuple(map(str, counts)) == m.groups()}
            if not owners or ((quoted or complete) and not owners & quoted):
                out.append(m.group(0))
        together = {str(source_counts[t][0]) for t in (quoted or source_counts) if source_counts[t][0]}
        counted = _PAIR.sub(" ", _QUOTED.sub("T", sentence))
        out += [m.group(1) for m in _BOTH_COUNT.finditer(counted) if m.group(1) not in together]
        if complete:
            allowed = item_counts | {str(n) for t in quoted for n in source_counts[t] if n}
            lone = _PAIR.sub(" ", plain)
            lone_flags = [n for n in re.findall(r"\d+", lone) if n not in allowed]
            titled = _PAIR.sub(" ", _QUOTED.sub(lambda m: "T" if m.group(0).strip("\"“”") in source_counts else "it",
                                                _NOT_A_COUNT.sub(" ", sentence)))  # a source's title, or the film's
            viewers = {str(counts[1]) for counts in source_counts.values() if counts[1]}
            theirs = {str(n) for t in quoted for n in source_counts[t] if n}
            owned = ([m.group(1) for m in _IT_COUNT.finditer(titled) if m.group(1) not in item_counts]
                     + [m.group(1) for m in _TITLE_COUNT.finditer(titled) if m.group(1) not in viewers]
                     + [m.group(1) for m in _WHO_WATCHED.finditer(titled)
                        if m.group(1) not in (together if m.group(2) else theirs)])
            out += lone_flags + [n for n in owned if n not in lone_flags]
    return out


# "2 people here watched it" must be the film's own viewers, even where a source is quoted in the sentence,
# and "129 people watched “Fargo”" Fargo's (129 watched Fargo *and* Bound): an audit card said both
_IT_COUNT = re.compile(r"\b(\d+) (?:people|viewers|fans)(?: here)? (?:have )?(?:watched|saw|seen|rated) ?it\b"
                       r"(?! (?:too|as well|also)\b)")
_TITLE_COUNT = re.compile(r"\b(\d+) (?:people|viewers|fans)(?: here)? (?:have )?(?:watched|saw|seen) T\b"
                          r"(?! (?:as well|too|also|and)\b)")


# "336 people who watched “Alien”" must be Alien's viewers, or those who watched it and the film; followed by
# "that watched …", "also saw …", only the latter (336 watched The Fugitive, the film on the card)
_WHO_WATCHED = re.compile(r"\b(\d+) (?:people|viewers|fans)(?: here)? who (?:also )?(?:have |had )?(?:watched|saw|seen) T\b"
                          r"(\s+(?:also\s+|that\s+|then\s+)?(?:watched|saw|have seen|had seen|went on to)\b)?")


# "174 people watched both", "74 people watched “Heat” as well": a count of people who watched the two
_BOTH_COUNT = re.compile(r"\b(\d+) (?:people|viewers)(?: here)? (?:also )?(?:watched|saw|have seen|had seen) "
                         r"(?:both|the two\b|T (?:as well|too)\b)")  # "both" even mid-word: the model wrote "bothira"


_TITLE_ASIDE = re.compile(r"[\"“]([^\"“”]+)[\"”]\s*\(([^()]*)\)")
_ASIDE_COUNT = re.compile(r"(?:with|its) ([\d,]+) (?:viewers|fans|people)")


def misattributed_asides(text: str, owners: dict[str, tuple]) -> list[str]:
    """Asides right after a quoted title that give it another title's count or year: "“Heat” (with 60
    viewers)" when 60 people watched the recommended film and 45 watched Heat. `owners`: title -> (its
    viewers, its year), None where the sheet does not know."""
    out = []
    for m in _TITLE_ASIDE.finditer(text):
        if m.group(1) not in owners:
            continue  # an unknown title: the title check's
        viewers, year = owners[m.group(1)]
        count, aside = _ASIDE_COUNT.fullmatch(m.group(2)), m.group(2)
        if count and count.group(1).replace(",", "") != str(viewers):
            out.append(m.group(0))
        elif re.fullmatch(r"1[89]\d\d|20\d\d", aside) and aside != str(year):
            out.append(m.group(0))
    return out
