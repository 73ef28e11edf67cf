"""Scripted conversations with a simulated user, through the same ChatEngine / DialogueState as the app.

Per test case (user, history before the target, target): the user opens with a request built from
the target's genres and decade, never its title ("I'd like a comedy romance from the 1990s"). Each
turn shows k items; if the target is not among them, the user marks every shown item as seen and
says "more please", for at most `max_turns` turns. Reported: cumulative hit@k after each turn, the
median turn latency (parse + rank, no explanations), and the rate of repeated or invalid items,
which must be 0: an item shown twice in one conversation, or one the ranker returned although it
was in the history, excluded, against a filter, or not in the catalogue.

No leakage: the conversation's history is the case history (strictly before the target), and a
facade Recommender is re-fitted on the split's fit data first (see `fit_for_split`).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Sequence

from recommender.chat.session import ChatEngine
from recommender.data.split import EvalCase, LeaveOneOut, UserHistory


@dataclass
class ConversationLog:
    user: str
    target: int
    opening: str
    hit_turn: int | None  # 1-based turn whose list contained the target
    turns: int
    turn_seconds: list[float]
    shown: int
    repeated: int
    invalid: int


@dataclass
class ConversationalResult:
    n_users: int
    k: int
    max_turns: int
    hit_at_turn: list[float]  # cumulative hit@k after turns 1..max_turns
    median_turn_seconds: float
    shown: int
    repeated: int
    invalid: int
    conversations: list[ConversationLog] = field(default_factory=list)

    @property
    def bad_item_rate(self) -> float:
        return (self.repeated + self.invalid) / self.shown if self.shown else 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["bad_item_rate"] = self.bad_item_rate
        data["conversations"] = [asdict(c) for c in self.conversations]
        return data


def opening_request(catalog, target: int) -> str:
    """"I'd like a comedy romance from the 1990s": the target's genres and decade, never its title."""
    item = catalog[target]
    genres = [g.lower() for g in item.genres if g.lower() != "unknown"]
    what = " ".join(genres) if genres else "good"
    article = "an" if what[0] in "aeiou" else "a"
    decade = f" from the {item.year // 10 * 10}s" if item.year else ""
    return f"I'd like {article} {what} movie{decade}"


class _CaseView:
    """The recommender as the conversation sees it: the case's history instead of the user's full
    one (which contains the target), and a record of what the ranker returned, to check it."""

    def __init__(self, recommender, histories: dict[str, UserHistory]):
        self.inner, self.histories = recommender, histories
        self.catalog = recommender.catalog
        self.last_request, self.last_returned = None, []

    def user_history(self, user_id: str) -> UserHistory:
        return self.histories[user_id]

    def known_users(self) -> list[str]:
        return sorted(self.histories)

    def rank(self, request, k: int = 10):
        recs = self.inner.rank(request, k)
        self.last_request, self.last_returned = request, list(recs)
        return recs

    def quick_cards(self, request, recs, cache=None):
        quick = getattr(self.inner, "quick_cards", None)
        return quick(request, recs, cache) if quick is not None else []

    def explain_list(self, request, recs, cache=None, shown=None):
        return self.inner.explain_list(request, recs, cache, shown=shown)


def invalid_returns(view: _CaseView) -> int:
    """Items the ranker returned that break the request: unknown, in history/exclude, against a filter."""
    request, catalog = view.last_request, view.catalog
    blocked = set(request.history) | set(request.exclude) | set(request.liked)
    c = request.constraints
    bad = 0
    for rec in view.last_returned:
        if not 0 <= rec.index < len(catalog) or catalog[rec.index].item_id != rec.item_id:
            bad += 1
            continue
        item = catalog[rec.index]
        genres = set(item.genres)
        bad += bool(
            rec.index in blocked
            or (c.min_year is not None and (item.year or 0) < c.min_year)
            or (c.max_year is not None and (not item.year or item.year > c.max_year))
            or genres & set(c.exclude_genres)
            or (c.include_genres and not genres & set(c.include_genres))
        )
    return bad


