"""The LLM intent parser: one chat message (and how long the list on screen is) in, an `Intent` out.

The model writes compact JSON under the message's own schema (`recommender.chat.intent.intent_schema`),
so the output always parses and every title, person or theme in it is a span of the message. The
system prompt and the chat template's opening are the same for every message: their KV cache is
computed once (`HFBackend.generate_constrained`), so a message costs its own tokens plus one model
step per free choice; keys, quotes and brackets are forced and fed in with the next step. Messages
that arrive together (sessions typing at the same time) are decoded in one batch (`Batcher`).
"""

from __future__ import annotations

import atexit
import queue
import threading
import time
import weakref
from dataclasses import dataclass
from typing import NamedTuple, Sequence

from recommender.chat.intent import Intent, IntentError, intent_schema, parse_intent
from recommender.config import check, option
from recommender.llm.prompts import QUERY_CHARS, render

PROMPT_SPLIT = "\u0000"  # marks where the per-message part of the prompt starts


@dataclass
class IntentConfig:
    max_new_tokens: int = option(128, "generation budget of one intent, in tokens (keys included)")
    message_chars: int = option(QUERY_CHARS, "longer messages are cut to this many characters for the model")
    adapter: str = option("intent", "name of the intent LoRA adapter on the backend ('' = the base model)")

    def __post_init__(self):
        check(self.max_new_tokens >= 16, f"max_new_tokens must be >= 16, not {self.max_new_tokens}")
        check(self.message_chars >= 20, f"message_chars must be >= 20, not {self.message_chars}")


class ParsedIntent(NamedTuple):
    intent: Intent
    raw: str  # what the model wrote
    seconds: float


def intent_prompt_parts(backend_or_tokenizer, message: str, shown: int) -> tuple[str, str]:
    """(the fixed prompt start, the per-message rest): the chat-formatted intent prompt, split where
    the user turn's content begins, so the start can be cached."""
    from recommender.llm.prompts import chat_format

    user = PROMPT_SPLIT + render("intent", message=quote_message(message), shown=shown)
    full = chat_format(backend_or_tokenizer, user, system=render("intent_system"))
    start, _, rest = full.partition(PROMPT_SPLIT)
    return start, rest


def quote_message(message: str) -> str:
    """The message as one line between double quotes. Unlike `prompts.quote`, quotes inside are kept
    as typed (spans must be copied exactly); a quote cannot end the line, so it cannot end the data."""
    return '"' + " ".join(str(message).split()) + '"'


def prompt_message(message: str, max_chars: int) -> str:
    """What the model reads of a message: whitespace collapsed, cut at a word boundary."""
    text = " ".join(str(message).split())
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut


class _Job(NamedTuple):
    prefix: str
    rest: str
    constraint: object
    max_new_tokens: int
    adapter: object
    done: threading.Event
    result: list  # [token ids] or [exception], once done


_STOP = object()  # queued by Batcher.close: the worker ends after the jobs queued before it


def _close_batcher(ref) -> None:
    batcher = ref()
    if batcher is not None:
        batcher.close()


