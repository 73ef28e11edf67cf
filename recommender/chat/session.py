"""The chat's handlers without the UI: one message or button click in, a reply and a ranked list out.

The Gradio app, the benchmark and the conversational evaluation all go through ChatEngine, so what
is measured is what the page does. The list comes first (`message`, `feedback`); explanations
stream afterwards (`explain`, or `explain_in_background` for the page; see `cards.py`), and a newer list stops an
older stream.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Iterator, Literal

from recommender.chat.answers import (
    CATALOGUE,
    answer_question,
    catalogue_sentence,
    describe_request,
    few_of_the_wished_genres,
    missing_data_reply,
    small_talk_reply,
    understood_besides_missing,
    years_beyond_the_catalogue,
)
from recommender.chat.cards import explain_cards, explain_in_background, show_quick_cards
from recommender.chat.history_asks import favourites, genre_sizes, history_answer, history_genres, last_well_rated
from recommender.chat.holidays import few_with_holiday_words
from recommender.chat.list_answers import answer_which, better_rated, pointed_by_answer, seen_answer
from recommender.chat.markdown import escape
from recommender.chat.parse import lexicon_for
from recommender.chat.router import MessageRouter
from recommender.chat.series import series_answer
from recommender.chat.state import DialogueState, Update
from recommender.chat.turns import ChatTurn, ResultRow
from recommender.chat.undo import NOTHING, UNDO, take_back, undo_point
from recommender.errors import RecommenderError
from recommender.titles import TitleIndex
from recommender.types import Recommendation, Request

log = logging.getLogger(__name__)

Action = Literal["liked", "disliked", "seen"]
SPARE = 5  # extra items ranked per list, to fill the places of duplicate titles
HELP = ("Tell me what you're in the mood for, e.g. *something like Alien but funnier, from the 90s*. "
        "You can also say *I've seen #2*, *not that one*, *more like #3*, *no horror*, *only after 1990*, "
        "*more please* or *reset*.")


@dataclass
class ChatSession:
    """Everything one browser tab keeps: the dialogue state and the list on screen."""

    dialogue: DialogueState = field(default_factory=DialogueState)
    rows: list[ResultRow] = field(default_factory=list)
    recs: list[Recommendation] = field(default_factory=list)
    request: Request | None = None
    generation: int = 0  # bumped for every new list; an explanation stream for an older one stops
    explaining: int | None = None  # the generation a background explainer was started for
    transcript: list[dict] = field(default_factory=list)  # chat messages, {"role": ..., "content": ...}
    understood: object = None  # how the last message was read (recommender.chat.router.Understood)
    explanations: dict = field(default_factory=dict)  # fact-sheet key -> explanation, for this conversation
    shown: list = field(default_factory=list)  # the list's quick cards (recommender.llm.explainer.Card)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)  # names the session (its turn lock, logs)
    undo: ChatSession | None = None  # the session before the last turn that marked films, for "undo" (undo.py)


class ChatEngine:
    """Stateless over sessions: all per-conversation data lives in the ChatSession passed in."""

    def __init__(self, recommender, k: int = 10, max_message_chars: int = 500, intent_parser=None,
                 router_mode: str = "auto"):
        """intent_parser: the LLM intent model (recommender.llm.intent_model.IntentParser); None reads every
        message with the rule parser. router_mode: see recommender.chat.router.MessageRouter."""
        self.recommender = recommender
        self.catalog = recommender.catalog
        self.titles = TitleIndex(self.catalog)
        self.genres = lexicon_for(self.catalog)
        self._genre_sizes = genre_sizes(self.catalog)  # for "something different from what I usually watch"
        self.k, self.max_message_chars = k, max_message_chars
        text_search = any(item.text for item in self.catalog)
        self.router = MessageRouter(self.titles, self.genres, intent_parser, text_search, router_mode)

    def warm_up(self) -> float:
        """One throw-away request, so that lazily loaded parts (the query embedder, the model's first
        forward pass) load at start rather than in the first user's turn. Returns its seconds."""
        started = time.perf_counter()
        self.recommender.rank(Request(query="a warm-up request"), k=self.k)
        if self.router.intent_parser is not None:
            self.router.understand("a warm-up request like Heat", DialogueState())
        return time.perf_counter() - started

    def new_session(self, user_id: str | None = None) -> ChatSession:
        """A fresh conversation; RecommenderError if `user_id` is not a known user."""
        history = self.recommender.user_history(user_id) if user_id is not None else None
        items = [int(i) for i in history.items] if history is not None else []
        if not items:
            return ChatSession(DialogueState(user_id=user_id))
        usual, unusual = history_genres([self.catalog[i].genres for i in items], self._genre_sizes)
        last, low = last_well_rated(items, history.ratings)
        return ChatSession(DialogueState(user_id=user_id, last_watched=last, last_watched_low=low,
                                         usual_genres=usual, unusual_genres=unusual,
                                         favourites=favourites(items, history.ratings)))

    def open(self, session: ChatSession) -> ChatTurn:
        """The first list of a conversation: from the user's history, or popular picks for a new user."""
        user = session.dialogue.user_id
        intro = (f"Hi! Based on what user {user} watched before, here are some picks." if user
                 else "Hi! Here are some popular picks to start with.")
        return self._guarded(session, lambda: self._list_turn(session, [intro], Update()))

    def message(self, session: ChatSession, text: str | None) -> ChatTurn:
        """Handle one chat message. Never raises: problems become a friendly reply, state unharmed."""
        text = text or ""
        notices = []
        if len(text) > self.max_message_chars:
            notices.append(f"(Your message was {len(text):,} characters; I read the first {self.max_message_chars}.)")
            text = text[: self.max_message_chars]
        return self._guarded(session, lambda: self._message(session, text, notices))

    def feedback(self, session: ChatSession, position: int, action: Action) -> ChatTurn:
        """A like / dislike / seen button on row `position` (1-based) of the list on screen."""
        def run() -> ChatTurn:
            if not 1 <= position <= len(session.rows):
                stale = "That list has changed; please use the buttons of the current list."
                return ChatTurn(stale, session.rows, False)
            item = session.rows[position - 1].index
            return self.mark(session, [item], action, rerank=True)

        return self._guarded(session, run)

    def mark(self, session: ChatSession, items: list[int], action: Action, rerank: bool = True) -> ChatTurn:
        update = Update(referenced=items[-1] if items else None)
        getattr(update, action).extend(items)
        words = {"liked": "you liked", "disliked": "you didn't like", "seen": "you've seen"}[action]
        update.notes.append(f"Noted, {words}: {', '.join(escape(self.titles.display(i)) for i in items)}.")
        if not rerank:
            session.dialogue.apply(update)
            return ChatTurn(" ".join(update.notes), session.rows, False)
        return self._list_turn(session, [], update)

    def reset(self, session: ChatSession) -> ChatTurn:
        return self.message(session, "reset")

    def _guarded(self, session: ChatSession, handler) -> ChatTurn:
        undo, session.undo = session.undo, None  # the copy leaves out the older undo point
        saved = copy.deepcopy(session)
        session.undo = undo
        try:
            turn = handler()
        except RecommenderError as exc:
            self._restore(session, saved, undo)
            return ChatTurn(f"Sorry, I can't do that: {exc}", session.rows, False)
        except Exception:  # a bug must not cost the user their conversation or show a traceback
            log.exception("chat handler failed")
            self._restore(session, saved, undo)
            return ChatTurn("Sorry, something went wrong on my side (it has been logged). "
                            "Your conversation is kept; please try again or rephrase.", session.rows, False)
        session.undo = undo_point(saved, session, turn.list_changed)
        return turn

    @staticmethod
    def _restore(session: ChatSession, saved: ChatSession, undo: ChatSession | None) -> None:
        generation = session.generation
        session.__dict__.update(saved.__dict__)
        session.generation, session.undo = generation + 1, undo  # stop any stream explaining the failed list

    def _message(self, session: ChatSession, text: str, notices: list[str]) -> ChatTurn:
        started = time.perf_counter()
        if UNDO.search(text):  # "oops, I didn't mean that" after a wrong click
            undone = take_back(session, self.titles)
            reply = [undone, self._list_text(session)] if undone else [NOTHING]
            return ChatTurn("\n\n".join(notices + reply), session.rows, bool(undone), parser="rules")
        dialogue = session.dialogue
        opening = small_talk_reply(text)
        if opening == CATALOGUE:
            opening = catalogue_sentence(len(self.catalog), self.titles.year_range)
        if opening is not None:  # "thanks!", "hello": no model, no change
            return ChatTurn(" ".join(notices + [opening, HELP]), session.rows, False, parser="rules")
        understood = session.understood = self.router.understand(text, dialogue)
        update = understood.update
        if update.kind == "empty":
            return ChatTurn(" ".join(notices + ["Your message was empty. " + HELP]), session.rows, False)
        if update.non_english:
            notices.append("I work best in English, but here is my best attempt.")
        if update.ignored_instruction:
            notices.append("I can only recommend movies, so I did not follow instructions in that message; "
                           "here are recommendations instead.")
        if update.kind == "reset":
            dialogue.apply(update)
            session.rows, session.recs, session.request, session.shown = [], [], None, []
            session.generation += 1
            return ChatTurn(" ".join(notices + update.notes + [HELP]), [], True)
        if update.off_topic:
            reply = notices + ["I can only help you choose movies, so I left that aside. " + HELP]
            return ChatTurn(" ".join(reply), session.rows, False, parser=understood.parser)
        if update.question is not None:  # "tell me about #3", then "is it good?": "it" is #3
            answer = self._answer(session, update)
            if not update.question.unclear:  # asked back: no film was pointed at
                dialogue.referenced = pointed_by_answer(update.question, answer, [r.index for r in session.rows])
                dialogue.referenced_turn = dialogue.turn
            return ChatTurn(" ".join(notices + [answer]), session.rows, False,
                            time.perf_counter() - started, understood.parser)
        if not update.understood:
            dialogue.apply(update)
            said = update.notes + ["The list stays as it is." if session.rows else HELP]  # "not too cheesy": why not
            heard = update.notes or update.problems  # "what about #11?": "There is no #11 …" says enough
            reply = notices + update.problems + (said if heard else ["I didn't find a request in that. " + HELP])
            return ChatTurn(" ".join(reply), session.rows, False, parser=understood.parser)
        if update.missing:
            kept = not update.new_request and dialogue.has_request
            notices.append(missing_data_reply(update.missing, understood_besides_missing(update), kept))
        turn = self._list_turn(session, notices, update)
        return dataclasses.replace(turn, seconds=time.perf_counter() - started, parser=understood.parser)

    def _answer(self, session: ChatSession, update: Update) -> str:
        """From the catalogue; "why" from the card's explanation, or its facts' plain rendering."""
        question = update.question
        facts = getattr(self.recommender, "facts", None)
        if question.ask == "which":
            listed = [r.index for r in session.rows]
            standings = ({i: facts.standing(i) for i in listed}
                         if question.order in ("best", "worst", "best_first") and facts is not None else None)
            explanations = {r.index: r.explanation for r in session.rows if r.explained}
            return answer_which(question, listed, self.catalog, standings, explanations)
        if question.ask == "series":
            return series_answer(question, self.titles)
        if question.ask == "compare":  # "what's better, Heat or Fargo?"
            return better_rated(question.among, self.catalog, facts.standing if facts is not None else lambda i: None)
        if question.ask == "seen":  # "which of these have I not seen?"
            user = session.dialogue.user_id
            return seen_answer(len(self.recommender.user_history(user).items) if user is not None else 0)
        if question.ask == "history":
            history = self.recommender.user_history(session.dialogue.user_id)
            return history_answer(history, session.dialogue, self.titles, best=question.order == "best")
        if question.ask == "list":
            asked = describe_request(session.dialogue)
            basis = f"what you asked for{asked}" if asked else "what you watched and liked, or what most people watch"
            return f"They follow {basis}, the best fit first; each card on the right says why it was picked."
        row = next((r for r in session.rows if r.index == question.item), None)
        explanation = row.explanation if row is not None and row.explained else ""
        rec = next((r for r in session.recs if r.index == question.item), None)
        if question.ask == "why" and not explanation and rec is not None and facts is not None:
            from recommender.explain.plain import render

            explanation = render(facts.build(session.request, rec))[1]
        asks_about = question.quality or (question.ask == "about" and not question.unheld)
        standing = facts.standing(question.item) if asks_about and facts is not None else None
        return answer_question(question, self.catalog, explanation, standing)

    def _list_turn(self, session: ChatSession, notices: list[str], update: Update) -> ChatTurn:
        started = time.perf_counter()
        dialogue = session.dialogue
        dialogue.apply(update)
        request = dialogue.to_request(self.recommender)
        ranked = dialogue.visible(self.recommender.rank(request, k=self.k + SPARE), request)
        recs = self._distinct(ranked, dialogue.blocked() | set(request.history) | set(request.exclude),
                              min(dialogue.count or self.k, self.k))
        dialogue.record_shown([r.index for r in recs])
        session.request, session.recs = request, recs
        show_quick_cards(self.recommender, session, [self._row(position, rec) for position, rec in enumerate(recs, 1)])
        session.generation += 1
        seconds = time.perf_counter() - started
        few = few_of_the_wished_genres(dialogue.wished_genres, session.rows)
        unfestive = few_with_holiday_words(dialogue.query, session.rows)
        most = f"I show {self.k} at a time: say *more please* for the next ones." if (update.count or 0) > self.k else ""
        parts = notices + update.notes + update.problems + [few, unfestive, most, self._list_text(session)]
        if update.pending is not None:
            options = "; ".join(f"{n}) {escape(self.titles.display(i))}" for n, i in enumerate(update.pending.candidates, 1))
            parts.append(f"Which “{update.pending.mention}” did you mean? {options}. "
                         "Answer with the number or the year.")
        return ChatTurn("\n\n".join(p for p in parts if p), session.rows, True, seconds)

    def _distinct(self, recs: list[Recommendation], blocked: set[int], k: int) -> list[Recommendation]:
        """The first k of `recs` with distinct titles, none titled like a blocked item: ML-100k lists some
        films twice under two ids ("Nightwatch (1997)"), and a person sees one film."""
        taken = {self.catalog[i].display for i in blocked}
        out = []
        for rec in recs:
            if rec.title not in taken and len(out) < k:
                taken.add(rec.title)
                out.append(rec)
        return out

    def _row(self, position: int, rec: Recommendation) -> ResultRow:
        item = self.catalog[rec.index]
        return ResultRow(position, rec.index, item.item_id, item.title, item.year, tuple(item.genres))

    def _list_text(self, session: ChatSession) -> str:
        what = describe_request(session.dialogue)
        if not session.rows:
            relax = "say *any year* or *any genre* to relax a filter, or *reset* to start over"
            beyond = years_beyond_the_catalogue(session.dialogue.constraints, self.catalog)
            if beyond:
                return f"{beyond} Say *any year* or other years to go on, or *reset* to start over."
            return f"Nothing in the catalogue fits all of that{what}. Try relaxing a constraint: {relax}."
        count = len(session.rows)
        head = "Here is 1 pick" if count == 1 else f"Here are {count} picks"  # "one more please": not "1 picks"
        lines = [f"{head}{what} (details and buttons on the right):"]
        for row in session.rows:
            year = f" ({row.year})" if row.year else ""
            lines.append(f"{row.position}. **{escape(row.title)}**{year}")
        return "\n".join(lines)

    def explain_in_background(self, session: ChatSession) -> threading.Thread | None:
        """See `cards.explain_in_background`."""
        return explain_in_background(self.recommender, session)

    def explain(self, session: ChatSession, generation: int | None = None) -> Iterator[list[ResultRow]]:
        """See `cards.explain_cards`."""
        return explain_cards(self.recommender, session, generation)
