"""Ranking a shortlist by verbalizer: one forward pass per prompt scores every candidate.

The prompt lists the candidates labelled A., B., ... and asks for the letter only. The score of a
candidate is the logit of its label token at the answer position, log-softmaxed over the n labels in
the prompt. Nothing is generated, so every ranked item is a candidate by construction.

Position bias (small models prefer early labels) is controlled by averaging the scores over
`n_permutations` seeded orderings of the candidates, each mapped back to the candidate it scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from recommender.config import check, option
from recommender.data.types import Catalog
from recommender.errors import ModelError, RecommenderError, UnknownItemError
from recommender.llm.mix import mix_scores  # noqa: F401  (re-exported: the ranker's mix)
from recommender.llm.pointwise import answer_token_ids, encode_pointwise, yes_minus_no
from recommender.llm.prompts import PromptMovie, chat_format, format_rating, movie_text, quote_query, render
from recommender.types import Request, Shortlist

LABELS = "ABCDEFGHIJKLMNOPQRST"  # at most 20 candidates per prompt
MAX_CANDIDATES = len(LABELS)
SCHEMES = ("letters", "pointwise")


class RankInputError(RecommenderError):
    """A ranking request the ranker cannot take (too many candidates, misaligned ratings)."""


@dataclass
class RankInput:
    history: Sequence[int]  # catalogue indices, chronological (most recent last)
    ratings: Sequence[float]  # parallel to history, NaN where unknown; may be empty
    candidates: Sequence[int]  # catalogue indices, at most 20
    query: str | None = None
    retrieval_ranks: Sequence[int] | None = None  # 1-based retrieval rank per candidate, optional evidence


@dataclass
class RankerConfig:
    max_history: int = option(8, "most recent history items shown in the ranking prompt")
    title_chars: int = option(40, "titles longer than this are cut with an ellipsis")
    query_chars: int = option(200, "the user's request is cut to this many characters")
    n_permutations: int = option(1, "average scores over this many candidate orders (1 = no position-bias control)")
    seed: int = option(0, "seed of the candidate permutations")
    batch_size: int = option(8, "prompts per forward pass")
    show_year: bool = option(False, "show release years in the ranking prompt (about 6 tokens each: slower)")
    show_genres: bool = option(False, "show genres after every title in the ranking prompt (about 4 tokens each)")
    show_retrieval_rank: bool = option(False, "show each candidate's retrieval rank in the prompt as evidence")
    labels_by_rank: bool = option(False, "label candidates by retrieval rank (A = rank 1) and list the lines in a "
                                         "seeded shuffled order, so the answer letter itself carries the retrieval "
                                         "prior and the line position carries nothing (needs retrieval ranks)")
    rank_prior: list | None = option(None, "log-probability added to the LLM score of the candidate at retrieval "
                                           "rank 1, 2, ...: the prior a residual adapter was trained on top of "
                                           "(written by `recommender train` with residual: true; None = none)")
    scheme: str = option("letters", "'letters': one prompt lists the candidates as A., B., ... and scores each by "
                                    "its letter's logit; 'pointwise': each candidate is asked about on its own "
                                    "(\" yes\" minus \" no\" logit) after the shared history, all candidates in "
                                    "one packed forward pass (recommender/llm/pointwise.py)")
    mix_weight: float = option(0.0, "weight of the LLM score in the final mix with retrieval, tuned on val by "
                                     "`recommender eval --ranker llm` (ML-100k, SmolLM2-135M: 0, see eval/results)")

    def __post_init__(self):
        check(self.max_history >= 0, f"max_history must be >= 0, not {self.max_history}")
        check(self.title_chars >= 8, f"title_chars must be >= 8, not {self.title_chars}")
        check(self.query_chars >= 8, f"query_chars must be >= 8, not {self.query_chars}")
        check(self.n_permutations >= 1, f"n_permutations must be >= 1, not {self.n_permutations}")
        check(self.batch_size >= 1, f"batch_size must be >= 1, not {self.batch_size}")
        check(self.scheme in SCHEMES, f"scheme must be one of {', '.join(SCHEMES)}, not {self.scheme!r}")
        check(self.scheme == "letters" or (not self.labels_by_rank and self.n_permutations == 1),
              "pointwise scores do not depend on the candidate order: labels_by_rank must be false and "
              "n_permutations 1")
        check(0.0 <= self.mix_weight <= 1.0, f"mix_weight must be in [0, 1], not {self.mix_weight}")
        check(self.rank_prior is None or (
            isinstance(self.rank_prior, list) and 1 <= len(self.rank_prior) <= MAX_CANDIDATES
            and all(isinstance(v, (int, float)) and np.isfinite(v) and v <= 0 for v in self.rank_prior)),
            f"rank_prior must be a list of 1 to {MAX_CANDIDATES} finite log-probabilities (<= 0)")


def validate_rank_input(catalog: Catalog, inp: RankInput, config: RankerConfig) -> None:
    n = len(inp.candidates)
    if n > MAX_CANDIDATES:
        raise RankInputError(f"at most {MAX_CANDIDATES} candidates per ranking prompt, got {n}")
    if len(inp.ratings) not in (0, len(inp.history)):
        raise RankInputError(f"{len(inp.ratings)} ratings for {len(inp.history)} history items")
    if inp.retrieval_ranks is not None and len(inp.retrieval_ranks) != n:
        raise RankInputError(f"{len(inp.retrieval_ranks)} retrieval ranks for {n} candidates")
    if config.labels_by_rank and n and (
            inp.retrieval_ranks is None or sorted(int(r) for r in inp.retrieval_ranks) != list(range(1, n + 1))):
        raise RankInputError("labels_by_rank needs the retrieval ranks 1..n of the candidates, each once")
    if config.rank_prior is not None and n and (
            inp.retrieval_ranks is None or not all(1 <= int(r) <= len(config.rank_prior) for r in inp.retrieval_ranks)):
        raise RankInputError(f"rank_prior needs each candidate's retrieval rank, from 1 to {len(config.rank_prior)}")
    for index in list(inp.candidates) + list(inp.history):
        if not 0 <= int(index) < len(catalog):
            raise UnknownItemError(f"item index {int(index)} is not in the catalogue ({len(catalog)} items)")


def rank_prompt_variables(catalog: Catalog, inp: RankInput, config: RankerConfig) -> dict:
    """What rank.j2 and generate_rank.j2 need: quoted history (most recent last) and labelled candidates."""
    validate_rank_input(catalog, inp, config)
    history = history_movies(catalog, inp, config)
    candidates = [candidate_movie(catalog, inp, pos, config, label=LABELS[k])
                  for k, pos in enumerate(label_order(inp, config))]
    if config.labels_by_rank:
        candidates = [candidates[k] for k in display_shuffle(inp, config.seed)]
    return {"history": history, "candidates": candidates, "query": quote_query(inp.query, config.query_chars)}


def history_movies(catalog: Catalog, inp: RankInput, config: RankerConfig) -> list[PromptMovie]:
    """The last `max_history` history items as prompt lines, most recent last."""
    start = max(0, len(inp.history) - config.max_history) if config.max_history else len(inp.history)
    return [
        PromptMovie(movie_text(catalog[int(h)], config.title_chars, config.show_year),
                    rating=format_rating(float(inp.ratings[i])) if len(inp.ratings) else None,
                    genres=genre_text(catalog[int(h)], config))
        for i, h in enumerate(inp.history) if i >= start
    ]


def candidate_movie(catalog: Catalog, inp: RankInput, position: int, config: RankerConfig,
                    label: str = "") -> PromptMovie:
    """Candidate `position` of `inp` as a prompt line: its title, and its retrieval rank and genres when shown."""
    item = catalog[int(inp.candidates[position])]
    rank = inp.retrieval_ranks[position] if config.show_retrieval_rank and inp.retrieval_ranks is not None else None
    return PromptMovie(movie_text(item, config.title_chars, config.show_year), label=label,
                       retrieval_rank=int(rank) if rank is not None else None, genres=genre_text(item, config))


def genre_text(item, config: RankerConfig) -> str:
    return ", ".join(item.genres) if config.show_genres else ""


def label_order(inp: RankInput, config: RankerConfig) -> np.ndarray:
    """Which candidate gets each label: entry k is the position (in `inp.candidates`) labelled LABELS[k].
    Labels follow the candidates' order, or their retrieval ranks with `labels_by_rank`."""
    n = len(inp.candidates)
    if config.labels_by_rank and n:
        return np.argsort(np.asarray(inp.retrieval_ranks, dtype=np.int64), kind="stable")
    return np.arange(n)


