"""The Gradio page: a chat column, the ranked list with like / dislike / seen buttons, and a panel
showing what the system remembers. All logic lives in ChatEngine; this module only wires widgets.

Each browser tab gets its own ChatSession through gr.State. A new list is shown first; a background
thread then writes its explanations into the session, and a timer redraws the cards from the session
every REFRESH_S. Redrawing only ever shows the session's current list, so no update meant for an older
list can land on a newer one, whatever order the browser receives them in.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict

from recommender.chat.config import MAX_ROWS
from recommender.chat.markdown import escape
from recommender.chat.session import ChatEngine, ChatSession, ChatTurn, ResultRow

log = logging.getLogger(__name__)

NEW_USER = "new user"
TURN_CONCURRENCY = 8  # sessions whose turns run side by side (one session's turns still run one at a time)
REFRESH_S = 0.4  # how often the page redraws the cards while explanations arrive
MAX_USER_CHOICES = 500  # more known users can still be typed into the picker
PLACEHOLDER = "e.g. something like Alien but funnier, from the 90s"
PENDING = "explanation coming…"  # a card's text until its explanation arrives (eval/load_chat.py looks for it)
REFINING = "✎"  # after a card's checked text while the LLM may still reword it (eval/load_chat.py looks for it)
CSS = """
.result-row { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 6px 10px;
              margin-bottom: 6px; align-items: center; background: var(--background-fill-primary); }
