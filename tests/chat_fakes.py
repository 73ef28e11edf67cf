"""A small synthetic catalogue and a deterministic fake of the Recommender facade for the chat tests."""

from __future__ import annotations

import numpy as np

from recommender.data.split import UserHistory
from recommender.data.types import Catalog, Item
from recommender.errors import RecommenderError
from recommender.types import Evidence, Recommendation

MOST_WATCHED = 3  # the fake's first rows stand for the most-watched films a lesser-known request leaves out
ROWS = [  # (title, year, genres)
    ("Heat", 1995, "Action Crime Thriller"),
    ("Heat", 1986, "Action Drama"),
    ("Usual Suspects, The", 1995, "Crime Thriller"),
    ("Seven (Se7en)", 1995, "Crime Thriller"),
    ("Alien", 1979, "Action Horror Sci-Fi Thriller"),
    ("Aliens", 1986, "Action Sci-Fi Thriller War"),
    ("Toy Story", 1995, "Animation Children's Comedy"),
    ("Scream", 1996, "Horror Thriller"),
    ("Shining, The", 1980, "Horror"),
    ("Groundhog Day", 1993, "Comedy Romance"),
    ("When Harry Met Sally...", 1989, "Comedy Romance"),
    ("Sleepless in Seattle", 1993, "Comedy Romance"),
    ("Men in Black", 1997, "Action Adventure Comedy Sci-Fi"),
    ("Galaxy Quest", 1999, "Adventure Comedy Sci-Fi"),
    ("Fargo", 1996, "Crime Drama Thriller"),
    ("Big", 1988, "Comedy Fantasy"),
    ("Casablanca", 1942, "Drama Romance War"),
    ("Star Wars", 1977, "Action Adventure Romance Sci-Fi War"),
    ("Blade Runner", 1982, "Film-Noir Sci-Fi"),
    ("Clueless", 1995, "Comedy Romance"),
    ("Ghostbusters", 1984, "Comedy Horror"),
    ("Babe", 1995, "Children's Comedy Drama"),
    ("Jurassic Park", 1993, "Action Adventure Sci-Fi"),
    ("Terminator, The", 1984, "Action Sci-Fi Thriller"),
    ("Princess Bride, The", 1987, "Action Adventure Comedy Romance"),
    ("Dumb & Dumber", 1994, "Comedy"),
    ("Evil Dead II", 1987, "Action Comedy Horror"),
    ("Mars Attacks!", 1996, "Action Comedy Sci-Fi War"),
    ("Twister", 1996, "Action Adventure Thriller"),
    ("Return of the Jedi", 1983, "Action Adventure Romance Sci-Fi War"),
    ("Maltese Falcon, The", 1941, "Film-Noir Mystery"),
]


def make_catalog() -> Catalog:
    return Catalog([Item(str(i + 1), t, y, tuple(g.split())) for i, (t, y, g) in enumerate(ROWS)])


def index_of(catalog: Catalog, title: str, year: int | None = None) -> int:
    return next(i for i, it in enumerate(catalog) if it.title == title and (year is None or it.year == year))


class FakeRecommender:
    """Honours the facade's contract (nothing in history/exclude or against the constraints comes
    back) with a transparent score: query words found in title + genres, then catalogue order."""

    def __init__(self, catalog: Catalog | None = None, histories: dict[str, list[int]] | None = None,
                 leak: bool = False):
        self.catalog = catalog or make_catalog()
        self.histories = histories if histories is not None else {"7": [2, 14]}
        self.leak = leak  # break the contract on purpose, to test the chat's own guard
        self.requests = []

    def known_users(self) -> list[str]:
        return sorted(self.histories)

    def user_history(self, user_id: str) -> UserHistory:
        if user_id not in self.histories:
            raise RecommenderError(f"unknown user id: {user_id!r}")
        items = np.array(self.histories[user_id], dtype=np.int32)
        n = len(items)
        return UserHistory(user_id, items, np.full(n, 4.0, dtype=np.float32), np.arange(n, dtype=np.int64))

    def allowed(self, request, index: int) -> bool:
        item, c = self.catalog[index], request.constraints
        if index in set(request.history) | set(request.exclude) | set(request.liked):
            return False
        if c.min_year is not None and (item.year or 0) < c.min_year:
            return False
        if c.max_year is not None and (not item.year or item.year > c.max_year):
            return False
        if set(item.genres) & set(c.exclude_genres):
            return False
        if c.less_known and index < MOST_WATCHED:
            return False
        return not c.include_genres or bool(set(item.genres) & set(c.include_genres))

    def rank(self, request, k: int = 10) -> list[Recommendation]:
        self.requests.append(request)
        words = set((request.query or "").lower().split()) | {g.lower() for g in request.wished_genres}
        scored = []
        for i, item in enumerate(self.catalog):
            if self.leak or self.allowed(request, i):
                text = set(f"{item.title} {' '.join(item.genres)}".lower().split())
                scored.append((-len(words & text), i))
        scored.sort()
        return [self._rec(i, float(-s), rank) for rank, (s, i) in enumerate(scored[:k], 1)]

    def _rec(self, index: int, score: float, rank: int) -> Recommendation:
        item = self.catalog[index]
        evidence = [Evidence("bm25", rank, score, f"matches your request ({', '.join(item.genres)})")]
        return Recommendation(item.item_id, item.display, score, evidence, index=index)

    def explain_list(self, request, recs, cache=None):
        from recommender.llm.explainer import Card

        cache = {} if cache is None else cache
        self.explained = getattr(self, "explained", [])
        for k, rec in enumerate(recs):
            if rec.index in cache:
                yield Card(k, cache[rec.index], "cache")
                continue
            self.explained.append(rec.index)
            cache[rec.index] = f"Because you asked for it: {rec.title} is a fine pick."
            yield Card(k, cache[rec.index], "llm")


class FakeIntentParser:
    """The LLM intent model's stand-in: a fixed intent per message (unknown messages fail like an
    output that does not fit the schema). `calls` records (message, shown) pairs."""

    def __init__(self, intents: dict):
        self.intents, self.calls = intents, []

    def parse(self, message: str, shown: int = 0):
        from recommender.chat.intent import IntentError
        from recommender.llm.intent_model import ParsedIntent

        self.calls.append((message, shown))
        if message not in self.intents:
            raise IntentError(f"no scripted intent for {message!r}")
        intent = self.intents[message]
        return ParsedIntent(intent, intent.to_json(), 0.0)
