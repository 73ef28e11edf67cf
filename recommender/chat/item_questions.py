"""Questions about one listed film that go beyond its genres.

"tell me more about #3", then "is it good?" was answered about #10, and as "I can't tell that from titles, years
and genres alone", though the catalogue's ratings say how people here rated every film:
- a question that points with "it" or "that one" and names no position is about the film the last message
  asked about, pointed at or named, on the list or not (`question_about_it`);
- "is #3 any good?", "is it worth watching?", "how is it rated?" are answered from the film's ratings
  (`asks_if_good`; the answer is `answers.rating_sentence`);
- "the second one" or "#2" alone after a list asks about that film (`about_a_bare_position`): the model read
  "more" and the list changed without a word, or a dislike with no word of dislike, which was dropped;
- "I'll watch #3" picks that film (`a_chosen_position`): it was read as a request for "I'll watch".
"""

from __future__ import annotations

import re

from recommender.chat.markdown import escape
from recommender.chat.phrases import find_references
from recommender.chat.state import DialogueState, Question, Update

POINTS_AT_IT = re.compile(r"\b(?:it|that one|this one|that (?:film|movie)|this (?:film|movie))\b", re.I)
NAMES_A_POSITION = re.compile(r"#\s*\d|\b(?:10|[1-9])(?:st|nd|rd|th)\b|\bnumber\s+\w+|\b(?:first|second|third|fourth|"
                              r"fifth|sixth|seventh|eighth|ninth|tenth|last)\b", re.I)
QUALITY = re.compile(r"\b(?:good|worth|watchable|decent|bad|any\s+cop)\b|\bhow\s+(?:is|was)\s+.{0,30}\brated\b"
                     r"|\b(?:well|highly|badly)[\s-]rated\b|\bwhat(?:'s|\s+is)\s+(?:its|the)\s+rating\b", re.I)


def _just_pointed(state: DialogueState) -> int | None:
    """The film the last list turn or a question since pointed at, if any: "it" in the next message (a newer list
    ends it: "the third one sounds interesting", "more please", then "tell me more" is no question about it)."""
    return state.referenced if state.referenced_turn == state.turn else None


def question_about_it(update: Update, state: DialogueState, text: str, names_a_title: bool = False) -> None:
    """Point a question that says "it" at the film the previous message asked about or pointed at; with none
    and several films listed, mark it unclear, to be asked back ("a comedy", "is it any good?" was answered
    about #10, the model's pick)."""
    question = update.question
    if (question is None or question.ask not in ("about", "fit", "why") or NAMES_A_POSITION.search(text)
            or not POINTS_AT_IT.search(text) or names_a_title):  # "the alien one, is it gory?": it is Alien
        return
    pointed = _just_pointed(state)
    it = pointed if pointed is not None else state.last_named[0] if len(state.last_named) == 1 else None  # "I loved Heat"
    if it is None and len(state.last_shown) == 1:
        it = state.last_shown[0]
    if it is None:
        question.unclear = len(state.last_shown) > 1
        if question.unclear:
            update.referenced = None  # the model's guess points at nothing the person said
        return
    shown = it in state.last_shown  # "#2 looks fun" took it off the list: no position then
    question.item, question.position = it, state.last_shown.index(it) + 1 if shown else 0
    update.referenced = it


def asks_if_good(update: Update, text: str, genres) -> None:
    """Mark "is #3 any good?" to be answered from ratings. A genre the model added to it ("is #3 worth
    watching?" read as "is #3 a Drama?") goes unless the message names it."""
    question = update.question
    if question is None or question.ask not in ("about", "fit") or not QUALITY.search(text):
        return
    question.quality = True
    said = set(genres.names(text)) if genres is not None else set()
    question.genres = [g for g in question.genres if g in said]
    if question.ask == "fit" and not question.genres and question.min_year is None and question.max_year is None:
        question.ask = "about"


_AROUND_A_POSITION = re.compile(r"[\W_]+|\b(?:the|one|please|ok(?:ay)?|hmm+|so|and|what about|how about)\b", re.I)


