"""Explanations built from retrieval evidence alone: used without an LLM and as the LLM's fallback."""

from __future__ import annotations

import math
import re

from recommender.data.types import Catalog
from recommender.types import Recommendation, Request


def plain_explanation(catalog: Catalog, request: Request, rec: Recommendation) -> str:
    """One sentence from the strongest evidence, e.g. 'Co-watched with "Heat (1995)" (you rated it 5/5).'"""
    item = catalog[rec.index]
    parts = []
    if rec.evidence:
        best = rec.evidence[0]
        reason = best.reason[0].upper() + best.reason[1:]
        for related in best.related:
            rating = latest_rating(request.history, request.ratings, related)
            if rating is not None:
                reason += f" (you rated it {rating:g}/5)"
        parts.append(reason)
    liked = set()
    for i in list(request.history)[-10:] + list(request.liked):
        liked |= set(catalog[i].genres)
    shared = [g for g in item.genres if g in liked]
    if shared:
        parts.append(f"shares {', '.join(shared[:3])} with what you watch")
    asked = requested_genres(item.genres, request.query)
    if asked:
        parts.append(f"{' and '.join(asked[:2])}, as you asked")
    return ("; ".join(parts) or f"{item.display} fits your request") + "."


def requested_genres(genres, query: str | None) -> list[str]:
    """The item's genres that the request names as words ("Comedy" in "funny Comedy"; the chat adds
    such genre hints to what the user typed)."""
    words = set(re.findall(r"[\w'-]+", (query or "").lower()))
    return [g for g in genres if g.lower() in words]


def latest_rating(history, ratings, item: int) -> float | None:
    """The user's latest rating of `item` (ratings parallel to history), None when unknown."""
    if len(ratings) != len(history):
        return None
    for index, rating in zip(reversed(list(history)), reversed(list(ratings))):
        if int(index) == item:
            return None if rating is None or math.isnan(float(rating)) else float(rating)
    return None
