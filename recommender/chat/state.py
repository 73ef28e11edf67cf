"""What the chat remembers about one conversation, and how a parsed message changes it.

Pure Python (no gradio): the app keeps one DialogueState per browser session (gr.State), the
conversational evaluation drives the same class. Nothing here is shared between sessions.
Parsing a message into an Update lives in recommender/chat/parse.py (re-exported here).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass, field
from typing import Literal, Sequence

from recommender.types import Constraints, Recommendation, Request

log = logging.getLogger(__name__)


@dataclass
class PendingClarification:
    """A title the user mentioned that fits several items: we asked which one they meant."""

    action: Literal["liked", "disliked", "seen", "excluded", "references"]
    mention: str
    candidates: list[int]


@dataclass
class Question:
    """A question about a listed item: what it is, why it was picked, or whether it fits; or which listed
    items have the genres asked about ("which of these is the funniest?")."""

    ask: Literal["about", "why", "fit", "which", "list", "history", "series", "compare", "seen"]  # "list": "why did you pick these?";
    # "history": "what have I watched?" (item: the user's last film)
    item: int  # catalogue index
    position: int  # 1-based, on the list on screen
    genres: list[str] = field(default_factory=list)  # for "fit": the genres asked about
    min_year: int | None = None
    max_year: int | None = None
    order: Literal["oldest", "newest", "best", "worst", "pick", "oldest_first", "newest_first", "best_first"] | None = None
    # "which one is the oldest?"; "sort them by year" ("oldest_first"); "history": "what have I rated highest?" ("best")
    degree: str = ""  # for "fit": a word the genre only approximates ("is #1 gory?": Horror, but how gory?)
    era: str = ""  # for "fit": an era the years only approximate ("is #5 black and white?": before 1960, roughly)
    unheld: str = ""  # data it asks about that the catalogue lacks ("who directed #1?": "people"; "how long is
    # #1?": "runtime")
    quality: bool = False  # it asks whether the item is any good: answered from its ratings
    unclear: bool = False  # "is it any good?" with nothing pointed at and several films listed: we ask which
    among: list[int] = field(default_factory=list)  # "which": the listed items it chooses among (empty: all)


def exclusion_note(genres) -> str:
    """What the chat says back when genres are excluded ("No Horror, War from now on.")."""
    return f"No {', '.join(genres)} from now on."


@dataclass
class Update:
    """Everything one message (or button click) asks to change. Empty lists mean "no change"."""

    kind: Literal["empty", "reset", "message"] = "message"
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    exclude_genres: list[str] = field(default_factory=list)
    include_genres: list[str] = field(default_factory=list)
    allow_genres: list[str] = field(default_factory=list)  # excluded before, asked for now: no longer excluded
    clear_genres: bool = False
    min_year: int | None = None
    max_year: int | None = None
    clear_years: bool = False
    query: str | None = None  # a new free-text request; None keeps the previous one
    query_hints: list[str] = field(default_factory=list)  # genre names the request implies ("funny" -> Comedy)
    more: bool = False  # "more please": pass over the list shown last
    pending: PendingClarification | None = None
    referenced: int | None = None  # the item the message pointed at, for a later "not that one"
    notes: list[str] = field(default_factory=list)  # what we understood, said back to the user
    problems: list[str] = field(default_factory=list)  # what we could not use, and why
    non_english: bool = False
    ignored_instruction: bool = False
    wished_genres: list[str] = field(default_factory=list)  # soft genre wishes of a new request
    first_genre: str = ""  # the wish that matters most ("a heist movie for my kids": Children's)
    references: list[int] = field(default_factory=list)  # "like X" items of a new request
    new_request: bool = False  # says what to watch now: replaces the wishes (query, genres, references)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) asked for but not in the data
    question: Question | None = None
    off_topic: bool = False
    parser: str = "rules"  # which parser understood the message: "rules" or "llm"
    reset_first: bool = False  # "start over: something scary": forget the conversation, then apply the rest
    adds: bool = False  # adds to the request on screen ("with some action", "more thriller-ish ones"): keeps its years
    count: int | None = None  # how many picks the message asks for ("give me 5 good thrillers")
    less_known: bool | None = None  # "hidden gems": True; "something popular": False; None: no change
    acclaimed: bool | None = None  # "the best rated films": True for this request; None: no change

    def set_exclusions(self, genres) -> None:
        """Exclude `genres` instead of what the update excluded so far, and say so in the notes once (no
        note when none is left)."""
        old = exclusion_note(self.exclude_genres)
        self.notes = [n for n in self.notes if n != old]
        self.exclude_genres = list(genres)
        if self.exclude_genres:
            self.notes.append(exclusion_note(self.exclude_genres))

    def named_items(self) -> list[int]:
        """Every film the update names, once: liked, disliked, seen, excluded, then references."""
        return list(dict.fromkeys(self.liked + self.disliked + self.seen + self.excluded + self.references))

    @property
    def understood(self) -> bool:
        """Whether the message asked for anything at all (else the chat asks the user to rephrase)."""
        return bool(
            self.kind != "message" or self.liked or self.disliked or self.seen or self.excluded
            or self.exclude_genres or self.include_genres or self.allow_genres or self.clear_genres or self.clear_years
            or self.min_year is not None or self.max_year is not None or self.query or self.more
            or self.pending or self.ignored_instruction or self.wished_genres or self.references
            or self.new_request or self.missing or self.question is not None or self.reset_first
            or self.count is not None or self.less_known is not None or self.acclaimed is not None
        )


LIKED_AS_REFERENCES = 3  # the most recent titles liked in the chat that steer a list without a request


@dataclass
class DialogueState:
    """One conversation: who is asking, what they said about items, and the active filters."""

    user_id: str | None = None  # a known user of the data set, or None for a new user (cold start)
    liked: list[int] = field(default_factory=list)  # in the order they were mentioned
    disliked: set[int] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)
    excluded: set[int] = field(default_factory=set)  # "not that one"
    passed: set[int] = field(default_factory=set)  # shown, then passed over with "more please"
    constraints: Constraints = field(default_factory=Constraints)
    query: str | None = None  # the request in the user's words
    query_hints: list[str] = field(default_factory=list)  # added to the query retrieval sees
    wished_genres: list[str] = field(default_factory=list)  # of the current request (soft)
    first_genre: str = ""  # of `wished_genres`, the one that matters most
    references: list[int] = field(default_factory=list)  # "like X" items of the current request
    last_shown: list[int] = field(default_factory=list)  # resolves "#2"
    shown: list[int] = field(default_factory=list)  # every item shown in this conversation, in order
    referenced: int | None = None
    referenced_turn: int = -1  # the turn whose message pointed at `referenced`
    turn: int = 0
    pending: PendingClarification | None = None
    count: int | None = None  # picks per list the current request asked for (None: the chat's default)
    last_watched: int | None = None  # the known user's most recent film not rated low ("like the last movie I watched")
    last_watched_low: int | None = None  # their most recent film when they rated it low (said, not used)
    usual_genres: tuple[str, ...] = ()  # the genres the known user's history holds most
    unusual_genres: tuple[str, ...] = ()  # common genres it holds least ("something different from usual")
    favourites: tuple[int, ...] = ()  # the known user's best-rated films, newest first ("like my favourites")
    last_named: list[int] = field(default_factory=list)  # films the last message liked or asked to be like by
    # title, not from the list ("I loved Toy Story and Babe", then "anything like those")

    @property
    def has_request(self) -> bool:
        """Whether a request is on screen (words, wished genres or "like X"), which a follow-up may refine."""
        return bool(self.query or self.wished_genres or self.references)

    def blocked(self) -> set[int]:
        """Items this conversation must never show: acted on, or passed over."""
        return set(self.liked) | set(self.references) | self.disliked | self.seen | self.excluded | self.passed

    def apply(self, update: Update) -> None:
        """Change the state as `update` says. Later statements win over earlier ones."""
        if update.kind == "empty":
            return
        if update.kind == "reset":
            self.reset()
            return
        if update.reset_first:
            self.reset()
        self.turn += 1
        before = self._request_key()
        if update.more:
            self.passed.update(self.last_shown)
        self.last_named = [i for i in dict.fromkeys(update.liked + update.references) if i not in self.last_shown]
        self._apply_items(update)
        self._apply_constraints(update)
        self._apply_request(update)
        self._drop_ruled_out_wishes()
        if update.new_request and self._request_key() == before and self.last_shown:
            self.passed.update(self.last_shown)  # "scarier ones please" after horror: not the same list again
        if update.referenced is not None:
            self.referenced, self.referenced_turn = update.referenced, self.turn
        self.pending = update.pending

    def _drop_ruled_out_wishes(self) -> None:
        """"funny movies for a date night", then "no romance though": the list header said "Comedy & Romance ·
        no Romance". A wish the constraints now rule out (excluded, or not among "only ...") is dropped."""
        c = self.constraints

        def allowed(genre: str) -> bool:
            return genre not in c.exclude_genres and (not c.include_genres or genre in c.include_genres)

        self.wished_genres = [g for g in self.wished_genres if allowed(g)]
        self.first_genre = self.first_genre if self.first_genre in self.wished_genres else ""
        self.query_hints = [g for g in self.query_hints if allowed(g)]

    def _request_key(self) -> tuple:
        return (self.query, tuple(self.wished_genres), self.first_genre, tuple(self.references), self.constraints)

    def _apply_request(self, update: Update) -> None:
        if update.count is not None or update.new_request:  # a new request without a number: the default again
            self.count = update.count
        if update.new_request:
            self.query = update.query or None
            self.query_hints, self.wished_genres = list(update.query_hints), list(update.wished_genres)
            self.first_genre = update.first_genre
            self.references = [i for i in update.references if i not in self.disliked]
        else:
            if update.query is not None:
                self.query = update.query or None
                self.query_hints = list(update.query_hints)
            if update.references:  # the answer to "which X did you mean?" for a "like X"
                self.references = list(update.references)

    def _apply_items(self, update: Update) -> None:
        for item in update.liked:
            if item not in self.liked:
                self.liked.append(item)
            self.disliked.discard(item)
        self.disliked.update(update.disliked)
        self.seen.update(update.seen)
        self.excluded.update(update.excluded)
        if update.disliked or update.excluded:
            dropped = set(update.disliked) | set(update.excluded)
            self.liked = [i for i in self.liked if i not in dropped]

    def _apply_constraints(self, update: Update) -> None:
        c = self.constraints
        exclude = set() if update.clear_genres else set(c.exclude_genres)
        include = set() if update.clear_genres else set(c.include_genres)
        allowed = set(update.allow_genres)  # asked for now: no exclusion, and no "only" that leaves them out
        exclude = (exclude - set(update.include_genres) - allowed) | set(update.exclude_genres)
        include = set() if allowed - include else (include - set(update.exclude_genres)) | set(update.include_genres)
        fresh = update.clear_years or self._new_subject(update)
        min_year, max_year = (None, None) if fresh else (c.min_year, c.max_year)
        if update.min_year is not None or update.max_year is not None:
            min_year, max_year = update.min_year, update.max_year
        less_known = c.less_known if update.less_known is None else update.less_known
        acclaimed = (c.acclaimed and not self._new_subject(update)) if update.acclaimed is None else update.acclaimed
        self.constraints = Constraints(frozenset(exclude), frozenset(include), min_year, max_year, less_known,
                                       acclaimed)

    @staticmethod
    def _new_subject(update: Update) -> bool:
        """A new request that names what to watch: the years of the last request were part of that
        request ("funny movies from the 90s", then "a scary movie"); exclusions stay ("no horror")."""
        return update.new_request and not update.adds and bool(update.wished_genres or update.references or update.query)

    def reset(self) -> None:
        """Forget the conversation; keep who is asking (and their history's last film)."""
        fresh = DialogueState(user_id=self.user_id, last_watched=self.last_watched, usual_genres=self.usual_genres,
                              unusual_genres=self.unusual_genres, favourites=self.favourites,
                              last_watched_low=self.last_watched_low)
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(fresh, f.name))

    def to_request(self, recommender) -> Request:
        """The Request for the next list: the user's data-set history plus what they said they liked."""
        history: list[int] = []
        ratings: list[float] = []
        if self.user_id is not None:
            past = recommender.user_history(self.user_id)
            history, ratings = [int(i) for i in past.items], [float(r) for r in past.ratings]
        known = set(history)
        for item in self.liked:
            if item not in known:
                history.append(item)
                ratings.append(math.nan)
        query = " ".join([self.query] + self.query_hints) if self.query else None
        extra = tuple(i for i in self.references if i not in known and i not in self.liked)
        return Request(
            history=history, ratings=ratings, query=query, exclude=frozenset(self.blocked()),
            constraints=dataclasses.replace(self.constraints), liked=tuple(self.liked) + extra,
            wished_genres=tuple(self.wished_genres), references=self.steering(), first_genre=self.first_genre or None,
        )

    def steering(self) -> tuple[int, ...]:
        """The request's "like X" items; without a request of its own, the titles the person said they
        liked here ("I loved The Godfather and Goodfellas" listed Return of the Jedi first: two liked
        titles were two history items among the popular ones)."""
        if self.references or self.query or self.wished_genres:
            return tuple(self.references)
        return tuple(self.liked[-LIKED_AS_REFERENCES:])

    def visible(self, recs: Sequence[Recommendation], request: Request) -> list[Recommendation]:
        """Drop anything this conversation must not show. Retrieval already guarantees it, so a drop
        here is a bug upstream: it is logged, and the user still never sees the item."""
        forbidden = self.blocked() | set(request.history) | set(request.exclude)
        out, kept = [], set()
        for rec in recs:
            if rec.index in forbidden or rec.index in kept:
                log.error("ranker returned a blocked or repeated item %s (%s); dropped", rec.index, rec.title)
                continue
            kept.add(rec.index)
            out.append(rec)
        return out

    def record_shown(self, items: Sequence[int]) -> None:
        shown = [int(i) for i in items]
        assert not set(shown) & self.blocked(), "a blocked item reached the list"
        self.last_shown = shown
        self.shown.extend(shown)

    def item_at(self, position: int) -> int | None:
        """The item at 1-based `position` of the last list (-1 = last), or None. Before any list, the films a
        reply named ("what did i watch recently?", then "more like the first one")."""
        items = self.last_shown or self.last_named
        if position == -1 and items:
            return items[-1]
        return items[position - 1] if 1 <= position <= len(items) else None


def parse_message(text: str, state: DialogueState, titles, genres=None) -> Update:
    """Understand one chat message (see recommender/chat/parse.py)."""
    from recommender.chat.parse import parse_message as parse

    return parse(text, state, titles, genres)