def display_shuffle(inp: RankInput, seed: int) -> np.ndarray:
    """The order the candidate lines are listed in with `labels_by_rank`: seeded by the set of
    candidates, so the same shortlist always reads the same, whatever order it arrived in."""
    n = len(inp.candidates)
    return np.random.default_rng([seed, n, *sorted(int(c) for c in inp.candidates)]).permutation(n)


def build_rank_prompt(backend_or_tokenizer, catalog: Catalog, inp: RankInput, config: RankerConfig,
                      template: str = "rank") -> str:
    """The full chat-formatted prompt, ending where the answer letter goes."""
    user_message = render(template, **rank_prompt_variables(catalog, inp, config))
    return chat_format(backend_or_tokenizer, user_message, system=render("system"))


def label_token_ids(tokenizer, n: int) -> list[int]:
    """Token id of each label 'A'.. as the first answer token; ModelError if a label is not one token."""
    if not 0 <= n <= MAX_CANDIDATES:
        raise RankInputError(f"at most {MAX_CANDIDATES} labels, asked for {n}")
    ids = []
    for letter in LABELS[:n]:
        pieces = tokenizer.encode(letter, add_special_tokens=False)
        if len(pieces) != 1:
            raise ModelError(f"the tokenizer splits the label {letter!r} into {len(pieces)} tokens; "
                             "verbalizer ranking needs single-token labels")
        ids.append(int(pieces[0]))
    if len(set(ids)) != len(ids):
        raise ModelError("the tokenizer maps different labels to the same token")
    return ids


