"""Which words of a message are titles, and which are people, stories or kinds of film.

The intent model marks spans as titles, people and plots; these checks correct it where the message and
the catalogue say otherwise (each found trying the chat as a new user or on the development sets):
- a "title" of nothing but genre and filler words is none ("with some action" asked "Did you mean Chain
  Reaction?"), nor one of a year phrase ("like from the 90s" asked "Did you mean Swept from the Sea?"), "the one where ..." is a plot, and a name that links to no title ("Jim Carrey") a person;
- a lower-case word such as "nazis" is no person, a director's surname ("hitchcock") is one;
- a title after "than" is no reference, "X type stuff" and "X meets Y" are references;
- titles the rule parser linked exactly are kept when the model left them out ("like Goodfellas and
  Casino": the model kept only Casino).
"""

from __future__ import annotations

import dataclasses
import re

from recommender.chat.cue_words import OTHERS_TASTE
from recommender.chat.intent import TITLE_LISTS, Intent
from recommender.chat.names import FIRST_NAMES, SURNAMES, WORD_SURNAMES
from recommender.chat.targets import drop_unknown_titles, targets_update
from recommender.chat.state import Update
from recommender.chat.year_phrases import find_year_filters
from recommender.title_text import tokens

PERSON = re.compile(r"^[A-Z][a-z]+(?:\s+(?:[A-Z]\.|de|van|von|Mc[A-Z][a-z]+|[A-Z][a-z]+)){1,2}$")  # "Jim Carrey"
PLOT_SPAN = re.compile(r"^\W*(?:the|a|that)\s+(?:one|movie|film)\s+(?:where|in which|with the|about (?:a|the|some))\b",
                       re.I)  # a story told for a title ("the one where a guy keeps living the same day")
THAN = re.compile(r"\bthan\b", re.I)
SETTING = re.compile(r"\b(?:(?:set|takes? place|taking place)\s+(?:in|on|at|during)|about)\s+(?:[\w'-]+\s+){0,2}$", re.I)
OWN_TASTE = re.compile(  # "something like what I usually watch": the person's history, which the list follows anyway
    r"^\W*(?:(?:what|the (?:stuff|things?|movies|films|kind|sort|type)(?: of (?:stuff|things?|movies|films))?(?: that)?)\s+"
    r"(?:i|we)\s+(?:(?:usually|normally|always|typically|often|generally|already)\s+)?"
    r"(?:watch|like|love|enjoy|rate|watched|liked|loved|enjoyed|rated|seen|have seen|'ve seen)"
    r"|my (?:usual|taste|history|favou?rites?|type|kind of (?:stuff|movies?|films?))\b)", re.I)
MEETS = re.compile(r"\b(?:meets|crossed with|mixed with)\b", re.I)  # "Die Hard meets Home Alone"


