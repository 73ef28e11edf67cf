"""Text generation on the loaded model (mixed into HFBackend): greedy streaming, decoding under a token
constraint (the intent parser) and batched generation under a per-row gate (explanations).

Work a person waits for (reading a message, ranking a list) runs in `foreground()`: batched background
generation pauses between its steps while any such work waits, so a new list never queues behind ten
explanations.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Callable, Iterator, Sequence

import numpy as np

PREFIX_CACHE_SIZE = 8  # prompt starts whose KV cache is kept (one per task and adapter in practice)
TOP_K = 40  # candidate tokens a gate is offered per step, best first


class GenerationMixin:
    """Needs: model, tokenizer, device, threads, decode_threads, _forward, _encode, _stop_ids,
    _prefix_cache, _priority (a threading.Condition) and _waiting (an int)."""

    @contextlib.contextmanager
    def foreground(self):
        """Mark work a person is waiting for: background generation yields to it between steps."""
        with self._priority:
            self._waiting += 1
        try:
            yield
        finally:
            with self._priority:
                self._waiting -= 1
                self._priority.notify_all()

    def _yield_to_foreground(self, timeout: float = 10.0) -> None:
        with self._priority:
            self._priority.wait_for(lambda: self._waiting == 0, timeout=timeout)

    def stream(self, prompt: str, max_new_tokens: int = 60, no_repeat_ngram: int = 3) -> Iterator[str]:
        """Greedy decoding with a KV cache on the base model (adapters off), yielding text pieces; stops at
        an end-of-turn token and never repeats an n-gram of its own output (0 turns that off). Closing
        the generator stops generation."""
        import torch

        ids = torch.tensor([self._encode(prompt)], device=self.device)
        generated: list[int] = []
        emitted, past = "", None
        for _ in range(max_new_tokens):
            threads = self.threads if past is None else self.decode_threads  # the prompt pass is large
            out = self._forward(threads, adapter=False, input_ids=ids, cache=past, use_cache=True, logits_to_keep=1)
            past = out.cache
            logits = out.logits[0, -1].float().cpu().numpy().copy()
            logits[repeated_ngram_completions(generated, no_repeat_ngram)] = -np.inf
            next_id = int(logits.argmax())
            if next_id in self._stop_ids:
                break
            generated.append(next_id)
            text = self.tokenizer.decode(generated, skip_special_tokens=True)
            if not text.endswith("\ufffd"):  # an incomplete multi-byte character: wait for the next token
                yield text[len(emitted):]
                emitted = text
            ids = torch.tensor([[next_id]], device=self.device)

    def generate(self, prompt: str, max_new_tokens: int = 60, no_repeat_ngram: int = 3) -> str:
        return "".join(self.stream(prompt, max_new_tokens, no_repeat_ngram))

    def generate_constrained(self, prefix: str, rest: str, constraint, max_new_tokens: int = 96,
                             adapter: bool | str = False) -> str:
        """Greedy decoding after `prefix + rest` under `constraint` (recommender.llm.decoding), with
        `adapter` as in `_running`. The KV cache of `prefix`, a prompt start shared by many calls (the
        system prompt and instructions), is computed once and reused, so a call pays only for `rest`."""
        import torch

        from recommender.llm.decoding import constrained_decode

        cache = copy.deepcopy(self._prefix_kv(self._encode(prefix), adapter))
        threads = self.threads  # the first step feeds the whole `rest`; later ones a token or a few

        def step(ids) -> np.ndarray:
            nonlocal cache, threads
            inputs = torch.tensor([list(ids)], device=self.device)
            out = self._forward(threads, adapter, input_ids=inputs, cache=cache, use_cache=True, logits_to_keep=1)
            cache, threads = out.cache, self.decode_threads
            return out.logits[0, -1].float().cpu().numpy()

        with self.foreground():
            ids = constrained_decode(step, self._encode(rest), constraint, max_new_tokens)
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def generate_batch(self, prefix: str, rests: Sequence[str], choose: Sequence[Callable],
                       finished: Callable[[str, bool], bool], max_new_tokens: int = 48,
                       adapter: bool | str = False) -> Iterator[tuple[int, str]]:
        """Batched greedy generation of one continuation per `rests[i]` after the shared `prefix`, yielding
        (i, text) as each row finishes. At each step row i takes the token `choose[i](text, candidates)`
        picks from the TOP_K best (token id, piece) pairs (None ends the row). `finished(text, wants_stop)`
        says whether a row ends now (`wants_stop`: the model's best token ends its turn). Pauses between
        steps while foreground work waits."""
        import torch

        pieces = self.token_pieces()
        prefix_ids = self._encode(prefix)
        encoded = [self._encode(r) for r in rests]
        width, n = max(len(e) for e in encoded), len(encoded)
        cache = copy.deepcopy(self._prefix_kv(prefix_ids, adapter))
        cache.batch_repeat_interleave(n)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.tensor([[pad] * (width - len(e)) + e for e in encoded], device=self.device)
        mask = torch.tensor([[1] * len(prefix_ids) + [0] * (width - len(e)) + [1] * len(e) for e in encoded],
                            device=self.device)
        positions = torch.tensor([[len(prefix_ids)] * (width - len(e)) + list(range(len(prefix_ids), len(prefix_ids) + len(e)))
                                  for e in encoded], device=self.device)
        texts, open_rows = [""] * n, set(range(n))
        for step in range(max_new_tokens + 1):
            self._yield_to_foreground()
            out = self._forward(self.threads if step == 0 else self.decode_threads, adapter, input_ids=ids,
                                attention_mask=mask, position_ids=positions, cache=cache, use_cache=True,
                                logits_to_keep=1)
            cache = out.cache
            logits = out.logits[:, -1, :].float()
            top = torch.topk(logits, TOP_K, dim=-1).indices.cpu().numpy()
            chosen = [pad] * n
            for row in sorted(open_rows):
                wants_stop = int(top[row][0]) in self._stop_ids
                token = None
                if step < max_new_tokens and not finished(texts[row], wants_stop):
                    token = choose[row](texts[row], [(int(t), pieces[int(t)]) for t in top[row]
                                                     if int(t) not in self._stop_ids])
                if token is None:
                    open_rows.discard(row)
                    yield row, texts[row]
                    continue
                texts[row] += pieces[token]
                chosen[row] = token
            if not open_rows:
                return
            ids = torch.tensor([[t] for t in chosen], device=self.device)
            mask = torch.cat([mask, torch.ones((n, 1), dtype=mask.dtype, device=self.device)], dim=1)
            positions = positions[:, -1:] + 1

    def token_pieces(self) -> list[str]:
        """The text of every token on its own (built once: about a second for a 49k vocabulary)."""
        if getattr(self, "_pieces", None) is None:
            self._pieces = [self.tokenizer.decode([i], skip_special_tokens=False) for i in range(len(self.tokenizer))]
        return self._pieces

    def _prefix_kv(self, ids: list[int], adapter: bool | str):
        import torch

        key = (tuple(ids), adapter)
        if key not in self._prefix_cache:
            if len(self._prefix_cache) >= PREFIX_CACHE_SIZE:
                self._prefix_cache.pop(next(iter(self._prefix_cache)))
            out = self._forward(self.threads, adapter, input_ids=torch.tensor([ids], device=self.device),
                                use_cache=True, logits_to_keep=1)
            self._prefix_cache[key] = out.cache
        return self._prefix_cache[key]


def repeated_ngram_completions(tokens: list[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram already present in `tokens` (none when n < 2)."""
    if n < 2 or len(tokens) < n:
        return []
    prefix = tokens[len(tokens) - n + 1:]
    return [tokens[i + n - 1] for i in range(len(tokens) - n + 1) if tokens[i:i + n - 1] == prefix]
