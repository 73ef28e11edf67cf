"""Can the prompt's own fields beat retrieval order without a language model? (issue 4's "what would")

    .venv/bin/python eval/content_headroom.py --out eval/results/content_headroom

Fits a conditional-logit reranker (`recommender/evaluation/headroom.py`) on the LoRA training examples
of `adapters/configs/pointwise.yaml` with no example cap (training interactions only), on features the
pointwise prompt shows: retrieval rank, genres against the rated history, years. Then evaluates it like
the LLM rows of `recommender eval --ranker llm` on every ML-100k user: alone and mixed with retrieval
(weight tuned on validation), on test, with the paired bootstrap of "mix minus retrieval only". About a
minute on a 2-core CPU (the ML-100k cache warm), no language model.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="adapters/configs/pointwise.yaml", help="training config: which examples")
    parser.add_argument("--out", default="eval/results/content_headroom", help="writes OUT.json and OUT.md")
    args = parser.parse_args()

    from recommender.config import build_config
    from recommender.data.registry import load_dataset
    from recommender.data.split import LeaveOneOut
    from recommender.evaluation.headroom import fit_feature_ranker
    from recommender.evaluation.llm_eval import bootstrap_table, evaluate_llm, format_markdown, mix_minus_retrieval
    from recommender.evaluation.retrieval_eval import evaluate_retrieval
    from recommender.train.config import TrainConfig
    from recommender.train.examples import build_examples

    started = time.perf_counter()
    config = dataclasses.replace(build_config(TrainConfig, args.config, {"out": "unused"}), max_examples=None)
    dataset = load_dataset("ml-100k")
    examples = build_examples(dataset, LeaveOneOut(dataset.interactions, dataset.catalog), config).examples
    ranker = fit_feature_ranker(dataset.catalog, examples, config.max_history)
    retrieval = evaluate_retrieval(dataset, split="test")
    val, test = retrieval.shortlists["val"], retrieval.shortlists["test"]
    result = evaluate_llm(val, test, ranker, name="features", bias_users=300)
    intervals = mix_minus_retrieval(result, test)
    command = f".venv/bin/python eval/content_headroom.py --config {args.config} --out {args.out}"
    summary = {"command": command, "training_examples": len(examples), "weights": ranker.named_weights(),
               "eval": result.to_json(), "bootstrap_mix_minus_retrieval_ndcg10": intervals["features"],
               "seconds": round(time.perf_counter() - started, 1)}
    table = format_markdown(result, scorer="feature reranker")
    weights = ", ".join(f"{k} {v:+.3f}" for k, v in summary["weights"].items())
    text = (f"Command: `{command}`\n\nFeature reranker fitted on {len(examples)} training examples; weights on "
            f"standardised features: {weights}.\n\n{table}\n\n{bootstrap_table(intervals)}\n")
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(summary, indent=2, default=float) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
