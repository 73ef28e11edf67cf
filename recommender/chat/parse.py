"""Turn one chat message into an Update: feedback on listed items, titles, filters and the request.

Order matters: titles and "#2"-style references are found first, then genre and year filters, then
the cue words ("seen", "loved", "not") that say what to do with each title or reference (the nearest
cue before it wins). Whatever is left becomes the free-text query.
"""

from __future__ import annotations

import re
from functools import lru_cache

from recommender.chat.company import WATCHING_WITH, in_company_words
from recommender.chat.cue_words import (CONNECTORS, COUNT, CUES, ENGLISH_HINTS, FILLER, FOREIGN_HINTS, GENERAL_ASK, INSTRUCTION,
                                         ALL_EXCEPT, LOOKS_GOOD, MORE, NOT_FOR_ME, OPEN_ASK, REPEATS, RESET, SEEN_MOST,
                                         TOP_COUNT)
from recommender.chat.phrases import (CARDINALS, CLAUSE_END, ORDINALS, GenreLexicon, Reference, find_genre_filters,
                                      find_named_on_list, find_references)
from recommender.chat.state import DialogueState, PendingClarification, Update, exclusion_note
from recommender.chat.targets import resolve_targets, targets_update
from recommender.chat.year_phrases import find_relative_years, find_title_relative_years, find_year_filters
from recommender.title_text import normalise, tokens
from recommender.titles import TitleIndex, TitleMatch

@lru_cache(maxsize=8)
def _lexicon(genres: tuple[str, ...]) -> GenreLexicon:
    return GenreLexicon(genres)


def lexicon_for(catalog) -> GenreLexicon:
    return _lexicon(tuple(sorted({g for item in catalog for g in item.genres})))


def parse_message(text: str, state: DialogueState, titles: TitleIndex, genres: GenreLexicon | None = None) -> Update:
    """Understand one message in the context of `state` (the last list, a pending question)."""
    text = (text or "").strip()
    if not text:
        return Update(kind="empty")
    if RESET.fullmatch(text):
        return Update(kind="reset", notes=["Started over: I forgot what you told me in this conversation."])
    if state.pending is not None:
        answer = _answer_pending(text, state.pending, titles)
        if answer is not None:
            return targets_update([(state.pending.action, answer)], titles, referenced=answer)
    genres = genres or lexicon_for(titles.catalog)
    update = Update()
    blank = list(text)  # characters already understood become spaces; the rest is the query

    def consume(start: int, end: int) -> None:
        blank[start:end] = " " * (end - start)

    mentions = _mentions(text, titles, genres)
    franchises = _negated_franchises(text, mentions, titles)
    mentions = sorted(mentions + franchises, key=lambda m: m.start)
    around = find_title_relative_years(text, [(m.start, m.end, titles.years[m.item]) for m in mentions
                                              if m.item is not None])
    if around is not None:  # "before Star Wars came out": a date, not a film the person liked
        mentions = [m for m in mentions if not around.spans[0][0] <= m.start < around.spans[0][1]]
        consume(*around.spans[0])
    for m in mentions:
        consume(m.start, m.end)
    listed = [normalise(titles.catalog[i].title) for i in state.last_shown]
    refs = [r for r in find_references("".join(blank)) + find_named_on_list("".join(blank), listed)
            if not _inside(r, mentions)]
    for r in refs:
        consume(r.start, r.end)
    unread = "".join(blank)
    for m in [*COUNT.finditer(unread), *TOP_COUNT.finditer(unread)]:  # "give me 5 good thrillers", "top 3 for me"
        group = m.lastindex  # the one number group of the alternative that matched
        said = m.group(group).lower()
        number = 1 if said.startswith("a") else CARDINALS.get(said) or int(said)  # "a single"
        if 1 <= number <= 20:
            update.count = number
            consume(*m.span(group))
    violent = _apply_filters("".join(blank), genres, update, consume)
    if around is not None and update.min_year is None and update.max_year is None:
        update.min_year, update.max_year = around.min_year, around.max_year
        update.notes.append(_years_note(around))
    _relative_years("".join(blank), state, titles, update, consume, new_subject=bool(genres.names(text)))
    for m in OPEN_ASK.finditer("".join(blank)):  # "a movie everyone has seen": a request for anything
        update.new_request = True
        consume(*m.span())
    for m in REPEATS.finditer("".join(blank)):
        consume(*m.span())
    for m in SEEN_MOST.finditer("".join(blank)):
        update.more = True
        consume(*m.span())
    spared, mentions, refs = _all_except("".join(blank), mentions, refs, state, consume)
    before_cues = "".join(blank)
    targets = _assign_cues(before_cues, mentions, refs, consume, lambda end: bool(genres.names(
        CLAUSE_END.split(before_cues[end:end + 40])[0])))
    targets = [t for t in _judged_after(targets, before_cues, consume)  # a franchise only counts when left out
               if t[0] == "excluded" or not any(t[1] is f for f in franchises)]
    resolve_targets(targets, state, titles, update, before_cues, spared)
    _spare_reference_genres(update, violent, titles)
    remainder = "".join(blank)
    if MORE.search(remainder):
        update.more = True
        for m in MORE.finditer(remainder):
            consume(*m.span())
    for m in GENERAL_ASK.finditer("".join(blank)):  # "what should I watch tonight?": a request for anything
        update.new_request = True
        consume(*m.span())
    for m in WATCHING_WITH.finditer("".join(blank)):  # "for the boys tonight": who watches, no words to search
        update.new_request = True
        consume(*m.span())
    _set_query("".join(blank), text, update, genres)
    return update


