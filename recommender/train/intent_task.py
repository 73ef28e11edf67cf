"""The intent task of `recommender train` (`task: intent`): a LoRA adapter that writes the JSON intent of
a chat message, trained on generated (message, list length) -> intent pairs (recommender/chat/intent_data.py).

Each example is the intent parser's own prompt (`intent_prompt_parts`, so training and inference read
the same text) followed by the target JSON and the end-of-turn token; the loss is the cross-entropy of
the target tokens only. Validation decodes generated messages of another seed with the parser itself,
under the schema, and scores the share whose whole intent is right (and each field's accuracy).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from recommender.chat.intent import FIELDS
from recommender.chat.intent_data import IntentExample, IntentGenerator

VAL_SEED_OFFSET = 1_000_003  # validation messages come from another seed than training ones


class EncodedIntent(NamedTuple):
    ids: list[int]  # prompt + target
    n_target: int  # how many of the last ids are the target (scored)
    example: IntentExample

    @property
    def intent_json(self) -> str:
        return self.example.intent.to_json()


@dataclass
class IntentMetrics:
    exact: float  # share of validation messages whose whole intent is right
    fields: dict[str, float]  # per-field accuracy
    invalid: int  # outputs that did not fit the schema
    n: int
    seconds: float

    def to_dict(self) -> dict:
        return {"exact": self.exact, "fields": self.fields, "invalid": self.invalid, "n": self.n,
                "seconds": round(self.seconds, 1)}


def generate(catalog, popularity, n: int, seed: int) -> list[IntentExample]:
    return IntentGenerator(catalog, popularity, seed=seed).examples(n)


def encode(tokenizer, example: IntentExample, end_token: str = "<|im_end|>") -> EncodedIntent:
    from recommender.llm.intent_model import intent_prompt_parts, prompt_message

    start, rest = intent_prompt_parts(tokenizer, prompt_message(example.message, 10_000), example.shown)
    prompt = tokenizer(start + rest, add_special_tokens=False)["input_ids"]
    target = tokenizer(example.intent.to_json() + end_token, add_special_tokens=False)["input_ids"]
    return EncodedIntent(prompt + target, len(target), example)


def intent_loss(model, tokenizer, batch: Sequence[EncodedIntent], device: str = "cpu"):
    """Mean over the batch of each example's mean target-token cross-entropy (left-padded; logits only
    where scored). Per example, so that a batch split across processes averages to the same loss."""
    import torch
    import torch.nn.functional as F

    width = max(len(e.ids) for e in batch)
    keep = max(e.n_target for e in batch) + 1
    pad = tokenizer.pad_token_id
    ids = torch.tensor([[pad] * (width - len(e.ids)) + e.ids for e in batch], device=device)
    mask = torch.tensor([[0] * (width - len(e.ids)) + [1] * len(e.ids) for e in batch], device=device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False, logits_to_keep=keep)
    logits = out.logits[:, :-1, :].float()  # position t predicts token t + 1
    targets = ids[:, width - keep + 1:]
    losses = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")  # (batch, positions)
    per_example = [losses[row, keep - 1 - e.n_target:].mean() for row, e in enumerate(batch)]
    return torch.stack(per_example).mean()


def validate_intents(model, tokenizer, examples: Sequence[EncodedIntent], batch_size: int = 8, device: str = "cpu",
                     progress: bool = False, dist=None) -> IntentMetrics:
    """Teacher-forced validation: an intent counts as exactly right when, at every target token, the
    model's most likely token is the right one given the right tokens before it. Greedy decoding then
    writes exactly that intent, and the schema constraint only ever removes wrong tokens, so this is a
    lower bound of the decoded accuracy, for one forward pass per batch instead of one per token (the
    4-bit training layout makes a pass slow). Field accuracy: every token of the field's JSON right."""
    import torch
    from tqdm.auto import tqdm

    started = time.perf_counter()

    def judge(chunk: list[EncodedIntent]) -> list[dict]:
        with torch.inference_mode():
            ok = target_token_hits(model, tokenizer, chunk, device)
        return [field_hits(tokenizer, e, row) for e, row in zip(chunk, ok)]

    items = list(examples)
    with tqdm(total=len(items), desc="validating intents", disable=not progress, leave=False) as bar:
        if dist is not None:
            results = dist.map_batches(items, judge, batch_size, on_batch=bar.update)
        else:
            results = [r for i in range(0, len(items), batch_size) for r in judge(items[i:i + batch_size])]
    n = max(len(results), 1)
    fields = {f: round(sum(r[f] for r in results) / n, 4) for f in FIELDS}
    exact = round(sum(all(r.values()) for r in results) / n, 4)
    return IntentMetrics(exact, fields, 0, len(results), time.perf_counter() - started)


def target_token_hits(model, tokenizer, batch: Sequence[EncodedIntent], device: str = "cpu") -> list[list[bool]]:
    """Per example, whether each target token is the model's most likely next token (teacher forcing)."""
    import torch

    width = max(len(e.ids) for e in batch)
    keep = max(e.n_target for e in batch) + 1
    pad = tokenizer.pad_token_id
    ids = torch.tensor([[pad] * (width - len(e.ids)) + e.ids for e in batch], device=device)
    mask = torch.tensor([[0] * (width - len(e.ids)) + [1] * len(e.ids) for e in batch], device=device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False, logits_to_keep=keep)
    hits = (out.logits[:, :-1, :].argmax(-1) == ids[:, width - keep + 1:]).cpu().tolist()
    return [row[keep - 1 - e.n_target:] for row, e in zip(hits, batch)]


def field_hits(tokenizer, example: EncodedIntent, hits: list[bool]) -> dict[str, bool]:
    """Which of the example's fields had every token of their `"key":value` text right (a field the gold
    intent leaves out counts as right: teacher forcing cannot tell whether the model would add it)."""
    target_ids = example.ids[len(example.ids) - example.n_target:]
    ends = [len(tokenizer.decode(target_ids[:k + 1])) for k in range(len(target_ids))]
    starts = [0] + ends[:-1]
    spans, at = {}, 1  # after "{"
    for name, value in json.loads(example.intent_json).items():
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
