"""The cards of a list on screen: every card shows its checked facts with the list (`show_quick_cards`), then
the LLM's text streams in as each card is written (`explain_cards`, or `explain_in_background` for the page).
A newer list stops an older stream."""

from __future__ import annotations

import logging
import threading
from typing import Iterator

from recommender.chat.turns import ResultRow, one_line

log = logging.getLogger(__name__)


def show_quick_cards(recommender, session, rows: list[ResultRow]) -> None:
    """Every card shows checked facts with the list (cached or plain text); the LLM's text, when it
    passes, replaces a card's later (`explain`). `rows` (the new list's) become `session.rows` only once
    filled: the page's timer redraws `session.rows` at any moment, and a half-built list showed its
    cards as "explanation coming…" (the browser test met it in CI)."""
    quick = getattr(recommender, "quick_cards", None)
    shown = quick(session.request, session.recs, session.explanations) if quick and session.recs else []
    for card in shown:
        row = rows[card.position]
        row.explanation, row.explained, row.source, row.final = one_line(card.text), True, card.source, card.final
    session.shown, session.rows = shown, rows


def explain_in_background(recommender, session) -> threading.Thread | None:
    """Explain the list on screen in a daemon thread that fills `session.rows` in place (the page
    polls them). None when there is nothing to explain or a thread already works on this list; the
    thread stops by itself once a newer list arrives."""
    generation = session.generation
    if session.explaining == generation or all(row.final for row in session.rows):
        return None
    session.explaining = generation

    def work() -> None:
        try:
            for _ in explain_cards(recommender, session, generation):
                pass
        except Exception:
            log.exception("background explanations failed")

    thread = threading.Thread(target=work, name=f"explain-{generation}", daemon=True)
    thread.start()
    return thread


def explain_cards(recommender, session, generation: int | None = None) -> Iterator[list[ResultRow]]:
    """Explain the list on screen, yielding the rows each time a card's explanation arrives (cards whose
    facts were explained before in this session come back at once). Stops as soon as a newer list
    replaces this one (or at once when `generation`, the list the caller wants explained, is gone)."""
    generation = session.generation if generation is None else generation
    if session.generation != generation or not session.recs:  # "reset" leaves no list (and the cards of the last)
        return
    rows = session.rows
    explain = recommender.explain_list
    cards = (explain(session.request, session.recs, session.explanations, shown=session.shown) if session.shown
             else explain(session.request, session.recs, session.explanations))
    try:
        for card in cards:
            if session.generation != generation:
                return
            row = rows[card.position]
            row.explanation, row.explained, row.source, row.final = one_line(card.text), True, card.source, True
            yield rows
    except Exception:
        log.exception("explaining the list failed")
        for row, rec in zip(rows, session.recs):
            if not row.explained:
                row.explanation = one_line(rec.evidence[0].reason if rec.evidence else "")
            row.explained = row.final = True
        yield rows
    finally:
        getattr(cards, "close", lambda: None)()  # stops the model generating for a stale list
