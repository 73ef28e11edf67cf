"""The explanation task of `recommender train` (`task: explain`): a LoRA adapter that writes an explanation
from a fact sheet, as the explainer prompts it (`recommender.llm.explainer.explain_prompt_parts`).

Examples come from lists the retriever really makes for users who are never the evaluation's: a user
takes part only when `training_user(user)` (a fixed hash split; `eval/explanations.py` samples the
others). Each list is a user's history alone, with wished genres, a year range, or a "like X" reference,
or a new user's request. The target is the plain rendering of the card's facts in the card's style
(card k of a list in style k), so the adapter learns to say the facts, varied by style, and nothing else.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from typing import Sequence

from recommender.train.completion import Encoded, Prepared, encode, teacher_forced

NAME = "explanations"
TITLE = "the explainer (writes from a fact sheet)"
VALIDATION_NOTE = ("Validation lists come from training-half users that no training list used; the evaluation "
                   "(`eval/explanations.py`) uses the other half of the users only.")
CARDS = 10


def training_user(user: str) -> bool:
    """The fixed half of the users whose lists may train the explainer (the other half is for evaluation)."""
    return zlib.crc32(str(user).encode()) % 2 == 0


def request_for(kind: str, history, rng: random.Random, genres: Sequence[str], popular: Sequence[int]):
    from recommender.types import Constraints, Request

    wished = tuple(rng.sample(list(genres), rng.choice([1, 1, 2])))
    years = Constraints(min_year=rng.choice([1970, 1980, 1990]), max_year=rng.choice([1989, 1995, 1998]))
    if kind == "history":
        return Request(history=history.items, ratings=history.ratings)
    if kind == "history+genres":
        return Request(history=history.items, ratings=history.ratings, wished_genres=wished)
    if kind == "history+years":
        return Request(history=history.items, ratings=history.ratings, constraints=years)
    reference = (rng.choice(list(popular)),)
    if kind == "reference":
        return Request(liked=reference, references=reference, wished_genres=wished if rng.random() < 0.5 else ())
    return Request(wished_genres=wished, constraints=years if rng.random() < 0.4 else Constraints())


KINDS = ("history", "history+genres", "history+years", "reference", "new user")


def lists_for(recommender, users: Sequence[str], seed: int):
    """(request, recommendations) for each user, a request kind each, seeded."""
    rng = random.Random(seed)
    genres = sorted({g for item in recommender.catalog for g in item.genres if g.lower() != "unknown"})
    viewers = recommender.retriever.channels["popularity"].counts
    popular = sorted(range(len(viewers)), key=lambda i: -viewers[i])[:300]
    for user in users:
        kind = rng.choice(KINDS)
        request = request_for(kind, recommender.user_history(user), rng, genres, popular)
        yield kind, request, recommender.rank(request, k=CARDS)


def examples_from(recommender, tokenizer, users: Sequence[str], seed: int, limit: int) -> tuple[list[Encoded], Counter]:
    from recommender.explain.facts import FactBuilder
    from recommender.explain.plain import render
    from recommender.llm.explainer import explain_prompt

    builder = FactBuilder(recommender.catalog, recommender.retriever)
    out, kinds = [], Counter()
    for kind, request, recs in lists_for(recommender, users, seed):
        for style, rec in enumerate(recs):  # card k of a list writes in style k, as in the explainer
            sheet = builder.build(request, rec)
            _, text = render(sheet, style=style)
            out.append(encode(tokenizer, explain_prompt(tokenizer, sheet, style), text, (sheet, text)))
            kinds[kind] += 1
            if len(out) >= limit:
                return out, kinds
    return out, kinds


def prepare(config, dataset, tokenizer, progress: bool = False) -> Prepared:
    from recommender.facade import Recommender
    from recommender.retrieval.hybrid import HybridRetriever
    from recommender.data.split import user_histories

    histories = user_histories(dataset.interactions, dataset.catalog)
    retriever = HybridRetriever.build(dataset.catalog, [h.items for h in histories.values()], progress=progress)
    recommender = Recommender(dataset, retriever, histories=histories)
    users = [u for u in sorted(histories) if training_user(u)]
    random.Random(config.seed).shuffle(users)
    cut = max(1, len(users) // 10)
    train, kinds = examples_from(recommender, tokenizer, users[cut:], config.seed, config.explain_examples)
    val, _ = examples_from(recommender, tokenizer, users[:cut], config.seed + 1, config.explain_val_examples)
    return Prepared(train, val, {"lists by kind (cards)": dict(kinds), "users": len(users)})


def validate(model, tokenizer, examples: Sequence[Encoded], batch_size: int = 8, device: str = "cpu",
             progress: bool = False, dist=None):
    return teacher_forced(model, tokenizer, examples, batch_size, device, progress, dist)


def about(config, m: dict) -> str:
    return (f"{m['examples']['examples']:,} cards of lists the retriever made on {m['data']} for "
            f"{m['examples']['users']} users of the training half ({m['examples']['lists by kind (cards)']}); "
            "target: the plain rendering of each card's fact sheet in its style.")
