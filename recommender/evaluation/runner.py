"""What `recommender eval` does: run the requested evaluation, print tables, write JSON + Markdown.

Under `accelerate launch --num_processes N` (recommender/train/distributed.py), `--ranker llm` splits the
LLM scoring of users across the processes; retrieval (seconds) runs on each, the main process first so
that the others read its cached indexes, and only the main process prints and writes the results.
Evaluations without LLM scoring are not split: the other processes leave at once.
"""

from __future__ import annotations

import json
import platform
import shlex
import sys
import time
from pathlib import Path

from recommender.config import to_dict
from recommender.evaluation.config import EvalConfig
from recommender.evaluation.retrieval_eval import evaluate_retrieval, format_rows
from recommender.retrieval.config import RetrievalConfig


def command_line() -> str:
    return "recommender " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def run_eval(config: EvalConfig, progress: bool = True) -> dict:
    from recommender.data.registry import load_dataset
    from recommender.train.distributed import Distributed, current

    dist = current()
    if config.conversational or config.ranker != "llm":
        if not dist.is_main:
            return {}  # nothing here is split across processes: the main process does it all, alone
        dist = Distributed()
    progress = progress and dist.is_main
    with dist.main_first():
        dataset = load_dataset(config.data, progress=progress)
        if config.conversational:
            return _finish(config, _conversational(config, dataset, progress))
        retrieval = evaluate_retrieval(dataset, config.split, config.users, config.seed,
                                       RetrievalConfig(shortlist_size=config.shortlist_size), progress)
    result = {
        "metrics": retrieval.metrics, "n_users": retrieval.n_users, "split": config.split,
        "fusion_weights": retrieval.weights, "rows": retrieval.rows, "val_rows": retrieval.val_rows,
        "retrieval_seconds": round(retrieval.seconds, 2),
    }
    tables = [format_rows(retrieval.rows, f"Retrieval, {config.split} split ({retrieval.n_users} users)")]
    if config.split == "test":
        tables.append(format_rows(retrieval.val_rows, "Retrieval, validation split (fusion weights tuned here)"))
    if config.ranker == "llm":
        from recommender.evaluation.llm_runner import run_llm_eval

        llm = run_llm_eval(config, dataset, retrieval, progress)
        result.update(llm["result"])
        result["metrics"] = llm["result"].get("metrics", result["metrics"])
        tables.insert(0, llm["table"])
    result["tables"] = tables
    return _finish(config, result) if dist.is_main else result


def _conversational(config: EvalConfig, dataset, progress: bool) -> dict:
    from recommender.data.split import LeaveOneOut
    from recommender.evaluation.conversational import format_table, run_conversational_eval
    from recommender.facade import Recommender

    rec = Recommender.load(config.data, ranker=config.ranker, llm_config=_llm_config(config), progress=progress)
    loo = LeaveOneOut(dataset.interactions, dataset.catalog)
    cases = loo.cases("test", loo.sample_users(config.users, config.seed))
    outcome = run_conversational_eval(rec, cases, max_turns=config.turns, k=10)
    data = outcome.to_dict() if hasattr(outcome, "to_dict") else dict(vars(outcome))
    return {**data, "n_users": len(cases), "tables": [format_table(outcome)]}


def _llm_config(config: EvalConfig):
    if config.ranker != "llm":
        return None
    from recommender.llm.stack import llm_config_from

    return llm_config_from(config.model, config.quantize, config.adapter)


def _finish(config: EvalConfig, result: dict) -> dict:
    tables = result.pop("tables", [])
    result["config"] = to_dict(config)
    result["command"] = command_line()
    result["machine"] = f"{platform.machine()}, {platform.system()}, python {platform.python_version()}"
    result["date"] = time.strftime("%Y-%m-%d")
    print("\n\n".join(tables))
    if config.out:
        out = Path(config.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, default=_json_default) + "\n")
        md = out.with_suffix(".md")
        md.write_text(f"Command: `{result['command']}`\n\nDate: {result['date']}; machine: {result['machine']}\n\n"
                      + "\n\n".join(tables) + "\n")
        print(f"\nwrote {out} and {md}", file=sys.stderr)
    return result


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "__dict__"):
        return vars(value)
    return str(value)