def about_a_bare_position(text: str, state: DialogueState) -> Update | None:
    """The question about the film a message that says nothing but its position points at, None otherwise."""
    refs = find_references(text)
    if len(refs) != 1 or not state.last_shown or _AROUND_A_POSITION.sub("", text[:refs[0].start] + " " + text[refs[0].end:]):
        return None
    item = state.item_at(refs[0].position)
    if item is None:
        return None
    position = state.last_shown.index(item) + 1
    return Update(question=Question("about", item, position), referenced=item)


_CHOOSING = re.compile(  # the message with its one position written as "#"
    r"^\W*(?:(?:ok(?:ay)?|great|cool|nice|thanks|perfect|alright|sounds good|yes|yeah)\W+)*"
    r"(?:(?:(?:i|we)(?:'?ll| will|'?m| am|'?re| are)\s+(?:going\s+to\s+|gonna\s+)?)|gonna\s+|let'?s\s+|i\s+)?"
    r"(?:go(?:ing)?\s+(?:with|for)|watch(?:ing)?|take|pick|choose|try)\s+(?:the\s+)?#(?:\s+one)?"
    r"(?:\s+(?:tonight|then|now|first|later|next))?\W*$|^\W*(?:the\s+)?#(?:\s+one)?\s+it\s+is\W*$"
    r"|^\W*(?:(?:ok(?:ay)?|fine|alright|all right|right|so)\W+)+(?:the\s+)?#(?:\s+one)?(?:\s+then|\s+it\s+is)?\W*$"
    r"|^\W*(?:the\s+)?#(?:\s+one)?\s+then\W*$", re.I)  # "ok #2 then" (the model: more picks), "#2 then"


_IT = re.compile(r"\b(?:it|that(?:\s+one)?|this(?:\s+one)?)\b", re.I)
_ABOUT_IT = r"\s+about\s+(?:it|that(?:\s+one)?|this(?:\s+one)?|the\s+(?:film|movie)|him|her)"
_MORE_ABOUT_IT = re.compile(  # "more please" asks for the next picks: a lead or "about it" is needed
    r"^\W*(?:(?:ok(?:ay)?|so|and|oh|hmm+|cool|nice)\W+)*(?:(?:(?:can|could)\s+you\s+)?(?:tell|show)\s+me\s+|say\s+"
    r"|what\s+else\s+(?:do\s+you\s+know\s+|can\s+you\s+(?:tell|say)\s+)?)(?:a\s+(?:bit|little)\s+)?more(?:" + _ABOUT_IT +
    r")?(?:\s+please)?\W*$|^\W*(?:(?:ok(?:ay)?|so|and|oh|hmm+)\W+)*(?:a\s+(?:bit|little)\s+)?more" + _ABOUT_IT
    + r"(?:\s+please)?\W*$", re.I)


def more_about_it(text: str, state: DialogueState) -> Update | None:
    """"the third one sounds interesting", then "tell me more": a question about that film (it made new picks)."""
    item = _just_pointed(state)
    if item is None or not _MORE_ABOUT_IT.search(text):
        return None
    position = state.last_shown.index(item) + 1 if item in state.last_shown else 0
    return Update(question=Question("about", item, position), referenced=item)


def a_chosen_position(text: str, state: DialogueState, titles) -> Update | None:
    """"I'll watch #3" (or "I'll watch it" of the film just pointed at): a note that wishes the person a good
    film (the list stays), None for any other message."""
    refs = find_references(text)
    if len(refs) == 1 and _CHOOSING.search(text[:refs[0].start] + "#" + text[refs[0].end:]):
        item = state.item_at(refs[0].position)
    elif not refs and _just_pointed(state) is not None and _CHOOSING.search(_IT.sub("#", text, count=1)):
        item = _just_pointed(state)  # "ok I'll watch it" made new picks
    else:
        return None
    if item is None:
        return None
    listed = item in state.last_shown  # a film liked just before is off the list
    position = state.last_shown.index(item) + 1 if listed else 0
    said = f"*loved #{position}* or *#{position} was not for me*" if listed else "*I loved it* or *I didn't like it*"
    return Update(referenced=item, notes=[f"Enjoy **{escape(titles.display(item))}**! Afterwards, tell me how you "
                                          f"liked it ({said}), and I'll suggest what to watch next."])


