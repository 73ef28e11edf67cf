"""Questions about the whole list on screen: "which of these is the funniest?", "which one is the oldest?",
"what's the best one?", "any of these good for a 6 year old?", "why did you pick these?".

The 135M model reads most of them as a question about one item, or as a new request that replaces the list;
these checks turn them into a question about the list, answered from the catalogue and the ratings."""

from __future__ import annotations

import dataclasses
import re

from recommender.chat.phrases import find_references
from recommender.chat.state import DialogueState, Question, Update

ORDER_WORDS = {"oldest": "oldest", "earliest": "oldest", "newest": "newest", "latest": "newest",
               "most recent": "newest"}
ORDER = re.compile(r"\b(?:" + "|".join(ORDER_WORDS) + r")\b", re.I)
# "which of these has the best ratings?" was answered "I can't rank them by that": the ratings here can
BEST_RATED = re.compile(r"\b(?:best|highest|top)[\s-]*(?:rated|ratings?|reviewed|reviews|scored?)\b"
                        r"|\brated\s+(?:the\s+)?(?:best|highest)\b|\b(?:is|are)\s+(?:the\s+)?best(?:\s+ones?)?\W*$"
                        r"|\bthe\s+best\s+(?:one|film|movie)\b", re.I)
WHICH = re.compile(r"\bwhich\s+(?:of\s+(?:these|those|them|the\s+\w+)|one|ones|is|are|would)\b"
                   r"|\b(?:are|is)\s+(?:any|none)\s+of\s+(?:these|those|them)\b"  # "are any of these animated?"
                   r"|\bany\s+(?:[\w'-]+\s+){1,2}(?:among|in|on|of)\s+(?:these|those|them|th(?:e|is)\s+list)\b", re.I)
# "any comedies among them?" was answered about #1 alone


def which_of_the_list(update: Update, asked_genres: list[str], text: str) -> None:
    """"which of these is the funniest?" asks about the whole list (it was answered "No: #10 is Apollo 13,
    Action, Drama, Thriller"): the answer names the listed items with the genres asked about."""
    question = update.question
    if question is None or not WHICH.search(text) or find_references(text):
        return
    order = ORDER.search(text)
    genres = asked_genres or (question.genres if question.ask == "fit" else [])  # the lexicon's words first
    by = "best" if BEST_RATED.search(text) else ORDER_WORDS[order.group(0).lower()] if order else None
    update.question = dataclasses.replace(question, ask="which", position=0, genres=genres, order=by)


def _ask_about_the_list(update: Update, question: Question) -> None:
    """The message asks `question` about the list on screen: whatever else the model read into it is no request."""
    update.question = question
    update.new_request, update.wished_genres, update.query, update.missing = False, [], None, []
    update.set_exclusions([])


# "what's the best one?" after a list made a new list of the best-rated films for the request, so the list
# asked about was gone; with a list on screen it asks which listed film is best, answered from the ratings.
BEST_OF_THE_LIST = re.compile(
    r"^\W*(?:(?:so|ok|okay|and|well|hmm+)\W+)*(?:(?:what'?s|whats|what\s+is|which'?s|which(?:\s+one)?\s+is|"
    r"which\s+one'?s)\s+)?(?:the\s+)?(best|worst|oldest|earliest|newest|latest)\s+(?:one|film|movie|pick)?\s*"
    r"(?:(?:of|among)\s+(?:these|those|them|the\s+(?:bunch|lot|list))|here|there|on\s+(?:the|this)\s+list)?"
    r"(?:\W+please)?\W*$", re.I)  # "the oldest one please" said "I can't match “oldest one”"


