"""LLM benchmark with the embedded SmolLM2-135M-Instruct on CPU, ranking 20 real ML-100k candidates.

    .venv/bin/python eval/bench_llm.py --out eval/results/bench_llm

Loads every quantization mode (4bit, 8bit, none): load time and memory footprint. Then, request by
request (different real users), it times back to back: verbalizer ranking in each mode (prompt build +
one forward pass + ordering = time to the first ranked list), writing the ranked list as text instead
(generate_rank.j2, greedy, up to 60 tokens, 4bit), streaming an explanation (4bit; decode threads as
configured and with every core), ranking with every core, and one scoring pass with and without inference_mode +
logits_to_keep=1. Interleaving makes the ratios fair on a shared machine whose load drifts; the load
average is recorded with the results. Medians over --reps requests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from pathlib import Path

ALL_CORES = len(os.sched_getaffinity(0))
QUERIES = ["a funny animated film", "something scary", "a classic romance", "a tense crime story", None]


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def make_requests(dataset, n: int, seed: int = 0):
    """n RankInputs from real users: their last 8 rated items, 20 seeded unseen candidates, some queries."""
    import numpy as np

    from recommender.data.split import user_histories
    from recommender.llm.ranker import RankInput

    histories = [h for h in user_histories(dataset.interactions, dataset.catalog).values() if len(h) >= 8]
    rng = np.random.default_rng(seed)
    requests = []
    for i, pick in enumerate(rng.choice(len(histories), size=n, replace=False)):
        hist = histories[int(pick)]
        unseen = np.setdiff1d(np.arange(len(dataset.catalog)), hist.items)
        candidates = rng.choice(unseen, size=20, replace=False).tolist()
        requests.append(RankInput(hist.items[-8:].tolist(), hist.ratings[-8:].tolist(), candidates,
                                  QUERIES[i % len(QUERIES)]))
    return requests


def load_modes(modes: list[str], catalog, args) -> dict:
    from recommender.llm.backend import LLMConfig, load_backend
    from recommender.llm.ranker import LLMRanker

    loaded = {}
    for mode in modes:
        config = LLMConfig(quantize=mode, device="cpu", cache_dir=args.cache_dir, threads=args.threads,
                           decode_threads=args.decode_threads)
        seconds, backend = timed(lambda: load_backend(config, progress=False))
        loaded[mode] = {"backend": backend, "ranker": LLMRanker(backend, catalog), "load_s": seconds,
                        "memory_mb": backend.model.get_memory_footprint() / 2**20}
    return loaded


def rank_once(ranker, request) -> float:
    from recommender.llm.ranker import ranked_order

    return timed(lambda: ranked_order(ranker.score([request])[0]))[0]


def rank_with_threads(ranker, request, threads: int) -> float:
    kept, ranker.backend.threads = ranker.backend.threads, threads
    try:
        return rank_once(ranker, request)
    finally:
        ranker.backend.threads = kept


def parse_letters(text: str, n: int) -> dict:
    """How usable a generated ranking is: valid distinct labels, invalid or repeated ones."""
    from recommender.llm.ranker import LABELS

    letters = re.findall(r"\b([A-Z])\b", text)
    valid = [x for x in letters if x in LABELS[:n]]
    return {"valid_distinct": len(set(valid)), "invalid": len(letters) - len(valid),
            "repeated": len(valid) - len(set(valid))}


def generate_once(backend, catalog, request) -> tuple[float, str]:
    from recommender.llm.ranker import RankerConfig, build_rank_prompt

    prompt = build_rank_prompt(backend, catalog, request, RankerConfig(), template="generate_rank")
    return timed(lambda: backend.generate(prompt, max_new_tokens=60, no_repeat_ngram=0))


def stream_once(backend, prompt: str, tokens: int, decode_threads: int) -> tuple[float, float | None]:
    """(seconds to the first token, tokens/s after it) with the given decode thread count."""
    kept, backend.decode_threads = backend.decode_threads, decode_threads
    try:
        start = time.perf_counter()
        stamps = [time.perf_counter() for _ in backend.stream(prompt, max_new_tokens=tokens)]
    finally:
        backend.decode_threads = kept
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else None
    return stamps[0] - start, rate


def forward_once(backend, catalog, request, fast: bool) -> float:
    """One scoring pass: inference_mode + logits_to_keep=1 (fast) or no_grad + logits at every position."""
    import torch

    from recommender.llm.ranker import RankerConfig, build_rank_prompt

    torch.set_num_threads(backend.threads)
    ids = torch.tensor([backend.tokenizer(build_rank_prompt(backend, catalog, request, RankerConfig()),
                                          add_special_tokens=False)["input_ids"]])
    with (torch.inference_mode() if fast else torch.no_grad()):
        return timed(lambda: backend.model(ids, use_cache=False, logits_to_keep=1 if fast else 0))[0]


def explain_prompt(catalog, backend, request) -> str:
    """The explainer's prompt for the first candidate, with the last history item as its source."""
    from recommender.explain.facts import FactSheet, Source
    from recommender.llm.explainer import explain_prompt as prompt_for

    item, source = catalog[request.candidates[0]], catalog[request.history[-1]]
    shared = tuple(g for g in item.genres if g in source.genres)
    sheet = FactSheet(request.candidates[0], item.title, item.year, tuple(item.genres),
                      (Source(request.history[-1], source.title, source.year, 5.0, "watched together with", 30, 90,
                              shared),), viewers=120)
    return prompt_for(backend, sheet, 0)