def verbalizer_scores(label_logits: np.ndarray) -> np.ndarray:
    """Log-softmax over the label logits (last axis): log P(label | prompt, answer is a label)."""
    logits = np.asarray(label_logits, dtype=np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def candidate_permutations(n: int, n_permutations: int, seed: int) -> list[np.ndarray]:
    """The identity first, then seeded random orders. Seeded by (seed, n) only, so an input gets the
    same orders whatever else is in the batch."""
    perms = [np.arange(n)]
    rng = np.random.default_rng([seed, n])
    perms += [rng.permutation(n) for _ in range(n_permutations - 1)]
    return perms


def permute_input(inp: RankInput, perm: np.ndarray) -> RankInput:
    """The same request with candidates (and their retrieval ranks) shown in order `perm`."""
    ranks = None if inp.retrieval_ranks is None else [inp.retrieval_ranks[p] for p in perm]
    return RankInput(inp.history, inp.ratings, [inp.candidates[p] for p in perm], inp.query, ranks)


def prior_offsets(retrieval_ranks: Sequence[int], rank_prior: Sequence[float]) -> np.ndarray:
    """The prior's log-probability of each candidate, from its 1-based retrieval rank."""
    return np.array([float(rank_prior[int(r) - 1]) for r in retrieval_ranks], dtype=np.float64)


def ranked_order(scores: np.ndarray) -> np.ndarray:
    """Positions of the candidates, best score first; ties keep the input (retrieval) order."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


class LLMRanker:
    """Scores shortlists with the loaded LLM. `score` returns one array per input, parallel to its
    candidates (higher is better)."""

    def __init__(self, backend, catalog: Catalog, config: RankerConfig | None = None):
        self.backend, self.catalog = backend, catalog
        self.config = config or RankerConfig()
        if self.config.scheme == "pointwise":
            self._answer_ids = answer_token_ids(backend.tokenizer)
        else:
            self._label_ids = label_token_ids(backend.tokenizer, MAX_CANDIDATES)

    def prompts_for(self, inp: RankInput) -> list[tuple[np.ndarray, str]]:
        """(labelled, prompt) for each candidate order this input is scored under, where labelled[k]
        is the position in `inp.candidates` of the candidate labelled LABELS[k]."""
        perms = candidate_permutations(len(inp.candidates), self.config.n_permutations, self.config.seed)
        out = []
        for perm in perms:
            shown = permute_input(inp, perm)
            prompt = build_rank_prompt(self.backend, self.catalog, shown, self.config)
            out.append((perm[label_order(shown, self.config)], prompt))
        return out

    def score(self, inputs: list[RankInput]) -> list[np.ndarray]:
        scores = self._pointwise(inputs) if self.config.scheme == "pointwise" else self._letters(inputs)
        if self.config.rank_prior is not None:
            for inp, s in zip(inputs, scores):
                s += prior_offsets([] if inp.retrieval_ranks is None else inp.retrieval_ranks, self.config.rank_prior)
        return scores

    def _pointwise(self, inputs: list[RankInput]) -> list[np.ndarray]:
        scores = [np.zeros(len(inp.candidates), dtype=np.float64) for inp in inputs]
        scored, rows = [], []
        for i, inp in enumerate(inputs):
            if len(inp.candidates) == 0:
                validate_rank_input(self.catalog, inp, self.config)
                continue
            scored.append(i)  # encode_pointwise validates the input
            rows.append(encode_pointwise(self.backend.tokenizer, self.catalog, inp, self.config))
        if rows:
            logits = self.backend.packed_logits(rows, self._answer_ids, batch_size=self.config.batch_size)
            for i, row_logits in zip(scored, logits):
                scores[i] = yes_minus_no(row_logits)
        return scores

    def _letters(self, inputs: list[RankInput]) -> list[np.ndarray]:
        slots: list[tuple[int, np.ndarray]] = []
        prompts: list[str] = []
        for i, inp in enumerate(inputs):
            if len(inp.candidates) == 0:
                validate_rank_input(self.catalog, inp, self.config)
                continue
            for labelled, prompt in self.prompts_for(inp):
                slots.append((i, labelled))
                prompts.append(prompt)
        scores = [np.zeros(len(inp.candidates), dtype=np.float64) for inp in inputs]
        if not prompts:
            return scores
        logits = self.backend.next_token_logits(prompts, self._label_ids, batch_size=self.config.batch_size)
        for row, (i, labelled) in zip(logits, slots):
            # Label k named candidate labelled[k]: credit its score back to that candidate.
            scores[i][labelled] += verbalizer_scores(row[:len(labelled)]) / self.config.n_permutations
        return scores

    def rerank(self, request: Request, shortlist: Shortlist) -> Reranked:
        """The facade's hook: see `rerank_shortlist`."""
        return rerank_shortlist(self, request, shortlist)


class Reranked(NamedTuple):
    final: np.ndarray  # per shortlist position, higher is better
    llm: np.ndarray  # LLM score per shortlist position; NaN beyond the first MAX_CANDIDATES or when mix_weight is 0


def rerank_shortlist(ranker: "LLMRanker", request: Request, shortlist: Shortlist) -> Reranked:
    """Score the first MAX_CANDIDATES of a retrieval shortlist with the LLM and mix with retrieval;
    the rest stay below them in retrieval order. Items liked in the dialogue count as most recent history."""
    n = min(len(shortlist.indices), MAX_CANDIDATES)
    in_history = {int(i) for i in request.history}
    liked = [int(i) for i in dict.fromkeys(request.liked) if int(i) not in in_history]  # not shown twice
    known = list(request.ratings) if len(request.ratings) == len(request.history) else [np.nan] * len(request.history)
    inp = RankInput(list(request.history) + liked, known + [np.nan] * len(liked),
                    [int(i) for i in shortlist.indices[:n]], request.query, list(range(1, n + 1)))
    llm = np.full(len(shortlist.indices), np.nan)
    final = np.asarray(shortlist.scores, dtype=np.float64).copy()
    if n == 0:
        return Reranked(final, llm)
    if ranker.config.mix_weight > 0:
        llm[:n] = ranker.score([inp])[0]
        final[:n] = mix_scores(final[:n], llm[:n], ranker.config.mix_weight)
    else:  # weight 0 ignores the LLM's scores, so skip its forward pass (the same order, ~0.8 s sooner)
        final[:n] = mix_scores(final[:n], np.zeros(n), 0.0)
    final[n:] = final[:n].min() - 1.0 - np.arange(len(final) - n)
    return Reranked(final, llm)
