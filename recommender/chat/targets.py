"""What a message does to the titles and list positions it names: "I loved Heat" (liked), "#2 seen", "more
like #3", "not that one", "all the Godfather movies", "I loved Babe, anything similar" (a reference), and
the "Noted, …" lines that say so. Used by the rule parser (`parse.py`) and for the intent model's titles
(`understand.py`)."""

from __future__ import annotations

import re
from typing import Callable, Sequence

from recommender.chat.markdown import escape
from recommender.chat.phrases import Reference
from recommender.chat.state import DialogueState, PendingClarification, Update
from recommender.title_rules import SERIES_AFTER, SERIES_BEFORE
from recommender.titles import TitleIndex, TitleMatch


def resolve_targets(targets, state: DialogueState, titles: TitleIndex, update: Update, text: str,
                    spared: set[int] = frozenset()) -> None:
    """What each (action, target) means for the update; items in `spared` ("all of them except #8") get none."""
    resolved: list[tuple[str, int]] = []
    more_like: list[int] = []
    pointed: dict[int, str] = {}  # a listed item named with no word of what to do ("#2 was great"): its hint
    for action, target, where in targets:
        if isinstance(target, Reference):
            item = state.item_at(target.position)
            if item is None:
                update.problems.append(bad_reference(target.position, state))
                continue
            update.referenced = item
            if action == "more like":
                more_like.append(item)
                action = "liked"
            if action == "referenced":
                n = target.position
                pointed[item] = f"#{n} is {escape(titles.display(item))}. Say *more like #{n}*, *I've seen #{n}* or *not #{n}*."
                continue
            resolved.append((action, item))
        elif isinstance(target, TitleMatch) and action == "referenced":  # "I haven't seen Alien": only named
            update.referenced = target.item if target.item is not None else update.referenced
        elif isinstance(target, TitleMatch):
            resolve_title(action, target, titles, update, resolved)
            if target.item is not None and SERIES_BEFORE.search(text[:target.start]) \
                    and SERIES_AFTER.match(text[target.end:]):  # "I've seen all the Godfather movies"
                resolved.extend((action, i) for i in titles.series(target.item) if i != target.item)
        else:
            named = [item for _, item in resolved] + list(pointed)  # "I've seen Vertigo, loved it": it is Vertigo
            liked = [item for a, item in resolved if a == "liked"]
            for action, item in _implicit_targets(action, state, text, where, update, named, liked):
                if action == "references" and item in state.last_shown:  # "#2 was great, more like that"
                    more_like.append(item)
                    action = "liked"
                resolved.append((action, item))
    update.problems.extend(hint for item, hint in pointed.items() if item not in {i for _, i in resolved})
    resolved = [(action, item) for action, item in resolved if item not in spared]
    merged = targets_update(resolved, titles, update.referenced, more_like)
    for name in ("liked", "disliked", "seen", "excluded", "references", "notes"):
        getattr(update, name).extend(getattr(merged, name))
    update.new_request = update.new_request or bool(merged.references)  # "something like Toy Story"


def resolve_title(action, match: TitleMatch, titles: TitleIndex, update: Update, resolved) -> None:
    if match.item is not None:
        resolved.append((action, match.item))
    elif match.status == "ambiguous" and update.pending is None:
        update.pending = PendingClarification(action, match.text, list(match.candidates[:9]))
    elif match.status == "ambiguous":
        example = escape(titles.display(match.candidates[0]))
        update.problems.append(f"“{escape(match.text)}” fits several movies; add the year, e.g. “{example}”.")
    else:
        close = ", ".join(escape(titles.display(i)) for i in match.candidates[:3])
        years = titles.year_range
        span = f" My catalogue has films from {years[0]} to {years[1]}." if years else ""
        if span and any(p.endswith(span) for p in update.problems):  # said once for "the matrix and inception"
            span = ""
        hint = f" Did you mean {close}?" if close else span
        update.problems.append(UNKNOWN_TITLE.format(escape(match.text)) + hint)


UNKNOWN_TITLE = "I don't know the movie “{}”."
UNKNOWN_TITLE_PROBLEM = re.compile(r"I don't know the movie “(.*?)”\.")


def drop_unknown_titles(update: Update, no_title: Callable[[str], bool]) -> None:
    """Take back each "I don't know the movie “X”" line whose X (lower case) `no_title` says was never meant as a
    title (a person's name, "what i've rated highly")."""
    update.problems = [p for p in update.problems
                       if not ((m := UNKNOWN_TITLE_PROBLEM.match(p)) and no_title(m.group(1).lower()))]


