"""The conversational evaluation: simulated openings, hit@k per turn, and the repeated/invalid check."""

from __future__ import annotations

import numpy as np
import pytest
from chat_fakes import FakeRecommender, index_of, make_catalog

from recommender.data.split import EvalCase, UserHistory
from recommender.evaluation.conversational import format_table, opening_request, run_conversational_eval

CATALOG = make_catalog()


def case(user: str, history: list[str], target: str) -> EvalCase:
    items = np.array([index_of(CATALOG, t) for t in history], dtype=np.int32)
    hist = UserHistory(user, items, np.full(len(items), 4.0, np.float32), np.arange(len(items), dtype=np.int64))
    return EvalCase(user, hist, index_of(CATALOG, target))


def test_opening_names_genres_and_decade_but_never_the_title():
    text = opening_request(CATALOG, index_of(CATALOG, "Sleepless in Seattle"))
    assert text == "I'd like a comedy romance movie from the 1990s"
    assert opening_request(CATALOG, index_of(CATALOG, "Alien")) == \
        "I'd like an action horror sci-fi thriller movie from the 1970s"


def test_hits_are_cumulative_per_turn_and_nothing_repeats():
    # The fake ranks by query words found in title + genres, then catalogue order; k=2 per turn.
    # "comedy romance" in the 1990s: Groundhog Day, Sleepless in Seattle | Clueless, ...
    # "comedy" in the 1990s: Toy Story, Groundhog Day | Sleepless, Men in Black | Galaxy Quest, Clueless |
    # ... Dumb & Dumber is 8th, beyond three turns.
    cases = [case("a", ["Fargo"], "Groundhog Day"), case("b", ["Fargo"], "Clueless"),
             case("c", ["Fargo"], "Dumb & Dumber")]
    fake = FakeRecommender(CATALOG, {})
    result = run_conversational_eval(fake, cases, max_turns=3, k=2, progress=False)
    by_user = {c.user: c for c in result.conversations}
    assert [by_user[u].hit_turn for u in "abc"] == [1, 2, None]
    assert result.hit_at_turn == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    assert result.repeated == 0 and result.invalid == 0 and result.bad_item_rate == 0.0
    assert by_user["c"].turns == 3 and by_user["c"].shown == 6
    assert result.median_turn_seconds > 0
    assert by_user["c"].opening == "I'd like a comedy movie from the 1990s"


def test_case_history_replaces_the_full_history():
    c = case("u", ["Fargo", "Babe"], "Clueless")
    fake = FakeRecommender(CATALOG, {"u": [index_of(CATALOG, "Clueless")]})  # full history holds the target
    result = run_conversational_eval(fake, [c], max_turns=1, k=3, progress=False)
    assert result.conversations[0].hit_turn == 1
    conversation = fake.requests[1:]  # the first is the warm-up
    assert list(conversation[0].history) == [index_of(CATALOG, "Fargo"), index_of(CATALOG, "Babe")]


def test_a_ranker_that_breaks_the_contract_is_counted():
    c = case("u", ["Fargo"], "Twister")
    leaky = FakeRecommender(CATALOG, {"u": []}, leak=True)
    result = run_conversational_eval(leaky, [c], max_turns=2, k=5, progress=False)
    assert result.invalid > 0 and result.bad_item_rate > 0


def test_format_table_is_markdown_with_one_column_per_turn():
    c = case("a", ["Fargo"], "Clueless")
    fake = FakeRecommender(CATALOG, {"a": []})
    table = format_table(run_conversational_eval(fake, [c], max_turns=2, k=3, progress=False))
    lines = table.splitlines()
    assert lines[0].startswith("### Conversational evaluation: 1 simulated users")
    assert lines[2].startswith("| hit@3 after turn 1 | hit@3 after turn 2 | median turn latency")
    assert lines[4].startswith("| 1.000 | 1.000 |") and lines[4].endswith("| 0.000 (0 of 3) |")
