"""The explanation audit (eval/explanations.py): whole lists explained as the chat explains them, every
card read by the independent check (`recommender.explain.check`), side by side with the plain rendering.

Per list of ten cards: the LLM's drafts (what the fact gate let it write), the cards as shown (drafts
that fail the check are replaced by the plain rendering) and the plain renderings alone. Counted:
unsupported claims by kind, vacuous texts, the viewer's voice, repetition, truncation, duplicate
skeletons within a list, and discriminability (from the facts a text names, is its own card the one it
fits best among the ten?). Timed: the first card, all ten, and a Seen click (only new cards rewritten).
"""

from __future__ import annotations

import dataclasses
import re
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Sequence

from recommender.explain.check import CLAIM_KINDS, FORM_KINDS, check, skeleton
from recommender.explain.facts import FactSheet
from recommender.explain.plain import render_list
from recommender.types import Request

ROWS = ("drafts", "shown", "plain")


@dataclass
class CardRecord:
    label: str
    item: str
    draft: str
    shown: str
    plain: str
    source: str  # who wrote the shown text: llm / plain
    problems: dict  # row -> kinds the check found
    picked: dict  # row -> whether the text's facts pick its own card among the list's


@dataclass
class ListRecord:
    label: str
    quick_s: float  # every card's checked text (cached or plain), shown with the list
    first_s: float
    all_s: float
    click_s: float | None
    click_rewritten: int | None  # cards written again after a Seen click (the others come from the cache)
    duplicates: dict = field(default_factory=dict)  # row -> cards whose skeleton an earlier card has


def sample_users(known: Sequence[str], n: int, seed: int = 0, allowed=None) -> list[str]:
    """A seeded sample of `n` of the `known` users (only those `allowed(user)`, when given)."""
    import random

    from recommender.errors import RecommenderError

    pool = [u for u in known if allowed is None or allowed(u)]
    if not 1 <= n <= len(pool):
        raise RecommenderError(f"--users must be between 1 and {len(pool):,} (the users available), not {n}")
    return random.Random(seed).sample(pool, n)


def named_facts(text: str, genres: Sequence[str]) -> set[str]:
    """What a text names: quoted titles, numbers, genre names (lower case)."""
    found = {q.lower() for q in re.findall(r"[\"“]([^\"”]+)[\"”]", text)}
    found |= set(re.findall(r"\d+(?:/\d+)?", text))
    found |= {g.lower() for g in genres if re.search(rf"\b{re.escape(g)}\b", text, re.I)}
    return found


def sheet_facts(sheet: FactSheet) -> set[str]:
    return {t.lower() for t in sheet.titles()} | sheet.numbers() | {g.lower() for g in sheet.genres}


def picks_own(k: int, text: str, sheets: Sequence[FactSheet], genres: Sequence[str]) -> bool:
    """Whether the facts `text` names fit card k's sheet strictly better than every other card's."""
    named = named_facts(text, genres)
    scores = [len(named & sheet_facts(s)) for s in sheets]
    return scores[k] > 0 and all(scores[k] > s for i, s in enumerate(scores) if i != k)


def audit_list(recommender, label: str, request: Request, k: int = 10, click: bool = True):
    """Explain one list as the chat does (fresh cache), then mark its first card seen and explain the new
    list with the same cache. (cards, list record)."""
    explainer, catalog = recommender.explainer, recommender.catalog
    genres = sorted({g for item in catalog for g in item.genres})
    recs = recommender.rank(request, k)
    sheets = [recommender.facts.build(request, r) for r in recs]
    cache: dict = {}
    started = time.perf_counter()
    quick = recommender.quick_cards(request, recs, cache)
    quick_s = time.perf_counter() - started
    first, cards = None, {}
    for card in recommender.explain_list(request, recs, cache, shown=quick):
        first = first if first is not None else time.perf_counter() - started
        cards[card.position] = card
    all_s = time.perf_counter() - started
    plain = render_list(sheets)
    records = []
    for i, (rec, sheet) in enumerate(zip(recs, sheets)):
        card = cards[i]
        texts = {"drafts": card.draft or card.text, "shown": card.text, "plain": plain[i]}
        problems = {row: check(t, sheet, recommender.titles, genres).kinds() for row, t in texts.items()}
        picked = {row: picks_own(i, t, sheets, genres) for row, t in texts.items()}
        records.append(CardRecord(label, catalog[rec.index].display, texts["drafts"], texts["shown"], plain[i],
                                  card.source, problems, picked))
    duplicates = {row: _duplicates([getattr(r, row if row != "drafts" else "draft") for r in records], sheets)
                  for row in ROWS}
    click_s = rewritten = None
    if click and recs and explainer is not None:
        seen = dataclasses.replace(request, exclude=frozenset(request.exclude) | {recs[0].index})
        new_recs = recommender.rank(seen, k)
        started = time.perf_counter()
        quick = recommender.quick_cards(seen, new_recs, cache)
        sources = [c.source for c in recommender.explain_list(seen, new_recs, cache, shown=quick)]
        click_s, rewritten = time.perf_counter() - started, sum(s != "cache" for s in sources)
    return records, ListRecord(label, quick_s, first or 0.0, all_s, click_s, rewritten, duplicates)


