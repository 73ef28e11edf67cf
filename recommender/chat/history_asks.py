"""Asks about the person's own history, which only a known MovieLens user has: "anything like the last
movie I watched?" and "something different from what I usually watch". A new user is told so.
`DialogueState.last_watched` and `unusual_genres` are set when the session starts (`ChatEngine.new_session`)."""

from __future__ import annotations

import re
from collections import Counter

from recommender.chat.markdown import escape
from recommender.chat.phrases import find_references
from recommender.chat.state import DialogueState, Question, Update
from recommender.chat.targets import drop_unknown_titles
from recommender.chat.title_spans import renote
from recommender.explain.facts import LOW_RATING

NO_HISTORY = "pick a MovieLens user in the side panel, or name films you liked"


LAST_WATCHED = re.compile(r"\b(?:the\s+)?last\s+(?:movie|film|one|thing)\s+(?:that\s+)?(?:i|we)(?:'ve|\s+have)?\s+"
                          r"(?:watched|saw|seen|rated)\b", re.I)


def the_last_one_watched(update: Update, state: DialogueState, text: str, titles) -> None:
    """"anything like the last movie i watched?" (the model: "like #10") is the last film of the user's
    history; a new user has none, and the reply says so."""
    if not LAST_WATCHED.search(text) or update.question is not None:
        return
    _not_about_the_list(update, state)
    update.problems = [p for p in update.problems if not p.startswith(("There is no #", "#"))]
    if state.last_watched is None:
        update.problems.append(f"I don't know what you watched last: {NO_HISTORY}.")
        return
    update.references = [state.last_watched]
    update.new_request = True
    renote(update, titles)
    if state.last_watched_low is not None:  # user 196's last film was Operation Dumbo Drop, rated 1/5
        update.notes.append(f"You rated your last film, {escape(titles.display(state.last_watched_low))}, low; "
                            f"these are like the last one you rated higher, {escape(titles.display(state.last_watched))}.")


def _not_about_the_list(update: Update, state: DialogueState) -> None:
    """An ask about the person's own history is about no listed item: the model's "like #10" and the
    rules' "More like: #1" go."""
    update.liked = [i for i in update.liked if i not in state.last_shown]
    update.references = [i for i in update.references if i not in state.last_shown]
    update.notes = [n for n in update.notes if not n.startswith("More like")]


def last_well_rated(items, ratings) -> tuple[int | None, int | None]:
    """(the last film of the history not rated low, the last film when it was rated low): "like the last
    movie I watched" means the first; a history rated low throughout gives its last film, said as is."""
    if not len(items):
        return None, None
    low = lambda r: r == r and r <= LOW_RATING  # noqa: E731  (r == r: a known rating; as the explanations' sources)
    for item, rating in zip(reversed(list(items)), reversed(list(ratings))):
        if not low(rating):
            return int(item), (int(items[-1]) if low(ratings[-1]) else None)
    return int(items[-1]), None


FAVOURITES = re.compile(  # "like my favourites"; "#6 is one of my favourites" is feedback on #6
    r"\b(?:like|liek|similar to|such as|along the lines of|in the vein of|based on|resembling)\s+(?:(?:all|some)\s+(?:of\s+)?)?"
    r"(?:(?:my|our)\s+(?:all[\s-]time\s+)?(?:(?:very\s+)?favou?rites?|faves?|(?:top|highest|best)[\s-]rated)\b"
    r"|(?:what|(?:the\s+)?(?:ones?|movies|films))\s+(?:that\s+)?(?:i|we)(?:'?ve|\s+have)?\s+(?:rated|loved|liked)\s+"
    r"(?:the\s+)?(?:most|highest|best|highly|high|well)\b)",  # "based on what i've rated highly"
    re.I)
FAVOURITE_RATING = 4.0  # "favourites" are films rated at least this (out of 5)


def favourites(items, ratings, n: int = 3) -> tuple[int, ...]:
    """The user's best-rated films (at least FAVOURITE_RATING; unknown ratings never count), the more
    recent first among equals: what "something like my favourites" refers to."""
    rated = [(float(r), pos) for pos, r in enumerate(ratings) if r == r and r >= FAVOURITE_RATING]  # r == r: not NaN
    return tuple(int(items[pos]) for _, pos in sorted(rated, reverse=True)[:n])