def converse(engine: ChatEngine, view: _CaseView, case: EvalCase, max_turns: int) -> ConversationLog:
    session = engine.new_session(case.user)
    opening = opening_request(view.catalog, case.target)
    log = ConversationLog(case.user, case.target, opening, None, 0, [], 0, 0, 0)
    ever_shown: set[int] = set()
    text = opening
    for turn in range(1, max_turns + 1):
        started = time.perf_counter()
        engine.message(session, text)
        log.turn_seconds.append(time.perf_counter() - started)
        log.turns = turn
        items = [row.index for row in session.rows]
        log.shown += len(items)
        log.repeated += len(set(items) & ever_shown) + (len(items) - len(set(items)))
        log.invalid += invalid_returns(view) if view.last_request is not None else 0
        ever_shown.update(items)
        if case.target in items:
            log.hit_turn = turn
            break
        engine.mark(session, items, "seen", rerank=False)
        text = "more please"
    return log


def run_conversational_eval(recommender, cases: Sequence[EvalCase], max_turns: int = 3, k: int = 10,
                            refit: bool = True, progress: bool = True) -> ConversationalResult:
    """Simulate one conversation per case; see the module docstring for the protocol."""
    from tqdm import tqdm

    if refit:
        recommender = fit_for_split(recommender, "test", progress)
    view = _CaseView(recommender, {c.user: c.history for c in cases})
    engine = ChatEngine(view, k=k)
    engine.warm_up()  # lazily loaded parts would otherwise count in the first conversation's latency
    logs = [converse(engine, view, case, max_turns)
            for case in tqdm(cases, desc="conversations", unit="user", disable=not progress)]
    n = len(logs)
    hits = [sum(1 for c in logs if c.hit_turn is not None and c.hit_turn <= t) / n if n else 0.0
            for t in range(1, max_turns + 1)]
    seconds = [s for c in logs for s in c.turn_seconds]
    return ConversationalResult(
        n_users=n, k=k, max_turns=max_turns, hit_at_turn=hits,
        median_turn_seconds=statistics.median(seconds) if seconds else 0.0,
        shown=sum(c.shown for c in logs), repeated=sum(c.repeated for c in logs),
        invalid=sum(c.invalid for c in logs), conversations=logs,
    )


def fit_for_split(recommender, split: str = "test", progress: bool = True):
    """A facade Recommender whose retrieval is fitted only on the interactions before the split's
    targets; the loaded LLM ranker and explainer are reused. Anything else is returned unchanged."""
    from recommender.facade import Recommender

    if not isinstance(recommender, Recommender):
        return recommender
    from recommender.retrieval.hybrid import HybridRetriever

    loo = LeaveOneOut(recommender.dataset.interactions, recommender.catalog)
    sequences = [h.items for h in loo.fit_histories(split).values()]
    retriever = HybridRetriever.build(recommender.catalog, sequences, recommender.retriever.config, progress=progress)
    return Recommender(recommender.dataset, retriever, recommender.ranker, recommender.explainer)


def format_table(result: ConversationalResult) -> str:
    """Markdown: hit@k per turn, latency and the repeated/invalid rate."""
    header = "| " + " | ".join(f"hit@{result.k} after turn {t}" for t in range(1, result.max_turns + 1))
    header += " | median turn latency | repeated or invalid items |"
    rule = "|" + "---:|" * (result.max_turns + 2)
    cells = [f"{h:.3f}" for h in result.hit_at_turn]
    cells += [f"{result.median_turn_seconds * 1000:.0f} ms",
              f"{result.bad_item_rate:.3f} ({result.repeated + result.invalid} of {result.shown})"]
    title = (f"Conversational evaluation: {result.n_users} simulated users, test split, "
             f"up to {result.max_turns} turns of {result.k} items")
    return "\n".join([f"### {title}", "", header, rule, "| " + " | ".join(cells) + " |"])
