"""Fusion of the retrieval channels into one shortlist, with per-channel evidence.

Score fusion: each channel's scores are z-scored over the items the user may still get, then summed
with the channel weights. Without a request the history channels dominate (weights tuned on the
validation split); with a typed request the text channels score the request and get
`query_text_weight` times the history channels' total weight, so the request counts.
Seen, excluded and constraint-violating items get -inf and are never returned.
"""

from __future__ import annotations

import re

from typing import Callable, Sequence

import numpy as np

from recommender.data.types import Catalog
from recommender.retrieval.ann import ApproximateIndex
from recommender.retrieval.collab import CollabStats, LowRatings, MatrixChannel, PopularityChannel
from recommender.retrieval.config import HISTORY_CHANNELS, TEXT_CHANNELS, RetrievalConfig
from recommender.retrieval.genres import ItemGenres
from recommender.retrieval.index import cache_root, load_or_build_text_index, load_or_fit_collab
from recommender.retrieval.ratings import ItemRatings
from recommender.retrieval.text import DenseChannel, MiniLMEmbedder
from recommender.types import Evidence, Request, Shortlist

EVIDENCE_MAX_RANK = 50  # a channel counts as evidence for an item it ranks this high or better
ACCLAIMED_AT_LEAST = 10  # "the best rated ...": at least a list's worth of the best-rated films that fit
ACCLAIMED_MIN_RATINGS = 10  # ... each rated by at least this many people, where enough are
REFERENCE_GENRES = 2  # "like X": sharing two of X's genres ranks as close as sharing more