_SAVING = re.compile(  # the message with its film written as "#"
    r"\b(?:(?:add|put)\s+#(?:\s+one)?\s+(?:to|on|in|into|onto)\s+(?:my|a|the|your)\s+(?:watch[\s-]?list|list|queue"
    r"|favou?rites)|(?:save|bookmark|remember|keep|note(?:\s+down)?|write\s+down)\s+#(?:\s+one)?(?:\s+down)?)"
    r"(?:\s+(?:for\s+(?:me|later)|please))*\W*$", re.I)


def saved_for_later(text: str, state: DialogueState, titles) -> Update | None:
    """"the second one sounds great, add it to my list" liked Cinderella and replaced the list (with no more
    musicals left, by dramas): there is no watchlist to add to, the reply says so and names the film, and the
    list stays. None for any other message."""
    refs = find_references(text)
    if len(refs) > 1:
        return None
    marked = text[:refs[0].start] + "#" + text[refs[0].end:] if refs else text
    if not _SAVING.search(_IT.sub("#", marked)):
        return None
    item = state.item_at(refs[0].position) if refs else _just_pointed(state)
    if item is None:
        return None
    position = state.last_shown.index(item) + 1 if item in state.last_shown else 0
    said = f"*loved #{position}* or *#{position} was not for me*" if position else "*I loved it* or *I didn't like it*"
    return Update(referenced=item, notes=[f"I keep no watchlist, so note it down: **{escape(titles.display(item))}**. "
                                          f"Once you've watched it, tell me how you liked it ({said})."])


_ASKS_THE_BOT = re.compile(
    r"^\W*(?:(?:hey|so|and|ok(?:ay)?|btw)\W+)?(?:(?:have|did)\s+you\s+(?:ever\s+)?(?:seen|watched|see|watch|heard\s+of)"
    r"|(?:do|did)\s+you\s+(?:like|love|enjoy|know)|what\s+(?:do|did)\s+you\s+think\s+(?:of|about)"
    r"|(?:what'?s|what\s+is)\s+your\s+(?:opinion|take)\s+(?:on|of))\b", re.I)


def asked_of_the_bot(text: str, state: DialogueState, rules: Update) -> Update | None:
    """"have you seen Casablanca?" (said "Noted, you've seen: Casablanca"), "what do you think of Fargo?": a
    question about the one film named, answered from the catalogue and its ratings; None for other messages."""
    named = rules.named_items()
    if not _ASKS_THE_BOT.search(text) or len(named) != 1 or rules.pending is not None:
        return None
    item = named[0]
    position = state.last_shown.index(item) + 1 if item in state.last_shown else 0
    return Update(question=Question("about", item, position), referenced=item)


_BETTER = re.compile(r"\b(?:better|best|higher[\s-]rated|rated\s+higher|(?:more\s+)?worth\s+(?:it|watching)|preferable)\b", re.I)
_ASKS_FOR_FILMS = re.compile(r"\b(?:something|anything|movies|films|ones|recommend|suggest|show|give|find|more)\b", re.I)
_BETWEEN = re.compile(r"\bor\b|\bthan\b|\bvs\.?\b|\bversus\b|\bbetween\b|\bcompared?\b", re.I)


def compared_titles(text: str, state: DialogueState, rules: Update) -> Update | None:
    """"what's better, Heat or Fargo?" (it said "Noted, you liked: Heat, Fargo"), "is Heat better than Fargo?": a
    comparison of the two films named, answered from their ratings; None for other messages."""
    named = rules.named_items()
    if (len(named) != 2 or not _BETTER.search(text) or not _BETWEEN.search(text) or rules.pending is not None
            or _ASKS_FOR_FILMS.search(text)):  # "something better than Heat or Fargo" asks for films
        return None
    return Update(question=Question("compare", named[0], 0, among=named))