def _implicit_targets(action: str, state: DialogueState, text: str, cue_end: int, update: Update,
                      named: Sequence[int] = (), liked: Sequence[int] = ()) -> list[tuple[str, int]]:
    """"I've seen them all" -> the whole last list; "not that one", "seen it", "more like this" -> the
    title named earlier in the message, else the item last pointed at, else (for "like that") the titles the
    last message named, else #1. A cue without such a word
    ("I like dark films") is about no item. "Anything similar" points back at the last title named and at
    every title the message liked ("i adored babe and toy story, something in that vein": both, not Toy
    Story alone; "hated titanic, loved heat, more like that": Heat)."""
    after = text[cue_end:]
    everything = re.match(r"\s*(?:(?:them|'?em) all|all of (?:them|'?em|these|those)|all|everything|these|those)\b",
                          after, re.I)  # "seen em all"
    if action in ("disliked", "excluded"):  # "I don't like any of these" disliked the #10 the model guessed
        everything = everything or re.match(r"\s*any(?: one)? of (?:them|'?em|these|those)\b", after, re.I)
    pointing = re.match(r"\s*(?:to\s+)?(?:that one|this one|that|this|it|one)\b", after, re.I)  # "something similar to that"
    if action == "excluded" and not everything:
        pointing = pointing or re.search(r"\bone\b|\bnope\b", text[max(0, cue_end - 12):cue_end], re.I)
    if action == "references" and named:  # "I loved Babe, anything similar?", "I've seen A and B, what else is like them"
        back = named if re.match(r"\s*(?:them|those|these)\b", after, re.I) else [i for i in named if i in liked] + named[-1:]
        return [(action, i) for i in dict.fromkeys(back)]
    if action == "references" and state.last_named and re.match(r"\s*(?:them|those|'em)\b", after, re.I):
        return [(action, i) for i in state.last_named]  # "I loved Toy Story and Babe", then "anything like those"
    if action == "references" and everything and state.last_shown:  # "more like these": more of the same request
        update.more = True  # (it said "More like: Face/Off", #1 alone)
        return []
    if not (everything or pointing):
        return []
    if pointing and named:
        return [(action, named[-1])]
    bare = pointing and pointing.group(0).split()[-1].lower() in ("that", "this", "it")  # not "that one": a listed one
    if action == "references" and bare and state.last_named and state.referenced not in state.last_shown:
        return [(action, i) for i in state.last_named]  # "I loved Alien", then "something like that but funnier";
    if not state.last_shown:  # "what did I watch last?", then "something similar to that" (no list yet)
        update.problems.append("There is no list yet to refer to.")
        return []
    if everything and action in ("seen", "liked", "disliked", "excluded"):
        return [(action, item) for item in state.last_shown]
    if (action in ("references", "liked", "disliked", "seen") and bare and state.referenced is not None
            and state.referenced not in state.last_shown and state.referenced_turn == state.turn):
        # "the second one looks good", then "more like it" (it said "More like: Reservoir Dogs", the new list's
        # #1); "I'll watch it" of a film liked off the list, then "I loved it": that film
        return [(action, state.referenced)]
    item = state.referenced if state.referenced in state.last_shown else state.last_shown[0]
    return [(action, item)]


def targets_update(resolved: list[tuple[str, int]], titles: TitleIndex, referenced: int | None,
                   more_like: Sequence[int] = ()) -> Update:
    """The update for titles resolved with their actions, and its "Noted, …" lines; a listed item asked
    for "more like #3" is liked, and noted as what it is ("More like: Fargo (1996)", not "you liked")."""
    update = Update(referenced=referenced)
    words = {"liked": "you liked", "disliked": "you didn't like", "seen": "you've seen", "excluded": "not for you",
             "references": "you want something like"}
    for action, item in resolved:
        bucket = getattr(update, action)
        if item not in bucket:
            bucket.append(item)
    if more_like:
        update.notes.append(f"More like: {', '.join(escape(titles.display(i)) for i in more_like)}.")
    for action, phrase in words.items():
        items = [i for i in getattr(update, action)  # liked and asked for more like it: said once, as a reference;
                 if (action != "liked" or (i not in more_like and i not in update.references))  # "not the shining,
                 and (action != "excluded" or i not in update.seen)]  # seen it": seen, not also "not for you"
        if items:
            update.notes.append(f"Noted, {phrase}: {', '.join(escape(titles.display(i)) for i in items)}.")
    return update


def bad_reference(position: int, state: DialogueState) -> str:
    if not state.last_shown:
        return f"There is no #{position} yet: I haven't shown a list."
    return f"There is no #{position}: the last list had {len(state.last_shown)} items."


# "not Star Wars sequels", "not godfather sequels": a title may stand before the word
NOT_SEQUELS = re.compile(r"\b(?:not|no|without|skip|except|but not|none of)\s+(?:the\s+|any\s+(?:of\s+the\s+)?|its\s+)?"
                         r"(?:[\w'’:.-]+\s+){0,3}?(?:sequels?|prequels?|follow[\s-]?ups?|other (?:ones|parts|films|movies|installments))\b", re.I)


def not_the_sequels(update: Update, state: DialogueState, text: str, titles: TitleIndex) -> None:
    """"like the godfather but not the sequels": the other films of a named title's series (titles that
    continue its title, `TitleIndex.series`) are not for this person. Series whose titles share no words
    ("Star Wars", "Empire Strikes Back") are beyond what the catalogue tells."""
    if not NOT_SEQUELS.search(text):
        return
    named = list(dict.fromkeys(update.references + update.liked + update.seen)) or list(state.references)
    if not named:  # "horror movies, no sequels": every film whose title continues an older one's
        update.excluded.extend(i for i in sorted(titles.sequels()) if i not in update.excluded)
        update.missing = [(kind, said) for kind, said in update.missing if "sequel" not in said.lower()]
        update.notes.append("No sequels from now on (films whose title continues an older one's, as Jaws 2 does).")
        return
    update.excluded = [i for i in update.excluded if i not in named]  # "like the godfather but not godfather
    # sequels": the model left out The Godfather itself
    series = {item: titles.series(item) for item in named}  # each scans the whole catalogue
    others = [i for item in named for i in series[item] if i not in named and i not in update.excluded]
    update.excluded.extend(others)
    update.notes = ([n for n in update.notes if not n.startswith("Noted, not for you")]
                    + targets_update([("excluded", i) for i in update.excluded], titles, None).notes)
    unknown = [item for item in named if len(series[item]) < 2]
    if unknown:  # "like Star Wars but not the sequels" listed Return of the Jedi first, unexplained
        update.notes.append(f"I can't tell from titles alone which films continue "
                            f"{', '.join(escape(titles.display(i)) for i in unknown)}, so a sequel may still be "
                            "listed: say “not #1” or mark it Seen.")
