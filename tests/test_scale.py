"""Large-catalogue pieces: synthetic data sets and the approximate dense index."""

import numpy as np
import pytest

from recommender.cli import main
from recommender.data.generic import load_generic
from recommender.data.split import LeaveOneOut
from recommender.data.synth import SynthConfig, synthesize
from recommender.errors import ConfigError
from recommender.evaluation.retrieval_eval import evaluate_retrieval
from recommender.retrieval.config import RetrievalConfig
from recommender.retrieval.hybrid import HybridRetriever
from recommender.types import Request
from tests.synthetic import HashEmbedder

SMALL = SynthConfig(items=2_000, users=200, interactions=6_000, seed=3)


def test_synthetic_data_is_exact_deterministic_and_loads_as_the_generic_format(tmp_path):
    first, second = synthesize(SMALL), synthesize(SMALL)
    np.testing.assert_array_equal(first.items, second.items)
    assert len(first.items) == SMALL.interactions
    first.write(tmp_path / "a")
    dataset = load_generic(tmp_path / "a")
    inter = dataset.interactions
    assert len(dataset.catalog) == SMALL.items and len(inter) == SMALL.interactions
    assert inter.n_users == SMALL.users
    pairs = set(zip(inter.users.tolist(), inter.items.tolist()))
    assert len(pairs) == len(inter)  # no (user, item) pair twice
    histories = LeaveOneOut(inter, dataset.catalog).histories
    assert min(len(h) for h in histories.values()) >= 3
    assert all(np.all(np.diff(h.timestamps) > 0) for h in histories.values())
    assert all(item.text and item.genres and item.year for item in dataset.catalog)
    assert set(np.unique(inter.ratings)) <= {1, 2, 3, 4, 5}


def test_synthetic_popularity_is_skewed_and_sequences_carry_signal(tmp_path):
    synthesize(SMALL).write(tmp_path / "d")
    dataset = load_generic(tmp_path / "d")
    counts = np.sort(np.bincount(dataset.interactions.items, minlength=SMALL.items))[::-1]
    assert counts[: SMALL.items // 10].sum() > 0.35 * counts.sum()  # top 10% of items: over a third
    config = RetrievalConfig(cache_dir=str(tmp_path / "cache"))
    result = evaluate_retrieval(dataset, "test", config=config, progress=False, embedder_factory=HashEmbedder)
    assert result.rows["transitions"]["ndcg@10"] > 1.5 * result.rows["popularity (baseline)"]["ndcg@10"]


def test_synth_config_rejects_impossible_sizes():
    with pytest.raises(ConfigError, match="3 x users"):
        SynthConfig(items=100, users=50, interactions=100)
    with pytest.raises(ConfigError, match="at most once"):
        SynthConfig(items=10, users=10, interactions=40)


def test_synth_command_writes_the_files_and_refuses_a_used_directory(tmp_path, capsys):
    out = tmp_path / "syn"
    args = ["data", "synth", "--items", "50", "--users", "10", "--interactions", "100", "--seed", "1",
            "--out", str(out)]
    assert main(args) == 0
    assert (out / "items.csv").is_file() and (out / "interactions.csv").is_file()
    assert "100 interactions" in capsys.readouterr().out
    assert main(args) != 0
    assert "already exists" in capsys.readouterr().err


def clustered_vectors(n=600, dim=24, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, dim))
    vectors = centres[rng.integers(0, 12, n)] + 0.4 * rng.normal(size=(n, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_approximate_dense_scores_keep_the_candidates_exact_and_floor_the_rest(tmp_path):
    from recommender.retrieval.ann import ApproximateIndex

    vectors = clustered_vectors()
    index = ApproximateIndex.load_or_build(tmp_path, vectors, candidates=50)
    query = vectors[:5].mean(axis=0)
    query /= np.linalg.norm(query)
    exact = vectors @ query
    scores = index.scores(query, vectors)
    found = index.nearest(query)
    np.testing.assert_allclose(scores[found], exact[found], rtol=1e-6)
    others = np.setdiff1d(np.arange(len(vectors)), found)
    assert np.all(scores[others] == scores[found].min())
    # recall over ten queries: parallel inserts make the graph differ run to run, and one query once gave 0.84
    queries = [vectors[k:k + 5].mean(axis=0) / np.linalg.norm(vectors[k:k + 5].mean(axis=0)) for k in range(0, 100, 10)]
    recall = np.mean([len(set(index.nearest(q).tolist()) & set(np.argsort(-(vectors @ q))[:50].tolist())) / 50
                      for q in queries])
    assert recall >= 0.9
    reloaded = ApproximateIndex.load_or_build(tmp_path, vectors, candidates=50)
    np.testing.assert_array_equal(reloaded.nearest(query), found)


def test_a_catalogue_past_the_exact_limit_uses_the_approximate_index(tmp_path):
    from tests.synthetic import synthetic_dataset

    dataset = synthetic_dataset()
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    sequences = [h.items for h in loo.histories.values()]
    exact_config = RetrievalConfig(cache_dir=str(tmp_path / "cache"))
    approx_config = RetrievalConfig(cache_dir=str(tmp_path / "cache"), dense_exact_max_items=10,
                                    dense_candidates=len(dataset.catalog))
    exact = HybridRetriever.build(dataset.catalog, sequences, exact_config, HashEmbedder, progress=False)
    approx = HybridRetriever.build(dataset.catalog, sequences, approx_config, HashEmbedder, progress=False)
    assert exact.channels["dense"].approximate is None and approx.channels["dense"].approximate is not None
    request = Request(history=[10, 11, 12], query="horror story")
    # with every item a candidate the approximate channel is the exact one
    np.testing.assert_allclose(approx.channels["dense"].scores(request), exact.channels["dense"].scores(request),
                               rtol=1e-5, atol=1e-6)
    assert approx.shortlist(request, k=10).indices.tolist() == exact.shortlist(request, k=10).indices.tolist()