def run(loaded: dict, catalog, requests, args) -> dict:
    from tqdm.auto import tqdm

    times = {key: [] for key in ["generate", "first_token", "first_token_all", "fast", "plain", "rank_all_threads"]}
    times.update({f"rank_{mode}": [] for mode in loaded})
    rates = {"decode_threads": [], "all_threads": []}
    outputs = []
    base = loaded.get("4bit")
    for m in loaded.values():
        m["ranker"].score(requests[:1])  # warm-up: first-call allocations
    for request in tqdm(requests, desc="requests", unit="request"):
        for mode, m in loaded.items():
            times[f"rank_{mode}"].append(rank_once(m["ranker"], request))
        if base is None:
            continue
        backend = base["backend"]
        times["rank_all_threads"].append(rank_with_threads(base["ranker"], request, ALL_CORES))
        seconds, text = generate_once(backend, catalog, request)
        times["generate"].append(seconds)
        outputs.append(parse_letters(text, len(request.candidates)))
        prompt = explain_prompt(catalog, backend, request)
        for key, threads in (("decode_threads", backend.decode_threads), ("all_threads", backend.threads)):
            first, rate = stream_once(backend, prompt, args.stream_tokens, threads)
            times["first_token" if key == "decode_threads" else "first_token_all"].append(first)
            rates[key] += [rate] if rate else []
        times["fast"].append(forward_once(backend, catalog, request, fast=True))
        times["plain"].append(forward_once(backend, catalog, request, fast=False))
    return {"times": times, "rates": rates, "outputs": outputs, "example_generated": text if base else None}


