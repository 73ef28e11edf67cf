"""The `Recommender` facade: one object that the CLI, the chat and Python users share.

    from recommender import Recommender
    rec = Recommender.load("ml-100k", ranker="none")
    for r in rec.recommend(history=["Star Wars (1977)", "Alien (1979)"], query="funny space adventure", k=5):
        print(r.title, r.score, r.evidence[0].reason)

Retrieval builds a shortlist; the optional LLM ranker re-orders it and the explainer writes grounded
explanations. Heavy pieces load once per process.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from recommender.data.split import UserHistory, user_histories
from recommender.data.types import Dataset
from recommender.errors import RecommenderError, UnknownItemError
from recommender.retrieval.config import RetrievalConfig
from recommender.retrieval.hybrid import HybridRetriever
from recommender.retrieval.ratings import ItemRatings
from recommender.types import Constraints, Recommendation, Request

MAX_K = 100


class Recommender:
    def __init__(self, dataset: Dataset, retriever: HybridRetriever, ranker=None, explainer=None,
                 histories: dict[str, UserHistory] | None = None):
        self.dataset, self.catalog, self.retriever = dataset, dataset.catalog, retriever
        self.ranker, self.explainer = ranker, explainer
        from recommender.explain.facts import FactBuilder

        self.facts = FactBuilder(dataset.catalog, retriever)
        if explainer is not None:
            explainer.facts = self.facts
        self.adapter: str | None = None  # the LoRA adapter the ranker uses, for status lines
        self.intent_parser = None  # the LLM intent model (chat), when loaded with an intent adapter
        self.intent_adapter: str | None = None
        self.histories = user_histories(dataset.interactions, dataset.catalog)
        self._titles = None

    @classmethod
    def load(cls, data: str = "ml-100k", ranker: str = "llm", llm_config=None,
             retrieval_config: RetrievalConfig | None = None, progress: bool = True,
             intent_adapter: str | None = None, explain_adapter: str | None = None) -> "Recommender":
        """Load the data set, the retrieval indexes (built once, cached) and, with ranker="llm", the model
        (and, with `intent_adapter` / `explain_adapter`, the chat's intent parser and the explainer's
        adapter on the same model)."""
        from recommender.data.registry import load_dataset

        if ranker not in ("llm", "none"):
            raise RecommenderError(f"unknown ranker {ranker!r}; choose 'llm' or 'none'")
        dataset = load_dataset(data, progress=progress)
        histories = user_histories(dataset.interactions, dataset.catalog)
        config = retrieval_config or RetrievalConfig()
        interactions = dataset.interactions
        ratings = ItemRatings.fit(interactions.items, interactions.ratings, len(dataset.catalog), config.rating_prior)
        retriever = HybridRetriever.build(dataset.catalog, [h.items for h in histories.values()],
                                          config, progress=progress, ratings=ratings)
        stack = None
        if ranker == "llm":
            from recommender.llm.defaults import ranker_config_for
            from recommender.llm.stack import load_llm_stack

            adapter = getattr(llm_config, "adapter", None)
            stack = load_llm_stack(dataset.catalog, llm_config, ranker_config_for(adapter), progress=progress,
                                   intent_adapter=intent_adapter, explain_adapter=explain_adapter)
        recommender = cls(dataset, retriever, stack and stack.ranker, stack and stack.explainer, histories)
        recommender.adapter = getattr(llm_config, "adapter", None) if ranker == "llm" else None
        recommender.intent_parser = stack and stack.intent
        recommender.intent_adapter = intent_adapter if stack and stack.intent else None
        return recommender

    # --- who the user is -------------------------------------------------------------------------
    def known_users(self) -> list[str]:
        return sorted(self.histories, key=lambda u: (len(u), u))

    def user_history(self, user_id: str) -> UserHistory:
        try:
            return self.histories[str(user_id)]
        except KeyError:
            raise RecommenderError(
                f"unknown user id {user_id!r}; {self.dataset.name} has {len(self.histories):,} users"
                f" (for example {', '.join(self.known_users()[:3])})"
            ) from None

    @property
    def titles(self):
        if self._titles is None:
            from recommender.titles import TitleIndex

            self._titles = TitleIndex(self.catalog)
        return self._titles

    def resolve_item(self, ref: str | int) -> int:
        """A catalogue index from an item id or a title (fuzzy); clear error listing close matches."""
        ref = str(ref).strip()
        if ref in self.catalog:
            return self.catalog.index_of(ref)
        if not ref:
            raise UnknownItemError("empty title")
        return self.titles.resolve(ref)

    def build_request(self, history: Sequence[str | int] = (), query: str | None = None, user: str | None = None,
                      exclude: Sequence[str | int] = (), constraints: Constraints | None = None) -> Request:
        items: list[int] = []
        ratings: list[float] = []
        if user is not None:
            known = self.user_history(user)
            items, ratings = known.items.tolist(), known.ratings.tolist()
        for ref in history:
            items.append(self.resolve_item(ref))
            ratings.append(float("nan"))
        query = query.strip() if query else None
        return Request(items, ratings, query or None, frozenset(self.resolve_item(e) for e in exclude),
                       constraints or Constraints())

    # --- ranking ---------------------------------------------------------------------------------
    def rank(self, request: Request, k: int = 10) -> list[Recommendation]:
        """The ranked list (fast: no explanations). Every item exists and respects the request's filters."""
        if not 1 <= k <= MAX_K:
            raise RecommenderError(f"k must be between 1 and {MAX_K}, not {k}")
        shortlist = self.retriever.shortlist(request, max(k, self.retriever.config.shortlist_size))
        order = np.arange(len(shortlist.indices))
        llm_scores = final = None
        if self.ranker is not None and len(shortlist.indices):
            final, llm_scores = self.ranker.rerank(request, shortlist)
            tiers = shortlist.tiers if shortlist.tiers is not None else np.zeros(len(final))
            order = np.lexsort((-final, -tiers))  # the ranker re-orders within a tier of wished genres
        recs = []
        for pos in order[:k]:
            item = self.catalog[int(shortlist.indices[pos])]
            recs.append(Recommendation(
                item_id=item.item_id, title=item.display,
                score=float(final[pos] if final is not None else shortlist.scores[pos]),
                evidence=shortlist.evidence[pos], index=int(shortlist.indices[pos]),
                retrieval_score=float(shortlist.scores[pos]),
                llm_score=None if llm_scores is None else float(llm_scores[pos]),
            ))
        return recs

    def recommendations_for(self, request: Request, items: Sequence[int]) -> list[Recommendation]:
        """`items` as recommendations for `request`, with the evidence retrieval has for them (what a list
        holding them says: for a list shown before, or a test's fixed list)."""
        evidence = self.retriever.evidence_for(request, items)
        return [Recommendation(self.catalog[i].item_id, self.catalog[i].display, 0.0, e, index=int(i))
                for i, e in zip(items, evidence)]

    def quick_cards(self, request: Request, recs: Sequence[Recommendation], cache: dict | None = None):
        """What the list shows at once, before any model writes (recommender.llm.explainer.Card): a card's
        cached text, else the plain rendering of its fact sheet; `final` is False where the LLM will
        still write the card (`explain_list`)."""
        if self.explainer is not None:
            return self.explainer.quick_cards(request, recs, cache)
        from recommender.llm.explainer import plain_cards

        return plain_cards([self.facts.build(request, r) for r in recs], {} if cache is None else cache)

    def explain_list(self, request: Request, recs: Sequence[Recommendation], cache: dict | None = None,
                     shown=None):
        """The final explanations of a list's cards as they finish (recommender.llm.explainer.Card):
        written by the LLM from each card's fact sheet, or the sheet's plain rendering without it. `cache`
        (fact sheet key -> text) is read and filled, so a card whose facts did not change is not rewritten;
        `shown` (the list's `quick_cards`) is what a card keeps when the LLM's text fails the check."""
        if self.explainer is not None:
            yield from self.explainer.explain_list(request, recs, cache, shown=shown)
            return
        yield from shown if shown is not None else self.quick_cards(request, recs, cache)

    def recommend(self, history: Sequence[str | int] = (), query: str | None = None, k: int = 10,
                  user: str | None = None, exclude: Sequence[str | int] = (), constraints: Constraints | None = None,
                  explain: bool = True) -> list[Recommendation]:
        """Ranked, explained recommendations for a history (item ids or titles) and/or a request."""
        request = self.build_request(history, query, user, exclude, constraints)
        if not request.history and not request.query and not request.liked:
            raise RecommenderError("give a history (titles or item ids), a user id, or a request to start from")
        recs = self.rank(request, k)
        if explain:
            for card in self.explain_list(request, recs):
                recs[card.position].explanation = card.text
        return recs