class Batcher:
    """Decodes the messages that arrive together (chat sessions typing at the same time) in one batch:
    the first waits `window_s` for company, then every queued message with the same prompt start goes
    into one batched decode (`decode_batch`), and each caller gets its result as soon as its row ends.
    A message that arrives while a batch runs joins it at its next step.

    The worker is stopped (`close`) when the interpreter exits: a daemon thread that has run the model
    and is still alive at exit made every script that read a message end with the C++ runtime's
    "terminate called without an active exception"."""

    def __init__(self, backend, window_s: float = 0.005, max_batch: int = 16):
        self.backend, self.window_s, self.max_batch = backend, window_s, max_batch
        self.jobs: queue.Queue = queue.Queue()
        self.worker: threading.Thread | None = None
        self.lock = threading.Lock()
        self.waiting: list[_Job] = []  # taken off the queue while a batch ran, but not fit to join it
        self.batch_sizes: list[int] = []  # rows a batch began with (for tests and logs)
        self.joined = 0  # rows that joined a batch already running
        self.stop_at_exit = False  # close() is registered to run when the interpreter exits

    def decode(self, prefix: str, rest: str, constraint, max_new_tokens: int, adapter) -> list[int]:
        job = _Job(prefix, rest, constraint, max_new_tokens, adapter, threading.Event(), [])
        # foreground from the moment it is queued, so background work waits for this batch and the next
        with self.backend.foreground():
            with self.lock:
                if self.worker is None or not self.worker.is_alive():
                    self.worker = threading.Thread(target=self._work, name="intent-batcher", daemon=True)
                    self.worker.start()
                    if not self.stop_at_exit:
                        atexit.register(_close_batcher, weakref.ref(self))
                        self.stop_at_exit = True
                self.jobs.put(job)
            job.done.wait()
        if isinstance(job.result[0], BaseException):
            raise job.result[0]
        return job.result[0]

    def close(self, timeout_s: float = 10.0) -> None:
        """Stops the worker once the messages queued before this call are decoded (a later `decode`
        starts a new one)."""
        with self.lock:
            worker = self.worker
            if worker is None or not worker.is_alive():
                return
            self.jobs.put(_STOP)
        worker.join(timeout_s)

    def _work(self) -> None:
        while True:
            first = self.waiting.pop(0) if self.waiting else self.jobs.get()
            if first is _STOP:  # nothing is waiting: jobs taken off the queue are served first
                with self.lock:
                    if self.jobs.empty():  # else a message came after close(): serve it
                        self.worker = None
                        return
                continue
            batch, deadline = [first], time.monotonic() + self.window_s
            while len(batch) < self.max_batch:
                try:
                    job = (self.waiting.pop(0) if self.waiting else
                           self.jobs.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
                if job is _STOP:
                    self.jobs.put(_STOP)  # after this batch
                    break
                batch.append(job)
            groups: dict[tuple, list[_Job]] = {}
            for job in batch:
                groups.setdefault((job.prefix, job.adapter), []).append(job)
            for jobs in groups.values():
                self._run(jobs)

    def _joining(self, jobs: list[_Job]) -> list[tuple]:
        """Messages queued since the batch began that can join it (same prompt start and adapter, room
        left); the others wait for the next batch. Joined jobs are appended to `jobs`, in row order."""
        from recommender.llm.decoding import GrammarPolicy

        joined = []
        while len(jobs) < self.max_batch:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is _STOP:
                self.jobs.put(_STOP)  # after this batch
                break
            first = jobs[0]
            if (job.prefix, job.adapter, job.max_new_tokens) != (first.prefix, first.adapter, first.max_new_tokens):
                self.waiting.append(job)
                continue
            jobs.append(job)
            joined.append((job.rest, GrammarPolicy(job.constraint)))
        if joined:
            self.joined += len(joined)
        return joined

    def _run(self, jobs: list[_Job]) -> None:
        from recommender.llm.decoding import GrammarPolicy

        self.batch_sizes.append(len(jobs))
        try:
            rows = self.backend.decode_batch(jobs[0].prefix, [j.rest for j in jobs],
                                             [GrammarPolicy(j.constraint) for j in jobs],
                                             max(j.max_new_tokens for j in jobs), jobs[0].adapter,
                                             joining=lambda: self._joining(jobs))
            for row, ids in rows:
                jobs[row].result.append(ids)
                jobs[row].done.set()
        except Exception as exc:  # every waiting caller gets the error, none waits forever
            for job in jobs:
                if not job.done.is_set():
                    job.result.append(exc)
                    job.done.set()


class IntentParser:
    """Parses messages with the backend's LLM under the intent schema."""

    def __init__(self, backend, genres: Sequence[str], config: IntentConfig | None = None):
        self.backend, self.config = backend, config or IntentConfig()
        self.genres = sorted(g for g in set(genres) if g and g.lower() != "unknown")
        self.batcher = Batcher(backend)

    def parse(self, message: str, shown: int = 0) -> ParsedIntent:
        """The intent of `message` with a list of `shown` items on screen (0: none)."""
        from recommender.llm.decoding import GrammarConstraint, ll_tokenizer_for

        started = time.perf_counter()
        text = prompt_message(message, self.config.message_chars)
        schema = intent_schema(text, self.genres, max_position=max(shown, 1))
        tokenizer = self.backend.tokenizer
        constraint = GrammarConstraint.json(ll_tokenizer_for(tokenizer), schema, self.backend.stop_ids)
        start, rest = intent_prompt_parts(self.backend, text, shown)
        ids = self.batcher.decode(start, rest, constraint, self.config.max_new_tokens, self.config.adapter or False)
        raw = tokenizer.decode(ids, skip_special_tokens=True)
        intent = parse_intent(raw, set(self.genres), max_position=max(shown, 1))
        return ParsedIntent(intent, raw, time.perf_counter() - started)


def safe_parse(parser: IntentParser, message: str, shown: int) -> ParsedIntent | None:
    """`parse`, or None when the output does not fit the schema (the budget ran out mid-JSON)."""
    try:
        return parser.parse(message, shown)
    except IntentError:
        return None