def summarise(loaded: dict, measured: dict, prompt_tokens: list[int], args) -> dict:
    med = statistics.median
    t, rates = measured["times"], measured["rates"]
    result = {
        "command": f".venv/bin/python eval/bench_llm.py --reps {args.reps} --modes {args.modes} --stream-tokens "
                   f"{args.stream_tokens} --threads {args.threads} --decode-threads {args.decode_threads} --out {args.out}",
        "date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{len(os.sched_getaffinity(0))} CPU cores, no GPU",
        "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "modes": {mode: {"load_s": m["load_s"], "memory_mb": m["memory_mb"],
                         "rank_latency_s_median": med(t[f"rank_{mode}"]), "rank_latency_s": t[f"rank_{mode}"]}
                  for mode, m in loaded.items()},
    }
    if "4bit" in loaded:
        outputs = measured["outputs"]
        verbalizer = med(t["rank_4bit"])
        result.update({
            "threads": {"scoring": loaded["4bit"]["backend"].threads, "decode": loaded["4bit"]["backend"].decode_threads,
                        "rank_latency_s_median_all_cores": med(t["rank_all_threads"]), "all_cores": ALL_CORES},
            "rank_prompt_tokens_median": med(prompt_tokens), "rank_prompt_tokens_max": max(prompt_tokens),
            "generation": {"generate_latency_s_median": med(t["generate"]), "generate_latency_s": t["generate"],
                           "speedup_median_of_ratios": med(g / v for g, v in zip(t["generate"], t["rank_4bit"])),
                           "valid_distinct_labels_median": med(o["valid_distinct"] for o in outputs),
                           "invalid_labels_total": sum(o["invalid"] for o in outputs),
                           "repeated_labels_total": sum(o["repeated"] for o in outputs),
                           "example_output": measured["example_generated"]},
            "streaming": {"tokens_per_s_median": med(rates["decode_threads"]),
                          "tokens_per_s_median_all_threads": med(rates["all_threads"]),
                          "first_token_s_median": med(t["first_token"]), "max_new_tokens": args.stream_tokens},
            "forward_options": {"inference_mode_keep1_s_median": med(t["fast"]),
                                "no_grad_all_logits_s_median": med(t["plain"])},
        })
        speedup = result["generation"]["generate_latency_s_median"] / verbalizer
        tps = result["streaming"]["tokens_per_s_median"]
        result["bars"] = {"time to first ranked list, median (s)": (verbalizer, "<= 1.5", verbalizer <= 1.5),
                          "verbalizer speed-up over generation (x)": (speedup, ">= 20", speedup >= 20),
                          "explanation streaming (tokens/s)": (tps, ">= 15", tps >= 15)}
    return result


def to_markdown(result: dict) -> str:
    lines = [f"# LLM benchmark ({result['date']})", "", f"Command: `{result['command']}`", "",
             f"Machine: {result['machine']}; load average at end {result['load_average_1_5_15_at_end']}", "",
             "| mode | load (s) | memory (MB) | ranking latency median (s) |", "|---|---|---|---|"]
    for mode, m in result["modes"].items():
        lines.append(f"| {mode} | {m['load_s']:.1f} | {m['memory_mb']:.0f} | {m['rank_latency_s_median']:.3f} |")
    lines += ["", "| figure (4bit) | value | bar | passes |", "|---|---|---|---|"]
    for name, (value, bar, ok) in result.get("bars", {}).items():
        lines.append(f"| {name} | {value:.3f} | {bar} | {'yes' if ok else 'NO'} |")
    lines += ["", "```json", json.dumps({k: v for k, v in result.items() if k not in ("modes", "bars")}, indent=2),
              "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k", help="data set name or path (default: ml-100k)")
    parser.add_argument("--reps", type=int, default=10, help="requests per measurement (>= 10)")
    parser.add_argument("--modes", default="4bit,8bit,none")
    parser.add_argument("--stream-tokens", type=int, default=40)
    parser.add_argument("--threads", type=int, default=0, help="torch threads for scoring (0 = the default: cores - 1)")
    parser.add_argument("--decode-threads", type=int, default=1, help="torch threads for generation steps")
    parser.add_argument("--cache-dir", default="~/.cache/recommender/models")
    parser.add_argument("--out", default="eval/results/bench_llm", help="path stem for .json and .md")
    args = parser.parse_args()

    from recommender.data.registry import load_dataset
    from recommender.llm.convert import ensure_default_checkpoint
    from recommender.llm.ranker import RankerConfig, build_rank_prompt

    dataset = load_dataset(args.data, progress=False)
    requests = make_requests(dataset, args.reps)
    ensure_default_checkpoint(args.cache_dir, progress=True)  # conversion is once, not part of load time
    loaded = load_modes(args.modes.split(","), dataset.catalog, args)
    measured = run(loaded, dataset.catalog, requests, args)
    tokens = []
    if "4bit" in loaded:
        backend = loaded["4bit"]["backend"]
        tokens = [backend.count_tokens(build_rank_prompt(backend, dataset.catalog, r, RankerConfig())) for r in requests]
    result = summarise(loaded, measured, tokens, args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(to_markdown(result), encoding="utf-8")
    print(to_markdown(result))


if __name__ == "__main__":
    main()