def best_of_the_list(update: Update, state: DialogueState, text: str) -> None:
    """"what's the best one?" with a list on screen: which listed film is rated best (a question, not a new
    request for the best-rated films); "what's the worst one?" (a dislike of #1, said the model): rated lowest."""
    asked = BEST_OF_THE_LIST.search(text)
    if not state.last_shown or not asked:
        return
    order = asked.group(1).lower()
    _ask_about_the_list(update, Question("which", state.last_shown[0], 0, order=ORDER_WORDS.get(order, order)))
    update.disliked = [i for i in update.disliked if i not in state.last_shown]  # "the worst one" is no dislike


# "which of these have I not seen?" was answered "I can't tell that from titles, years and genres alone"; the
# list never holds a film the person has seen, as far as the chat knows, and the answer says so
SEEN_AMONG = re.compile(
    r"\bwhich\b(?:\s+(?:of\s+)?(?:these|those|them|ones?))?\s+(?:have|haven'?t|did|didn'?t)\s+i\s+(?:not\s+)?"
    r"(?:already\s+|yet\s+)?(?:seen|watched|see|watch)\b|\bhave\s+i\s+(?:already\s+)?(?:seen|watched)\s+(?:any\s+of\s+)?"
    r"(?:these|those|them)\b|\bwhich\s+(?:of\s+(?:these|those|them)\s+)?(?:are|is)\s+(?:new|unseen)\s+(?:to|for)\s+me\b",
    re.I)


def seen_among_the_list(text: str, state: DialogueState) -> Update | None:
    """"which of these have I not seen?", "have I seen any of these?": a question about the list; None for any
    other message, or with no list."""
    if not state.last_shown or not SEEN_AMONG.search(text):
        return None
    return Update(question=Question("seen", state.last_shown[0], 0))


# "sort them by year" was answered "I can't bring back an earlier list" (the model: reset), and "oldest first" with
# a new list: the list on screen, in the order asked for, is the answer (the list itself stays in order of fit)
SORT_THE_LIST = re.compile(
    r"^\W*(?:(?:can|could|would)\s+you\s+|please\s+)?(?:sort|order|rank|arrange|list|put)\s+(?:them|these|those|it|"
    r"the\s+(?:list|films|movies|picks))?\s*(?:by|on|in\s+order\s+of)\s+(?:the\s+)?(?:(?P<year>year|date|release(?:\s+date)?|"
    r"age)|(?P<rating>ratings?|scores?|stars))(?:\s*,?\s*(?P<then>oldest|earliest|newest|latest|best|highest)\s+first)?"
    r"(?:\W+please)?\W*$"
    r"|^\W*(?:(?:show|list|put|sort|order|arrange|rank)\s+(?:me\s+)?(?:them|these|those|the\s+list)\s+(?:with\s+)?"
    r"(?:the\s+)?)?(?P<first>oldest|earliest|newest|latest|best[\s-]rated|highest[\s-]rated)(?:\s+ones?)?\s+first"
    r"(?:\W+please)?\W*$", re.I)  # "sort them oldest first" said "I can't bring back an earlier list"


def sort_the_list(text: str, state: DialogueState) -> Update | None:
    """"sort them by year", "newest first", "sort by rating": a question whose answer is the list on screen in
    that order; None for any other message, or with no list."""
    asked = SORT_THE_LIST.search(text)
    if not state.last_shown or not asked:
        return None
    first = (asked.group("first") or asked.group("then") or "").lower()
    if asked.group("rating") or first.startswith(("best", "highest")):
        order = "best_first"
    else:
        order = "newest_first" if first in ("newest", "latest") else "oldest_first"
    return Update(question=Question("which", state.last_shown[0], 0, order=order))


