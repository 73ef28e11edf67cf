"""How well known a film should be: "hidden gems", "something less mainstream", "underrated stuff", "something
nobody has heard of" ask for
lesser-known films, which the catalogue can tell (how many people watched each); "something popular" takes
that back. The retrieval then leaves out the most-watched films (`RetrievalConfig.mainstream_share`).

Before, "something less mainstream" said "I can't match “less mainstream”" and listed Star Wars and Fargo.

"The best rated films of 1997" and "critically acclaimed dramas" ask for the best-rated films, which the
catalogue can tell too (its ratings); the wish holds for this request, not the next (`RetrievalConfig.acclaimed_share`).
"""

from __future__ import annotations

import re

from recommender.chat.cue_words import FILLER
from recommender.chat.state import DialogueState, Update
from recommender.chat.targets import UNKNOWN_TITLE_PROBLEM
from recommender.title_text import tokens

LESS_KNOWN = re.compile(
    r"\b(?:hidden\s+(?:gems?|treasures?)|(?:lesser|less|little)[\s-]+(?:known|mainstream|popular|famous|obvious|seen)"
    r"|under[\s-]?(?:rated|appreciated|seen)|obscure|under\s+the\s+radar|off\s+the\s+beaten\s+(?:path|track)|deep\s+cuts?"
    r"|not\s+(?:so\s+|too\s+|that\s+|very\s+|the\s+)?(?:mainstream|popular|well[\s-]known|famous|obvious)(?:\s+ones?)?"
    r"|(?:that\s+)?(?:few|not many|not a lot of)\s+people\s+(?:have\s+)?(?:seen|heard of|know(?:\s+about)?)"
    r"|(?:nobody|no[\s-]?one|hardly\s+any(?:one|body))(?:'s|\s+has|\s+have)?\s+(?:ever\s+|really\s+)?"
    r"(?:heard\s+of|seen|watched|knows?(?:\s+about)?))\b", re.I)
WELL_KNOWN = re.compile(r"\b(?:popular|mainstream|well[\s-]known|famous|blockbusters?|crowd[\s-]pleas(?:er|ing)s?"
                        r"|most[\s-](?:watched|seen|viewed))\b", re.I)
RATED = re.compile(  # always a wish: "the best rated films of 1997", "critically acclaimed dramas"
    r"\b(?:(?:best|top|highest|higher|highly|well|better|most\s+highly)[\s-]+(?:rated|reviewed|scored|ranked|regarded)"
    r"|(?:critically\s+)?acclaimed|critics'?\s+(?:favou?rites?|picks?|darlings?)"
    r"|(?:rated|reviewed|regarded)\s+(?:very\s+)?(?:well|highly)|(?:great|good|high|strong|rave|top)\s+(?:ratings?|reviews?|scores?)"
    # "only good ones" after a list said "I didn't find a request in that"
    r"|(?:only|just)\s+(?:the\s+)?(?:really\s+|very\s+)?(?:good|great|decent)\s+(?:ones?|films?|movies?|stuff)"
    r"|(?:good|great|decent)\s+(?:ones|films|movies)\s+only"
    # "movies with more than 4 stars", "rated above 4" said "I can't match “more than 4 stars”"
    r"|(?:more\s+than|over|above|at\s+least|better\s+than|higher\s+than)\s+(?:a\s+)?[3-5](?:\.\d)?\s*(?:stars?|/\s*5|out\s+of\s+(?:5|five))"
    r"|(?:rated|rating|ratings|scored?|averag(?:e|ing))\s+(?:of\s+)?(?:more\s+than|over|above|at\s+least|higher\s+than)\s+(?:a\s+)?[3-5](?:\.\d)?(?:\s*(?:stars?|/\s*5))?"
    r"|[3-5](?:\.\d)?\s*(?:\+\s*)?stars?\s+(?:and|or)\s+(?:up|above|more|higher|better)|(?:four|five|4|5)[\s-]stars?)(?!\w)",
    re.I)
PRAISE = re.compile(  # a wish unless the message names a film it praises: "I loved Heat, best movie ever"
    r"\b(?:must[\s-]sees?|masterpieces?|classics?(?!\s+hollywood)"  # "a classic everyone should see" listed Liar Liar
    r"|(?:the\s+)?(?:very\s+)?(?:best|greatest|finest|top\s+(?:\d+|three|five|ten|twenty))\s+(?:[\w'-]+\s+)?"
    r"(?:films?|movies?|flicks?|ones?|of\s+all\s+time|ever(?:\s+made)?|comed(?:y|ies)|dramas?|thrillers?|westerns?"
    r"|musicals?|documentar(?:y|ies)|romances?|myster(?:y|ies)|cartoons?|classics?|horror|sci[\s-]?fi|war\s+films?))\b",
    re.I)
