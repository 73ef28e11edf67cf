"""The model side of training: the quantized base with LoRA, prompt encoding and the label loss.

The prompt comes from the ranker's own `build_rank_prompt` and the labels from `label_token_ids`, so
training and inference see exactly the same text and score the same tokens. Batches are left-padded
with positions counting real tokens only, as in HFBackend, so a training forward pass matches the
scoring forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

import numpy as np

from recommender.data.types import Catalog
from recommender.errors import ConfigError
from recommender.llm.pointwise import PackedRow, answer_token_ids, encode_pointwise, packed_answer_logits
from recommender.llm.ranker import (MAX_CANDIDATES, RankerConfig, build_rank_prompt, label_order, label_token_ids,
                                   prior_offsets)
from recommender.metrics import label_entropy
from recommender.train.examples import TrainingExample


@dataclass
class TrainingModel:
    model: Any  # peft.PeftModel around the (quantized) base
    tokenizer: Any
    model_id: str  # canonical base model id, written into adapter_config.json
    label_ids: list[int]  # token id of each label "A".."T"
    answer_ids: list[int]  # token ids of " yes" and " no" (pointwise scheme)
    device: str


def prepare_model(config, progress: bool = True) -> TrainingModel:
    """Load the base model as `config.quantize` and wrap it with a fresh, seeded LoRA."""
    import torch
    from peft import LoraConfig, get_peft_model

    from recommender.llm.backend import LLMConfig, load_base_model, resolve_device

    llm_config = LLMConfig(model=config.model, quantize=config.quantize, threads=config.threads)
    loaded = load_base_model(llm_config, progress=progress)
    label_ids = label_token_ids(loaded.tokenizer, MAX_CANDIDATES)
    answer_ids = answer_token_ids(loaded.tokenizer) if config.scheme == "pointwise" else []
    torch.manual_seed(config.seed)  # LoRA's A matrices are initialised randomly
    lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=list(config.target_modules), bias="none", task_type="CAUSAL_LM",
                      layers_to_transform=top_layers(loaded.model, config.lora_layers))
    try:
        model = get_peft_model(loaded.model, lora)
    except ValueError as exc:
        raise ConfigError(f"target_modules {config.target_modules}: {str(exc).splitlines()[0]}") from None
    # PEFT records the local checkpoint path; the adapter must name the canonical base id so that
    # check_adapter_matches accepts it wherever the base happens to be cached.
    model.peft_config["default"].base_model_name_or_path = loaded.model_id
    keep_trainable_layout(model)
    return TrainingModel(model, loaded.tokenizer, loaded.model_id, label_ids, answer_ids, resolve_device(llm_config.device))


def keep_trainable_layout(model) -> None:
    """Stop bitsandbytes from repacking 4-bit weights for its CPU inference kernel. On CPUs with
    AVX512-BF16, a Linear4bit that runs once in eval mode without gradients (our validation) is
    repacked for good, and the packed kernel has no backward: every later training step silently
    dropped the gradient through the frozen base weights, so LoRA learned only through the last
    projection of each block. tests/test_train.py checks the gradients against an fp32 model holding
    the dequantized weights. Inference outside training keeps the faster packed kernel."""
    for module in model.modules():
        if getattr(module, "support_avx512bf16_for_cpu", False):
            module.support_avx512bf16_for_cpu = False


def top_layers(model, n: int | None) -> list[int] | None:
    """Indices of the top `n` decoder layers (None: all layers get LoRA)."""
    if n is None:
        return None
    total = int(model.config.num_hidden_layers)
    if n > total:
        raise ConfigError(f"lora_layers is {n}, but the model has only {total} layers")
    return list(range(total - n, total))


def encode_example(tokenizer, catalog: Catalog, example: TrainingExample, ranker_config: RankerConfig):
    """The example's ranking prompt exactly as the ranker encodes it at inference: token ids, or a
    PackedRow for the pointwise scheme."""
    if ranker_config.scheme == "pointwise":
        return encode_pointwise(tokenizer, catalog, example.rank_input(), ranker_config)
    prompt = build_rank_prompt(tokenizer, catalog, example.rank_input(), ranker_config)
    return tokenizer(prompt, add_special_tokens=False)["input_ids"]


def answer_label(example: TrainingExample, ranker_config: RankerConfig) -> int:
    """Index of the label (0 = "A") that names the example's target in its prompt."""
    return int(np.flatnonzero(label_order(example.rank_input(), ranker_config) == example.label)[0])


def rank_prior(examples: Sequence[TrainingExample], size: int) -> list[float]:
    """Log-frequency of each retrieval rank 1..size among the examples' targets, add-one smoothed:
    log((count_r + 1) / (n + size)). Examples must all carry retrieval ranks."""
    counts = np.ones(size)
    for ex in examples:
        if ex.retrieval_ranks is None:
            raise ConfigError("a rank prior needs retrieval ranks on every example (missed_target 'skip')")
        counts[int(ex.retrieval_ranks[ex.label]) - 1] += 1
    return [round(float(v), 6) for v in np.log(counts / counts.sum())]


def label_offsets(example: TrainingExample, ranker_config: RankerConfig) -> np.ndarray:
    """What the ranker adds to each label's score (label order, "A" first): the rank prior, or zeros."""
    n = len(example.candidates)
    if ranker_config.rank_prior is None:
        return np.zeros(n)
    by_candidate = prior_offsets(example.retrieval_ranks, ranker_config.rank_prior)
    return by_candidate[label_order(example.rank_input(), ranker_config)]


