"""The fact sheet of one recommended item: everything an explanation may say, checked against the
catalogue and the retrieval evidence before any text is written.

A fact is particular to this user and this item (a history item that pulled it in, with the user's
rating and how many people watched both; a genre the request asked for; a reference the request
named) or about the item alone (year, genres, tags, how many people watched it). The plain
explanation renders these facts (`recommender.explain.plain`); the LLM writes from them and may name
no title, number, genre or person that the sheet does not hold (`recommender.llm.gate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from recommender.types import Recommendation, Request

MAX_SOURCES = 2
MAX_TAGS = 5
LOW_RATING = 2.0  # a history item rated this or lower is never a reason ("you rated it 1/5")
RELATIONS = {"transitions": "watched right after", "cooccurrence": "watched together with",
             "dense": "similar in content to"}


@dataclass(frozen=True)
class Source:
    """A history (or "like X") item that pulled the recommended item in."""

    item: int
    title: str  # bare catalogue title, e.g. "Heat"
    year: int | None
    rating: float | None  # the user's rating, None when unknown (e.g. liked in the chat)
    relation: str  # "watched together with", "watched right after", "similar in content to"
    together: int | None  # people who watched both (None when not counted)
    viewers: int | None  # people who watched the source
    shared_genres: tuple[str, ...] = ()
    reference: bool = False  # named by the request ("like Heat"), not from the history


@dataclass(frozen=True)
class FactSheet:
    item: int
    title: str
    year: int | None
    genres: tuple[str, ...]
    sources: tuple[Source, ...] = ()
    asked_genres: tuple[str, ...] = ()  # the item's genres the request wished for
    asked_years: tuple[int | None, int | None] | None = None  # the request's year range (the item fits it)
    matched_words: tuple[str, ...] = ()  # words of the request found in the item's text
    asked_less_known: bool = False  # the request asked for lesser-known films (the item is not among the most watched)
    asked_acclaimed: bool = False  # the request asked for the best-rated films (the item is among them)
    mean_rating: float | None = None  # the item's mean rating here, None when nobody rated it
    raters: int = 0  # people who rated the item
    tags: tuple[str, ...] = ()
    viewers: int = 0  # people who watched the item
    popularity_rank: int = 0  # 1 = the most watched item of the catalogue
    catalogue_size: int = 0
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def particular(self) -> bool:
        """Whether the sheet holds a fact particular to this user and request (not only about the item)."""
        return bool(self.sources or self.asked_genres or self.asked_years or self.matched_words or self.asked_less_known
                    or self.rated_as_asked)

    @property
    def rated_as_asked(self) -> bool:
        """The request asked for the best-rated films and the sheet knows how this one was rated."""
        return self.asked_acclaimed and self.mean_rating is not None and self.raters > 0

    @property
    def answers_request(self) -> bool:
        """Whether the request asked for something this item matches (a genre, years, words, a reference)."""
        return bool(self.asked_genres or self.asked_years or self.matched_words or self.asked_less_known
                    or self.rated_as_asked
                    or any(s.reference for s in self.sources))

    def numbers(self) -> set[str]:
        """Every number an explanation may write, as text."""
        out = {str(self.viewers), str(self.popularity_rank)} if self.viewers else set()
        if self.year:
            out |= {str(self.year), f"{self.year // 10 * 10}s", f"{self.year % 100 // 10 * 10}s"}
        for s in self.sources:
            out |= {str(v) for v in (s.together, s.viewers, s.year) if v}
            if s.rating is not None:
                out |= {_rating(s.rating), f"{_rating(s.rating)}/5", "5"}
        if self.mean_rating is not None and self.raters:
            mean = mean_rating_text(self.mean_rating)
            out |= {mean, f"{mean}/5", str(self.raters), "5"}
        for bound in self.asked_years or ():
            if bound:
                out.add(str(bound))
        return out

    def counts(self) -> tuple[set[str], dict[str, tuple]]:
        """The item's own counts (its viewers, its popularity rank) and each source's (people who watched
        both, its viewers), as `recommender.llm.claims.misattributed_counts` reads them."""
        own = {str(n) for n in (self.viewers, self.popularity_rank, self.raters) if n}
        return own, {s.title: (s.together, s.viewers) for s in self.sources}

    def ratings(self) -> dict[str, str]:
        """Title -> the user's rating as written ("5", "3.5"), for the sources the user rated."""
        return {s.title: _rating(s.rating) for s in self.sources if s.rating is not None}

    def shared_genres(self) -> dict[str, tuple[str, ...]]:
        """Each source's title -> the genres the item shares with it."""
        return {s.title: s.shared_genres for s in self.sources}

    def titles(self) -> list[str]:
        return [self.title] + [s.title for s in self.sources]

    def key(self) -> tuple:
        """What an explanation depends on: the same key, the same explanation (the chat's cache)."""
        return (self.item, self.sources, self.asked_genres, self.asked_years, self.matched_words, self.asked_less_known,
                self.asked_acclaimed)