def _mentions(text: str, titles: TitleIndex, genres: GenreLexicon) -> list[TitleMatch]:
    """Titles found in the text, plus quoted strings linked fuzzily ('"Blade Runer"')."""
    found = [m for m in titles.find_mentions(text, genres.words)
             if not (text[m.start:m.end].islower() and in_company_words(text, m.start, m.end))]
    for q in re.finditer(r"[\"“]([^\"“”]{2,80})[\"”]", text):
        if any(m.start < q.end() and q.start() < m.end for m in found):
            continue
        match = titles.link(q.group(1))
        match.start, match.end, match.text = q.start(), q.end(), q.group(1)
        found.append(match)
    return sorted(found, key=lambda m: m.start)


_AFTER_NEGATION = re.compile(r"(?:\b(?:no|not|without|except|other than|besides|excluding|nor|nothing(?:\s+(?:from|of|in))?)"
                             r"\s+(?:any\s+)?(?:more\s+)?(?:the\s+)?"
                             r"|\b(?:no|not)\s+[^.;!?]{1,40}?(?:,|\bor\b|\band\b)\s*(?:the\s+)?)$", re.I)
_FRANCHISE_WORDS = re.compile(r"[\w'’.:&-]+(?:\s+[\w'’.:&-]+){0,2}")


def _negated_franchises(text: str, found: list[TitleMatch], titles: TitleIndex) -> list[TitleMatch]:
    """"a scifi movie, no star trek" listed Star Trek: First Contact: no film is titled "Star Trek", so nothing was
    left out (and the words went to the title search). After a negation, words that begin the titles of two
    or more films stand for all of them (one match per film, on the same span); `parse_message` keeps them
    only where the cues leave them out."""
    out = []
    for start in (w.start() for w in re.finditer(r"(?<![\w'’])\w", text)):
        m = _FRANCHISE_WORDS.match(text, start)
        window = text[max(0, start - 64):start]  # not all the text before it: long messages stay fast
        if not _AFTER_NEGATION.search(window) or any(f.start < m.end() and start < f.end for f in found + out):
            continue
        words = m.group(0).split()
        for length in range(len(words), 0, -1):
            phrase = " ".join(words[:length])
            items = titles.franchise(phrase.rstrip(".:,"))
            if items:
                end = m.start() + len(phrase.rstrip(".:,"))
                out.extend(TitleMatch("exact", i, [i], text[m.start():end], m.start(), end) for i in items)
                break
    return out


def _inside(ref: Reference, mentions: list[TitleMatch]) -> bool:
    return any(m.start < ref.end and ref.start < m.end for m in mentions)


def _relative_years(text: str, state: DialogueState, titles: TitleIndex, update: Update, consume,
                    new_subject: bool = False) -> None:
    if update.min_year is not None or update.max_year is not None:
        return
    latest = titles.year_range[1] if titles.year_range else None
    found = find_relative_years(text, [titles.years[i] for i in state.last_shown], new_subject, latest)
    if found is not None:
        update.min_year, update.max_year = found.min_year, found.max_year
        consume(*found.spans[0])
        update.notes.append(_years_note(found))


def _years_note(found) -> str:
    return (f"Only films from before {found.max_year + 1}." if found.max_year
            else f"Only films from after {found.min_year - 1}.")


