"""The chat-understanding benchmark (eval/intent_bench.py): hand-written messages, each with a gold
intent and a relevance rule over catalogue metadata (format: eval/intent/README.md).

Every message goes through the chat's own engine (`ChatEngine.message`), once per parser row (the
rule parser, the LLM intent model, the product's router), so what is scored is what the page shows:
- precision@10 of the list shown after the message (items satisfying the rule; a reply-level check
  that fails, such as "the reply says the cast data is missing", makes the whole turn 0);
- field accuracy: the Update each parser produced against the Update the gold intent produces
  (titles and positions compared as catalogue items, so "Forest Gump" and "Forrest Gump" agree);
- the LLM's invalid-output rate, and the time from the message until the list is ready.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from recommender.chat.intent import Intent
from recommender.chat.state import DialogueState, Update
from recommender.chat.understand import update_from_intent
from recommender.title_text import tokens

FIELDS = ("action", "references", "liked", "disliked", "seen", "genres", "exclude_genres", "years", "question",
          "people", "plot", "rest")
STOP = frozenset("a an the of and or with some something movie movies film films one ones kind of".split())


@dataclass
class Case:
    id: str
    message: str
    state: dict | None
    intent: Intent
    titles: dict
    relevant: dict

    @classmethod
    def from_json(cls, row: dict) -> "Case":
        return cls(row["id"], row["message"], row.get("state"), Intent(**row["intent"]), row.get("titles", {}),
                   row.get("relevant", {}))


def load_cases(*paths: str | Path) -> list[Case]:
    cases = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    cases.append(Case.from_json(json.loads(line)))
                except (ValueError, TypeError, KeyError) as exc:
                    raise ValueError(f"{path}, line {n}: {exc}") from None
    return cases


def item_for(titles, display: str) -> int:
    """The catalogue item with this display title ("Title (Year)"); the first, when a catalogue lists the
    same film twice (ML-100k has two "Body Snatchers (1993)")."""
    same = [i for i in range(len(titles.catalog)) if titles.display(i) == display]
    return same[0] if same else titles.resolve(display)


def state_for(case: Case, titles) -> DialogueState:
    """The dialogue state a follow-up is typed in (an empty one for a first message)."""
    state = DialogueState()
    if not case.state:
        return state
    state.last_shown = [item_for(titles, t) for t in case.state.get("shown", [])]
    state.shown = list(state.last_shown)
    before = Intent(**case.state.get("request", {}))
    update = update_from_intent(before, DialogueState(), titles)
    update.problems.clear()
    state.apply(update)
    state.turn = 1
    return state


def action_of(update: Update) -> str:
    """The action an Update amounts to (the rule parser has no explicit one)."""
    if update.kind == "reset" or update.reset_first:
        return "reset"
    if update.off_topic or (update.ignored_instruction and not update.query):
        return "off_topic"
    if update.question is not None:
        return "question"
    wishes = (update.query or update.wished_genres or update.references or update.exclude_genres
              or update.include_genres or update.min_year is not None or update.max_year is not None
              or update.missing or update.new_request)
    if wishes:
        return "request"
    if update.more:
        return "more"
    return "feedback" if (update.liked or update.disliked or update.seen or update.excluded) else "request"


def content_words(text: str | None) -> frozenset[str]:
    return frozenset(t for t, _, _ in tokens(text or "") if t not in STOP)


def fields_of(update: Update) -> dict:
    """The comparable fields of an Update (see module docstring)."""
    q = update.question
    genres = set(update.wished_genres) | set(update.query_hints) | set(update.include_genres)
    return {
        "action": action_of(update),
        "references": frozenset(update.references),
        "liked": frozenset(update.liked),
        "disliked": frozenset(update.disliked) | frozenset(update.excluded),
        "seen": frozenset(update.seen),
        "genres": frozenset(genres) if q is None else frozenset(),
        "exclude_genres": frozenset(update.exclude_genres),
        "years": (update.min_year, update.max_year) if q is None else (None, None),
        "question": None if q is None else (q.ask, q.item, frozenset(q.genres), q.min_year, q.max_year),
        "people": frozenset(t.lower() for k, t in update.missing if k == "people"),
        "plot": any(k == "plot" for k, _ in update.missing),
        "rest": content_words(" ".join([update.query or ""] + [t for k, t in update.missing if k == "rest"]))
        - {g.lower() for g in genres},
    }


def gold_fields(case: Case, titles, state: DialogueState) -> dict:
    """The fields the gold intent yields, with its title spans linked as the case's `titles` says."""
    update = update_from_intent(case.intent, state, titles)
    linked = {span: item_for(titles, title) for span, title in case.titles.items()}
    for name, field in (("like", "references"), ("liked", "liked"), ("disliked", "disliked"), ("seen", "seen")):
        items = [linked[s] for s in getattr(case.intent, name) if s in linked]
        positions = {"references": "like_items"}.get(field, f"{field}_items")
        items += [state.item_at(p) for p in getattr(case.intent, positions) if state.item_at(p) is not None]
        setattr(update, field, items)
    return fields_of(update)


