"""A deterministic stand-in for the language model (recommender.types.LLMBackend), without torch.

    backend = FakeBackend()                                   # pseudo-random but fixed logits
    backend = FakeBackend(logits_fn=lambda prompt, ids: ...)  # scripted logits, one row per prompt
    backend = FakeBackend(reply="Because ...")                # what stream()/generate() produce
    backend = FakeBackend(reply=lambda prompt: ...)

Its tokenizer maps each character to one token (its code point), so the labels "A".."T" are tokens
65..84 and every single character is a single token. `calls` records the batch sizes of every
next_token_logits call; `prompts` every prompt seen by stream().
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable, Iterator, Sequence

import numpy as np

LogitsFn = Callable[[str, Sequence[int]], Sequence[float]]


class FakeTokenizer:
    """Character-level: token id = code point. Implements the bits of the HF tokenizer API we use."""

    eos_token = "\x03"
    pad_token = "\x00"
    eos_token_id = 3
    pad_token_id = 0
    padding_side = "left"
    chat_template = "fake"

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [ord(ch) for ch in text]

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict:
        return {"input_ids": self.encode(text)}

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        return "".join(chr(i) for i in ids)

    def apply_chat_template(self, messages: list[dict], tokenize: bool = False, add_generation_prompt: bool = True) -> str:
        text = "".join(f"<{m['role']}>\n{m['content']}\n</{m['role']}>\n" for m in messages)
        return text + ("<assistant>\n" if add_generation_prompt else "")


def hashed_logits(prompt: str, token_ids: Sequence[int]) -> np.ndarray:
    """Fixed pseudo-random logits in [-4, 4) per (prompt, token)."""
    out = []
    for token in token_ids:
        digest = hashlib.sha256(f"{token}|{prompt}".encode("utf-8")).digest()
        out.append(int.from_bytes(digest[:4], "little") / 2**32 * 8.0 - 4.0)
    return np.array(out, dtype=np.float32)


_LABELLED_LINE = re.compile(r'^([A-T])\. (?:\[#\d+\] )?"((?:[^"\\]|\\.)*)"', re.M)


def labelled_candidates(prompt: str) -> dict[str, str]:
    """Label -> title (unescaped) of the candidate lines 'A. "Title"' in a ranking prompt."""
    return {m.group(1): m.group(2).replace('\\"', '"').replace("\\\\", "\\") for m in _LABELLED_LINE.finditer(prompt)}


def title_logits(title_score: Callable[[str], float], position_bias: float = 0.0) -> LogitsFn:
    """A logits_fn whose logit for label L is title_score(title shown as L) - position_bias * position.
    Labels not shown in the prompt get -1e9, as from a model that never says them."""

    def fn(prompt: str, token_ids: Sequence[int]) -> np.ndarray:
        shown = labelled_candidates(prompt)
        row = []
        for token in token_ids:
            label = chr(token)
            if label in shown:
                row.append(title_score(shown[label]) - position_bias * (ord(label) - ord("A")))
            else:
                row.append(-1e9)
        return np.array(row, dtype=np.float64)

    return fn


class FakeBackend:
    """Deterministic LLMBackend: no torch, instant, inspectable."""

    def __init__(self, logits_fn: LogitsFn | None = None, reply: str | Callable[[str], str] = "A fine pick.",
                 model_id: str = "fake/model"):
        self.tokenizer = FakeTokenizer()
        self.model_id = model_id
        self.logits_fn = logits_fn or hashed_logits
        self.reply = reply
        self.calls: list[list[int]] = []  # batch sizes of each next_token_logits call
        self.prompts: list[str] = []  # prompts given to stream()
        self.streamed_pieces = 0  # pieces actually produced (shows early stopping)

    def chat_prompt(self, user_message: str, system: str | None = None) -> str:
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": user_message}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text))

    def next_token_logits(self, prompts: Sequence[str], token_ids: Sequence[int], batch_size: int = 8) -> np.ndarray:
        sizes = [min(batch_size, len(prompts) - start) for start in range(0, len(prompts), max(1, batch_size))]
        self.calls.append(sizes)
        rows = [np.asarray(self.logits_fn(p, token_ids), dtype=np.float64) for p in prompts]
        return np.array(rows, dtype=np.float64).reshape(len(prompts), len(token_ids))

    def stream(self, prompt: str, max_new_tokens: int = 60) -> Iterator[str]:
        """Yields the reply word by word (each word with its leading space counts as one token)."""
        self.prompts.append(prompt)
        text = self.reply(prompt) if callable(self.reply) else self.reply
        for piece in re.findall(r"\s*\S+", text)[:max_new_tokens]:
            self.streamed_pieces += 1
            yield piece

    def generate(self, prompt: str, max_new_tokens: int = 60) -> str:
        return "".join(self.stream(prompt, max_new_tokens))
