"""eval/load_chat.py's machinery (recommender.evaluation.load_chat) against the real Gradio app around the
FakeRecommender, over HTTP on loopback: concurrent sessions are timed, every card gets explained and no
session sees another's state; and the checks fail when sessions do leak (a shared session object, cards
drawn from another session, a shared field that only the replay alone reveals)."""

from __future__ import annotations

import socket
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from chat_fakes import FakeRecommender, make_catalog

from recommender.chat.app import ChatView
from recommender.chat.session import ChatEngine, ChatSession
from recommender.evaluation.load_chat import percentile, replay_alone, run_sessions, summarize
from recommender.evaluation.load_checks import (
    card_title, check_panel, check_refresh, check_transcript, default_specs, panel_fields,
)

CATALOG = make_catalog()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(view_class=ChatView, patch=lambda engine: None):
    """The chat page (the real Blocks, queue and endpoints) around the fake recommender, on loopback."""
    engine = ChatEngine(FakeRecommender(CATALOG, {"7": [2, 14]}), k=10)
    patch(engine)
    demo = view_class(engine, "ready").build()
    demo.queue(default_concurrency_limit=4)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True,
                            quiet=True, share=False)
    try:
        yield url
    finally:
        demo.close()


def drive(url: str, sessions: int, replay: bool = False):
    specs = default_specs(sessions)
    results = run_sessions(url, specs, timeout_s=120, poll_s=0.05, explain_timeout_s=30, log=lambda line: None)
    if replay:
        replay_alone(url, specs, results, timeout_s=120, log=lambda line: None)
    return results, summarize(results)


def test_concurrent_sessions_are_timed_explained_and_see_only_their_own_state():
    with serving() as url:
        results, summary = drive(url, 3, replay=True)
    assert summary.errors == [] and summary.problems == [], summary.problems
    assert summary.bars["no cross-talk"] and summary.bars["every script finished"]
    assert summary.turns == 12 and list(summary.by_step) == ["open", "message", "seen", "refine"]
    assert summary.list_p95_s is not None and all(t.seconds > 0 for r in results for t in r.turns)
    assert summary.lists_waited == 9 and all(t.explained_s is not None and t.reworded_s is not None
                                             for r in results for t in r.turns if t.waited)
    for result, spec in zip(results, default_specs(3)):
        message, seen, refine = result.turns[1:]
        assert f"{spec.title} (" in message.panel  # the request's title was linked
        assert message.titles[spec.click_position - 1] not in seen.titles + refine.titles
        assert f"**No genres:** {spec.exclude}" in refine.panel and result.polls >= 3
    assert len({tuple(r.turns[1].titles) for r in results}) == 3  # distinct requests, distinct lists


def test_a_session_object_shared_by_every_tab_is_caught():
    shared = ChatSession()

    def share(engine):
        engine.new_session = lambda user_id=None: shared  # the bug: one session for the whole app

    with serving(patch=share) as url:
        _, summary = drive(url, 2)
    assert not summary.bars["no cross-talk"]
    assert any("transcript" in p for p in summary.problems), summary.problems


class CrossedCardsView(ChatView):
    """Broken on purpose: the timer draws the cards of the first session that sent a message."""

    first = None

    def send(self, text, session):
        outputs = super().send(text, session)
        self.first = self.first or outputs[-1]
        return outputs

    def refresh(self, session):
        return super().refresh(self.first or session)


def test_cards_drawn_from_another_session_are_caught():
    with serving(CrossedCardsView) as url:
        results, summary = drive(url, 2)
    assert not summary.bars["no cross-talk"]
    assert any("refresh shows" in p for p in summary.problems), summary.problems
    assert sum(1 for r in results if r.problems) == 1  # the first session's own cards are its own


def test_a_shared_field_the_turns_do_not_check_is_caught_by_the_replay_alone():
    shown: list[int] = []
    new_session = ChatEngine.new_session

    def share_shown(engine):
        def leaky(user_id=None):
            session = new_session(engine, user_id)
            session.dialogue.shown = shown  # the bug: a list shared by every conversation
            return session

        engine.new_session = leaky

    with serving(patch=share_shown) as url:
        _, summary = drive(url, 2, replay=True)
    assert not summary.bars["no cross-talk"]
    assert any("replay" in p and "shown so far" in p for p in summary.problems), summary.problems


# --- the checks on their own -------------------------------------------------------------------------
def test_checks_read_the_page_outputs():
    spec, other = default_specs(2)
    chat = [{"role": "assistant", "content": "Hi!"}, {"role": "user", "content": [{"text": "a heist", "type": "text"}]},
            {"role": "assistant", "content": "Here are 1 picks:\n1. **M\\*A\\*S\\*H** (1970)"}]
    assert check_transcript(chat, ["a heist"], 2) == []
    assert "not this session's: ['a heist']" in check_transcript(chat, [], 2)[0]
    card = "**1. M\\*A\\*S\\*H** (1970) &nbsp;<span class='genres'>Comedy · War</span>\n\n*explanation coming…*"
    assert card_title(card) == "M*A*S*H (1970)"
    panel = (f"**Request:** funnier\n\n**Liked:** {spec.title} (1979), {other.title} (1996)\n\n"
             "**Seen:** –\n\n**No genres:** –")
    assert panel_fields(panel)["Seen"] == "–"
    problems = check_panel(panel, spec, [other], [], [], asked=True)
    assert len(problems) == 1 and f"session 1's {other.title!r}" in problems[0]
    assert check_refresh([card, ""], [card]) == []
    assert "refresh returned no cards" in check_refresh([{"__type__": "update"}] * 2, [card])[0]
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5 and percentile([], 95) is None


def test_load_script_flags():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))
    try:
        from load_chat import parse_args
    finally:
        sys.path.pop(0)
    args, chat_args = parse_args(["--sessions", "3", "--ranker", "none", "--quantize", "none"])
    assert args.sessions == 3 and args.out == "eval/results/load_chat"
    assert chat_args == ["--ranker", "none", "--quantize", "none"]
    for refused in (["--host", "0.0.0.0"], ["--auth=me:x"], ["--sessions", "13"]):
        with pytest.raises(SystemExit):
            parse_args(refused)
