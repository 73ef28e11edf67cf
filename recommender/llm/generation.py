"""Text generation on the loaded model (mixed into HFBackend): greedy streaming, decoding under a token
constraint (the intent parser) and batched generation under a per-row gate (explanations).

Work a person waits for (reading a message, ranking a list) runs in `foreground()`: batched background
generation pauses between its steps while any such work waits, so a new list never queues behind ten
explanations.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from typing import Callable, Iterator, Sequence

import numpy as np

PREFIX_CACHE_SIZE = 8  # prompt starts whose KV cache is kept (one per task and adapter in practice)
TOP_K = 40  # candidate tokens a gate is offered per step, best first


class GenerationMixin:
    """Needs: model, tokenizer, device, threads, decode_threads, _forward, _encode, _stop_ids,
    _prefix_cache, _prefix_computing, _prefix_guard (a threading.Lock), _priority (a threading.Condition) and
    _waiting (an int)."""

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
        `adapter` as in `_running`; foreground work (see `decode_batch`)."""
        from recommender.llm.decoding import GrammarPolicy

        with self.foreground():
            (_, ids), = self.decode_batch(prefix, [rest], [GrammarPolicy(constraint)], max_new_tokens, adapter)
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def decode_batch(self, prefix: str, rests: Sequence[str], policies: Sequence[Callable], max_steps: int,
                     adapter: bool | str = False, background: bool = False,
                     joining: Callable[[], Sequence[tuple[str, Callable]]] | None = None,
                     ) -> Iterator[tuple[int, list[int]]]:
        """Batched greedy decoding of a continuation of `prefix + rests[i]` for each i, yielding (i, tokens)
        as rows end. At each model step row i's policy, given its next-token logits, returns the tokens to
        append (its choice and any the output constraint forces after it) or None to end the row (a policy
        whose `done` is set after a call has ended with the tokens it returned); each
        row is fed its own number of tokens per step (left-padded and masked), so forced tokens cost no
        step. The KV cache of `prefix`, shared by many calls (a system prompt, instructions), is computed
        once. `background` work pauses between steps while foreground work waits. `joining`, called before
        each step, returns rows that join the batch now ((rest, policy) pairs, numbered on from the last row):
        a message that arrives while others are decoded does not wait for them to finish."""
        import torch

        prefix_ids = self._encode(prefix)
        start = self._prefix_kv(prefix_ids, adapter, background)
        cache = copy.deepcopy(start)
        if len(rests) > 1:
            cache.batch_repeat_interleave(len(rests))
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        policies = list(policies)
        feeds = [self._encode(r) for r in rests]
        seen = [len(prefix_ids)] * len(rests)  # real tokens in each row's cache
        mask = torch.ones((len(rests), len(prefix_ids)), dtype=torch.long, device=self.device)
        outputs: list[list[int]] = [[] for _ in rests]
        calls = [0] * len(rests)  # policy calls per row
        live = list(range(len(rests)))  # the row at each place of the batch: finished rows leave it
        while live:
            for rest, policy in (joining() if joining is not None else ()):
                cache, mask = with_new_row(cache, start, mask)
                live.append(len(feeds))
                feeds.append(self._encode(rest))
                seen.append(len(prefix_ids))
                outputs.append([])
                calls.append(0)
                policies.append(policy)
            width = max(len(feeds[r]) for r in live)
            ids, new_mask, positions = [], [], []
            for r in live:
                feed = feeds[r]
                ids.append([pad] * (width - len(feed)) + feed)
                new_mask.append([0] * (width - len(feed)) + [1] * len(feed))
                positions.append([seen[r]] * (width - len(feed)) + list(range(seen[r], seen[r] + len(feed))))
                seen[r] += len(feed)
            mask = torch.cat([mask, torch.tensor(new_mask, device=self.device)], dim=1)
            out = self._forward(self.threads if width > 1 else self.decode_threads, adapter,
                                input_ids=torch.tensor(ids, device=self.device), attention_mask=mask,
                                position_ids=torch.tensor(positions, device=self.device), cache=cache,
                                use_cache=True, logits_to_keep=1, background=background)
            cache = out.cache
            logits = out.logits[:, -1, :].float().cpu().numpy()
            going = []
            for place, r in enumerate(live):
                new = policies[r](logits[place]) if calls[r] < max_steps else None
                calls[r] += 1
                if new:
                    outputs[r] += new
                    feeds[r] = list(new)
                if not new or getattr(policies[r], "done", False):  # done: complete, no step needed to feed it
                    yield r, outputs[r]
                else:
                    going.append(place)
            if len(going) < len(live):  # a finished row costs a step's work for every step it stays
                cache.batch_select_indices(torch.tensor(going, dtype=torch.long, device=self.device))
                mask, live = mask[going], [live[p] for p in going]

    def generate_batch(self, prefix: str, rests: Sequence[str], choose: Sequence[Callable],
                       finished: Callable[[str, bool], bool], max_new_tokens: int = 48,
                       adapter: bool | str = False, force: Sequence[Callable] | None = None) -> Iterator[tuple[int, str]]:
        """Batched greedy text generation after the shared `prefix`, yielding (i, text) as each row finishes.
        At each step row i takes the token `choose[i](text, candidates)` picks from its TOP_K best (token
        id, piece) pairs (None ends the row); `finished(text, wants_stop)` says whether a row ends now
        (`wants_stop`: the model's best token ends its turn); `force[i](text)`, when it returns text, writes
        that text instead, in one step. Background work (see `decode_batch`)."""
        pieces = self.token_pieces()
        encode = lambda text: self.tokenizer.encode(text, add_special_tokens=False)  # noqa: E731
        force = force or [None] * len(choose)
        writers = [TextWriter(c, finished, pieces, self._stop_ids, f, encode) for c, f in zip(choose, force)]
        for row, _ in self.decode_batch(prefix, rests, writers, max_new_tokens, adapter, background=True):
            yield row, writers[row].text

    def token_pieces(self) -> list[str]:
        """The text of every token on its own (built once: about a second for a 49k vocabulary)."""
        if getattr(self, "_pieces", None) is None:
            self._pieces = [self.tokenizer.decode([i], skip_special_tokens=False) for i in range(len(self.tokenizer))]
        return self._pieces

    def _prefix_kv(self, ids: list[int], adapter: bool | str, background: bool = False):
        """The KV cache of a prompt start, computed once: callers that ask for the same start at the same
        time (eight sessions' explanations) wait for the first one's pass rather than each running it."""
        import torch

        key = (tuple(ids), adapter)
        with self._prefix_guard:
            computing = self._prefix_computing.setdefault(key, threading.Lock())
        with computing:
            if key not in self._prefix_cache:
                out = self._forward(self.threads, adapter, input_ids=torch.tensor([ids], device=self.device),
                                    use_cache=True, logits_to_keep=1, background=background)
                with self._prefix_guard:
                    if len(self._prefix_cache) >= PREFIX_CACHE_SIZE:
                        self._prefix_cache.pop(next(iter(self._prefix_cache)))
                    self._prefix_cache[key] = out.cache
            return self._prefix_cache[key]