def zscore(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    values = scores[allowed]
    if values.size == 0:
        return np.zeros_like(scores, dtype=np.float32)
    std = float(values.std())
    return ((scores - float(values.mean())) / (std if std > 1e-12 else 1.0)).astype(np.float32)


def best_first(fused: np.ndarray, tiers: np.ndarray, k: int) -> np.ndarray:
    """The k items with finite scores, higher tier first, then higher score, then lower index. Only the
    items that can make the top k are sorted (a full sort of 100k items cost milliseconds a request)."""
    finite = np.flatnonzero(np.isfinite(fused))
    candidates = finite
    if len(finite) > k:
        scores = fused[finite].astype(np.float64)
        key = tiers[finite] * (scores.max() - scores.min() + 1.0) + scores
        kth = np.partition(key, len(key) - k)[len(key) - k]
        candidates = finite[key >= kth]  # ties at the boundary included, so the order below decides them
    return candidates[np.lexsort((-fused[candidates], -tiers[candidates]))][:k]


class HybridRetriever:
    def __init__(self, catalog: Catalog, channels: dict, config: RetrievalConfig,
                 ratings: ItemRatings | None = None):
        self.catalog, self.channels, self.config = catalog, channels, config
        self.ratings = ratings  # the catalogue's ratings, for "the best rated" (none: that wish filters nothing)
        self._extremes_cache: dict[str, tuple] = {}  # see _allowed_extremes
        self._mainstream: np.ndarray | None = None  # see mainstream
        self.genres = ItemGenres(catalog)

    @classmethod
    def build(
        cls, catalog: Catalog, sequences: Sequence[np.ndarray], config: RetrievalConfig | None = None,
        embedder_factory: Callable | None = None, progress: bool = True, ratings: ItemRatings | None = None,
    ) -> "HybridRetriever":
        """Load (or build and persist) the indexes and fit the history channels on `sequences`; `ratings`
        (optional) serve requests for the best-rated films."""
        config = config or RetrievalConfig()
        root = cache_root(config.cache_dir)
        factory = embedder_factory or (lambda: MiniLMEmbedder(config.embedder))
        text = load_or_build_text_index(catalog, config.embedder, factory, root, config.bm25_history_items, progress)
        approximate = None
        if len(catalog) > config.dense_exact_max_items:
            approximate = ApproximateIndex.load_or_build(text.path, text.item_vectors, config.dense_candidates,
                                                         progress)
        stats = load_or_fit_collab(list(sequences), len(catalog), config.transition_window, root, config.neighbours)
        channels = cls.make_channels(text.bm25, text.item_vectors, stats, factory, config, approximate)
        return cls(catalog, channels, config, ratings)

    @staticmethod
    def make_channels(bm25, item_vectors, stats: CollabStats, embedder_factory, config: RetrievalConfig,
                      approximate: ApproximateIndex | None = None) -> dict:
        like = config.liked_weight
        low = LowRatings(config.low_rating_weight, config.low_rating_threshold)
        bm25.low = low
        return {
            "transitions": MatrixChannel("transitions", stats.transitions, config.transition_decay, like,
                                         'often watched right after "{title}"', low),
            "cooccurrence": MatrixChannel("cooccurrence", stats.cooccurrence, config.cooccurrence_decay, like,
                                          'co-watched with "{title}"', low),
            "dense": DenseChannel(item_vectors, embedder_factory, config.profile_decay, like, approximate, low),
            "bm25": bm25,
            "popularity": PopularityChannel(stats.popularity),
        }

    def allowed(self, request: Request) -> np.ndarray:
        """Boolean mask of items that may be returned for this request."""
        mask = np.ones(len(self.catalog), dtype=bool)
        blocked = list(request.history) + list(request.exclude) + list(request.liked)
        if blocked:
            mask[np.asarray(blocked, dtype=np.int64)] = False
        c = request.constraints
        years = self.catalog.years
        if c.min_year is not None:
            mask &= years >= c.min_year
        if c.max_year is not None:
            mask &= (years <= c.max_year) & (years > 0)
        if c.exclude_genres or c.include_genres:
            mask &= self._genre_filter(c)
        if c.less_known:
            mask &= ~self.mainstream()
        if c.acclaimed and self.ratings is not None:
            pool = mask
            named = request.wished_genres or self._genres_named(request.query)
            if named:  # among the wished (or, from the rule parser, named) genres' films, where there are any
                wished = mask & (self.genres.counts([g.lower() for g in named]) > 0)
                pool = wished if wished.any() else mask
            mask &= self.ratings.best_rated(pool, self.config.acclaimed_share, ACCLAIMED_AT_LEAST,
                                               ACCLAIMED_MIN_RATINGS)
        return mask

    def _genres_named(self, query: str | None) -> list[str]:
        """Catalogue genres named in the text query ("classic musicals from the golden age": Musical), for the
        rule parser's requests, which carry genre words in the query rather than as wished genres."""
        words = {w.rstrip("s") for w in re.findall(r"[a-z'-]+", (query or "").lower())}
        return [g for g in self.genres.column if g.rstrip("s") in words]

    def mainstream(self) -> np.ndarray:
        """The most-watched `mainstream_share` of the catalogue (ties at the cut: lower index first), which a
        request for lesser-known films leaves out; none without a popularity channel."""
        if self._mainstream is None:
            counts = getattr(self.channels.get("popularity"), "counts", None)
            self._mainstream = np.zeros(len(self.catalog), dtype=bool)
            if counts is not None:
                size = max(1, round(self.config.mainstream_share * len(counts)))
                self._mainstream[np.argsort(-np.asarray(counts), kind="stable")[:size]] = True
        return self._mainstream

    def _genre_filter(self, constraints) -> np.ndarray:
        """Items with none of the excluded genres and, when some are required, at least one of them; over
        the item x genre matrix (a loop over the items took tens of milliseconds at 100k items)."""
        keep = np.ones(len(self.catalog), dtype=bool)
        if constraints.exclude_genres:
            keep &= self.genres.counts({g.lower() for g in constraints.exclude_genres}) == 0
        if constraints.include_genres:
            keep &= self.genres.counts({g.lower() for g in constraints.include_genres}) > 0
        return keep

    def effective_weights(self, request: Request, weights: dict | None = None) -> dict[str, float]:
        weights = dict(weights or self.config.weights)
        if not request.query:
            return weights
        history_total = sum(weights[c] for c in HISTORY_CHANNELS) or 1.0
        text_total = sum(weights[c] for c in TEXT_CHANNELS)
        for c in TEXT_CHANNELS:
            share = weights[c] / text_total if text_total > 0 else 1.0 / len(TEXT_CHANNELS)
            weights[c] = self.config.query_text_weight * history_total * share
        return weights

    def channel_scores(self, request: Request, names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        raw = {name: self.channels[name].scores(request) for name in (names or self.channels)}
        if "popularity" in raw and request.constraints.acclaimed and self.ratings is not None and self.ratings.any:
            raw["popularity"] = self.ratings.shrunk  # "the best rated": where nothing else decides, the better rated first
        return raw

    def fuse(self, raw: dict[str, np.ndarray], allowed: np.ndarray, weights: dict[str, float]) -> np.ndarray:
        fused = np.zeros(len(self.catalog), dtype=np.float32)
        for name, w in weights.items():
            if w > 0 and name in raw:
                fused += w * zscore(raw[name], allowed)
        return np.where(allowed, fused, -np.inf).astype(np.float32)

    def scores(self, request: Request, weights: dict | None = None) -> np.ndarray:
        """Fused score per catalogue item; -inf for items that may not be returned."""
        weights = self.effective_weights(request, weights)
        raw = self.channel_scores(request, [n for n, w in weights.items() if w > 0])
        return self.fuse(raw, self.allowed(request), weights)

    def genre_tiers(self, request: Request) -> np.ndarray:
        """The order wished genres impose: items with more of the request's wished genres come first; among
        them, with two or more references, items with more of the genres all references share (The
        Godfather and GoodFellas: Crime and Drama, not Braveheart's Action and Drama; at most REFERENCE_GENRES
        of them count), then items sharing a
        genre with more of the references ("Die Hard meets Home Alone" listed only Die Hard sequels); then
        items sharing more genres (up to REFERENCE_GENRES) with the closest reference. Zeros when the
        request wishes no genre and names no reference. Within a tier, an item without a wished genre comes
        first when one of its genres goes with a wished one (a 1970s crime film before a comedy when the
        decade's few thrillers are listed)."""
        wished_genres = [g.lower() for g in request.wished_genres]
        wished = self.genres.counts(wished_genres)
        if request.first_genre:  # "a heist movie for my kids": Children's films before Pulp Fiction
            wished = wished * 2 + self.genres.counts([request.first_genre.lower()])
        closer = (self.genres.related(wished_genres) & (wished == 0)) if wished_genres else 0
        return self._tiers(request, wished) * 2 + closer

    def _tiers(self, request: Request, wished: np.ndarray) -> np.ndarray:
        if not len(request.references):
            return wished
        shared = np.array([self.genres.counts(self.genres.sets[int(i)]) for i in request.references])
        closest, top = np.minimum(shared.max(axis=0), REFERENCE_GENRES), REFERENCE_GENRES
        if len(shared) > 1:
            common = sorted(set.intersection(*(set(self.genres.sets[int(i)]) for i in request.references)))
            # at most REFERENCE_GENRES of the common genres count: both Godfathers are Action, Crime and
            # Drama, and requiring all three listed "Batman" and "Menace II Society" before Donnie Brasco
            covering = (np.minimum(self.genres.counts(common), REFERENCE_GENRES) * (len(shared) + 1)
                        + (shared > 0).sum(axis=0))
            closest = covering * (REFERENCE_GENRES + 1) + closest
            top = ((min(len(common), REFERENCE_GENRES) * (len(shared) + 1) + len(shared)) * (REFERENCE_GENRES + 1)
                   + REFERENCE_GENRES)
        return wished * (top + 1) + closest

    def genre_focus(self, request: Request, fused: np.ndarray) -> np.ndarray | float:
        """The share of each item's genres that the request wished for, times `genre_focus` times how far the
        item's score is above the median (so the bonus means the same for any history, and an obscure film
        gains nothing): among items with every wished genre, those that are mostly that genre move up. 0
        without wishes. (A bonus of the whole spread put "Kissed" and "Touch" first for a 1996+ romance.)"""
        if not request.wished_genres or not self.config.genre_focus:
            return 0.0
        finite = fused[np.isfinite(fused)]
        if not len(finite):
            return 0.0
        above = np.maximum(np.nan_to_num(fused, neginf=0.0) - float(np.median(finite)), 0.0)
        wished = self.genres.counts([g.lower() for g in request.wished_genres])
        return (self.config.genre_focus * above * wished / self.genres.sizes).astype(np.float32)

    def reference_scores(self, request: Request, allowed: np.ndarray, weights: dict[str, float]) -> np.ndarray:
        """'Like Alien': the collaborative and dense channels scored from the reference items alone and
        fused, times `reference_weight`, so that a long history cannot drown what this request names."""
        if not len(request.references):
            return np.zeros(len(self.catalog), dtype=np.float32)
        sub = Request(history=list(request.references))
        names = [n for n in ("transitions", "cooccurrence", "dense") if self.config.weights.get(n, 0) > 0]
        total = sum(self.config.weights[n] for n in names) or 1.0
        history_total = sum(weights[c] for c in HISTORY_CHANNELS) or 1.0
        fused = np.zeros(len(self.catalog), dtype=np.float32)
        for name in names:
            fused += self.config.weights[name] / total * zscore(self.channels[name].scores(sub), allowed)
        return (self.config.reference_weight * history_total * fused).astype(np.float32)

    def shortlist(self, request: Request, k: int | None = None) -> Shortlist:
        """The top k allowed items: those with the most wished genres first, then by fused score."""
        k = k or self.config.shortlist_size
        weights = self.effective_weights(request)
        raw = self.channel_scores(request, [n for n, w in weights.items() if w > 0])
        allowed = self.allowed(request)
        fused = self.fuse(raw, allowed, weights) + self.reference_scores(request, allowed, weights)
        fused = fused + self.genre_focus(request, fused)
        tiers = self.genre_tiers(request)
        top = best_first(fused, tiers, k)
        evidence = [self.reference_evidence(request, int(i)) + self.evidence(request, int(i), raw, allowed)
                    for i in top]
        return Shortlist(top, fused[top], evidence, tiers[top])

    def evidence_for(self, request: Request, items: Sequence[int]) -> list[list[Evidence]]:
        """The evidence a shortlist holding `items` would give for each (a list shown before, say)."""
        weights = self.effective_weights(request)
        raw = self.channel_scores(request, [n for n, w in weights.items() if w > 0])
        allowed = self.allowed(request)
        allowed[np.asarray(list(items), dtype=np.int64)] = True
        return [self.reference_evidence(request, int(i)) + self.evidence(request, int(i), raw, allowed) for i in items]

    def reference_evidence(self, request: Request, item: int) -> list[Evidence]:
        """'Like Alien': the reference closest to `item` (most shared genres) as evidence, when they share one."""
        best, shared = None, 0
        for ref in (int(r) for r in request.references):
            count = len(self.genres.sets[ref] & self.genres.sets[item])
            if count > shared:
                best, shared = ref, count
        if best is None:
            return []
        reason = f'like "{self.catalog[best].display}", which you asked for'
        return [Evidence("reference", 1, float(shared), reason, (best,))]

    def evidence(self, request: Request, item: int, raw: dict, allowed: np.ndarray) -> list[Evidence]:
        """The channels that rank `item` in their top EVIDENCE_MAX_RANK, best rank first. A channel
        that scores the item no higher than its lowest allowed item says nothing about it (an empty
        history scores every item 0, which would otherwise rank them all first)."""
        found = []
        for name, scores in raw.items():
            floor, best = self._allowed_extremes(name, scores, allowed)
            if floor is None or scores[item] <= floor:
                continue
            rank = 1 + int(np.count_nonzero(best > scores[item]))
            if rank <= EVIDENCE_MAX_RANK:  # exact up to there: `best` holds every allowed score above it
                explained = self._reason(name, request, item)
                if explained is not None:
                    found.append(Evidence(name, rank, float(scores[item]), *explained))
        return sorted(found, key=lambda e: e.rank)

    def _allowed_extremes(self, name: str, scores: np.ndarray, allowed: np.ndarray):
        """A channel's lowest allowed score and its EVIDENCE_MAX_RANK + 1 highest (None, None when nothing is
        allowed). Computed once per request and channel: a shortlist asks for the evidence of 20 items, and
        at 100k items scanning the catalogue for each of them cost more than the rest of the request. The
        cache holds the arrays themselves, so an identity match cannot be a recycled id."""
        cached = self._extremes_cache.get(name)
        if cached is not None and cached[0] is scores and cached[1] is allowed:
            return cached[2], cached[3]
        candidates = scores[allowed]
        if candidates.size == 0:
            floor, best = None, None
        else:
            keep = min(EVIDENCE_MAX_RANK + 1, candidates.size)
            floor = candidates.min()
            best = np.partition(candidates, candidates.size - keep)[candidates.size - keep:]
        self._extremes_cache[name] = (scores, allowed, floor, best)
        return floor, best

    def _reason(self, name: str, request: Request, item: int) -> tuple[str, tuple[int, ...]] | None:
        """Why `name` ranks `item` high, and the history items behind it; None when the only reason would be
        an item the user rated low (a history channel's score can come from one, never its evidence)."""
        channel = self.channels[name]
        if isinstance(channel, MatrixChannel):
            source = channel.strongest_source(request, item)
            if source is not None:
                return channel.reason.format(title=self.catalog[source].display), (source,)
            return None
        if name == "dense":
            if request.query:
                return "close in meaning to your request", ()
            source = channel.closest_history_item(request, item)
            return (f'similar in content to "{self.catalog[source].display}"', (source,)) if source is not None else ("similar content", ())
        if name == "bm25":
            terms = channel.matched_terms(request, item)
            what = "your request" if request.query else "your recent titles"
            return (f"matches {what}: {', '.join(terms)}" if terms else f"matches {what}"), ()
        return f"popular: watched by {int(channel.counts[item]):,} people", ()
