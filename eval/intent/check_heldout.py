"""Check the hand-written held-out intent sets (eval/intent/heldout_*.jsonl) against their format.

    .venv/bin/python eval/intent/check_heldout.py [FILE ...]   # default: both held-out files

Hard errors (exit 1): a line that is not JSON or lacks a field; an intent that `parse_intent` rejects;
a span (like, liked, disliked, seen, people, plot, rest) that is not in `message_spans(message)`; a
title span with no `titles` entry (unless the note names it and says it is unknown on purpose); a `titles`
value or a title in `relevant` / `state.shown` that is not a catalogue display title; an unknown
`relevant` key; a rule that fewer than 10 catalogue items satisfy; a duplicated id or message; a
question whose `answers` disagrees with the intent or whose `expect` disagrees with the catalogue.
Warnings (printed, exit 0): annotations that break the README's conventions in a way a person may
have meant (a `like` title missing from `shares_genre_with`, a person named with no `says_missing`,
a list on screen that does not fit the request it was shown for, ...).
Then the distribution of actions, fields and relevance keys.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from recommender.chat.intent import POSITION_LISTS, SPAN_LISTS, TITLE_LISTS, Intent, parse_intent, message_spans
from recommender.data.registry import load_dataset

HERE = Path(__file__).resolve().parent
DEFAULT_FILES = [HERE / "heldout_first.jsonl", HERE / "heldout_followup.jsonl"]
ITEM_KEYS = {"genres_all", "genres_any", "genres_none", "years", "shares_genre_with", "not_titles"}
REPLY_KEYS = {"says_missing", "answers", "keeps_request"}
MIN_SATISFYING = 10
# messages tested elsewhere: the held-out set must not repeat them
RESERVED = {
    "movies with tom hanks", "a romantic movie for date night", "something about soldiers in battle",
    "a feel-good movie", "robots and the future", "something lighthearted and not violent",
    "something like alien but funnier", "why did you recommend #4?", "what is #1 about?", "is #3 scary?",
    "i loved forest gump", "i liked star trek", "i loved heat and se7en", "a war comedy", "classic western",
    "a scary movie but not too gory", "i want a funny sci-fi movie from the 80s",
    "i loved the godfather and goodfellas",
}


class Catalog:
    def __init__(self):
        ds = load_dataset("ml-100k", progress=False)
        self.items = [(i.display, set(i.genres), i.year) for i in ds.catalog]
        self.by_display: dict[str, list[tuple[set[str], int]]] = {}
        for display, genres, year in self.items:
            self.by_display.setdefault(display, []).append((genres, year))
        self.genres = {g for _, genres, _ in self.items for g in genres}

    def genres_of(self, display: str) -> set[str]:
        return set().union(*(g for g, _ in self.by_display[display]))

    def year_of(self, display: str) -> int:
        return self.by_display[display][0][1]

    def satisfying(self, rule: dict) -> int:
        """How many catalogue items satisfy every item-level key of `rule`."""
        low, high = rule.get("years") or (None, None)
        share = [self.genres_of(t) for t in rule.get("shares_genre_with", [])]
        banned = set(rule.get("not_titles", []))
        n = 0
        for display, genres, year in self.items:
            if "genres_all" in rule and not set(rule["genres_all"]) <= genres:
                continue
            if "genres_any" in rule and not set(rule["genres_any"]) & genres:
                continue
            if "genres_none" in rule and set(rule["genres_none"]) & genres:
                continue
            if low is not None and (year is None or year < low):
                continue
            if high is not None and (year is None or year > high):
                continue
            if any(not (g & genres) for g in share):
                continue
            if display in banned:
                continue
            n += 1
        return n

    def fits(self, display: str, intent: Intent) -> bool:
        """Whether a listed item has the genres / years a fit question asks about."""
        genres, year = self.genres_of(display), self.year_of(display)
        low, high = intent.year_range
        return (set(intent.genres) <= genres and not (set(intent.exclude_genres) & genres)
                and (low is None or year >= low) and (high is None or year <= high))


def year_rule(years: str | None) -> list | None:
    if not years:
        return None
    low, _, high = years.partition("-")
    return [int(low) if low else None, int(high) if high else None]


def check_file(path: Path, cat: Catalog, seen_ids: set, seen_messages: set, stats: dict):
    errors, warnings = [], []
    followup = "followup" in path.name
    prefix = "u" if followup else "f"
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{lineno}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            errors.append(f"{where}: not JSON ({exc})")
            continue

        def err(msg):
            errors.append(f"{where} [{row.get('id')}]: {msg}")

        def warn(msg):
            warnings.append(f"{where} [{row.get('id')}]: {msg}")

        missing = {"id", "message", "state", "intent", "titles", "relevant", "note"} - set(row)
        if missing:
            err(f"missing field(s) {sorted(missing)}")
            continue
        extra = set(row) - {"id", "message", "state", "intent", "titles", "relevant", "note"}
        if extra:
            err(f"unknown field(s) {sorted(extra)}")
        rid, message, state = row["id"], row["message"], row["state"]
        titles, rel, note = row["titles"], row["relevant"], row["note"]
        if not re.fullmatch(prefix + r"\d{3}", str(rid)):
            err(f"id should look like {prefix}001")
        if rid in seen_ids:
            err("duplicated id")
        seen_ids.add(rid)
        key = " ".join(message.lower().split())
        if key in seen_messages:
            err("duplicated message")
        if key.rstrip() in RESERVED:
            err("message is one of the reserved (tested elsewhere) messages")
        seen_messages.add(key)
        if not isinstance(note, str) or not note.strip():
            err("note must be a non-empty string")
        unknown_on_purpose = "unknown" in note.lower()

        # the intent
        try:
            intent = parse_intent(json.dumps(row["intent"]), genres=cat.genres, max_position=10)
        except Exception as exc:  # IntentError or a bad field type
            err(f"intent rejected: {exc}")
            continue
        keys = list(row["intent"])
        if keys != [k for k in Intent.__dataclass_fields__ if k in row["intent"]]:
            warn("intent keys are not in schema order")
        if any(v in (None, [], "") for v in row["intent"].values()):
            warn("intent holds an empty field (leave it out)")
        spans = set(message_spans(message))
        for name in SPAN_LISTS:
            for s in getattr(intent, name):
                if s not in spans:
                    err(f"{name} span {s!r} is not a span of the message")

        # the state
        shown: list[str] = []
        state_intent = None
        if followup:
            if not isinstance(state, dict) or set(state) != {"shown", "request"}:
                err("state must be {shown, request}")
                continue
            shown = state["shown"]
            if len(shown) != 10 or len(set(shown)) != 10:
                err("state.shown must hold ten different titles")
            for t in shown:
                if t not in cat.by_display:
                    err(f"state.shown title {t!r} is not in the catalogue")
            try:
                state_intent = parse_intent(json.dumps(state["request"]), genres=cat.genres, max_position=10)
            except Exception as exc:
                err(f"state.request rejected: {exc}")
                continue
            for t in shown:
                if t in cat.by_display and not cat.fits(t, state_intent):
                    warn(f"shown {t!r} does not fit the state's request")
        elif state is not None:
            err("first messages have state null")

        # titles
        all_title_spans = {s for name in TITLE_LISTS for s in getattr(intent, name)}
        if state_intent is not None:
            all_title_spans |= {s for name in TITLE_LISTS for s in getattr(state_intent, name)}
        if not isinstance(titles, dict):
            err("titles must be an object")
            titles = {}
        for s in all_title_spans:
            if s not in titles and not (unknown_on_purpose and s.lower() in note.lower()):
                err(f"title span {s!r} has no titles entry (and the note does not name it as unknown)")
        for s, t in titles.items():
            if s not in all_title_spans:
                err(f"titles key {s!r} is in no title list")
            if t not in cat.by_display:
                err(f"titles value {t!r} is not a catalogue display title")

        # relevance
        if not isinstance(rel, dict):
            err("relevant must be an object")
            continue
        bad = set(rel) - ITEM_KEYS - REPLY_KEYS
        if bad:
            err(f"unknown relevant key(s) {sorted(bad)}")
        for k in ("genres_all", "genres_any", "genres_none"):
            if k in rel and not (isinstance(rel[k], list) and rel[k] and set(rel[k]) <= cat.genres):
                err(f"relevant.{k} must be a non-empty list of catalogue genres")
        if "years" in rel:
            y = rel["years"]
            if not (isinstance(y, list) and len(y) == 2 and all(v is None or isinstance(v, int) for v in y)
                    and y != [None, None]):
                err("relevant.years must be [low, high] with at most one null")
        for k in ("shares_genre_with", "not_titles"):
            for t in rel.get(k, []):
                if t not in cat.by_display:
                    err(f"relevant.{k} title {t!r} is not in the catalogue")
        if "says_missing" in rel and not (set(rel["says_missing"]) <= {"people", "plot"} and rel["says_missing"]):
            err("says_missing holds people and/or plot")
        if "keeps_request" in rel and rel["keeps_request"] is not True:
            err("keeps_request is true or left out")
        try:
            n = cat.satisfying(rel)
        except KeyError as exc:
            err(f"rule names an unknown title {exc}")
            n = MIN_SATISFYING
        if n < MIN_SATISFYING:
            err(f"only {n} catalogue items satisfy the rule")
        stats["satisfying"].append(n)

        # questions
        if intent.action == "question":
            ans = rel.get("answers")
            if intent.ask is None or intent.item is None:
                err("a question needs ask and item")
            if not followup:
                warn("a question in a first message (no list on screen)")
            if not isinstance(ans, dict):
                err("a question needs relevant.answers")
            else:
                if ans.get("item") != intent.item or ans.get("ask") != intent.ask:
                    err("relevant.answers disagrees with the intent's ask/item")
                if intent.ask == "fit":
                    if not (intent.genres or intent.exclude_genres or intent.years):
                        err("a fit question needs genres or years")
                    if shown and intent.item:
                        want = "yes" if cat.fits(shown[intent.item - 1], intent) else "no"
                        if ans.get("expect") != want:
                            err(f"expect should be {want!r} for {shown[intent.item - 1]}")
                elif ans.get("expect") is not None:
                    err("expect is only for fit questions")
            if rel.get("keeps_request") is not True:
                err("a question keeps the request")
        elif "answers" in rel:
            err("answers given for a message that is no question")

        # conventions (warnings)
        if intent.people and "people" not in rel.get("says_missing", []):
            warn("people named but says_missing lacks people")
        if intent.plot and "plot" not in rel.get("says_missing", []):
            warn("plot given but says_missing lacks plot")
        if not intent.people and "people" in rel.get("says_missing", []):
            warn("says_missing people without people")
        if not intent.plot and "plot" in rel.get("says_missing", []):
            warn("says_missing plot without plot")
        for s in intent.like:
            t = titles.get(s)
            if t and t not in rel.get("shares_genre_with", []):
                warn(f"like {t!r} missing from shares_genre_with")
        for name in TITLE_LISTS:
            for s in getattr(intent, name):
                t = titles.get(s)
                if t and t not in rel.get("not_titles", []):
                    warn(f"{name} {t!r} missing from not_titles")
        for name in POSITION_LISTS:
            for p in getattr(intent, name):
                if shown and shown[p - 1] not in rel.get("not_titles", []):
                    warn(f"{name} #{p} ({shown[p - 1]}) missing from not_titles")
                if not shown:
                    err(f"{name} in a first message")
        for p in intent.like_items:
            if shown and shown[p - 1] not in rel.get("shares_genre_with", []):
                warn(f"like_items #{p} missing from shares_genre_with")
        if intent.action in ("request", "more"):
            for g in intent.exclude_genres:
                if g not in rel.get("genres_none", []):
                    warn(f"excluded {g} not in genres_none")
            yr = year_rule(intent.years)
            if yr and rel.get("years") != yr:
                warn(f"years {intent.years} but relevant.years {rel.get('years')}")
            wished = set(rel.get("genres_all", [])) | set(rel.get("genres_any", []))
            if intent.genres and not set(intent.genres) & wished:
                warn("wished genres appear in neither genres_all nor genres_any")
        if state_intent is not None and intent.action not in ("reset",):
            for g in state_intent.exclude_genres:
                if g not in rel.get("genres_none", []) and g not in intent.genres:
                    warn(f"the state's excluded {g} is not in genres_none")
        if intent.action == "more" and shown and not set(shown) <= set(rel.get("not_titles", [])):
            warn("more: the list on screen is not all in not_titles")
        if intent.action in ("feedback", "off_topic") and rel.get("keeps_request") is not True:
            warn(f"{intent.action} without keeps_request")
        if intent.action == "request" and rel.get("keeps_request"):
            warn("a request with keeps_request")

        # stats
        stats["files"][path.name]["n"] += 1
        stats["files"][path.name]["actions"][intent.action] += 1
        for f, v in row["intent"].items():
            if f != "action":
                stats["files"][path.name]["fields"][f] += 1
        for k in rel:
            stats["files"][path.name]["relevant"][k] += 1
        if intent.action == "question":
            stats["files"][path.name]["asks"][intent.ask] += 1
        stats["files"][path.name]["words"].append(len(message.split()))
    return errors, warnings


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or DEFAULT_FILES
    cat = Catalog()
    seen_ids, seen_messages = set(), set()
    stats = {"files": {}, "satisfying": []}
    all_errors, all_warnings = [], []
    for path in files:
        stats["files"][path.name] = {"n": 0, "actions": Counter(), "fields": Counter(), "relevant": Counter(),
                                     "asks": Counter(), "words": []}
        e, w = check_file(path, cat, seen_ids, seen_messages, stats)
        all_errors += e
        all_warnings += w
    for w in all_warnings:
        print("warning:", w)
    for e in all_errors:
        print("ERROR:", e)
    for name, s in stats["files"].items():
        words = sorted(s["words"]) or [0]
        print(f"\n{name}: {s['n']} messages, {words[0]}-{words[-1]} words (median {words[len(words) // 2]})")
        print("  actions: ", dict(s["actions"].most_common()))
        print("  fields:  ", dict(s["fields"].most_common()))
        print("  relevant:", dict(s["relevant"].most_common()))
        if s["asks"]:
            print("  asks:    ", dict(s["asks"].most_common()))
    if stats["satisfying"]:
        print(f"\nfewest items satisfying a rule: {min(stats['satisfying'])}")
    print(f"{len(all_errors)} error(s), {len(all_warnings)} warning(s)")
    return 1 if all_errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