class LossReferences(NamedTuple):
    """What the label loss (mean cross-entropy, nats) of a model that ignores the prompt would be."""

    label_prior: float  # always predicting the examples' answer-label frequencies
    uniform: float  # a uniform guess over each example's candidates


def loss_references(examples: Sequence[TrainingExample], ranker_config: RankerConfig) -> LossReferences:
    """Yardsticks for the training loss: above `label_prior`, the model has not even learned the label prior.
    Pointwise scores cannot depend on a candidate's position, so there the title-blind yardstick is the
    frequency of the answers' retrieval ranks (the prior a residual adapter is given)."""
    if ranker_config.scheme == "pointwise" and all(ex.retrieval_ranks is not None for ex in examples):
        labels = [int(ex.retrieval_ranks[ex.label]) for ex in examples]
    else:
        labels = [answer_label(ex, ranker_config) for ex in examples]
    uniform = float(np.mean([np.log(len(ex.candidates)) for ex in examples]))
    return LossReferences(label_entropy(labels), uniform)


def batch_loss(tm: TrainingModel, catalog: Catalog, batch: Sequence[TrainingExample], ranker_config: RankerConfig):
    """Mean cross-entropy of the batch's answers under the ranker's scheme, prior offsets included."""
    rows = [encode_example(tm.tokenizer, catalog, ex, ranker_config) for ex in batch]
    labels = [answer_label(ex, ranker_config) for ex in batch]
    offsets = [label_offsets(ex, ranker_config) for ex in batch]
    if ranker_config.scheme == "pointwise":
        return pointwise_loss(tm, rows, labels, offsets)
    return label_loss(tm, rows, labels, [len(ex.candidates) for ex in batch], offsets)


def pointwise_loss(tm: TrainingModel, rows: Sequence[PackedRow], labels: Sequence[int], offsets: Sequence[np.ndarray]):
    """Cross-entropy over each example's candidates of (yes - no logit + offset): a softmax across
    the candidates, so the model learns which of them is the answer, not an absolute yes rate."""
    logits = packed_answer_logits(tm.model, rows, tm.answer_ids, tm.tokenizer.pad_token_id, tm.device)
    return candidate_cross_entropy(logits[..., 0] - logits[..., 1], labels, [len(r.score_at) for r in rows], offsets)


def candidate_cross_entropy(scores, labels: Sequence[int], n_candidates: Sequence[int],
                            offsets: Sequence[np.ndarray] | None = None):
    """Mean cross-entropy of the answers over each row's first n_candidates scores (a rows x slots
    tensor), after adding each row's fixed `offsets` when given; slots beyond a row's candidates
    get no probability."""
    import torch
    import torch.nn.functional as F

    if offsets is not None:
        padded = np.zeros(tuple(scores.shape))
        for i, o in enumerate(offsets):
            padded[i, :len(o)] = o
        scores = scores + torch.tensor(padded, dtype=scores.dtype, device=scores.device)
    shown = torch.arange(scores.shape[1], device=scores.device)[None, :] < torch.tensor(
        list(n_candidates), device=scores.device)[:, None]
    scores = scores.masked_fill(~shown, float("-inf"))
    return F.cross_entropy(scores, torch.tensor(list(labels), device=scores.device))


def label_loss(tm: TrainingModel, rows: Sequence[Sequence[int]], labels: Sequence[int],
               n_candidates: Sequence[int], offsets: Sequence[np.ndarray] | None = None):
    """Cross-entropy over the candidates' label logits at the answer position (mean over the batch),
    after adding each label's fixed `offsets` (the rank prior of a residual adapter) when given."""
    import torch

    width = max(len(r) for r in rows)
    pad = tm.tokenizer.pad_token_id
    ids = torch.tensor([[pad] * (width - len(r)) + list(r) for r in rows], device=tm.device)
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=tm.device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    out = tm.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False, logits_to_keep=1)
    return candidate_cross_entropy(out.logits[:, -1, :][:, tm.label_ids].float(), labels, n_candidates, offsets)


def lr_multiplier(step: int, warmup_steps: int, total_steps: int, schedule: str) -> float:
    """Learning-rate factor for optimizer step `step` (0-based): linear warm-up, then the schedule."""
    import math

    if step < warmup_steps:
        return (step + 1) / (warmup_steps + 1)
    if schedule == "constant":
        return 1.0
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return 0.5 * (1.0 + math.cos(math.pi * progress)) if schedule == "cosine" else 1.0 - progress


def make_optimizer(tm: TrainingModel, config, total_steps: int):
    """AdamW over the LoRA parameters and its warm-up + decay schedule."""
    import torch

    params = [p for p in tm.model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_multiplier(step, config.warmup_steps, total_steps, config.schedule))
    return optimizer, scheduler


def ranker_scorer(tm: TrainingModel, catalog: Catalog, ranker_config: RankerConfig):
    """The inference ranker (LLMRanker over an HFBackend) around the model being trained."""
    from recommender.llm.backend import HFBackend
    from recommender.llm.ranker import LLMRanker

    backend = HFBackend(tm.model, tm.tokenizer, tm.model_id, tm.device)
    return LLMRanker(backend, catalog, ranker_config).score