.result-text p { margin: 2px 0 !important; }
.result-text .genres { color: var(--body-text-color-subdued); font-size: 0.9em; }
.result-text em, .result-text .refining { color: var(--body-text-color-subdued); }
.feedback-buttons { gap: 4px !important; flex-wrap: nowrap !important; }
.feedback-buttons button { min-width: 0 !important; padding: 4px 8px !important; }
#status-line { font-size: 0.9em; color: var(--body-text-color-subdued); }
#state-panel p, #state-panel li { font-size: 0.92em; }
"""


def row_markdown(row: ResultRow) -> str:
    year = f" ({row.year})" if row.year else ""
    genres = " · ".join(row.genres)
    explanation = escape(row.explanation) if row.explanation else PENDING
    text = explanation if row.explained else f"*{explanation}*"
    if row.explained and not row.final:
        text += f" <span class='refining' title='the language model is rewording this card'>{REFINING}</span>"
    return (f"**{row.position}. {escape(row.title)}**{year} &nbsp;<span class='genres'>{genres}</span>\n\n{text}")


def state_markdown(engine: ChatEngine, session: ChatSession) -> str:
    """The side panel: who is asking and everything the conversation has established."""
    d = session.dialogue

    def names(items) -> str:
        return ", ".join(sorted(escape(engine.titles.display(i)) for i in items)) or "–"

    if d.user_id is None:
        user = "new user (no history)"
    else:
        user = f"user {d.user_id} ({len(engine.recommender.user_history(d.user_id)):,} ratings)"
    c = d.constraints
    years = ("–" if c.min_year is None and c.max_year is None
             else f"{c.min_year or '…'} – {c.max_year or '…'}")
    lines = [
        f"**User:** {user}",
        f"**Request:** {d.query or '–'}",
        f"**Genres wished:** {', '.join(d.wished_genres) or '–'}",
        f"**Like:** {', '.join(escape(engine.titles.display(i)) for i in d.references) or '–'}",
        f"**Liked:** {', '.join(escape(engine.titles.display(i)) for i in d.liked) or '–'}",
        f"**Disliked / not for me:** {names(d.disliked | d.excluded)}",
        f"**Seen:** {names(d.seen)}",
        f"**Years:** {years}",
        f"**No genres:** {', '.join(sorted(c.exclude_genres)) or '–'}",
        f"**Only genres:** {', '.join(sorted(c.include_genres)) or '–'}",
        f"**Fame:** {'lesser-known only (the most-watched left out)' if c.less_known else 'any'}",
        f"**Ratings:** {'the best rated only' if c.acclaimed else 'any'}",
        f"**Turns:** {d.turn} · **shown so far:** {len(d.shown)}",
    ]
    if d.pending:
        lines.append(f"**Waiting for:** which “{d.pending.mention}” you meant")
    return "\n\n".join(lines)


class ChatView:
    """Builds the Blocks and converts ChatTurns into widget updates."""

    def __init__(self, engine: ChatEngine, status: str, explain_in_background: bool = True):
        """explain_in_background: start a thread that writes each new list's explanations (the page);
        False leaves the writing to the caller (the chat benchmark times it)."""
        self.engine, self.status, self.background = engine, status, explain_in_background
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)  # session key -> its turn lock

    # --- handlers (plain functions of their inputs, so tests can call them without a browser) -----
    def start(self, user_choice: str | None = None):
        return self._safely(None, lambda: self._start(user_choice))

    def _start(self, user_choice: str | None):
        user = None if not user_choice or user_choice == NEW_USER else str(user_choice).strip()
        try:
            session = self.engine.new_session(user)
        except Exception as exc:  # unknown user id typed into the picker
            session = self.engine.new_session(None)
            session.transcript.append({"role": "assistant", "content": f"Sorry: {exc}. Starting as a new user."})
        return self._outputs(session, self.engine.open(session))

    def send(self, text: str, session: ChatSession | None):
        session = session or self.engine.new_session(None)
        return self._safely(session, lambda: self._outputs(session, self.engine.message(session, text), text or ""))

    def click(self, position: int, action: str, session: ChatSession | None):
        session = session or self.engine.new_session(None)
        return self._safely(session, lambda: self._outputs(session, self.engine.feedback(session, position, action)))

    def reset(self, session: ChatSession | None):
        session = session or self.engine.new_session(None)

        def run():
            self.engine.reset(session)
            return self._outputs(session, self.engine.open(session))

        return self._safely(session, run)

    def _safely(self, session: ChatSession | None, handler):
        """The engine already turns its own failures into replies; this catches the rest (rendering),
        so the page never shows a traceback. One session's turns run one at a time (its lock); different
        sessions' turns run side by side, so their messages can be read by the model in one batch."""
        try:
            if session is None:
                return handler()
            with self._locks[session.key]:
                return handler()
        except Exception:
            log.exception("chat view handler failed")
            session = session or ChatSession()
            apology = ChatTurn("Sorry, something went wrong on my side (it has been logged). Please try again.",
                               session.rows, False)
            return self._outputs(session, apology)

    def refresh(self, session: ChatSession | None):
        """The cards as the session has them now (explanations fill in over time); unchanged when there
        is no list."""
        import gradio as gr

        if session is None or not session.rows:
            return [gr.skip()] * MAX_ROWS
        return self._row_texts(session.rows)

    def _outputs(self, session: ChatSession, turn: ChatTurn, user_text: str | None = None):
        if user_text is not None:
            shown = user_text if len(user_text) <= 600 else user_text[:600] + f"… ({len(user_text):,} characters)"
            session.transcript.append({"role": "user", "content": shown})
        session.transcript.append({"role": "assistant", "content": turn.reply})
        if self.background:
            self.engine.explain_in_background(session)
        rows = session.rows
        visibility = [self._visible(i < len(rows)) for i in range(MAX_ROWS)]
        # only a sent message empties the box: a click or the page's first load (which can finish after a
        # person started typing) left it empty and lost what was being typed
        box = "" if user_text is not None else self._unchanged()
        return (list(session.transcript), box, *visibility, *self._row_texts(rows),
                state_markdown(self.engine, session), session)

    @staticmethod
    def _unchanged():
        import gradio as gr

        return gr.skip()

    @staticmethod
    def _visible(flag: bool):
        import gradio as gr

        return gr.update(visible=flag)

    @staticmethod
    def _row_texts(rows: list[ResultRow]) -> list[str]:
        return [row_markdown(rows[i]) if i < len(rows) else "" for i in range(MAX_ROWS)]

    # --- layout -------------------------------------------------------------------------------------
    def build(self):
        import gradio as gr

        with gr.Blocks(title="Movie recommender", analytics_enabled=False) as demo:
            session = gr.State(None)
            gr.Markdown("## Movie recommender · tell me what you'd like to watch")
            gr.Markdown(self.status, elem_id="status-line")
            with gr.Row(equal_height=False):
                with gr.Column(scale=5, min_width=360):
                    chatbot = gr.Chatbot(show_label=False, height=640, elem_id="chatbot", buttons=[])
                    with gr.Row():
                        box = gr.Textbox(placeholder=PLACEHOLDER, show_label=False, scale=5, lines=1,
                                         max_lines=4, elem_id="message-box", autofocus=True)
                        send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="send")
                with gr.Column(scale=7, min_width=440):
                    gr.Markdown("### Recommendations")
                    boxes, texts, buttons = [], [], []
                    for position in range(1, MAX_ROWS + 1):
                        with gr.Row(visible=False, equal_height=True, elem_classes="result-row") as box_row:
                            texts.append(gr.Markdown(elem_classes="result-text", elem_id=f"result-{position}"))
                            with gr.Column(scale=0, min_width=200), gr.Row(elem_classes="feedback-buttons"):
                                for action, label in (("liked", "Like"), ("disliked", "Dislike"), ("seen", "Seen")):
                                    buttons.append((position, action, gr.Button(
                                        label, size="sm", min_width=40, elem_id=f"{action}-{position}")))
                        boxes.append(box_row)
                with gr.Column(scale=3, min_width=200):
                    picker = gr.Dropdown([NEW_USER] + self.engine.recommender.known_users()[:MAX_USER_CHOICES],
                                         value=NEW_USER, label="Recommend for", allow_custom_value=True,
                                         elem_id="user-picker")
                    reset = gr.Button("Reset conversation", elem_id="reset")
                    gr.Markdown("### What I know")
                    panel = gr.Markdown(elem_id="state-panel")
            outputs = [chatbot, box, *boxes, *texts, panel, session]
            timer = gr.Timer(REFRESH_S)
            self._wire(demo, session, outputs, texts, box, send, buttons, picker, reset, timer)
        return demo

    def _wire(self, demo, session, outputs, texts, box, send, buttons, picker, reset, timer) -> None:
        import gradio as gr

        # Turns change a session's state: a session's turns run one at a time (a lock per session, in
        # `_safely`), different sessions' side by side (TURN_CONCURRENCY), so that messages typed at the
        # same time are read by the intent model in one batched decode. Explanations are written by a
        # background thread per list and drawn by the timer.
        # (An earlier design streamed them as `.then()` events and cancelled those on every click; the
        # cancel could land after a fast turn had started the new list's stream and kill that one,
        # leaving every card on "explanation coming…".)
        # api_name: stable endpoint names for HTTP clients (eval/load_chat.py drives sessions through
        # them, e.g. "/send", "/seen_2", "/refresh"); the page itself is unaffected.
        turn = {"show_progress": "hidden", "concurrency_id": "turn", "concurrency_limit": TURN_CONCURRENCY}
        gr.on([box.submit, send.click], self.send, [box, session], outputs, api_name="send", **turn)
        for position, action, button in buttons:
            button.click(self._click_handler(position, action), [session], outputs,
                         api_name=f"{action}_{position}", **turn)
        picker.input(self.start, [picker], outputs, api_name="start", **turn)
        reset.click(self.reset, [session], outputs, api_name="reset", **turn)
        demo.load(self.start, [picker], outputs, api_name="open", **turn)
        timer.tick(self.refresh, [session], texts, show_progress="hidden", queue=False, api_name="refresh")

    def _click_handler(self, position: int, action: str):
        def handler(session):
            return self.click(position, action, session)

        return handler


def launch(engine: ChatEngine, status: str, host: str, port: int, auth: tuple[str, str] | None = None) -> None:
    """Serve the page until interrupted. Analytics are off; nothing is shared publicly."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr

    demo = ChatView(engine, status).build()
    demo.queue(default_concurrency_limit=4)
    theme = gr.themes.Soft(primary_hue="indigo", secondary_hue="slate")
    demo.launch(server_name=host, server_port=port, auth=auth, share=False, show_error=False,
                inbrowser=False, theme=theme, css=CSS, footer_links=["settings"], quiet=False)
