"""The LLM stack the facade loads with ranker="llm": one backend shared by the ranker and the explainer."""

from __future__ import annotations

from typing import NamedTuple

from recommender.data.types import Catalog
from recommender.llm.backend import LLMConfig, load_backend
from recommender.llm.defaults import llm_config_from  # noqa: F401  (the commands import it from here)
from recommender.llm.explainer import Explainer, ExplainerConfig
from recommender.llm.intent_model import IntentConfig, IntentParser
from recommender.llm.ranker import LLMRanker, RankerConfig

INTENT_ADAPTER_NAME = "intent"
EXPLAIN_ADAPTER_NAME = "explain"


class LLMStack(NamedTuple):
    ranker: LLMRanker
    explainer: Explainer
    intent: IntentParser | None  # None: no intent adapter, the chat reads messages with its rule parser


def load_llm_stack(catalog: Catalog, llm_config: LLMConfig | None = None, ranker_config: RankerConfig | None = None,
                   explainer_config: ExplainerConfig | None = None, progress: bool = True,
                   intent_adapter: str | None = None, explain_adapter: str | None = None) -> LLMStack:
    """The ranker, the explainer and the intent parser, all on one loaded model. `intent_adapter` and
    `explain_adapter` are LoRA adapter directories; without the intent adapter there is no intent parser
    (the chat reads messages with its rules), without the explain adapter the explainer gives the plain
    renderings of the facts."""
    backend = load_backend(llm_config or LLMConfig(), progress=progress)
    intent = None
    if intent_adapter:
        backend.add_adapter(INTENT_ADAPTER_NAME, intent_adapter, progress)
        intent = IntentParser(backend, [g for item in catalog for g in item.genres],
                              IntentConfig(adapter=INTENT_ADAPTER_NAME))
    if explain_adapter:
        backend.add_adapter(EXPLAIN_ADAPTER_NAME, explain_adapter, progress)
    config = explainer_config or ExplainerConfig(adapter=EXPLAIN_ADAPTER_NAME if explain_adapter else "")
    return LLMStack(LLMRanker(backend, catalog, ranker_config), Explainer(backend, catalog, config), intent)