def _all_except(text: str, mentions, refs, state: DialogueState, consume):
    """"I've seen all of them except Babe" marked only Babe seen: the titles and positions after "except"
    are spared from what is said of all the others. Returns (spared items, other mentions, other refs)."""
    m = ALL_EXCEPT.search(text)
    if m is None:
        return set(), mentions, refs
    spared = {t.item for t in mentions if t.start >= m.end() and t.item is not None}
    spared |= {state.item_at(r.position) for r in refs if r.start >= m.end()} - {None}
    consume(*m.span(1))
    return (spared, [t for t in mentions if t.start < m.end()], [r for r in refs if r.start < m.end()])


def _judged_after(targets, text: str, consume):
    """"the 4th and 6th look fun", "#4 looks good": positions reported on by words after them (the cues are
    read before a target) are liked; they were answered "#4 is …. Say *more like #4* …", and the model
    read "fun" as a request for comedy. "the first one's not for me" turns the position down, and "schindler's
    list is too heavy for tonight" the title (it was liked, as a title without a cue is)."""
    if not targets or any(action != "referenced" and not (action == "liked" and isinstance(target, TitleMatch))
                          for action, target, _ in targets):
        return targets
    text = text.replace("#", " ")
    for pattern, action in ((LOOKS_GOOD, "liked"), (NOT_FOR_ME, "excluded")):
        m = pattern.match(text) if action == "liked" or "?" not in text else None  # "is #2 too violent …?" asks
        if m:
            consume(*m.span())
            return [("disliked" if action == "excluded" and isinstance(target, TitleMatch) else action, target, where)
                    for _, target, where in targets]
    return targets


def _spare_reference_genres(update: Update, violent: list[str], titles: TitleIndex) -> None:
    """"Movies like Fargo, but less violent" excluded Crime and Thriller, the genres of Fargo itself: a
    reference's genres are not excluded for violence alone (as a wished genre is not: "a thriller that's not
    too violent")."""
    spared = {g for i in update.references for g in titles.catalog[i].genres}
    kept = [g for g in update.exclude_genres if g not in spared or g not in violent]
    if kept == update.exclude_genres:
        return  # (set_exclusions would move the "No … from now on." note after the others)
    if exclusion_note(update.exclude_genres) in update.notes:
        update.set_exclusions(kept)
    else:
        update.exclude_genres = kept


def _apply_filters(text: str, genres: GenreLexicon, update: Update, consume) -> list[str]:
    """Genre and year filters into `update`; returns the genres excluded for violence alone."""
    g = find_genre_filters(text, genres)
    update.exclude_genres, update.include_genres, update.clear_genres = g.exclude, g.include, g.clear
    y = find_year_filters(text)
    update.min_year, update.max_year, update.clear_years = y.min_year, y.max_year, y.clear
    for span in g.spans + y.spans:
        consume(*span)
    if g.exclude:
        update.notes.append(exclusion_note(g.exclude))
    if g.include:
        update.notes.append(f"Only {', '.join(g.include)} from now on.")
    return g.violent


_LISTED_ON = re.compile(r"\s*(?:,|,?\s*(?:or|and|nor))\s*(?:the\s+)?", re.I)
_NEGATED_LIKE = re.compile(r"\b(?:nothing|not|none|nowhere near|isn'?t|aren'?t|never)\s+(?:\w+\s+)?$", re.I)


def _assign_cues(text: str, mentions, refs, consume, genre_follows=lambda end: False) -> list[tuple[str, object, int]]:
    """(action, target, where) per title or reference: a cue between the previous target and this one
    decides its action, else a feedback cue right after it ("#2 seen"), else the nearest cue before it
    ("I loved #1 and #2"). A feedback cue without a target ("I've seen it") yields (action, None, cue end)."""
    cues = []
    for action, pattern in CUES:
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for _, s, e in cues):
                cues.append((action, m.start(), m.end()))
    cues.sort(key=lambda c: c[1])
    targets = sorted([(m.start, m) for m in mentions] + [(r.start, r) for r in refs], key=lambda t: t[0])
    out, used, previous_end = [], set(), 0
    for position, target in targets:
        if out and out[-1][2] == position:  # the films of one franchise share a span ("no star trek"): one action
            out.append((out[-1][0], target, position))
            continue
        before = [c for c in cues if c[2] <= position and (c[0] != "excluded_word" or _adjacent(text, c[2], position))]
        own = [c for c in before if c[1] >= previous_end]  # a cue between the previous target and this one
        starts = [p for p, _ in targets if p > position]
        cue = own[-1] if own else _cue_right_after(text, target, cues, starts) or (before[-1] if before else None)
        action = _action(cue[0] if cue else None, target)
        if not own and out and out[-1][0] == "excluded" and _LISTED_ON.fullmatch(text[previous_end:position]):
            action = "excluded"  # "not #1, #4 or #7" excluded #1 only ("#4 is …. Say *more like #4* …")
        out.append((action, target, position))
        previous_end = target.end
        if cue:
            used.add(cue)
    for cue in cues:
        action, start, end = cue
        if cue not in used and action == "disliked" and genre_follows(end):
            continue  # "hate anything with horror": a negation the genre lexicon reads, not a rating
        if cue not in used and action == "references" and _NEGATED_LIKE.search(text[:start]):
            continue  # "a romance that's nothing like it"
        if cue not in used and action in ("seen", "excluded", "disliked", "liked", "references"):
            out.append((action, None, end))
        if cue in used or action not in ("liked", "excluded_word"):
            consume(start, end)
    return out