def _duplicates(texts: Sequence[str], sheets: Sequence[FactSheet]) -> int:
    seen, dup = set(), 0
    for text, sheet in zip(texts, sheets):
        sk = skeleton(text, sheet)
        dup += sk in seen
        seen.add(sk)
    return dup


@dataclass
class ExplanationAudit:
    cards: list[CardRecord] = field(default_factory=list)
    lists: list[ListRecord] = field(default_factory=list)

    def summary(self) -> dict:
        n = max(len(self.cards), 1)
        out = {"explanations": len(self.cards), "lists": len(self.lists)}
        for row in ROWS:
            counts = Counter(p for c in self.cards for p in c.problems[row])
            out[row] = {
                "unsupported_claims": {k: counts[k] for k in CLAIM_KINDS},
                "unsupported_total": sum(counts[k] for k in CLAIM_KINDS),
                "form": {k: counts[k] for k in FORM_KINDS},
                "particular_share": round(1 - counts["vacuous"] / n, 4),
                "duplicate_skeleton_share": round(sum(x.duplicates[row] for x in self.lists) / n, 4),
                "discriminability": round(sum(c.picked[row] for c in self.cards) / n, 4),
            }
        out["shown_written_by_llm"] = round(sum(c.source == "llm" for c in self.cards) / n, 4)
        out["fallback_reasons"] = dict(Counter(p for c in self.cards if c.source == "plain" for p in c.problems["drafts"]))
        for name in ("quick_s", "first_s", "all_s", "click_s"):
            values = [getattr(x, name) for x in self.lists if getattr(x, name) is not None]
            out[f"median_{name}"] = round(statistics.median(values), 3) if values else None
        rewritten = [x.click_rewritten for x in self.lists if x.click_rewritten is not None]
        out["median_cards_rewritten_after_click"] = statistics.median(rewritten) if rewritten else None
        return out

    def to_json(self) -> dict:
        return {"summary": self.summary(), "lists": [asdict(x) for x in self.lists],
                "cards": [asdict(c) for c in self.cards]}


def format_markdown(audit: ExplanationAudit, examples: int = 12) -> str:
    s = audit.summary()
    lines = ["| | " + " | ".join(ROWS) + " |", "|---|" + "---:|" * len(ROWS)]
    for kind in CLAIM_KINDS:
        lines.append(f"| unsupported {kind} | " + " | ".join(str(s[r]["unsupported_claims"][kind]) for r in ROWS) + " |")
    lines.append("| **unsupported claims, all kinds** | " + " | ".join(f"**{s[r]['unsupported_total']}**" for r in ROWS) + " |")
    for kind in FORM_KINDS:
        lines.append(f"| {kind} | " + " | ".join(str(s[r]["form"][kind]) for r in ROWS) + " |")
    for key, name in (("particular_share", "names a particular fact"),
                      ("duplicate_skeleton_share", "duplicate skeleton within its list"),
                      ("discriminability", "its facts pick its own card among the ten")):
        lines.append(f"| {name} | " + " | ".join(f"{s[r][key]:.1%}" for r in ROWS) + " |")
    lines += ["", f"{s['explanations']} explanations in {s['lists']} lists. Shown cards written by the LLM: "
              f"{s['shown_written_by_llm']:.1%}; the rest are the plain rendering (the draft failed: "
              f"{s['fallback_reasons']}).", "",
              f"Median times: every card shows its checked plain text {s['median_quick_s']} s after the list "
              f"is ranked; the LLM's text (or its fallback) on the first card {s['median_first_s']} s, on all ten "
              f"{s['median_all_s']} s; after a Seen "
              f"click on card 1, the new list's cards in {s['median_click_s']} s, "
              f"{s['median_cards_rewritten_after_click']} card(s) written again (the rest from the cache).", "",
              "Examples (draft → shown):", ""]
    for c in audit.cards[:examples]:
        shown = c.shown if c.source == "llm" else f"{c.shown} (plain; draft: \"{c.draft}\" {c.problems['drafts']})"
        lines.append(f"- {c.item} ({c.label}): {shown}")
    return "\n".join(lines) + "\n"


def chat_requests(recommender, messages: Sequence[str]) -> list[Request]:
    """The request the chat sends for each message as a new user's first turn (read by the intent model
    when the recommender has one), so the audit explains the lists the page would show."""
    from recommender.chat.session import ChatEngine

    engine, requests = ChatEngine(recommender, intent_parser=recommender.intent_parser), []
    for message in messages:
        session = engine.new_session()
        engine.message(session, message)
        if session.request is None:
            raise ValueError(f"the chat found no request in {message!r}")
        requests.append(session.request)
    return requests


def audit(recommender, requests: Sequence[tuple[str, Request]], k: int = 10, progress: bool = True) -> ExplanationAudit:
    from tqdm.auto import tqdm

    result = ExplanationAudit()
    for label, request in tqdm(requests, desc="explaining lists", unit="list", disable=not progress):
        cards, record = audit_list(recommender, label, request, k)
        result.cards += cards
        result.lists.append(record)
    return result