def my_favourites(update: Update, state: DialogueState, text: str, titles) -> None:
    """"something i haven't seen that's like my favourites" (the model: like "my favourites", the rules: like
    #1) refers to the known user's best-rated films; a new user is told there are none yet."""
    asked = FAVOURITES.search(text)
    if not asked or update.question is not None:
        return
    _not_about_the_list(update, state)
    drop_unknown_titles(update, lambda span: span in asked.group(0).lower())  # the model's title "what i've rated highly"
    update.missing = [(kind, words) for kind, words in update.missing if kind == "people"]
    if not state.favourites:
        update.problems.append(f"I don't know your favourites yet: {NO_HISTORY}.")
        update.new_request = update.new_request or not state.has_request
        return
    update.references, update.new_request, update.query = list(state.favourites), True, None
    renote(update, titles)


DIFFERENT = re.compile(r"\b(?:different|new)\b.{0,25}\b(?:usual(?:ly)?|normally|always|typically)\b|\bcomfort zone\b"
                       r"|\bsomething i (?:wouldn'?t|would not|don'?t|do not) (?:usually |normally )?(?:watch|pick|choose)", re.I)
MAIN_GENRE_SHARE = 0.04  # genres this common in the catalogue may be offered as "different" (not Film-Noir)


def genre_sizes(catalog) -> tuple[Counter, int]:
    """(items per genre, items) of the catalogue: what `history_genres` measures "common" against."""
    return Counter(g for item in catalog for g in item.genres), len(catalog)


