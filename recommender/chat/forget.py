"""Taking one part of the request back: "forget the thriller part", "never mind the 90s", "drop the comedy bit".

The model read "forget the thriller part" as a reset, and the chat said "Started over: I forgot what you told
me in this conversation" over a list of thrillers still. When what is named is a genre the request wishes for,
or the request's years, only that part goes; the rest of the request (and everything the person marked) stays."""

from __future__ import annotations

import re

from recommender.chat.state import DialogueState, Update

FORGET = re.compile(r"^\W*(?:(?:ok(?:ay)?|actually|hmm+|um+|no|wait)\W+)*(?:(?:let'?s|please|just)\s+)?"
                    r"(?:forget|never\s*mind|scratch|ignore|(?P<drop>drop|lose|remove))\s+(?:about\s+)?(?:the\s+)?"
                    r"(?P<what>[\w' -]{2,40}?)(?P<part>\s+(?:part|bit|thing|idea|wish|request|angle|requirement|filter))?"
                    r"(?:\s+please)?\W*$", re.I)
YEARS = re.compile(r"\b(?:\d{4}s?|\d0s|'\d0s|years?|decades?|era|dates?|eighties|nineties|seventies|sixties|fifties|"
                   r"older|newer|old|new|recent)\b", re.I)


def forget_a_wish(text: str, state: DialogueState, genres) -> Update | None:
    """The update that takes a wished genre or the years out of the request on screen; None when the message
    names neither (a reset or anything else is for the other readers)."""
    asked = FORGET.match(text)
    if asked is None or not state.last_shown or genres is None or (asked.group("drop") and not asked.group("part")):
        return None  # "drop the horror" leaves horror films out; "drop the comedy bit" takes back the wish
    what = asked.group("what")
    said_genres, said_years = genres.names(what), bool(YEARS.search(what))
    named = [g for g in said_genres if g in state.wished_genres]
    c = state.constraints
    years = said_years and (c.min_year is not None or c.max_year is not None)
    if not named and not years:  # "never mind the 90s" when the request has no years: the model added them
        return Update(notes=[f"The request on screen has no “{what}” to take back."]) \
            if said_genres or said_years else None
    update = Update(clear_years=years, adds=True)
    if named:
        update.new_request = True
        update.query, update.query_hints = state.query or "", list(state.query_hints)
        update.wished_genres = [g for g in state.wished_genres if g not in named]
        update.first_genre = state.first_genre if state.first_genre not in named else ""
        update.references = list(state.references)
    said = " and ".join(named + (["the years"] if years else []))
    update.notes.append(f"{said[0].upper() + said[1:]} {'are' if len(named) + years > 1 or not named else 'is'} "
                        "out of the request; the rest stays.")
    return update
