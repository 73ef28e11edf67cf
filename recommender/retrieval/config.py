"""Retrieval settings. The defaults for ML-100k were chosen on the validation split (see eval/README.md)."""

from __future__ import annotations

from dataclasses import dataclass

from recommender.config import check, option

CHANNELS = ("transitions", "cooccurrence", "dense", "bm25", "popularity")
HISTORY_CHANNELS = ("transitions", "cooccurrence", "popularity")
TEXT_CHANNELS = ("dense", "bm25")


@dataclass
class RetrievalConfig:
    shortlist_size: int = option(20, "Candidates handed to the ranker.")
    weights: dict = option(
        {"transitions": 1.0, "cooccurrence": 0.5, "dense": 0.3, "bm25": 0.1, "popularity": 0.05},
        "Fusion weight per channel (score fusion of per-user z-scored channel scores). "
        "`recommender eval` re-tunes them on the validation split.",
    )
    query_text_weight: float = option(
        1.5,
        "When the user typed a request, the text channels score the request and together get this multiple "
        "of the history channels' total weight, so the request counts.",
    )
    transition_window: int = option(3, "Count j after i when j follows within this many steps (weight 1/distance).")
    neighbours: int = option(
        2000, "Co-occurrence and transitions keep each item's this many strongest neighbours (sparse matrices: "
        "memory grows with items x neighbours, not items squared). 2000 keeps all of ML-100k's 1,682 items, "
        "so its results are those of the full matrices; fewer cost ML-100k accuracy (eval/results/neighbours.md).",
    )
    transition_decay: float = option(0.6, "Recency weight of the k-th most recent history item: decay**k (transitions).")
    cooccurrence_decay: float = option(0.85, "Recency decay for the co-occurrence channel.")
    profile_decay: float = option(0.8, "Recency decay of the history profile for the dense channel.")
    bm25_history_items: int = option(5, "Without a request, BM25 queries with the text of this many recent items.")
    reference_weight: float = option(
        2.0,
        "'Like X' references: the collaborative and dense channels scored from the references alone are "
        "added with this multiple of the history channels' total weight.",
    )
    genre_focus: float = option(
        2.0, "With wished genres, an item's score gains this times the share of its genres that were wished, times "
             "its lead over the median score: a Romance request lists romances, not Star Wars (also tagged Romance).")
    mainstream_share: float = option(
        0.1, "A request for lesser-known films ('hidden gems', 'less mainstream') leaves out this share of the "
             "catalogue, the most-watched films (0.1: the 168 most-watched of ML-100k's 1,682).")
    acclaimed_share: float = option(
        0.15, "A request for the best-rated films ('best rated', 'critically acclaimed') keeps only this share of "
              "what else it allows (at least ten films), the highest by mean rating shrunk towards the overall mean "
              "(0.15 of ML-100k's 1,682: 252).")
    rating_prior: float = option(
        25.0, "The shrunk mean rating counts the overall mean as this many extra ratings, so that three 5/5 ratings "
              "do not make a film one of the best rated.")
    liked_weight: float = option(1.0, "Items liked in the dialogue count like the most recent history item times this.")
    low_rating_weight: float = option(
        0.8, "History items rated at most low_rating_threshold count this many times their recency weight in the "
        "history channels (1 = like any other item, 0 = not at all, < 0 = what goes with them is pushed down; "
        "the BM25 history query leaves them out at <= 0). They are never named as evidence. 0.8 was best on "
        "validation; much lower costs accuracy, since on ML-100k what people watch next follows what they "
        "watched, liked or not (eval/results/rating_history.md).",
    )
    low_rating_threshold: float = option(2.0, "A rating at most this is low (2 = 2/5 or lower); unknown ratings are not.")
    dense_exact_max_items: int = option(
        50_000, "Up to this many items the dense channel scores every item exactly; past it an HNSW index "
        "(voyager) finds the dense_candidates nearest items and the others get the lowest of their scores.",
    )
    dense_candidates: int = option(200, "Items the approximate dense index returns per query (see above).")
    embedder: str = option("all-MiniLM-L6-v2", "Sentence embedder: 'all-MiniLM-L6-v2' (bundled) or a local path.")
    cache_dir: str = option("", "Where indexes are persisted ('' = $RECOMMENDER_CACHE_DIR or ~/.cache/recommender).")

    def __post_init__(self):
        check(1 <= self.shortlist_size <= 1000, "shortlist_size must be between 1 and 1000")
        unknown = set(self.weights) - set(CHANNELS)
        check(not unknown, f"unknown channel(s) in weights: {sorted(unknown)}; known: {list(CHANNELS)}")
        self.weights = {c: float(self.weights.get(c, 0.0)) for c in CHANNELS}
        check(all(w >= 0 for w in self.weights.values()), "channel weights must be >= 0")
        check(any(self.weights[c] > 0 for c in CHANNELS), "at least one channel weight must be > 0")
        check(self.query_text_weight >= 0, "query_text_weight must be >= 0")
        check(self.reference_weight >= 0, "reference_weight must be >= 0")
        check(self.genre_focus >= 0, "genre_focus must be >= 0")
        check(0 < self.mainstream_share < 1, "mainstream_share must be between 0 and 1")
        check(0 < self.acclaimed_share < 1, "acclaimed_share must be between 0 and 1")
        check(self.rating_prior >= 0, "rating_prior must be >= 0")
        check(self.transition_window >= 1, "transition_window must be >= 1")
        check(self.neighbours >= 1, "neighbours must be >= 1")
        check(-10 <= self.low_rating_weight <= 1, "low_rating_weight must be between -10 and 1 (a low rating "
                                                  "cannot count more than any other)")
        check(self.dense_exact_max_items >= 0, "dense_exact_max_items must be >= 0")
        check(self.dense_candidates >= 1, "dense_candidates must be >= 1")
        for name in ("transition_decay", "cooccurrence_decay", "profile_decay"):
            check(0 < getattr(self, name) <= 1, f"{name} must be in (0, 1]")
        check(self.bm25_history_items >= 1, "bm25_history_items must be >= 1")