def field_matches(field: str, got, want) -> bool:
    if field == "rest":  # free description: equal content words, or both empty
        return got == want or (bool(got) and bool(want) and len(got & want) / len(got | want) >= 0.5)
    return got == want


def item_relevant(rule: dict, item) -> bool:
    genres = set(item.genres)
    if rule.get("genres_all") and not set(rule["genres_all"]) <= genres:
        return False
    if rule.get("genres_any") and not set(rule["genres_any"]) & genres:
        return False
    if set(rule.get("genres_none", ())) & genres:
        return False
    if rule.get("years"):
        low, high = rule["years"]
        if item.year is None or (low is not None and item.year < low) or (high is not None and item.year > high):
            return False
    return item.display not in set(rule.get("not_titles", ()))


def reference_genres(rule: dict, catalog, titles) -> list[set[str]]:
    """The genres of each film the rule's `shares_genre_with` names."""
    return [set(catalog[item_for(titles, title)].genres) for title in rule.get("shares_genre_with", ())]


def shares_genres(rule: dict, item, catalog, titles, references: list[set[str]] | None = None) -> bool:
    """Whether `item` shares a genre with each named film (`references`: their `reference_genres`, if known)."""
    references = reference_genres(rule, catalog, titles) if references is None else references
    return all(ref & set(item.genres) for ref in references)


def reply_ok(rule: dict, reply: str, before: tuple, after: tuple, catalog, state_before: DialogueState) -> bool:
    """The reply-level checks of `rule` (see eval/intent/README.md). The chat's help is no answer: its example
    (*something like Alien but funnier*, *no horror*) once passed for an answer about Alien, a Horror film."""
    from recommender.chat.session import HELP

    text = reply.replace(HELP, " ").lower()
    for kind in rule.get("says_missing", ()):
        if {"people": "no cast or crew data", "plot": "no plot summaries"}[kind] not in text:
            return False
    answers = rule.get("answers")
    if answers:
        if before != after:  # a question changes neither the request nor the list
            return False
        item = catalog[state_before.item_at(answers["item"])]
        if item.title.lower() not in text:
            return False
        if answers["ask"] == "about" and not any(g.lower() in text for g in item.genres):
            return False  # what it is: at least its genres
        if answers["ask"] == "why" and not re.search(r"\b(?:rated|asked|watched|like|liked|viewers|popular)\b", text):
            return False  # why: a reason from the evidence
        expect = answers.get("expect")
        if expect and not re.search(rf"\b{'yes' if expect == 'yes' else '(?:no|partly)'}\b", text):
            return False
    if rule.get("keeps_request") and before[:-1] != after[:-1]:  # the request part, not the list
        return False
    return True


ITEM_KEYS = ("genres_all", "genres_any", "genres_none", "years", "shares_genre_with", "not_titles")


def precision_at_10(case: Case, rows, reply: str, before: tuple, after: tuple, catalog, titles,
                    state_before: DialogueState, asked: int | None = None) -> float:
    """Share of the first 10 rows that satisfy the item-level rule, or of the first `asked` when the
    person asked for fewer picks ("give me 3 westerns"); 0 when a reply-level check fails; 1 for a question
    answered without touching the list, or a rule with no item-level keys."""
    rule = case.relevant
    if not reply_ok(rule, reply, before, after, catalog, state_before):
        return 0.0
    if rule.get("answers") or not any(k in rule for k in ITEM_KEYS):
        return 1.0
    hits = sum(item_relevant(rule, catalog[r.index]) and shares_genres(rule, catalog[r.index], catalog, titles)
               for r in rows[:10])
    return hits / min(10, asked or 10)


def catalogue_ceiling(case: Case, catalog, titles, asked: int | None = None) -> float:
    """The precision@10 of a perfect list: below 1 when the catalogue holds fewer films that fit the rule
    than the list shows (ML-100k has six science-fiction films of the 1970s, so 0.6 is the best there)."""
    rule = case.relevant
    if rule.get("answers") or not any(k in rule for k in ITEM_KEYS):
        return 1.0
    shown = min(10, asked or 10)
    references = reference_genres(rule, catalog, titles)  # once, not per catalogue item
    fitting = sum(1 for item in catalog
                  if item_relevant(rule, item) and shares_genres(rule, item, catalog, titles, references))
    return min(shown, fitting) / shown


def snapshot(session) -> tuple:
    """What a question must leave alone: the request, the constraints and the list on screen."""
    d = session.dialogue
    c = d.constraints
    return (d.query, tuple(d.wished_genres), tuple(d.references), c.exclude_genres, c.include_genres, c.min_year,
            c.max_year, tuple(r.index for r in session.rows))
