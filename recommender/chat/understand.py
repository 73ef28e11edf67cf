"""From an `Intent` (what the LLM read in a message) to the `Update` the dialogue state applies.

The model only says which words of the message are titles, people or themes; linking a title span to
the catalogue (typos included), resolving "#3" against the list on screen and turning "1990-1999"
into a constraint happen here, deterministically, with the same helpers as the rule parser.
"""

from __future__ import annotations

import re

from recommender.chat.cue_words import REPEATS
from recommender.chat.intent import Intent
from recommender.chat.targets import bad_reference, resolve_title, targets_update
from recommender.chat.state import DialogueState, Question, Update
from recommender.title_text import normalise
from recommender.titles import COMMON_WORDS, TitleIndex, TitleMatch

RESET_NOTE = "Started over: I forgot what you told me in this conversation."
TITLE_FIELDS = (("like", "references"), ("liked", "liked"), ("disliked", "disliked"), ("seen", "seen"))
POSITION_FIELDS = (("like_items", "references"), ("liked_items", "liked"), ("disliked_items", "disliked"),
                   ("seen_items", "seen"))
# What a new request needs to replace the current one; years or exclusions alone refine it.
TOPIC_FIELDS = ("genres", "like", "like_items", "rest", "people", "plot")


def update_from_intent(intent: Intent, state: DialogueState, titles: TitleIndex, text_search: bool = False) -> Update:
    """The Update for `intent`, typed with `state` on screen. `text_search`: the catalogue has item text
    (tags, plots) that plot phrases can be searched in; otherwise they are reported as missing data."""
    if intent.action == "reset" and not _asks_anything(intent):
        return Update(kind="reset", notes=[RESET_NOTE], parser="llm")
    update = Update(parser="llm")
    if intent.action == "reset":  # "start over: something scary": forget, then take the new request
        update.reset_first, state = True, DialogueState(user_id=state.user_id)
        update.notes.append(RESET_NOTE)
        intent = _as_request(intent)
    if intent.action == "off_topic":
        update.off_topic = True
        return update
    resolved = _titles(intent, titles, update) + _positions(intent, state, update)
    merged = targets_update(resolved, titles, update.referenced)
    for name in ("liked", "disliked", "seen", "references", "notes"):
        getattr(update, name).extend(getattr(merged, name))
    low, high = intent.year_range
    if intent.action == "question":
        _question(intent, state, update, low, high)
        return update
    update.more = intent.action == "more"
    update.wished_genres = list(intent.genres)
    update.set_exclusions(intent.exclude_genres)
    if low is not None or high is not None:
        update.min_year, update.max_year = low, high
    update.missing += [("people", p) for p in intent.people]
    if text_search:  # descriptions or tags to search: themes and story words go to the text channels
        words = intent.rest + intent.plot
        update.query = " ".join(words) if words else None
    else:  # only titles, years and genres: those words could only match titles ("a dark one" -> "Dark City")
        update.missing += [("plot", p) for p in intent.plot] + [("rest", r) for r in intent.rest]
    update.new_request = intent.action == "request" and any(getattr(intent, f) for f in TOPIC_FIELDS)
    return update


def _asks_anything(intent: Intent) -> bool:
    return any(getattr(intent, f) for f in TOPIC_FIELDS + ("exclude_genres", "years", "liked", "disliked", "seen"))


def _as_request(intent: Intent) -> Intent:
    import dataclasses

    return dataclasses.replace(intent, action="request")


def _titles(intent: Intent, titles: TitleIndex, update: Update) -> list[tuple[str, int]]:
    resolved: list[tuple[str, int]] = []
    for field, action in TITLE_FIELDS:
        for span in [part for whole in getattr(intent, field) for part in _listed_titles(whole, titles)]:
            match = titles.link(span)
            if match.status != "exact":
                span, match = without_cue_words(span, titles) or (span, match)
            if match.status != "exact" and only_common_words(span):
                continue  # "something nobody has heard of": "nobody" was linked to Nobody Loves Me as disliked
            match.text = span
            resolve_title(action, match, titles, update, resolved)
    return resolved


def _listed_titles(span: str, titles: TitleIndex) -> list[str]:
    """"heat and ronin" (one span from the model) is two titles when it is no title itself and a part of it is
    one (the reply noted Heat and said nothing of Ronin, which the catalogue does not hold), or when nothing is
    close to the whole span."""
    parts = [p for p in re.split(r"\s*(?:,|&|\band\b)\s*", span) if p.strip()]
    whole = titles.link(span)
    if len(parts) < 2 or whole.status == "exact":
        return [span]
    if whole.status == "unknown" and not whole.candidates:  # "the matrix and inception": "I don't know the
        return parts  # movie “the matrix and inception”" was said of both as one
    return parts if any(titles.link(p).status in ("exact", "ambiguous") for p in parts) else [span]


def only_common_words(span: str) -> bool:
    """A span made only of everyday chat words ("nobody", "the one") is a title only where it is one exactly."""
    words = normalise(span).split()
    return bool(words) and all(w in COMMON_WORDS for w in words)


CUE_LEAD = frozenset("i i've ive we we've just already also really have has had watched seen saw loved liked love like "
                     "enjoyed adored hated movie film not no but except especially maybe and or".split())


def without_cue_words(span: str, titles: TitleIndex) -> tuple[str, TitleMatch] | None:
    """"just watched Fargo", "not star wars", "groundhog day like 20 times" (spans the model wrote as titles,
    which link to nothing exactly) are Fargo, Star Wars and Groundhog Day: what is left once leading cue words
    and a trailing "like 20 times" go, and its exact match; None when no such rest is a title ("I don't know the
    movie “just watched Fargo”" was the reply)."""
    words = (REPEATS.split(span)[0].strip() or span).split()
    for k in range(len(words)):
        if k and words[k - 1].lower() not in CUE_LEAD:
            break
        rest = " ".join(words[k:])
        match = titles.link(rest) if rest != span else None
        if match is not None and match.status == "exact":
            return rest, match
    return None


def _positions(intent: Intent, state: DialogueState, update: Update) -> list[tuple[str, int]]:
    resolved: list[tuple[str, int]] = []
    for field, action in POSITION_FIELDS:
        for position in getattr(intent, field):
            item = state.item_at(position)
            if item is None:
                update.problems.append(bad_reference(position, state))
                continue
            update.referenced = item
            resolved.append((action, item))
    return resolved


def _question(intent: Intent, state: DialogueState, update: Update, low: int | None, high: int | None) -> None:
    position = intent.item or 1
    item = state.item_at(position)
    if item is None:
        update.problems.append(bad_reference(position, state))
        return
    update.referenced = item
    update.question = Question(intent.ask or "about", item, position, list(intent.genres), low, high)
