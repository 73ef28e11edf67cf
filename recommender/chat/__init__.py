"""The conversational part: dialogue state and message parsing (pure Python), the handlers shared by
the app, the benchmark and the conversational evaluation, and the Gradio page (imported lazily)."""

from recommender.chat.parse import parse_message
from recommender.chat.session import ChatEngine, ChatSession, ChatTurn, ResultRow
from recommender.chat.state import DialogueState, PendingClarification, Update

__all__ = ["ChatEngine", "ChatSession", "ChatTurn", "DialogueState", "PendingClarification", "ResultRow", "Update",
           "parse_message"]
