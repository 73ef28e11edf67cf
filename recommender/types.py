"""Typed requests, results and the small interfaces that keep heavy dependencies swappable.

Tests swap deterministic fakes in behind these protocols: an Embedder without sentence-transformers,
an LLMBackend without torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol, Sequence

import numpy as np


@dataclass
class Constraints:
    """Hard filters from the dialogue ("no horror", "only after 1990")."""

    exclude_genres: frozenset[str] = frozenset()
    include_genres: frozenset[str] = frozenset()  # item must have at least one, when non-empty
    min_year: int | None = None
    max_year: int | None = None
    less_known: bool = False  # "hidden gems": the most-watched films are left out (RetrievalConfig.mainstream_share)
    acclaimed: bool = False  # "the best rated": only the best-rated films (RetrievalConfig.acclaimed_share)


@dataclass
class Request:
    """What retrieval and ranking see: the history (chronological catalogue indices) and a request."""

    history: Sequence[int] = ()
    ratings: Sequence[float] = ()  # parallel to history; NaN where unknown (may be empty)
    query: str | None = None
    exclude: frozenset[int] = frozenset()  # never returned, in addition to the history
    constraints: Constraints = field(default_factory=Constraints)
    liked: Sequence[int] = ()  # extra positive signal from the dialogue, weighted like recent history
    wished_genres: tuple[str, ...] = ()  # soft: items with all of them rank first, then with fewer
    references: Sequence[int] = ()  # "like X": items this request should resemble (also in `liked`)
    first_genre: str | None = None  # among items with as many wished genres, those with this one come first


@dataclass(frozen=True)
class Evidence:
    """Why a channel put an item on the shortlist."""

    channel: str  # "bm25" | "dense" | "collab" | "popularity" | "llm"
    rank: int  # 1-based rank of the item in that channel
    score: float
    reason: str  # human-readable, e.g. 'co-watched with "Star Wars (1977)"'
    related: tuple[int, ...] = ()  # history item indices that pulled it in


@dataclass
class Recommendation:
    """One recommended item as returned by `Recommender.recommend`."""

    item_id: str
    title: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    explanation: str | None = None
    index: int = -1  # catalogue index
    retrieval_score: float = 0.0
    llm_score: float | None = None

    def to_json(self) -> dict:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "score": round(float(self.score), 6),
            "explanation": self.explanation,
            "evidence": [
                {"channel": e.channel, "rank": e.rank, "score": round(float(e.score), 6), "reason": e.reason}
                for e in self.evidence
            ],
        }


@dataclass
class Shortlist:
    """The retrieval stage's output: candidates best first, with fused scores and per-channel evidence."""

    indices: np.ndarray  # int catalogue indices, best first
    scores: np.ndarray  # fused retrieval score per candidate
    evidence: list[list[Evidence]]  # parallel to indices
    tiers: np.ndarray | None = None  # wished genres each candidate has; a re-ranker keeps higher tiers first


class Embedder(Protocol):
    """Text -> L2-normalised vectors (rows)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class LLMBackend(Protocol):
    """The one loaded language model, shared by ranker, explainer, CLI and chat."""

    model_id: str

    def chat_prompt(self, user_message: str, system: str | None = None) -> str:
        """Apply the model's chat template and open the assistant turn."""

    def next_token_logits(self, prompts: Sequence[str], token_ids: Sequence[int], batch_size: int = 8) -> np.ndarray:
        """Logits of `token_ids` at the position after each prompt: shape (len(prompts), len(token_ids))."""

    def stream(self, prompt: str, max_new_tokens: int = 60) -> Iterator[str]:
        """Greedy generation, yielding text pieces as they are produced."""


@dataclass
class ExplanationUpdate:
    """One step of a streamed explanation: the text so far. The last update has done=True; if the
    post-check rejected the generated text, that last update carries the evidence-based fallback."""

    text: str
    done: bool = False
    fallback: bool = False