def without_generic_titles(intent: Intent, titles, genre_words: frozenset[str], filler: frozenset[str]) -> Intent:
    """`intent` without title spans that are only genre and filler words, unless a catalogue title, or that
    speak of the person's own taste ("what I usually watch"); a story ("the one where ...") is a plot, and a
    name that links to no title ("Jim Carrey") a person."""
    def generic(span: str) -> bool:  # "romance", and "i" ("she likes romance and i like action")
        words = [t for t, _, _ in tokens(span)]
        intensified = any(w in genre_words for w in words)  # "laugh hard" ("I want to laugh hard")
        return (all(w in genre_words or w in filler or (intensified and w in INTENSIFIERS) for w in words)
                and titles.link(span).status != "exact")

    def years(span: str) -> bool:  # "like from the 90s": a year range, not a title
        found = find_year_filters(span)
        rest = span
        for start, end in sorted(found.spans, reverse=True):
            rest = rest[:start] + " " + rest[end:]
        return (bool(found.spans) and all(w in filler for w, _, _ in tokens(rest))
                and titles.link(span).status != "exact")

    def person(span: str) -> bool:  # "Jim Carrey ones are too silly": a name the catalogue has no title for
        return ((bool(PERSON.match(span)) and span.split()[0].lower() in FIRST_NAMES or span.lower() in SURNAMES)
                and titles.link(span).status == "unknown")

    def degree(span: str) -> bool:  # "less bloody" ("anything similar but less bloody?"): a trait, not a title
        return bool(DEGREE_SPAN.fullmatch(span.strip())) and titles.link(span).status == "unknown"

    changes = {f: [t for t in getattr(intent, f) if not generic(t) and not years(t) and not PLOT_SPAN.match(t) and not person(t)
                   and not OWN_TASTE.match(t) and not degree(t)] for f in TITLE_LISTS}
    if all(changes[f] == getattr(intent, f) for f in TITLE_LISTS):
        return intent
    traits = [t for f in TITLE_LISTS for t in getattr(intent, f) if degree(t)]
    plots = [t for f in TITLE_LISTS for t in getattr(intent, f) if PLOT_SPAN.match(t)]  # "the one where a guy ..."
    people = [t for f in TITLE_LISTS for t in getattr(intent, f) if person(t)]
    return dataclasses.replace(intent, plot=list(dict.fromkeys(intent.plot + plots)),
                               people=list(dict.fromkeys(intent.people + people)),
                               rest=list(dict.fromkeys(intent.rest + traits)), **changes)


def both_sides_of_meets(update: Update, rules: Update, text: str, titles) -> None:
    """"Die Hard meets Home Alone": both titles are references (the model kept only the last one), and the
    reply says so (it said "Noted, you liked: Die Hard")."""
    named = [i for i in rules.liked + rules.references if i not in update.disliked]
    if MEETS.search(text) and len(named) >= 2:
        update.references = list(dict.fromkeys(update.references + named))
        update.liked = [i for i in update.liked if i not in update.references]
        update.new_request = True
        renote(update, titles)


def not_compared_titles(intent: Intent, text: str) -> Intent:
    """"something less depressing than Schindler's List": a title after "than" is no "like" reference; "the
    grittier the better" is no title at all (it was answered "I don't know the movie “the grittier”"), nor is
    an occasion ("something to cheer me up after a breakup": "I don't know the movie “a breakup”")."""
    lowered = text.lower()
    degrees = [m.span(1) for m in THE_BETTER.finditer(lowered)]

    def no_title_here(span: str) -> bool:
        occasion = (re.search(OCCASION.pattern + re.escape(span.lower()), lowered) is not None
                    and re.match(r"(?:a|an|my|our)\s", span.lower()) is not None)
        return occasion or any(start <= lowered.find(span.lower()) < end for start, end in degrees)

    keep = [t for t in intent.like if not re.search(THAN.pattern + r"\s+(?:the\s+)?" + re.escape(t.lower()), lowered)]
    changes = {f: [t for t in (keep if f == "like" else getattr(intent, f)) if not no_title_here(t)] for f in TITLE_LISTS}
    same = all(changes[f] == getattr(intent, f) for f in TITLE_LISTS)
    return intent if same else dataclasses.replace(intent, **changes)


DEGREE_SPAN = re.compile(r"(?:(?:a\s+(?:bit|little|lot)|much|way|even)\s+)?(?:less|more|not\s+(?:so|too)|too|kinda|slightly)"
                         r"\s+[a-z][\w'-]*", re.I)
INTENSIFIERS = frozenset("hard harder lot lots loads tons really so very much loud out properly".split())

OCCASION = re.compile(r"\b(?:after|during|since|through|getting over|to get over|had|having|been)\s+(?:such\s+)?")
# "after a breakup"; "I had a rough day" (the model disliked “a rough day”, said "I don't know the movie")
THE_BETTER = re.compile(r"\b(the\s+\w+\s+the\s+(?:better|merrier))\b")  # "the darker the better"