def _rating(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def mean_rating_text(value: float) -> str:
    """4.2576 -> "4.3": a mean rating as explanations write it."""
    return f"{value:.1f}"


class FactBuilder:
    """Builds fact sheets from a catalogue and a HybridRetriever's channels."""

    def __init__(self, catalog, retriever=None):
        self.catalog, self.retriever = catalog, retriever
        counts = getattr(getattr(retriever, "channels", {}).get("popularity"), "counts", None)
        self.viewers = None if counts is None else [int(c) for c in counts]
        if self.viewers:
            order = sorted(range(len(self.viewers)), key=lambda i: -self.viewers[i])
            self.rank = {item: r for r, item in enumerate(order, 1)}

    def build(self, request: Request, rec: Recommendation) -> FactSheet:
        item = self.catalog[rec.index]
        low, high = request.constraints.min_year, request.constraints.max_year
        fits = (low is not None or high is not None) and item.year is not None
        tags = tuple(item.meta.get("tags", ()))[:MAX_TAGS] if isinstance(item.meta, dict) else ()
        return FactSheet(
            item=rec.index, title=item.title, year=item.year, genres=tuple(item.genres),
            sources=tuple(self.sources(request, rec)),
            asked_genres=tuple(g for g in item.genres if g in set(request.wished_genres)),
            asked_years=(low, high) if fits else None,
            matched_words=tuple(self.matched_words(request, rec)), tags=tags,
            asked_less_known=request.constraints.less_known, asked_acclaimed=request.constraints.acclaimed,
            **self.rating_of_item(rec.index),
            viewers=self.viewers[rec.index] if self.viewers else 0,
            popularity_rank=self.rank.get(rec.index, 0) if self.viewers else 0, catalogue_size=len(self.catalog))

    def rating_of_item(self, index: int) -> dict:
        """The item's mean rating and raters, from the retriever's ratings (none: unknown)."""
        ratings = getattr(self.retriever, "ratings", None)
        if ratings is None or not ratings.count[index]:
            return {}
        return {"mean_rating": float(ratings.mean[index]), "raters": int(ratings.count[index])}

    def standing(self, index: int):
        """How the item is rated here (`recommender.retrieval.ratings.Standing`), None without ratings."""
        ratings = getattr(self.retriever, "ratings", None)
        return ratings.standing(index) if ratings is not None else None

    def sources(self, request: Request, rec: Recommendation) -> list[Source]:
        """The evidence's source items, strongest first, without low-rated ones, references first."""
        found: dict[int, Source] = {}
        references = set(int(i) for i in request.references)
        for evidence in rec.evidence:
            for source in evidence.related:
                rating = rating_of(request, source)
                if source == rec.index or source in found or (rating is not None and rating <= LOW_RATING):
                    continue
                found[source] = self.source(source, rec.index, evidence.channel, rating, source in references)
        ordered = sorted(found.values(), key=lambda s: not s.reference)
        return ordered[:MAX_SOURCES]

    def source(self, source: int, item: int, channel: str, rating: float | None, reference: bool) -> Source:
        src, it = self.catalog[source], self.catalog[item]
        together = self.watched_both(source, item)
        viewers = self.viewers[source] if self.viewers else None
        shared = tuple(g for g in it.genres if g in src.genres)
        return Source(source, src.title, src.year, rating, RELATIONS.get(channel, "watched together with"),
                      together, viewers, shared, reference)

    def watched_both(self, a: int, b: int) -> int | None:
        """People who watched both items, from the cosine-normalised co-occurrence and the popularity."""
        channel = getattr(self.retriever, "channels", {}).get("cooccurrence")
        if channel is None or not self.viewers:
            return None
        value = float(channel.matrix[a, b])
        if value <= 0:
            return None
        return int(round(value * math.sqrt(self.viewers[a] * self.viewers[b])))

    def matched_words(self, request: Request, rec: Recommendation) -> list[str]:
        """Words of the typed request found in the item's text (tags, descriptions), not its title."""
        item = self.catalog[rec.index]
        if not request.query or not item.text:
            return []
        text = item.text.lower()
        words = [w.strip(".,!?;:\"'") for w in request.query.split()]
        return list(dict.fromkeys(w for w in words if len(w) > 3 and w.lower() in text))[:3]


def rating_of(request: Request, item: int) -> float | None:
    """The user's latest rating of `item` in the request's history, None when unknown or absent."""
    if len(request.ratings) != len(request.history):
        return None
    for index, rating in zip(reversed(list(request.history)), reversed(list(request.ratings))):
        if int(index) == item:
            return None if rating is None or math.isnan(float(rating)) else float(rating)
    return None