def with_new_row(cache, start, mask):
    """`cache` and `mask` with one more row: the prompt start's keys and values (`start`, one row), then
    masked zeros up to the batch's length, so the row's own tokens follow its start as if alone."""
    import torch

    length, begun = mask.shape[1], start.layers[0].keys.shape[-2]
    for layer, first in zip(cache.layers, start.layers):
        for name in ("keys", "values"):
            block = getattr(first, name)
            padding = block.new_zeros(*block.shape[:-2], length - begun, block.shape[-1])
            setattr(layer, name, torch.cat([getattr(layer, name), torch.cat([block, padding], dim=-2)], dim=0))
    row = torch.zeros((1, length), dtype=mask.dtype, device=mask.device)
    row[:, :begun] = 1
    return cache, torch.cat([mask, row], dim=0)


def repeated_ngram_completions(tokens: list[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram already present in `tokens` (none when n < 2)."""
    if n < 2 or len(tokens) < n:
        return []
    prefix = tokens[len(tokens) - n + 1:]
    return [tokens[i + n - 1] for i in range(len(tokens) - n + 1) if tokens[i:i + n - 1] == prefix]


class TextWriter:
    """A decode_batch policy that writes text: each step, the first of the TOP_K best tokens its `choose`
    accepts (None: the text ends), and nothing once `finished(text, the model wants to stop)`."""

    def __init__(self, choose: Callable, finished: Callable[[str, bool], bool], pieces: Sequence[str], stop_ids,
                 force: Callable[[str], str | None] | None = None, encode: Callable[[str], list[int]] | None = None):
        self.choose, self.finished, self.pieces, self.stop_ids = choose, finished, pieces, set(stop_ids)
        self.force, self.encode = force, encode
        self.text = ""

    def __call__(self, logits: np.ndarray) -> list[int] | None:
        top = np.argpartition(-logits, TOP_K)[:TOP_K]
        top = top[np.argsort(-logits[top], kind="stable")]
        if self.finished(self.text, int(top[0]) in self.stop_ids):
            return None
        forced = self.force(self.text) if self.force is not None and self.encode is not None else None
        ids = self.encode(forced) if forced else None
        if ids:  # the rest of what must follow (a title whose start is unique), fed in one step
            self.text += forced
            return list(ids)
        token = self.choose(self.text, [(int(t), self.pieces[int(t)]) for t in top if int(t) not in self.stop_ids])
        if token is None:
            return None
        self.text += self.pieces[token]
        return [token]
