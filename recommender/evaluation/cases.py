"""What the retrieval evaluation hands to the LLM evaluation: one shortlist per evaluated user."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.data.split import UserHistory


@dataclass
class ShortlistCase:
    """A user's retrieval shortlist for one split, with the target's full-ranking retrieval rank.

    Re-ranking permutes `candidates` only. A target outside the shortlist keeps `retrieval_rank`
    (which is then > len(candidates)), so re-ranked results stay full-ranking numbers.
    """

    user: str
    history: UserHistory  # strictly before the target
    target: int
    candidates: np.ndarray  # catalogue indices, retrieval order (best first)
    retrieval_scores: np.ndarray  # fused retrieval score per candidate
    retrieval_rank: int | None  # 1-based full-ranking rank of the target (None = unreachable)

    def rank_after_rerank(self, order: np.ndarray) -> int | None:
        """Full-ranking rank of the target after the shortlist is re-ordered by `order` (positions)."""
        hits = np.flatnonzero(self.candidates[order] == self.target)
        return int(hits[0]) + 1 if len(hits) else self.retrieval_rank
