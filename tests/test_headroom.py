"""The feature reranker behind eval/content_headroom.py: features by hand, and the fit recovers known weights."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.data.types import Catalog, Item
from recommender.evaluation.headroom import (FEATURES, ConditionalLogit, FeatureRanker, candidate_features,
                                             genre_matrix)
from recommender.llm.ranker import RankInput


@pytest.fixture
def catalog() -> Catalog:
    return Catalog([Item("a", "A", 1980, ("Comedy",)), Item("b", "B", 1990, ("Drama",)),
                    Item("c", "C", 2000, ("Comedy", "Drama")), Item("d", "D", None, ("Horror",)),
                    Item("e", "E", 1995, ())])


def test_candidate_features_by_hand(catalog):
    genres = genre_matrix(catalog)  # columns: Comedy, Drama, Horror
    request = RankInput(history=[0, 1, 2], ratings=[5.0, 1.0, float("nan")], candidates=[2, 3, 4],
                        retrieval_ranks=[1, 2, 4])
    f = candidate_features(catalog, genres, request)
    assert f.shape == (3, len(FEATURES))
    np.testing.assert_allclose(f[:, 0], np.log([1, 2, 4]))
    # genre shares over the history: Comedy 2/3, Drama 2/3, Horror 0
    np.testing.assert_allclose(f[:, 1], [2 / 3, 0.0, 0.0])
    # ratings centred on their known mean 3 (the unknown one counts as 0): Comedy (2 + 0) / 3, Drama (-2 + 0) / 3
    np.testing.assert_allclose(f[:, 2], [(2 / 3 - 2 / 3) / 2, 0.0, 0.0])
    # median history year 1990; D has no year
    np.testing.assert_allclose(f[:, 3], [1.0, 0.0, 0.5])
    np.testing.assert_allclose(f[:, 4], [1.0, 0.0, 0.5])
    liked = candidate_features(catalog, genres, RankInput([0, 1, 2], [5.0, 1.0, float("nan")], [0, 1]))
    np.testing.assert_allclose(liked[:, 2], [2 / 3, -2 / 3])  # Comedy was rated above the mean, Drama below
    np.testing.assert_allclose(liked[:, 0], [0.0, 0.0])  # no ranks given


def test_only_the_last_max_history_items_count(catalog):
    genres = genre_matrix(catalog)
    request = RankInput(history=[3, 0], ratings=[4.0, 4.0], candidates=[3], retrieval_ranks=[1])
    assert candidate_features(catalog, genres, request, max_history=1)[0, 1] == 0.0  # Horror only in the older item
    assert candidate_features(catalog, genres, request, max_history=2)[0, 1] == 0.5


def test_fit_recovers_the_weights_that_generated_the_answers():
    rng = np.random.default_rng(0)
    true = np.array([1.5, -1.0, 0.0])
    groups = [rng.normal(size=(int(rng.integers(5, 21)), 3)) for _ in range(3000)]
    answers = []
    for g in groups:
        p = np.exp(g @ true)
        answers.append(int(rng.choice(len(g), p=p / p.sum())))
    model = ConditionalLogit.fit(groups, answers, l2=0.0, steps=400)
    recovered = model.weights / model.scale  # back to the raw feature scale
    np.testing.assert_allclose(recovered, true, atol=0.12)


def test_feature_ranker_scores_follow_the_fitted_weights(catalog):
    model = ConditionalLogit(np.array([-1.0, 0, 0, 0, 0]), np.zeros(5), np.ones(5))
    ranker = FeatureRanker(catalog, model)
    [scores] = ranker.score([RankInput([0], [4.0], [1, 2, 3], None, [3, 1, 2])])
    assert list(np.argsort(-scores)) == [1, 2, 0]  # lower retrieval rank first


@pytest.mark.parametrize("field", ["batch_size", "max_history"])
def test_feature_ranker_config_rejects_non_positive_values(field):
    from recommender.errors import ConfigError
    from recommender.evaluation.headroom import FeatureRankerConfig

    with pytest.raises(ConfigError, match=f"{field} must be >= 1"):
        FeatureRankerConfig(**{field: 0})