def settings_as_plot(intent: Intent, text: str) -> Intent:
    """"something romantic set in paris", "an epic about ancient rome": where and when a story is set is a story
    detail (the model wrote "paris" as the rest, and the reply said the films had no descriptions rather than
    that it has no plot summaries)."""
    lowered = text.lower()
    moved = [r for r in intent.rest if (at := lowered.find(r.lower())) > 0 and SETTING.search(lowered[:at])]
    if not moved:
        return intent
    return dataclasses.replace(intent, rest=[r for r in intent.rest if r not in moved], plot=intent.plot + moved)


def people_by_name(intent: Intent, text: str = "", titles=None) -> Intent:
    """A "person" is a name: capitalised ("Tom Hanks"), starting with a common first name ("tom hanks"), or
    a well-known surname ("hitchcock"). The model called "nazis" a person, and the reply said it had no
    cast data for "nazis"; such words are the descriptive rest. A "person" that is a catalogue title
    asked to be like ("in the spirit of Monty Python") is a reference."""
    def named(span: str) -> bool:
        words = span.split()
        return (any(w[:1].isupper() for w in words) or (bool(words) and words[0].lower() in FIRST_NAMES)
                or span.lower() in SURNAMES)

    like = [p for p in intent.people if titles is not None and _asked_like(p, text)
            and titles.link(p).status in ("exact", "fuzzy")]
    people = [p for p in intent.people if named(p) and p not in like]
    if people == intent.people:
        return intent
    return dataclasses.replace(intent, people=people, like=intent.like + like,
                               rest=intent.rest + [p for p in intent.people if not named(p) and p not in like])


def no_unknown_title_naming_a_person(update: Update) -> None:
    """"i like tarantino films" (the model: the liked title "tarantino films") said "I have no cast or crew
    data, so I can't search for Tarantino" and then "I don't know the movie “tarantino films”": a title that
    linked to no film and holds the name of a person the reply speaks of is about that person."""
    names = [words.lower() for kind, words in update.missing if kind == "people"]
    drop_unknown_titles(update, lambda span: any(name in span for name in names))


LIKE_CUE = re.compile(r"(?:\blike|\bin the (?:spirit|vein|style) of|\bsimilar to|\balong the lines of)\s+(?:the\s+)?$", re.I)


def _asked_like(span: str, text: str) -> bool:
    at = text.lower().find(span.lower())
    return at >= 0 and bool(LIKE_CUE.search(text[:at]))


STYLE_OF = re.compile(r"[\s-]*(?:type|kind|sort|style|esque|ish)\b", re.I)  # "Star Wars type stuff"


def title_as_a_kind(update: Update, text: str, titles, common_words: frozenset[str]) -> None:
    """"Star Wars type stuff", "a Fargo-style movie": the title is a reference for this request, not a
    film the person reports liking (the model wrote Sci-Fi and no reference)."""
    kinds = [m.item for m in titles.find_mentions(text, common_words)
             if m.item is not None and STYLE_OF.match(text[m.end:])]
    if kinds:
        update.references = list(dict.fromkeys(update.references + kinds))
        update.liked = [i for i in update.liked if i not in kinds]
        update.new_request = True
        renote(update, titles)  # the reply said "Noted, you liked: Last of the Mohicans" for "… type epics"


