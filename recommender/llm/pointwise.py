"""Pointwise ranking: every candidate is judged on its own, after the shared history, by the
logit of " yes" minus that of " no" as the first answer token.

The prompt is a prefix (the chat-formatted history and question, up to the open assistant turn)
and one short segment per candidate ("Title:"). All segments share one packed row: the prefix once,
then the segments, with a block attention mask that lets each segment see the prefix and itself
only, and positions that restart where the prefix ends. So each candidate's score is that of the
separate prompt prefix + segment (tested against it), for the cost of about one letter prompt.
Unlike letter labels, the score cannot depend on where a candidate is listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np

from recommender.errors import ModelError
from recommender.llm.prompts import chat_format, quote_query, render

if TYPE_CHECKING:
    from recommender.data.types import Catalog
    from recommender.llm.ranker import RankerConfig, RankInput

ANSWER_WORDS = (" yes", " no")
PREFIX, PAD = -1, -2  # segment ids of the shared prefix and of padding


class PackedRow(NamedTuple):
    ids: list[int]
    positions: list[int]  # each segment's positions continue from the end of the prefix
    segments: list[int]  # PREFIX for prefix tokens, k for candidate k's segment
    score_at: list[int]  # index of each candidate's last segment token (its answer position)


def pack(prefix: Sequence[int], segments: Sequence[Sequence[int]]) -> PackedRow:
    ids, positions, owners, score_at = list(prefix), list(range(len(prefix))), [PREFIX] * len(prefix), []
    for k, segment in enumerate(segments):
        if not segment:
            raise ModelError(f"candidate {k} has an empty prompt segment")
        ids += list(segment)
        positions += range(len(prefix), len(prefix) + len(segment))
        owners += [k] * len(segment)
        score_at.append(len(ids) - 1)
    return PackedRow(ids, positions, owners, score_at)


def answer_token_ids(tokenizer) -> list[int]:
    """Token ids of " yes" and " no"; ModelError unless each is a single token."""
    ids = []
    for word in ANSWER_WORDS:
        pieces = tokenizer.encode(word, add_special_tokens=False)
        if len(pieces) != 1:
            raise ModelError(f"the tokenizer splits {word!r} into {len(pieces)} tokens; "
                             "pointwise ranking needs single-token answers")
        ids.append(int(pieces[0]))
    return ids


def pointwise_texts(backend_or_tokenizer, catalog: "Catalog", inp: "RankInput",
                    config: "RankerConfig") -> tuple[str, list[str]]:
    """The chat-formatted prefix and each candidate's segment text, in `inp.candidates` order."""
    from recommender.llm.ranker import candidate_movie, history_movies, validate_rank_input

    validate_rank_input(catalog, inp, config)
    message = render("rank_pointwise", history=history_movies(catalog, inp, config),
                     query=quote_query(inp.query, config.query_chars))
    prefix = chat_format(backend_or_tokenizer, message, system=render("system"))
    segments = [render("rank_pointwise_item", movie=candidate_movie(catalog, inp, k, config))
                for k in range(len(inp.candidates))]
    return prefix, segments


def encode_pointwise(tokenizer, catalog: "Catalog", inp: "RankInput", config: "RankerConfig") -> PackedRow:
    prefix, segments = pointwise_texts(tokenizer, catalog, inp, config)
    encode = lambda text: tokenizer(text, add_special_tokens=False)["input_ids"]  # noqa: E731
    return pack(encode(prefix), [encode(s) for s in segments])


def batch_tensors(rows: Sequence[PackedRow], pad_id: int, device: str):
    """input_ids, a boolean 4-D attention mask (True = may attend) and position_ids, right-padded.
    Padding attends to padding only, so no attention row is empty (an empty one gives NaN)."""
    import torch

    width = max(len(r.ids) for r in rows)
    fill = lambda values, pad: [list(v) + [pad] * (width - len(v)) for v in values]  # noqa: E731
    ids = torch.tensor(fill([r.ids for r in rows], pad_id), device=device)
    positions = torch.tensor(fill([r.positions for r in rows], 0), device=device)
    owner = torch.tensor(fill([r.segments for r in rows], PAD), device=device)
    causal = torch.ones(width, width, dtype=torch.bool, device=device).tril()
    same = owner[:, :, None] == owner[:, None, :]
    sees_prefix = (owner[:, None, :] == PREFIX) & (owner[:, :, None] != PAD)
    return ids, (causal & (same | sees_prefix))[:, None], positions


def packed_answer_logits(model, rows: Sequence[PackedRow], token_ids: Sequence[int], pad_id: int, device: str):
    """Logits of `token_ids` at every candidate's answer position: a (rows, max candidates, tokens)
    tensor, zero beyond a row's candidates. Differentiable, so training uses it too. Only the
    answer positions go through the output layer (the full vocabulary at every position would
    be ~50k logits per token)."""
    import torch

    ids, mask, positions = batch_tensors(rows, pad_id, device)
    hidden = model.get_decoder()(input_ids=ids, attention_mask=mask, position_ids=positions,
                                 use_cache=False).last_hidden_state
    head = model.get_output_embeddings()
    weight = head.weight[list(token_ids)]
    most = max(len(r.score_at) for r in rows)
    index = torch.tensor([r.score_at + [0] * (most - len(r.score_at)) for r in rows], device=device)
    picked = hidden.gather(1, index[:, :, None].expand(-1, -1, hidden.shape[-1]))
    logits = picked.to(weight.dtype) @ weight.T
    if getattr(head, "bias", None) is not None:
        logits = logits + head.bias[list(token_ids)]
    shown = torch.arange(most, device=device)[None, :] < torch.tensor([len(r.score_at) for r in rows],
                                                                      device=device)[:, None]
    return logits.float() * shown[:, :, None]


def yes_minus_no(logits: np.ndarray) -> np.ndarray:
    """Score per candidate from its (yes, no) logits: their difference, log P(yes) / P(no)."""
    logits = np.asarray(logits, dtype=np.float64)
    return logits[..., 0] - logits[..., 1]
