"""The intent task of `recommender train` (`task: intent`): a LoRA adapter that writes the JSON intent of
a chat message, trained on generated (message, list length) -> intent pairs (recommender/chat/intent_data.py).

Each example is the intent parser's own prompt (`intent_prompt_parts`, so training and inference read
the same text) followed by the target JSON and the end-of-turn token. Validation is teacher-forced on
generated messages of another seed, with per-field accuracy (recommender/train/completion.py).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Sequence

import numpy as np

from recommender.chat.intent import FIELDS
from recommender.chat.intent_data import IntentExample, IntentGenerator
from recommender.train.completion import Encoded, Prepared, teacher_forced
from recommender.train.completion import encode as encode_completion

NAME = "intents"
TITLE = "the chat's intent parser"
VALIDATION_NOTE = ("Generated validation messages share the training lexicons, so this measures template recall; the "
                   "held-out benchmark (`eval/intent_bench.py`, hand-written wording, decoded under the schema) "
                   "measures generalisation.")
VAL_SEED_OFFSET = 1_000_003  # validation messages come from another seed than training ones


def generate(catalog, popularity, n: int, seed: int) -> list[IntentExample]:
    return IntentGenerator(catalog, popularity, seed=seed).examples(n)


def encode(tokenizer, example: IntentExample) -> Encoded:
    from recommender.llm.intent_model import intent_prompt_parts, prompt_message

    start, rest = intent_prompt_parts(tokenizer, prompt_message(example.message, 10_000), example.shown)
    return encode_completion(tokenizer, start + rest, example.intent.to_json(), example)


def prepare(config, dataset, tokenizer, progress: bool = False) -> Prepared:
    popularity = popularity_of(dataset)
    train = generate(dataset.catalog, popularity, config.intent_examples, config.seed)
    val = generate(dataset.catalog, popularity, config.intent_val_examples, config.seed + VAL_SEED_OFFSET)
    actions = dict(Counter(e.intent.action for e in train).most_common())
    return Prepared([encode(tokenizer, e) for e in train], [encode(tokenizer, e) for e in val], {"actions": actions})


def validate(model, tokenizer, examples: Sequence[Encoded], batch_size: int = 8, device: str = "cpu",
             progress: bool = False, dist=None):
    return teacher_forced(model, tokenizer, examples, batch_size, device, progress, dist, field_hits)


def about(config, m: dict) -> str:
    return (f"{m['examples']['examples']:,} messages generated from {m['data']}'s titles and genres and the lexicons "
            f"of `recommender/chat/intent_lexicon.py` (seed {config.seed}); actions: {m['examples']['actions']}. "
            "Target: the compact JSON intent (`recommender/chat/intent.py`).")


def field_hits(tokenizer, example: Encoded, hits: list[bool]) -> dict[str, bool]:
    """Which of the example's fields had every token of their `"key":value` text right (a field the gold
    intent leaves out counts as right: teacher forcing cannot tell whether the model would add it)."""
    target_ids = example.ids[len(example.ids) - example.n_target:]
    ends = [len(tokenizer.decode(target_ids[:k + 1])) for k in range(len(target_ids))]
    starts = [0] + ends[:-1]
    spans, at = {}, 1  # after "{"
    for name, value in json.loads(example.source.intent.to_json()).items():
        text = f'"{name}":' + json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        spans[name] = (at, at + len(text))
        at += len(text) + 1  # the comma
    out = {}
    for name in FIELDS:
        if name not in spans:
            out[name] = True
            continue
        low, high = spans[name]
        out[name] = all(hit for hit, a, b in zip(hits, starts, ends) if a < high and b > low)
    return out


def popularity_of(dataset) -> np.ndarray:
    """Interaction counts per catalogue item (famous titles are typed more often)."""
    return np.bincount(np.asarray(dataset.interactions.items, dtype=np.int64), minlength=len(dataset.catalog))
