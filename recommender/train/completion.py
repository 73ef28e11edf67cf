"""Pieces shared by the tasks whose adapter writes text after a prompt (intent_task.py, explain_task.py):
encoded examples, the target-token loss and teacher-forced scoring."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, Sequence

END_OF_TURN = "<|im_end|>"


class Encoded(NamedTuple):
    ids: list[int]  # prompt + target
    n_target: int  # how many of the last ids are the target (scored)
    source: Any  # what it was made from (an IntentExample, a FactSheet and its text)


class Prepared(NamedTuple):
    train: list[Encoded]
    val: list[Encoded]
    summary: dict  # what the README and the progress line say about the data


@dataclass
class CompletionMetrics:
    exact: float  # share of validation examples whose whole target is right (teacher-forced)
    token_accuracy: float
    n: int
    seconds: float
    fields: dict[str, float] = field(default_factory=dict)  # per-field accuracy, for structured targets

    def to_dict(self) -> dict:
        return {"exact": self.exact, "token_accuracy": self.token_accuracy, "fields": self.fields, "n": self.n,
                "seconds": round(self.seconds, 1)}


def encode(tokenizer, prompt: str, target: str, source: Any) -> Encoded:
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    target_ids = tokenizer(target + END_OF_TURN, add_special_tokens=False)["input_ids"]
    return Encoded(ids + target_ids, len(target_ids), source)


def _batch_tensors(tokenizer, batch: Sequence[Encoded], device: str):
    import torch

    width = max(len(e.ids) for e in batch)
    pad = tokenizer.pad_token_id
    ids = torch.tensor([[pad] * (width - len(e.ids)) + e.ids for e in batch], device=device)
    mask = torch.tensor([[0] * (width - len(e.ids)) + [1] * len(e.ids) for e in batch], device=device)
    return ids, mask, (mask.cumsum(-1) - 1).clamp(min=0), width


def completion_loss(model, tokenizer, batch: Sequence[Encoded], device: str = "cpu"):
    """Mean over the batch of each example's mean target-token cross-entropy (left-padded; logits only
    where scored). Per example, so that a batch split across processes averages to the same loss."""
    import torch
    import torch.nn.functional as F

    ids, mask, positions, width = _batch_tensors(tokenizer, batch, device)
    keep = max(e.n_target for e in batch) + 1
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False, logits_to_keep=keep)
    logits = out.logits[:, :-1, :].float()  # position t predicts token t + 1
    losses = F.cross_entropy(logits.transpose(1, 2), ids[:, width - keep + 1:], reduction="none")
    return torch.stack([losses[row, keep - 1 - e.n_target:].mean() for row, e in enumerate(batch)]).mean()


def target_token_hits(model, tokenizer, batch: Sequence[Encoded], device: str = "cpu") -> list[list[bool]]:
    """Per example, whether each target token is the model's most likely next token (teacher forcing)."""
    import torch

    ids, mask, positions, width = _batch_tensors(tokenizer, batch, device)
    keep = max(e.n_target for e in batch) + 1
    with torch.inference_mode():
        out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False,
                    logits_to_keep=keep)
    hits = (out.logits[:, :-1, :].argmax(-1) == ids[:, width - keep + 1:]).cpu().tolist()
    return [row[keep - 1 - e.n_target:] for row, e in zip(hits, batch)]


def teacher_forced(model, tokenizer, examples: Sequence[Encoded], batch_size: int = 8, device: str = "cpu",
                   progress: bool = False, dist=None, fields: Callable | None = None) -> CompletionMetrics:
    """An example is exactly right when every target token is the model's first choice given the right
    tokens before it: greedy decoding then writes exactly the target (a constraint that only removes
    wrong tokens changes nothing), for one forward pass per batch instead of one per token.
    `fields(tokenizer, example, hits)` -> {field: right} adds per-field accuracy."""
    from tqdm.auto import tqdm

    started = time.perf_counter()

    def judge(chunk):
        rows = target_token_hits(model, tokenizer, chunk, device)
        return [(hits, fields(tokenizer, e, hits) if fields else {}) for e, hits in zip(chunk, rows)]

    items = list(examples)
    with tqdm(total=len(items), desc="validating", disable=not progress, leave=False) as bar:
        if dist is not None:
            results = dist.map_batches(items, judge, batch_size, on_batch=bar.update)
        else:
            results = [r for i in range(0, len(items), batch_size) for r in judge(items[i:i + batch_size])]
    n = max(len(results), 1)
    tokens = [h for hits, _ in results for h in hits]
    names = list(results[0][1]) if results else []
    per_field = {f: round(sum(r[f] for _, r in results) / n, 4) for f in names}
    return CompletionMetrics(round(sum(all(hits) for hits, _ in results) / n, 4),
                             round(sum(tokens) / max(len(tokens), 1), 4), len(results),
                             time.perf_counter() - started, per_field)
