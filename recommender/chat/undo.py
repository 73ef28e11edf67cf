"""Taking back the last Like, Dislike or Seen: a person who clicked the wrong button typed "oops, I didn't mean
that" (answered "I don't know the movie “oops”") and "undo" ("I can't bring back an earlier list"), and the film
stayed marked and off the list.

The engine keeps the session as it was before the last turn that marked films (`undo_point`); "undo" puts its
marks and its list back (`take_back`). Any other new list ends the chance: undoing then would also undo the
request that made it.
"""

from __future__ import annotations

import re

from recommender.chat.markdown import escape

UNDO = re.compile(
    r"^\W*(?:(?:oops|whoops|oh\s+no|sorry|my\s+bad|wait|no)\W+)*"
    r"(?:undo(?:\s+(?:that|it|the\s+last\s+(?:one|click|step)))?"
    r"|(?:i\s+)?did(?:n'?t|\s+not)\s+mean\s+(?:that|to(?:\s+(?:click|press|do)\s+(?:that|it))?)"
    r"|(?:i\s+)?(?:clicked|pressed|hit)\s+the\s+wrong\s+(?:button|one)|wrong\s+(?:button|click)|mis[\s-]?click(?:ed)?"
    r"|(?:that|it)\s+was\s+a\s+mistake|take\s+(?:that|it)\s+back|go\s+back\s+one\s+step"
    r"|(?:oops|whoops))(?:\W+please)?\W*$", re.I)
MARKS = (("liked", "liked"), ("disliked", "disliked"), ("seen", "seen"), ("excluded", "left out"))
NOTHING = ("There is nothing to undo: I can take back the last *Like*, *Dislike* or *Seen* (button or message) "
           "until the next list.")


def marked(dialogue) -> dict[str, set[int]]:
    return {name: set(getattr(dialogue, name)) for name, _ in MARKS}


def undo_point(before, after, list_changed: bool):
    """What `after.undo` should be once a turn took the session from `before` (a copy without its own undo
    point) to `after`: `before` when the turn marked films, None when it made a new list otherwise, else the
    point the session had."""
    was, now = marked(before.dialogue), marked(after.dialogue)
    if any(now[name] - was[name] for name in was):
        return before
    return None if list_changed else after.undo


def take_back(session, titles) -> str | None:
    """Put the marks and the list of `session.undo` back; the sentence that says what was undone (None when
    there is nothing to undo). The transcript and the explanations written so far stay."""
    point = session.undo
    if point is None:
        return None
    was, now = marked(point.dialogue), marked(session.dialogue)
    said = []
    for name, words in MARKS:
        films = sorted(now[name] - was[name], key=lambda i: titles.display(i))
        if films:
            names = ", ".join(f"**{escape(titles.display(i))}**" for i in films)
            said.append(f"{names} {'is' if len(films) == 1 else 'are'} no longer marked as {words}")
    session.dialogue, session.rows, session.recs = point.dialogue, point.rows, point.recs
    session.request, session.shown, session.undo = point.request, point.shown, None
    session.generation += 1  # a stream for the list being replaced stops; the restored one is explained again
    return "Undone: " + "; ".join(said) + "."
