"""`recommender eval --ranker llm`: the LLM rows beside retrieval, in one run and one table.

Rows: retrieval only, the zero-shot LLM alone and mixed with retrieval, and, when an adapter is in use
(the shipped one by default), the LoRA LLM alone and mixed. Mix weights are tuned on a seeded sample of
validation users; test rows cover every evaluated test user. A paired bootstrap gives a 95% interval of
"mix minus retrieval only" on per-user test NDCG@10. Under `accelerate launch`, each process loads the
model and scores its share of the users (llm_eval.score_cases); the metrics are the same as one process's.
"""

from __future__ import annotations

import numpy as np

from recommender.evaluation.config import EvalConfig


def _sample(cases: list, n: int | None, seed: int) -> list:
    if n is None or n >= len(cases):
        return cases
    keep = np.sort(np.random.default_rng(seed).choice(len(cases), size=n, replace=False))
    return [cases[i] for i in keep]


def _ranker(catalog, config: EvalConfig, adapter: str | None, progress: bool):
    from recommender.llm.backend import LLMConfig, load_backend
    from recommender.llm.defaults import ranker_config_for
    from recommender.llm.ranker import LLMRanker
    from recommender.train.distributed import current

    dist = current()
    llm_config = LLMConfig(model=config.model, quantize=config.quantize, adapter=adapter,
                           threads=dist.default_threads() if dist.enabled else 0)
    with dist.main_first():  # the main process converts the embedded model into the shared cache first
        backend = load_backend(llm_config, progress)
    ranker_config = ranker_config_for(adapter, batch_size=config.batch_size, n_permutations=config.permutations)
    return LLMRanker(backend, catalog, ranker_config)


def run_llm_eval(config: EvalConfig, dataset, retrieval, progress: bool = True) -> dict:
    from recommender.evaluation.llm_eval import (add_ranker, bootstrap_table, evaluate_llm, format_markdown,
                                                 mix_minus_retrieval)
    from recommender.llm.defaults import resolve_adapter

    if "test" not in retrieval.shortlists:
        raise_for_val_only()
    val_cases = _sample(retrieval.shortlists["val"], config.llm_val_users, config.seed)
    test_cases = retrieval.shortlists["test"]
    adapter = resolve_adapter(config.adapter, config.model)
    rankers = []
    if adapter is None or config.compare_adapter:
        rankers.append(("zero-shot", None))
    if adapter is not None:
        rankers.append(("LoRA", adapter))
    result = None
    for name, path in rankers:
        ranker = _ranker(dataset.catalog, config, path, progress)
        if result is None:
            result = evaluate_llm(val_cases, test_cases, ranker, name=name, progress=progress,
                                  bias_users=config.bias_users, seed=config.seed)
        else:
            add_ranker(result, name, val_cases, test_cases, ranker, progress=progress)
    intervals = mix_minus_retrieval(result, test_cases, seed=config.seed)
    table = format_markdown(result) + "\n\n" + bootstrap_table(intervals)
    summary = result.to_json()
    summary["bootstrap_mix_minus_retrieval_ndcg10"] = intervals
    summary["adapter"] = adapter
    best = max(result.rankers, key=lambda r: r.mix_test["ndcg@10"])
    return {"result": {"llm": summary, "metrics": best.mix_test}, "table": table}


def raise_for_val_only():
    from recommender.errors import RecommenderError

    raise RecommenderError("--ranker llm reports the test split (mixes are tuned on val); use --split test")
