"""How often the explainer's post-checks reject what the LLM wrote, and why (eval/explanations.py).

Each request's top items are explained once (`Explainer.draft`), and every check is run on the same
text (`Explainer.problems`), so the rates of the title check alone and of all checks come from one set
of generations, side by side. A rejected text is never shown: the user gets the plain evidence-based
explanation instead.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Sequence

from recommender.llm.explainer import CHECKS, ExplainInput
from recommender.types import Request

TITLE_CHECKS = ("empty", "ungrounded title")  # the checks before the claim checks existed


@dataclass
class Draft:
    request: str  # "user 42" or the typed query
    item: str
    item_genres: list[str]
    text: str
    problems: list[str]
    seconds: float


@dataclass
class ExplanationAudit:
    drafts: list[Draft] = field(default_factory=list)

    def failing(self, checks: Sequence[str] | None = None) -> list[Draft]:
        """Drafts that fail any of `checks` (all checks when None)."""
        return [d for d in self.drafts if any(checks is None or p in checks for p in d.problems)]

    def summary(self) -> dict:
        n = len(self.drafts)
        counts = Counter(p for d in self.drafts for p in d.problems)
        return {
            "explanations": n,
            "fail_each_check": {p: counts[p] for p in CHECKS},
            "rejected_by_title_checks": len(self.failing(TITLE_CHECKS)),
            "rejected_by_all_checks": len(self.failing()),
            "median_seconds_per_explanation": round(statistics.median(d.seconds for d in self.drafts), 2) if n else None,
        }

    def to_json(self) -> dict:
        return {"summary": self.summary(), "drafts": [asdict(d) for d in self.drafts]}


def sample_users(known: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """A seeded sample of `n` of the `known` user ids; a clear error when n is out of range."""
    import random

    from recommender.errors import RecommenderError

    if not 1 <= n <= len(known):
        raise RecommenderError(f"--users must be between 1 and {len(known):,} (the data set's users), not {n}")
    return random.Random(seed).sample(list(known), n)


def chat_requests(recommender, messages: Sequence[str]) -> list[Request]:
    """The request the chat sends for each message as a new user's first turn, genre hints included
    ("funny" adds Comedy), so the audit checks the texts the page would show."""
    from recommender.chat.session import ChatEngine

    engine, requests = ChatEngine(recommender), []
    for message in messages:
        session = engine.new_session()
        engine.message(session, message)
        if session.request is None:
            raise ValueError(f"the chat found no request in {message!r}")
        requests.append(session.request)
    return requests


def audit_explanations(recommender, requests: Sequence[tuple[str, Request]], per_request: int = 3,
                       progress: bool = True) -> ExplanationAudit:
    """Draft and check explanations for the top `per_request` items of each (label, request)."""
    from tqdm.auto import tqdm

    explainer, catalog = recommender.explainer, recommender.catalog
    if explainer is None:
        raise ValueError("the recommender has no LLM explainer (load it with ranker='llm')")
    audit = ExplanationAudit()
    with tqdm(total=len(requests) * per_request, desc="explaining", unit="item", disable=not progress) as bar:
        for label, request in requests:
            for rec in recommender.rank(request, k=per_request):
                inp = ExplainInput(rec.index, request.query, rec.evidence, request.history, request.ratings)
                started = time.perf_counter()
                start, text = explainer.draft(inp)
                seconds = time.perf_counter() - started
                item = catalog[rec.index]
                audit.drafts.append(Draft(label, item.display, list(item.genres), text,
                                          explainer.problems(inp, text, start), round(seconds, 3)))
                bar.update()
    return audit


def format_markdown(audit: ExplanationAudit, examples: int = 12) -> str:
    s = audit.summary()
    n = max(s["explanations"], 1)
    lines = ["| check | explanations failing it | share |", "|---|---:|---:|"]
    lines += [f"| {check} | {count} | {count / n:.1%} |" for check, count in s["fail_each_check"].items()]
    lines += ["", "| post-check | rejected (plain explanation shown instead) | share |", "|---|---:|---:|",
              f"| titles only (empty, ungrounded title) | {s['rejected_by_title_checks']} | "
              f"{s['rejected_by_title_checks'] / n:.1%} |",
              f"| all checks (+ prompt echo, viewer's voice, ungrounded genre) | {s['rejected_by_all_checks']} | "
              f"{s['rejected_by_all_checks'] / n:.1%} |",
              "", f"{s['explanations']} explanations; median {s['median_seconds_per_explanation']} s each.", "",
              "Texts the title checks let through and the new checks reject:", ""]
    newly = [d for d in audit.failing() if not any(p in TITLE_CHECKS for p in d.problems)]
    for d in newly[:examples]:
        lines.append(f"- {d.item} ({', '.join(d.item_genres) or 'no genres'}; {d.request}): "
                     f"\"{d.text}\" ({', '.join(d.problems)})")
    return "\n".join(lines) + "\n"