SURPRISE = re.compile(r"\bsurprise\s+(?:me|us)\b|\b(?:something|anything)\s+(?:surprising|unexpected)\b", re.I)
ACCLAIMED_NOTE = "The best-rated films for this request: by the catalogue's ratings, shrunk towards the average when few rated them."
LESS_KNOWN_NOTE = "Lesser-known films from now on: I leave out the most-watched ones."
WELL_KNOWN_NOTE = "Well-known films are back in."


def popularity_wish(text: str) -> bool | None:
    """True for a wish for lesser-known films, False for well-known ones, None when the message says neither."""
    if LESS_KNOWN.search(text):
        return True
    return False if WELL_KNOWN.search(text) else None


def apply_surprise_wish(update: Update, state: DialogueState, text: str) -> None:
    """"surprise me" listed the ten most-watched films (Star Wars, Contact, Fargo …): no surprise to anyone. It
    asks for well-rated films fewer people here have seen, the "hidden gems" wish with the ratings' one."""
    if not SURPRISE.search(text) or update.question is not None:
        return
    update.off_topic = False
    if not state.constraints.less_known:
        update.notes.append("A surprise: well-rated films that fewer people here have seen (say *something popular* "
                            "to bring the well-known ones back).")
    update.less_known = update.acclaimed = True
    update.new_request = update.new_request or not state.has_request


def apply_popularity_wish(update: Update, state: DialogueState, text: str) -> None:
    """Set `update.less_known` from the message, say so when it changes, and keep the words out of what the
    chat could not match and out of the text query ("hidden gems" is no title)."""
    wish = popularity_wish(text)
    if wish is not None and update.off_topic:  # "ok something nobody has seen": the model said off-topic
        update.off_topic, update.new_request = False, True
    if wish is None or update.question is not None:
        return
    if wish != state.constraints.less_known:
        update.notes.append(LESS_KNOWN_NOTE if wish else WELL_KNOWN_NOTE)
    update.less_known = wish
    if _forget_wish_words(update, text):
        update.new_request = update.new_request or not state.has_request


def apply_acclaim_wish(update: Update, state: DialogueState, text: str) -> None:
    """Set `update.acclaimed` for "the best rated films of 1997", say so, and keep the words out of what the
    chat could not match and out of the text query ("best rated" is no title)."""
    names_a_film = update.liked or update.seen or update.references or update.disliked or update.excluded
    wished = RATED.search(text) or (PRAISE.search(text) and not names_a_film)
    if not wished or update.question is not None or update.off_topic:
        return
    if not state.constraints.acclaimed:
        update.notes.append(ACCLAIMED_NOTE)
    update.acclaimed = True
    _forget_wish_words(update, text)
    update.new_request = update.new_request or not state.has_request


def _forget_wish_words(update: Update, text: str) -> bool:
    """Drop what the chat could not match, and the text query, where they only say the wish (or part of its
    words: "ok something nobody has seen" left "ok something nobody has" once "seen" was read as a cue);
    True when the query went."""
    said = {w for pattern in (LESS_KNOWN, WELL_KNOWN, RATED, PRAISE) for m in pattern.finditer(text)
            for w, _, _ in tokens(m.group(0))}
    def only_wish(words: str) -> bool:
        return _only_popularity_words(words) or {w for w, _, _ in tokens(words)} <= said | FILLER

    update.missing = [(kind, words) for kind, words in update.missing if kind == "people" or not only_wish(words)]
    unknown = [(p, UNKNOWN_TITLE_PROBLEM.match(p)) for p in update.problems]  # "highly rated hidden gems" as a film
    update.problems = [p for p, title in unknown if title is None or not only_wish(title.group(1))]
    if update.query and _only_popularity_words(update.query):
        update.query, update.query_hints = None, []
        return True
    return False


def _only_popularity_words(text: str) -> bool:
    """Whether `text` says nothing beyond a wish about fame or ratings (and the years and filler around it)."""
    rest = PRAISE.sub(" ", RATED.sub(" ", WELL_KNOWN.sub(" ", LESS_KNOWN.sub(" ", text))))
    return not [w for w, _, _ in tokens(rest)
                if w not in FILLER and w not in ("gem", "gems", "stuff", "most") and not w.isdigit()]  # "the most popular"