# "which one would you pick?" was answered "I can't tell that from titles, years and genres alone", and "what
# would you recommend from these?" with "I didn't find a request in that": the list's order is the pick.
_THE_LIST = r"(?:these|those|them|th(?:e|is)\s+(?:list|bunch|lot))"
PICK_FOR_ME = re.compile(
    r"\bwhich\b(?:\s+(?!of\b)[\w'-]+)?(?:\s+of\s+" + _THE_LIST + r")?\s+(?:would|should|do|did|'?d|will|can)\s+"
    r"(?:you|i|we)\s+(?:pick|choose|recommend|suggest|watch|go\s+(?:with|for)|start\s+with|see)\b"
    r"(?=(?:\s+(?:first|tonight|now|today|next|then))?(?:\s+(?:of|from|out\s+of|among)\s+" + _THE_LIST + r")?"
    r"(?:\s*,?\s*#\s*\d+(?:\s*(?:,|or|and)\s*#\s*\d+)+)?\W*$)"  # "which should I watch first, #2 or #5?"
    r"|\bwhat\s+(?:would|do|should)\s+you\s+(?:pick|choose|recommend|suggest|go\s+(?:with|for))\s+(?:from|of|out\s+of|"
    r"among)\s+" + _THE_LIST +
    r"|\b(?:your|the)\s+(?:top\s+|best\s+)?(?:pick|choice|recommendation)\s+(?:from|of|out\s+of|among)\s+" + _THE_LIST +
    r"|\bwhat'?s\s+your\s+(?:top\s+)?(?:pick|choice)\b|\bif\s+(?:you|i)\s+(?:had|could)\s+(?:to\s+)?"
    r"(?:pick|choose|watch)\s+(?:just\s+|only\s+)?one\b", re.I)


def pick_of_the_list(update: Update, state: DialogueState, asked_genres: list[str], text: str, catalog) -> None:
    """"which one would you pick?", "what would you recommend from these?": the list's first film (of the
    genres asked about: "which comedy should I watch?"), not a new request nor a question about #1. With no
    listed film of those genres, "which drama would you choose?" after comedies asks for dramas: a request."""
    pointed = [r for r in find_references(text) if text[r.start:r.end].lower() != "first"]  # "watch first"
    among = [state.item_at(r.position) for r in pointed]  # "which should I watch first, #2 or #5?": one of those
    if not state.last_shown or not PICK_FOR_ME.search(text) or None in among or len(among) == 1:
        return
    if not any(set(asked_genres) <= set(catalog[i].genres) for i in state.last_shown):
        return
    _ask_about_the_list(update, Question("which", state.last_shown[0], 0, list(asked_genres), order="pick",
                                         among=among))
    update.off_topic = False  # "what's your top pick?" (the model: off topic)
    update.disliked, update.liked, update.seen = [], [], []


SUITABLE_AMONG = re.compile(r"^\W*(?:(?:are|is|would)\s+)?any\s+of\s+(?:these|those|them)\b.*\b(?:good|ok|okay|fine|suitable|"
                            r"appropriate|safe|alright|right)\s+(?:for|to watch with)\b", re.I)


def suitable_among_the_list(update: Update, state: DialogueState, asked_genres: list[str], text: str) -> None:
    """"any of these good for a 6 year old?" asks about the list (the model: a new request for Children's,
    which replaced it): the answer names the listed items with the genres asked about."""
    if not SUITABLE_AMONG.search(text) or not asked_genres or not state.last_shown or find_references(text):
        return
    _ask_about_the_list(update, Question("which", state.last_shown[0], 0, list(asked_genres)))


WHY_ONE = re.compile(r"\bwhy\s+(?:is|was|'s)\s+(?!(?:these|those|them|this|the list|all|every)\b)\w", re.I)
WHY_THESE = re.compile(r"\bwhy\b.*\b(?:these|those|them|this list|the list|all of (?:these|them))\b", re.I)


def why_these(update: Update, text: str) -> None:
    """"why did you pick these?" asks about the list (it was answered with #10's explanation alone)."""
    question = update.question
    if question is not None and question.ask == "why" and WHY_THESE.search(text) and not find_references(text) \
            and not WHY_ONE.search(text):  # "why is fargo on the list" is about Fargo
        update.question = dataclasses.replace(question, ask="list", position=0)
