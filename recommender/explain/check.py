"""An independent check of a finished explanation against its fact sheet (the gate that constrained the
decoding is separate code, `recommender.llm.gate`; this module shares nothing with it but the claims'
genre patterns).

Claims it counts, by kind:
- title: a catalogue title named (or any quoted passage) that is not on the sheet;
- person: a capitalised name inside a sentence that is neither on the sheet nor a common word;
- year: a four-digit year not on the sheet; number: any other number not on the sheet, a rating given
  to a title the user did not rate so ("“Bean” (your 4)"), or a count away from the title it counts
  ("31 of the 45 people who watched “Fargo”" when 31 of 45 watched “Heat”);
- genre: a genre word that is not one of the item's genres (a phrase reporting the request is exempt);
- source: words that claim where the film comes from or who made it ("based on the novel", "directed by");
- request: a report of the request that the sheet does not back ("the Romance you wanted" when the request
  asked for Comedy, "within the years you asked for" when it asked for no years).
And the text's form: vacuous (names no fact particular to this user and item), the viewer's voice ("a
favourite of mine"), repetition (a word twice in a row, a three-word phrase twice, a title twice in
a sentence that does not name the film, or a genre of an aside said again to be shared), truncated (no
sentence end, or ending on a dangling word), garbled (words run together, "theAction", "thecrime",
"watchedit", brackets, or an aside in parentheses of a form no explanation needs: "(the Drama it is)",
"(IDN)"), unanswered (the request asked for the best-rated films and the text does not give the film's
rating, which the plain rendering always does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recommender.explain.facts import FactSheet, mean_rating_text
from recommender.llm.claims import (misattributed_asides, misattributed_counts, misattributed_ratings, misreported_requests,
                                     speaks_as_viewer, ungrounded_genres, unshared_genres)

CLAIM_KINDS = ("title", "person", "year", "number", "genre", "source", "request")
FORM_KINDS = ("vacuous", "viewer's voice", "repetition", "truncated", "garbled", "unanswered")
SOURCE_CLAIMS = re.compile(
    r"\b(?:based on|adapt(?:ed|ation)|novel|book|memoir|biopic|true story|real story|remake|sequel|prequel|"
    r"direct(?:ed|or)|starring|stars|star in|actor|actress|cast|oscar|award|box office|critics?|acclaim\w*|"
    r"written by|screenplay|bestsell\w*|trilogy|franchise)\b", re.IGNORECASE)
COMMON_CAPITALS = frozenset("""It Its This That You Your If Like As And But Both Fans Viewers People Because Since With
A An The For Many Here Plus Also So Then Just Those These Their They Genre Of Made From Another Try Same
Everyone Someone Anyone Anything Something One Two Three Four Five""".split())
DANGLING = frozenset("a an the and or but which that your its".split())  # a sentence cannot end on these
# a subject with no verb: "4 of the 8 people who watched “X”." was shown as a card's whole text
FRAGMENT = re.compile(r"(?:of\s+)?(?:the\s+|its\s+)?\d+\s+(?:of\s+(?:the\s+|its\s+)?\d+\s+)?(?:people|viewers|fans)"
                      r"(?:\s+here)?\s+who\s+(?:watched|saw|rated)\s+“[^”]*”(?:\s*\([^()]*\))?\s*[.!?]", re.I)
# a request with nothing said of the film: "For your Comedy and Romance request." was a card's whole text
REQUEST_FRAGMENT = re.compile(r"(?:for|as|per|given)\s+(?:your|the)\s+[^.!?“”:]*\b(?:request|wish|ask)\s*[.!?]", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"”')]*\s+)$")
_GENRE_LIST = r"[A-Z][a-z][\w'’-]*(?:(?:, | and )[A-Z][a-z][\w'’-]*)*"
ASIDES = re.compile(  # the asides a card may use
    rf"\((?:your \d(?:\.\d)?/5|you rated it \d(?:\.\d)?/5|(?:with|its) [\d,]+ viewers|"
    rf"(?:it is )?{_GENRE_LIST}|1[89]\d\d|20\d\d|(?:because |since )?you (?:gave|rated) T \d/5)\)")
# a count is of people who watched (or rated) a film, whatever they thought of it: "(its 21 fans)" was written of
# Lawnmower Man 2, which its 21 viewers rated 1.7/5 on average
COUNTED_FANS = re.compile(r"\b\d[\d,]*\s+(?:(?:of\s+)?(?:the\s+|its\s+|their\s+)?\d[\d,]*\s+)?fans\b", re.I)
_CAMEL = re.compile(r"\b[a-z]+[A-Z]")  # "theAction"
_GLUED_WORD = re.compile(r"\b(?:watched|saw|seen|liked|loved|rated|enjoyed)(?:it|them|the|this|both)\b", re.I)  # "watchedit"
# people who watched people: "80 viewers watched the 394 people who watched “Pulp Fiction”" (a card for Copycat)
_WATCHED_PEOPLE = re.compile(r"\b(?:watched|saw|seen)\s+(?:the\s+|its\s+)?[\d,]+\s+(?:people|viewers)\b", re.I)
# a rating said to be what others watched: "It is the 3/5 you gave to “Critical Care” that many others saw."
_RATING_AS_FILM = re.compile(r"\b(?:it|this)(?:'s|’s|\s+is|\s+was)\s+(?:the|your)\s+\d(?:\.\d)?/5\b", re.I)
# a likeness said to be a clause ("Close to “The Shawshank Redemption” is that it is Drama"), and genres that run
# into a count ("It is Action, Thriller and 336 people who watched “Alien” that watched …")
_CLOSE_IS_THAT = re.compile(r"\bclose to T is\b", re.I)  # "Close to “Pulp Fiction” is Crime", "… is that"
_GENRES_INTO_COUNT = re.compile(r"\b(?:is|are)\s+[A-Z][\w'-]*(?:,\s+[A-Z][\w'-]*)*,?\s+and\s+[\d,]+\s+(?:people|viewers)\s+who\b")
_FROM_AND = re.compile(r"(?:^|[.!?]\s+)From T(?:\s*\([^()]*\))?\s+and\s+\d")  # "From “Die Hard 2” (your 4/5) and 48 of …"
_BRACKETS = re.compile(r"[\[\]{}<>]")  # "…as well.[source: “Audrey Rose”]."
_GLUED_GENRE = re.compile(r"[a-z](?:adventure|animation|comedy|crime|drama|fantasy|horror|musical|mystery|romance|"
                          r"thriller|western)\b", re.IGNORECASE)  # "thecrime"; "action" is left out: "reaction"


@dataclass
class Verdict:
    claims: dict[str, list[str]] = field(default_factory=dict)  # kind -> offending text
    form: list[str] = field(default_factory=list)  # vacuous / repetition / truncated

    @property
    def ok(self) -> bool:
        return not any(self.claims.values()) and not self.form

    def kinds(self) -> list[str]:
        return [k for k in CLAIM_KINDS if self.claims.get(k)] + list(self.form)


def check(text: str, sheet: FactSheet, titles=None, catalogue_genres=()) -> Verdict:
    """Every unsupported claim and form problem of `text` (see the module docstring). `titles` is a
    TitleIndex of the catalogue, to find titles named without quotes."""
    verdict = Verdict()
    allowed_titles = {t.lower() for t in sheet.titles()}
    quoted = re.findall(r"[\"“]([^\"”]+)[\"”]", text)
    bad_titles = [q for q in quoted if q.lower() not in allowed_titles]
    unquoted = re.sub(r"[\"“][^\"”]*[\"”]", lambda m: " " * len(m.group(0)), text)
    if titles is not None:
        allowed_items = {sheet.item} | {s.item for s in sheet.sources}
        for m in titles.find_mentions(unquoted):
            items = [m.item] if m.item is not None else list(m.candidates)
            words = unquoted[m.start:m.end]
            if len(words) >= 4 and words[:1].isupper() and not allowed_items.intersection(items):
                bad_titles.append(words)
    verdict.claims["title"] = bad_titles
    verdict.claims["person"] = _names(unquoted, sheet)
    numbers = sheet.numbers()
    runs = [m.group(0) for m in re.finditer(r"\d[\d,.]*(?:/\d+)?(?:'?s\b)?", unquoted)]
    runs = [r.rstrip(",.") for r in runs]
    verdict.claims["year"] = [r for r in runs if re.fullmatch(r"1[89]\d\d|20\d\d", r) and r not in numbers]
    verdict.claims["number"] = [r for r in runs if not re.fullmatch(r"1[89]\d\d|20\d\d", r) and r not in numbers]
    verdict.claims["number"] += misattributed_ratings(text, sheet.ratings())  # "“Bean” (your 4)"
    verdict.claims["number"] += misattributed_counts(text, *sheet.counts())  # 85 watched it *and* “Alien”
    owners = {s.title: (s.viewers, s.year) for s in sheet.sources} | {sheet.title: (sheet.viewers, sheet.year)}
    verdict.claims["number"] += misattributed_asides(text, owners)  # "“Heat” (with 60 viewers)": Ronin's 60
    verdict.claims["number"] += [m.group(0) for m in COUNTED_FANS.finditer(unquoted)]  # viewers, not fans
    verdict.claims["number"] += [m.group(0) for m in _COWATCHED.finditer(text)  # the count is the card's film's
                                 if m.group(2) not in (sheet.title, m.group(1))]
    verdict.claims["genre"] = sorted(ungrounded_genres(unquoted, sheet.genres, catalogue_genres)
                                     | unshared_genres(text, sheet.shared_genres(), catalogue_genres))
    verdict.claims["source"] = [m.group(0) for m in SOURCE_CLAIMS.finditer(unquoted)]
    verdict.claims["request"] = misreported_requests(unquoted, sheet.asked_genres, bool(sheet.asked_years),
                                                     sheet.answers_request, catalogue_genres)
    verdict.form = form_problems(text, sheet)
    return verdict


def _names(text: str, sheet: FactSheet) -> list[str]:
    """Capitalised words inside a sentence that the sheet does not hold (a name the model made up)."""
    known = {w.lower() for w in _WORD.findall(" ".join(sheet.titles() + list(sheet.genres) + list(sheet.tags)))}
    out = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if not word[0].isupper() or word.lower() in known or word.rstrip("'s’").lower() in known:
            continue
        if _SENTENCE_START.search(text[:m.start()]):
            following = text[m.end():m.end() + 2].strip()
            if word in COMMON_CAPITALS or not following[:1].isupper():
                continue  # a sentence's first word, not followed by another name
        out.append(word)
    return out


def particular_facts(text: str, sheet: FactSheet) -> list[str]:
    """The facts particular to this user and item that `text` names: a source title, a count or rating
    from a source, an asked genre or year range, how little watched it is when lesser-known films were asked for."""
    lowered = text.lower()
    found = [s.title for s in sheet.sources if s.title.lower() in lowered]
    numbers = {str(n) for s in sheet.sources for n in (s.together, s.viewers) if n}
    found += [n for n in numbers if re.search(rf"\b{re.escape(n)}\b", text)]
    found += [g for g in sheet.asked_genres if g.lower() in lowered and re.search(r"\bask|\bwish|\brequest|\bwant", lowered)]
    if sheet.asked_years and sheet.year and str(sheet.year) in text:
        found.append(str(sheet.year))
    found += [w for w in sheet.matched_words if w.lower() in lowered]
    if sheet.asked_less_known and re.search(r"\bless|\bonly\b|beaten track|most watched", lowered):
        found += [str(n) for n in (sheet.viewers, sheet.popularity_rank) if n and re.search(rf"\b{n}(?:st|nd|rd|th)?\b", text)]
    if gives_rating(text, sheet):
        found.append(mean_rating_text(sheet.mean_rating))
    return found


def form_problems(text: str, sheet: FactSheet) -> list[str]:
    problems = []
    if sheet.particular and not particular_facts(text, sheet):
        problems.append("vacuous")
    if speaks_as_viewer(re.sub(r"[\"“][^\"”]*[\"”]", " ", text)):
        problems.append("viewer's voice")
    words = [w.lower() for w in _WORD.findall(re.sub(r"[\"“][^\"”]*[\"”]", " ", text))]
    grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    titled = [re.findall(r"[\"“]([^\"”]*)[\"”]", part)  # not in an aside: "(because you gave “Heat” 5/5)"
              for part in re.split(r"(?<=[.!?])\s+", re.sub(r"\([^()]*\)", " ", text))]
    if (any(a == b for a, b in zip(words, words[1:])) or len(grams) != len(set(grams)) or aside_said_again(text, sheet)
            or any(len(ts) != len(set(ts)) and (sheet.title not in ts or ts.count(sheet.title) > 2) for ts in titled)
            or _TITLE_WITH_ITSELF.search(text)):  # "watched “Quilt” … saw “Quilt”"; "“Bound” and “Bound”"
        problems.append("repetition")
    stripped = text.strip()
    words_outside = re.findall(r"[A-Za-z0-9][\w'’/-]*", re.sub(r"[\"“][^\"”]*[\"”]", " T ", stripped))
    last = words_outside[-1].lower() if words_outside else ""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9“])", stripped)
    fragment = any(FRAGMENT.fullmatch(s) or REQUEST_FRAGMENT.fullmatch(s) for s in sentences)
    if not re.search(r"[.!?][\"”')]*$", stripped) or last in DANGLING or fragment:
        problems.append("truncated")
    if garbled(text):
        problems.append("garbled")
    if sheet.rated_as_asked and not gives_rating(text, sheet):
        problems.append("unanswered")
    return problems


# "4 of the 6 people who watched “Twisted” (your 3/5) also saw “Jackie Brown”" on the card of another film: the
# co-watch counts of a fact sheet are always of a source and the card's own film
_COWATCHED = re.compile(r"\b\d[\d,]*\s+of\s+(?:the\s+|its\s+)?\d[\d,]*\s+(?:people|viewers)\s+who\s+(?:watched|saw)\s+"
                        r"[\"“]([^\"”]+)[\"”][^.;!?“]*?\b(?:saw|watched)\s+[\"“]([^\"”]+)[\"”]")
_TITLE_WITH_ITSELF = re.compile(r"[\"“]([^\"”]+)[\"”]\s+(?:and|with|or)\s+[\"“]\1[\"”]")  # "saw “Bound” with “Bound”"
_SHARING = re.compile(r"\b(?:both are|they share|shares?|in common)\b", re.I)


def aside_said_again(text: str, sheet: FactSheet) -> bool:
    """A genre given in an aside and then said to be shared: "… also saw “Bean” (it is Comedy). Both are Comedy."."""
    def said(part: str) -> set[str]:
        return {g for g in sheet.genres if re.search(rf"\b{re.escape(g)}\b", part)}

    unquoted = re.sub(r"[\"“][^\"”]*[\"”]", " T ", text)
    in_asides = set().union(*(said(a) for a in re.findall(r"\([^()]*\)", unquoted)))
    sharing = [s for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\([^()]*\)", " ", unquoted)) if _SHARING.search(s)]
    return bool(in_asides & set().union(*(said(s) for s in sharing)))


def gives_rating(text: str, sheet: FactSheet) -> bool:
    """Whether `text` gives the item's mean rating ("4.3/5") that a best-rated request's sheet holds."""
    return sheet.rated_as_asked and re.search(rf"\b{re.escape(mean_rating_text(sheet.mean_rating))}/5", text) is not None


def garbled(text: str) -> bool:
    """Words run together ("theAction", "thecrime"), an aside in parentheses of no form in `ASIDES`, people
    said to have watched people, a rating said to be a film, a likeness said to be a clause, or genres that
    run into a count."""
    unquoted = " ".join(re.sub(r"[\"“][^\"”]*[\"”]", " T ", text).split())
    asides = re.findall(r"\([^()]*\)", unquoted)
    return (any(not ASIDES.fullmatch(a) for a in asides) or _CAMEL.search(unquoted) is not None
            or _GLUED_GENRE.search(unquoted) is not None or _GLUED_WORD.search(unquoted) is not None
            or _BRACKETS.search(unquoted) is not None or _WATCHED_PEOPLE.search(unquoted) is not None
            or _RATING_AS_FILM.search(unquoted) is not None or _CLOSE_IS_THAT.search(unquoted) is not None
            or _GENRES_INTO_COUNT.search(unquoted) is not None or _FROM_AND.search(unquoted) is not None)


def skeleton(text: str, sheet: FactSheet) -> str:
    """The text with its titles, numbers and genres replaced by placeholders: two cards with the same
    skeleton say the same sentence about different films."""
    out = re.sub(r"[\"“][^\"”]*[\"”]", "<T>", text)
    for title in sorted(sheet.titles(), key=len, reverse=True):
        out = out.replace(title, "<T>")
    out = re.sub(r"\d[\d,./]*", "<N>", out)
    for genre in sorted({g for g in sheet.genres}, key=len, reverse=True):
        out = re.sub(rf"\b{re.escape(genre)}\b", "<G>", out)
    out = re.sub(r"<G>(?:(?:,\s*|\s+and\s+)<G>)+", "<G>", out)
    return " ".join(out.lower().split())