def titles_the_model_missed(update: Update, rules: Update, titles, text: str) -> None:
    """Titles the rule parser linked exactly are kept when the model left them out: "i'm into gangster stuff
    like Goodfellas and Casino" referred to Casino only (and GoodFellas was then listed), "psycho was a
    masterpiece" liked nothing (the model made Psycho a person), "space movies that aren't star wars" listed Star
    Wars (the model dropped it). A title after "than" is only compared; one the
    rules read after a word of dislike ("hated", "never liked") is never liked or a reference."""
    if update.question is not None or update.off_topic:
        return
    settled = False
    for item in rules.disliked + rules.excluded:  # "i hated titanic. give me a romance that is nothing like it",
        # "nothing like titanic please": not "like: Titanic"
        if item in update.liked + update.references:
            update.liked = [i for i in update.liked if i != item]
            update.references = [i for i in update.references if i != item]
            settled = True
    for item in rules.liked:  # "I liked Fargo but hated Pulp Fiction": the model disliked Fargo too ("Noted, you
        if item in update.disliked + update.excluded:  # liked: Fargo", then "Noted, you didn't like: Fargo, …")
            update.disliked = [i for i in update.disliked if i != item]
            update.excluded = [i for i in update.excluded if i != item]
            update.liked = update.liked if item in update.liked else update.liked + [item]
            settled = True
    if settled:
        renote(update, titles)
    if re.search(OTHERS_TASTE, text, re.I):  # "people who liked Fargo": the model read "liked: Fargo"
        liked = [i for i in update.liked if i not in rules.references or i in rules.liked]
        if liked != update.liked:
            update.liked = liked
            renote(update, titles)
    than = THAN.search(text)
    compared = {m.item for m in titles.find_mentions(text[than.end():])} if than else set()
    known = set(update.liked + update.disliked + update.seen + update.references + update.excluded) | compared
    asked = set(update.references + update.disliked) | compared  # "I loved Babe, anything similar": liked and asked for
    missed = [(field, i) for field in ("references", "liked", "disliked", "seen", "excluded") for i in getattr(rules, field)
              if i not in (asked if field == "references" else known)]
    if not missed:
        return
    for field, item in missed:
        getattr(update, field).append(item)
    items = {i for _, i in missed}
    update.missing = [(kind, said) for kind, said in update.missing if titles.link(said).item not in items]
    renote(update, titles)
    more_like = [n for n in rules.notes if n.startswith("More like")]
    if more_like and update.liked == rules.liked and not (update.disliked or update.seen or update.excluded):
        # "ok what else is like it?" (the model: more) said "Noted, you liked: …", which the person never said
        update.notes = [n for n in update.notes if not n.startswith("Noted, ")] + more_like
    update.new_request = update.new_request or any(field == "references" for field, _ in missed)


def renote(update: Update, titles) -> None:
    """The "Noted, you liked: …" lines of the reply, again from the update's titles as they now stand."""
    resolved = [(f, i) for f in ("liked", "disliked", "seen", "excluded", "references") for i in getattr(update, f)]
    update.notes = [n for n in update.notes if not n.startswith("Noted, ")] + targets_update(resolved, titles, None).notes


NAMED_AFTER = re.compile(r"\b(?:with|starring|by|featuring|from|directed by)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|[a-z]+)\b")


def names_the_model_missed(update: Update, text: str, titles) -> None:
    """"anything with Denzel": a first name or a director's surname after "with", "by", "starring" is a
    person even when the model wrote none (it guessed Drama), so the reply says the cast data is missing;
    so is a well-known surname anywhere ("hitchcock style suspense"), unless it is also a word ("cage")."""
    said = {p.lower() for kind, p in update.missing if kind == "people"}
    names = [m.group(1) for m in NAMED_AFTER.finditer(text)
             if m.group(1)[0].isupper() and m.group(1).split()[0].lower() in FIRST_NAMES or m.group(1).lower() in SURNAMES]
    names += [" ".join(pair) for pair in re.findall(r"\b([A-Za-z]+)\s+(?=([A-Za-z]+)\b)", text)  # "not john wayne stuff"
              if pair[0].lower() in FIRST_NAMES and pair[1].lower() in SURNAMES]
    names += [w for w in re.findall(r"[\w'-]+", text)  # "hitchcock style suspense"
              if w.lower() in SURNAMES and (w[0].isupper() or w.lower() not in WORD_SURNAMES)]
    for name in dict.fromkeys(names):
        name = name.title() if name.islower() else name  # "jim carrey" is said back as "Jim Carrey"
        if titles.link(name).status == "exact" or any(name.lower() in p for p in said):
            continue
        part = [p for p in said if p in name.lower()]  # the model wrote "wayne" for "john wayne"
        update.missing = [(kind, words) for kind, words in update.missing if kind != "people" or words.lower() not in part]
        update.missing.append(("people", name))
        said = (said - set(part)) | {name.lower()}
    update.missing = [(kind, words) for kind, words in update.missing  # the model's "wayne" as a theme
                      if kind == "people" or not any(words.lower() in p for p in said)]