def _cue_right_after(text: str, target, cues, starts=()):
    """A feedback cue that directly follows a reference ("#2 seen", "#3 nope"), when none comes before it
    and no other target directly follows the cue ("seen #1 and #3, hated #5": "hated" is #5's)."""
    if not isinstance(target, Reference):
        return None
    after = [c for c in cues if c[1] >= target.end and not text[target.end:c[1]].strip(" ,.-:")
             and c[0] in ("seen", "excluded", "disliked") and not any(_adjacent(text, c[2], s) for s in starts)]
    return after[0] if after else None


def _action(cue: str | None, target) -> str:
    """What a cue does to the title or reference after it. A title without a cue is something the
    user likes ("Alien but funnier"); a bare reference ("what about #3?") only points at an item."""
    if cue is None:
        return "liked" if isinstance(target, TitleMatch) else "referenced"
    if cue == "references" and isinstance(target, Reference):
        return "more like"  # "more like #3": liked, so the listed item steers the history channels
    return {"request": "liked", "excluded_word": "excluded", "unseen": "referenced"}.get(cue, cue)  # "never seen X"


def _adjacent(text: str, cue_end: int, target_start: int) -> bool:
    return re.fullmatch(r"\s*(?:(?:any|more)\s+)?(?:the\s+)?", text[cue_end:target_start]) is not None  # "no more X"


def _answer_pending(text: str, pending: PendingClarification, titles: TitleIndex) -> int | None:
    """The candidate a reply like "2", "#1", "the second one" or "1995" picks, else None."""
    m = re.fullmatch(r"\s*(?:#|number\s*)?(\d{1,4})\s*(?:one)?\W*", text, re.I)
    word = re.fullmatch(r"\s*(?:the\s+)?(\w+)(?:\s+one)?\W*", text, re.I)
    if m:
        value = int(m.group(1))
        if 1 <= value <= len(pending.candidates):
            return pending.candidates[value - 1]
        same_year = [i for i in pending.candidates if titles.years[i] == value]
        return same_year[0] if len(same_year) == 1 else None
    if word and word.group(1).lower() in ORDINALS:
        position = ORDINALS[word.group(1).lower()]
        return pending.candidates[position - 1] if position <= len(pending.candidates) else None
    return None


def _set_query(remainder: str, original: str, update: Update, genres: GenreLexicon) -> None:
    query = re.sub(r"\s+", " ", remainder).strip()
    query = CONNECTORS.sub("", query).strip()
    content = [t for t, _, _ in tokens(query) if t not in FILLER]
    if INSTRUCTION.search(original):
        update.ignored_instruction = True  # a request to the model, not for movies: never pass it on
        return
    if content:
        # "funnier" should find comedies: add the catalogue's genre names, which item texts contain
        update.query = query
        negated = genres.negated(query)  # "I don't want anything scary": an exclusion, never a wish
        away = genres.compared_away(query)
        update.query_hints = [g for g in genres.names(query) if g.lower() not in query.lower() and g not in negated + away]
        if any(g not in update.exclude_genres for g in negated):
            update.set_exclusions(dict.fromkeys(update.exclude_genres + negated))
    update.non_english = looks_non_english(original)


def looks_non_english(text: str) -> bool:
    """Mostly another script, or more of another language's function words than of English's. (Every
    three-word message without an English function word used to count: "aliens invading earth".)"""
    foreign_letters = sum(1 for ch in text if ch.isalpha() and not ch.isascii())
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    words = [t for t, _, _ in tokens(text)]
    foreign = sum(w in FOREIGN_HINTS for w in words)
    return foreign_letters / letters > 0.3 or foreign > sum(w in ENGLISH_HINTS for w in words)