def history_genres(genre_lists, sizes: tuple[Counter, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the two genres the history holds most, the two common catalogue genres it holds least, the larger
    genre first among equals): what "something different from what I usually watch" is measured against.
    (Least relative to the catalogue offered a broad watcher Drama and Comedy, the genres they watch most.)
    `sizes`: the catalogue's `genre_sizes`, counted once."""
    seen = Counter(g for genres in genre_lists for g in genres)
    everywhere, size = sizes[0], max(sizes[1], 1)
    usual = tuple(g for g, _ in seen.most_common(2))
    common = [g for g, n in everywhere.items()
              if n / size >= MAIN_GENRE_SHARE and g.lower() != "unknown" and g not in usual]
    return usual, tuple(sorted(common, key=lambda g: (seen[g], -everywhere[g]))[:2])


def something_different(update: Update, state: DialogueState, text: str) -> None:
    """"something different from what I usually watch" (the model: "I can't match “what i usually watch”")
    wishes for the common genres the user's history holds least, and says which."""
    if not DIFFERENT.search(text) or update.question is not None:
        return
    update.missing = [(kind, words) for kind, words in update.missing if kind == "people"]
    if not state.unusual_genres:
        update.problems.append(f"I don't know what you usually watch yet: {NO_HISTORY}.")
        update.new_request = update.new_request or not state.has_request  # popular picks meanwhile
        return
    update.wished_genres, update.references, update.query, update.new_request = list(state.unusual_genres), [], None, True
    usual, unusual = " and ".join(state.usual_genres), " and ".join(state.unusual_genres)
    update.notes.append(f"Your ratings are mostly {usual}; here are {unusual} films, the common genres you watch least.")


USUAL = re.compile(r"\b(?:what|the (?:stuff|things?|movies|films|kind|sort|type)(?: of (?:stuff|things?|movies|films))?(?: that)?)"
                   r"\s+(?:i|we)\s+(?:usually|normally|always|typically|often|generally)\s+(?:watch|like|love|enjoy)"
                   r"|\bmy (?:usual|taste|type|kind of (?:stuff|movies?|films?))\b", re.I)


def like_my_usual(update: Update, state: DialogueState, text: str) -> None:
    """"something like what i usually watch": a known user's list follows their history anyway; a new user,
    who has none, is told so (it said "I can't match “what i usually watch”")."""
    if not USUAL.search(text) or DIFFERENT.search(text) or update.question is not None:
        return
    update.missing = [(kind, words) for kind, words in update.missing if kind == "people"]
    if state.last_watched is None and not state.favourites:
        update.problems.append(f"I don't know what you usually watch yet: {NO_HISTORY}.")
        update.new_request = update.new_request or not state.has_request


WHAT_I_WATCHED = re.compile(r"(?<!like )\bwhat (?:have|did) (?:i|we) (?:(?:already|recently|just|ever)\s+)?"
                            r"(?:watch(?:ed)?|see|seen|saw|rate|rated)\b(?!\s+(?:that|which|and|but))"
                            r"|\b(?:show|what'?s in|what is in|see) my (?:watch(?:ing)? )?(?:history|ratings)\b"
                            r"|\b(?:what|which)(?:'re| are| were) my (?:all[\s-]time\s+)?(?:favou?rites?|faves|top|best"
                            r"|highest[\s-]rated)(?:\s+(?:movies|films|ones))?\b"  # "what are my favorite movies"
                            r"|\b(?:show|list|tell)(?: me)? my (?:favou?rites?|faves|top|best|highest[\s-]rated)\b"
                            r"|\bwhich (?:movies|films|ones) (?:did|have) (?:i|we) (?:rated?|liked?|loved?) (?:the )?"
                            r"(?:most|highest|best)\b"
                            # "what do you know about me?" said "I can only help you choose movies"
                            r"|\bwhat\s+do\s+you\s+know\s+about\s+(?:me|my\s+(?:taste|ratings|history))\b"
                            r"|\bwhat(?:'s|\s+is)\s+my\s+taste\b|\bwhat\s+(?:kind|sort)s?\s+of\s+(?:movies|films)\s+do\s+i\s+"
                            r"(?:like|watch|usually\s+watch)\b"  # "what's my favourite genre?" said "I can't match …"
                            r"|\bwhat(?:'s|\s+is|\s+are)\s+my\s+(?:favou?rite|fave|top|main|usual)\s+genres?\b"
                            r"|\bwhat\s+genres?\s+do\s+i\s+(?:like|love|watch|prefer)\b", re.I)


HIGHEST = re.compile(r"\b(?:highest|best|top|most|favou?rites?|loved|5/5|five stars?)\b|\bdo\s+i\s+like\b", re.I)


def what_i_watched(update: Update, state: DialogueState, text: str) -> None:
    """"what have i watched recently?" said "I can't match “what have i recently”": a known user is shown
    the last films of their history (`ChatEngine` answers it); a new user is told there is none."""
    asked = WHAT_I_WATCHED.search(text)
    if not asked or update.references or update.wished_genres:
        return
    pointed = [r for r in find_references(text) if not asked.start() <= r.start <= asked.end() + 2]
    if update.question is not None and (pointed or update.question.ask == "history"):
        return  # "what did i watch last?" is no question about the last film listed (it answered "#10 is …")
    update.question = None
    update.missing = [(kind, words) for kind, words in update.missing if kind == "people"]
    update.query, update.new_request, update.off_topic = None, False, False  # the model: off-topic
    if state.last_watched is None:
        update.problems.append(f"I don't know what you watched: {NO_HISTORY}.")
        return
    update.question = Question("history", state.last_watched, 0, order="best" if HIGHEST.search(text) else None)


def ground_history_asks(update: Update, state: DialogueState, text: str, titles) -> None:
    what_i_watched(update, state, text)
    the_last_one_watched(update, state, text, titles)
    my_favourites(update, state, text, titles)
    something_different(update, state, text)
    like_my_usual(update, state, text)


def history_answer(history, dialogue: DialogueState, titles, best: bool = False, shown: int = 5) -> str:
    """"what have I watched?": the user's last films and ratings (`history`: their UserHistory), newest first;
    "what have I rated highest?" (`best`; it was answered with the last films): the best rated, the latest first
    among equals. "something like those" then refers to the films named, except those rated low."""
    pairs = [(int(i), float(r)) for i, r in zip(history.items, history.ratings)][::-1]  # newest first
    if best:  # sorted() keeps the newest first among equal ratings; unknown ratings last
        pairs = sorted(pairs, key=lambda p: -p[1] if p[1] == p[1] else float("inf"))
    once = {}  # ML-100k lists some films twice under two ids: "Desperate Measures (1998)" was named twice
    for i, r in pairs:
        once.setdefault(titles.display(i), (i, r))
        if len(once) == shown:
            break
    named = list(once.values())
    # "something like those" is like the films named, but not the ones rated low: those are no positive source
    dialogue.last_named = [i for i, r in named if not r <= LOW_RATING] or [i for i, _ in named]
    films = ", ".join(f"**{escape(titles.display(i))}**" + (f" {r:g}/5" if r == r else "")  # r == r: rated
                      for i, r in named)
    head = "Your best rated, latest first among equals" if best else "Your last films, newest first"
    mostly = f", mostly {' and '.join(dialogue.usual_genres)}" if dialogue.usual_genres else ""
    return (f"{head}: {films}; {len(history):,} in all{mostly}. Say *something like those*, *like the last movie I "
            "watched* or *like my favourites* for films like them.")
