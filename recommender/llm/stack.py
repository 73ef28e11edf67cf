"""The LLM stack the facade loads with ranker="llm": one backend shared by the ranker and the explainer."""

from __future__ import annotations

from typing import NamedTuple

from recommender.data.types import Catalog
from recommender.llm.backend import LLMConfig, load_backend
from recommender.llm.defaults import llm_config_from  # noqa: F401  (the commands import it from here)
from recommender.llm.explainer import Explainer, ExplainerConfig
from recommender.llm.ranker import LLMRanker, RankerConfig


class LLMStack(NamedTuple):
    ranker: LLMRanker
    explainer: Explainer


def load_llm_stack(catalog: Catalog, llm_config: LLMConfig | None = None, ranker_config: RankerConfig | None = None,
                   explainer_config: ExplainerConfig | None = None, progress: bool = True) -> LLMStack:
    backend = load_backend(llm_config or LLMConfig(), progress=progress)
    return LLMStack(LLMRanker(backend, catalog, ranker_config), Explainer(backend, catalog, explainer_config))
