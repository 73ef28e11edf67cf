"""Concurrent chat sessions against a running chat app over HTTP (gradio_client), as browser tabs would
drive it: each session has its own Client, so its own session hash and gr.State on the server.

Each session runs a short script: open the page as a new user, send a free-form request, wait until
every card is explained, click Seen on a card, wait again, send a refinement, wait again. It times
each turn (sending until the handler returns the new list) and each list's explanations (the list
appearing until no card shows the placeholder, and until no card is marked as being reworded by the
LLM, read through the same /refresh endpoint the page's timer calls, at the page's rate), and checks after every output that the session sees only its own
transcript, cards and panel (recommender.evaluation.load_checks). `replay_alone` runs the same scripts
again one session at a time: with nothing running beside it, each turn must show the same list and panel
as under load.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from recommender.evaluation.load_checks import (
    SessionSpec, card_title, check_cards, check_panel, check_refresh, check_reply, check_transcript,
)

MAX_PROBLEMS = 50  # per session: a leak repeats on every poll; the first ones say enough


@dataclass
class TurnRecord:
    step: str  # open, message, seen or refine
    sent: str  # the message, or the endpoint of the button
    seconds: float  # sending until the handler returned the new list
    titles: list[str]
    panel: str = ""
    waited: bool = False  # whether the script waited for this list's explanations
    explained_s: float | None = None  # the list appearing until every card showed its checked text (None: not seen)
    reworded_s: float | None = None  # ... until the LLM was done with every card (no card marked as rewording)


@dataclass
class SessionResult:
    index: int
    spec: dict
    turns: list[TurnRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # cross-talk and state checks that failed
    error: str | None = None  # the script could not finish (timeout, HTTP error)
    polls: int = 0


class SessionDriver:
    """One scripted session. `wait=False` skips the explanation waits (for the replay alone)."""

    def __init__(self, client, spec: SessionSpec, others: list[SessionSpec], deadline: float, *,
                 poll_s: float, explain_timeout_s: float, wait: bool = True, log: Callable[[str], None] = print):
        self.client, self.spec, self.others, self.deadline = client, spec, others, deadline
        self.poll_s, self.explain_timeout_s, self.wait, self.log = poll_s, explain_timeout_s, wait, log
        self.result = SessionResult(spec.index, dataclasses.asdict(spec))
        self.sent: list[str] = []
        self.seen: list[str] = []
        self.excluded: list[str] = []
        self.cards: list[str] = []
        self.turns = 0

    def run(self) -> SessionResult:
        from recommender.chat.app import NEW_USER

        s = self.spec
        try:
            self._turn("open", "/open", (NEW_USER,))
            self._turn("message", "/send", (s.message,), sent=s.message, wait=True)
            if len(self.cards) < s.click_position:
                raise RuntimeError(f"the list has {len(self.cards)} cards, none to mark seen at {s.click_position}")
            self.seen.append(card_title(self.cards[s.click_position - 1]))
            self._turn("seen", f"/seen_{s.click_position}", (), wait=True)
            self.excluded.append(s.exclude)
            self._turn("refine", "/send", (s.refinement,), sent=s.refinement, wait=True)
        except Exception as exc:  # recorded with the results; the other sessions go on
            self.result.error = f"{type(exc).__name__}: {exc}"
            self.log(f"[s{s.index}] stopped: {self.result.error}")
        return self.result

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the run's time limit passed")
        return left

    def _turn(self, step: str, api: str, args: tuple, sent: str | None = None, wait: bool = False) -> None:
        if sent is not None:
            self.sent.append(sent)
        self.turns += 1
        started = time.perf_counter()
        out = self.client.submit(*args, api_name=api).result(timeout=self._left())
        seconds = time.perf_counter() - started
        appeared = time.monotonic()
        chat, panel = out[0], out[-1]  # the chatbot, the (cleared) message box, the cards, the panel
        self.cards = [text for text in out[2:-1] if text]
        record = TurnRecord(step, sent if sent is not None else api, round(seconds, 4),
                            [card_title(c) for c in self.cards], panel, waited=wait and self.wait)
        self.result.turns.append(record)
        self._problems(step, check_transcript(chat, self.sent, self.turns) + check_reply(chat, self.cards)
                       + check_cards(self.cards, self.seen, self.excluded)
                       + check_panel(panel, self.spec, self.others, self.seen, self.excluded, step != "open"))
        self.log(f"[s{self.spec.index}] {step}: list in {seconds:.2f} s, {len(self.cards)} cards")
        if record.waited:
            record.explained_s, record.reworded_s = self._wait_explained(appeared)
            state = "never" if record.explained_s is None else f"in {record.explained_s:.1f} s"
            llm = "never" if record.reworded_s is None else f"in {record.reworded_s:.1f} s"
            self.log(f"[s{self.spec.index}] {step}: every card explained {state}, the LLM done {llm}")

    def _wait_explained(self, appeared: float) -> tuple[float | None, float | None]:
        """Redraw the cards at the page's rate until none waits for its explanation (the first time), and
        until none is marked as being reworded by the LLM (the second)."""
        from recommender.chat.app import PENDING, REFINING

        if not self.cards:
            return 0.0, 0.0
        limit, explained = appeared + self.explain_timeout_s, None
        while time.monotonic() < min(limit, self.deadline):
            texts = self.client.submit(api_name="/refresh").result(timeout=self._left())
            self.result.polls += 1
            problems = check_refresh(texts, self.cards)
            if problems:  # cards that are not this session's: its own never showed; no use waiting
                self._problems("refresh", problems)
                return None, None
            now = round(time.monotonic() - appeared, 3)
            if explained is None and not any(PENDING in text for text in texts):
                explained = now
            if explained is not None and not any(REFINING in text for text in texts):
                return explained, now
            time.sleep(self.poll_s)
        return explained, None

    def _problems(self, step: str, problems: list[str]) -> None:
        for problem in problems:
            line = f"session {self.spec.index} {step}: {problem}"
            if line not in self.result.problems and len(self.result.problems) < MAX_PROBLEMS:
                self.result.problems.append(line)
                self.log(f"[s{self.spec.index}] PROBLEM {step}: {problem}")


def connect(url: str):
    """A client as one browser tab: its own session hash, so its own gr.State on the server."""
    import os

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # the client's telemetry thread would go off-machine
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False)


def run_sessions(url: str, specs: list[SessionSpec], *, timeout_s: float, poll_s: float = 0.4,
                 explain_timeout_s: float = 120.0, log: Callable[[str], None] = print,
                 connect_fn: Callable = connect) -> list[SessionResult]:
    """All sessions at once, one thread and one client each, bounded by `timeout_s` in all."""
    deadline = time.monotonic() + timeout_s
    clients = [connect_fn(url) for _ in specs]  # connected first, so the scripts start together
    drivers = [SessionDriver(c, s, [o for o in specs if o is not s], deadline, poll_s=poll_s,
                             explain_timeout_s=explain_timeout_s, log=log) for c, s in zip(clients, specs)]
    threads = [threading.Thread(target=d.run, name=f"session-{d.spec.index}", daemon=True) for d in drivers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()) + 5)
    finally:
        close_all(clients)
    for driver, thread in zip(drivers, threads):
        if thread.is_alive():  # stuck in a call past the deadline: the daemon thread is abandoned
            driver.result.error = driver.result.error or "TimeoutError: the run's time limit passed"
    return [d.result for d in drivers]


def replay_alone(url: str, specs: list[SessionSpec], loaded: list[SessionResult], *, timeout_s: float,
                 log: Callable[[str], None] = print, connect_fn: Callable = connect) -> None:
    """Run each script again with no other session running (not waiting for explanations) and add a
    problem to `loaded` wherever a turn showed another list or panel under load."""
    deadline = time.monotonic() + timeout_s
    client = connect_fn(url)
    try:
        for spec, result in zip(specs, loaded):
            if not result.error:  # an unfinished script has nothing to compare turn by turn
                # A new session hash: a new tab with a fresh gr.State (safe between calls: the client
                # reopens its event stream, for the current hash, with the next call).
                client.reset_session()
                driver = SessionDriver(client, spec, [o for o in specs if o is not spec], deadline, poll_s=0,
                                       explain_timeout_s=0, wait=False, log=lambda line: None)
                _compare(spec, result, driver.run(), log)
    finally:
        close_all([client])


def _compare(spec: SessionSpec, result: SessionResult, alone: SessionResult, log: Callable[[str], None]) -> None:
    """Add a problem wherever the replay alone showed another list or panel than under load."""
    problems = [f"alone: {p}" for p in alone.problems] + ([f"alone: {alone.error}"] if alone.error else [])
    for under_load, solo in zip(result.turns, alone.turns):
        if under_load.titles != solo.titles:
            problems.append(f"{under_load.step}: under load the list was {under_load.titles!r}, "
                            f"alone {solo.titles!r}")
        if under_load.panel != solo.panel:
            problems.append(f"{under_load.step}: under load the panel was {under_load.panel!r}, "
                            f"alone {solo.panel!r}")
    result.problems += [f"session {spec.index} replay {p}" for p in problems]
    log(f"[s{spec.index}] replayed alone: {'same lists and panels' if not problems else problems[0]}")


def close_all(clients: list) -> None:
    """Close the clients side by side: each waits up to a second for its heartbeat thread."""
    threads = [threading.Thread(target=client.close, daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), interpolated between the closest ranks; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 4)


@dataclass
class Summary:
    sessions: int
    finished: int  # scripts that ran to the end
    turns: int
    list_median_s: float | None
    list_p95_s: float | None
    list_max_s: float | None
    by_step: dict  # step -> {"n", "median_s", "p95_s"}
    lists_waited: int
    lists_explained: int  # of those, explained within the bar
    explained_median_s: float | None
    explained_p95_s: float | None
    explained_max_s: float | None  # None when a waited list never got explained
    lists_reworded: int  # waited lists whose every card the LLM was done with within the bar
    reworded_median_s: float | None
    reworded_p95_s: float | None
    problems: list[str]  # cross-talk and state problems, all sessions
    errors: list[str]
    bars: dict  # name -> held
    passed: bool


def summarize(results: list[SessionResult], list_bar_s: float = 2.0, explain_bar_s: float = 60.0) -> Summary:
    turns = [t for r in results for t in r.turns]
    seconds = [t.seconds for t in turns]
    by_step = {}
    for step in dict.fromkeys(t.step for t in turns):
        values = [t.seconds for t in turns if t.step == step]
        by_step[step] = {"n": len(values), "median_s": percentile(values, 50), "p95_s": percentile(values, 95)}
    waited = [t for t in turns if t.waited]
    explained = [t.explained_s for t in waited if t.explained_s is not None]
    unexplained = len(waited) - len(explained)
    within = sum(1 for s in explained if s <= explain_bar_s)
    reworded = [t.reworded_s for t in waited if t.reworded_s is not None]
    reworded_within = sum(1 for s in reworded if s <= explain_bar_s)
    problems = [p for r in results for p in r.problems]
    errors = [f"session {r.index}: {r.error}" for r in results if r.error]
    p95 = percentile(seconds, 95)
    bars = {
        "every script finished": not errors,
        f"list p95 <= {list_bar_s:g} s": p95 is not None and p95 <= list_bar_s,
        f"every card explained within {explain_bar_s:g} s": bool(waited) and within == len(waited),
        f"the LLM done with every card within {explain_bar_s:g} s": bool(waited) and reworded_within == len(waited),
        "no cross-talk": not problems,
    }
    return Summary(len(results), len(results) - len(errors), len(turns), percentile(seconds, 50), p95,
                   max(seconds, default=None), by_step, len(waited), within, percentile(explained, 50),
                   percentile(explained, 95), None if unexplained else max(explained, default=None),
                   reworded_within, percentile(reworded, 50), percentile(reworded, 95), problems, errors, bars, all(bars.values()))
