"""LLM benchmark with the embedded SmolLM2-135M-Instruct on CPU, ranking 20 real ML-100k candidates.

    .venv/bin/python eval/bench_llm.py --out eval/results/bench_llm

Per quantization mode (4bit, 8bit, none): load time, memory footprint, median per-request ranking
latency (prompt build + one verbalizer forward pass). For 4bit also: verbalizer ranking vs writing the
ranked list as text (generate_rank.j2, greedy, up to 60 tokens) on the same requests in the same run;
time to the first ranked list (prompt build + scoring + ordering); explanation streaming speed; the
effect of inference_mode + logits_to_keep=1; prompt token counts. Medians over --reps requests
(different users each). The machine is shared, so the load average is recorded with the results.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import time
from pathlib import Path

DEFAULT_DATA = "/tmp/rb/recbole/dataset_example/ml-100k"
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


def bench_mode(mode: str, catalog, requests, args) -> tuple[dict, object]:
    from recommender.llm.backend import LLMConfig, load_backend
    from recommender.llm.ranker import LLMRanker, ranked_order

    config = LLMConfig(quantize=mode, device="cpu", cache_dir=args.cache_dir, threads=args.threads,
                       decode_threads=args.decode_threads)
    load_s, backend = timed(lambda: load_backend(config, progress=False))
    ranker = LLMRanker(backend, catalog)
    ranker.score(requests[:1])  # warm-up: first-call allocations
    latencies = [timed(lambda: ranked_order(ranker.score([r])[0]))[0] for r in requests]
    return {"load_s": load_s, "memory_mb": backend.model.get_memory_footprint() / 2**20,
            "rank_latency_s_median": statistics.median(latencies), "rank_latency_s": latencies}, backend


def parse_letters(text: str, n: int) -> dict:
    """How usable a generated ranking is: valid distinct labels, invalid or repeated ones."""
    from recommender.llm.ranker import LABELS

    letters = re.findall(r"\b([A-Z])\b", text)
    valid = [x for x in letters if x in LABELS[:n]]
    return {"valid_distinct": len(set(valid)), "invalid": len(letters) - len(valid),
            "repeated": len(valid) - len(set(valid))}


def bench_generation(backend, catalog, requests) -> dict:
    from recommender.llm.ranker import RankerConfig, build_rank_prompt

    times, parsed = [], []
    for r in requests:
        prompt = build_rank_prompt(backend, catalog, r, RankerConfig(), template="generate_rank")
        seconds, text = timed(lambda: backend.generate(prompt, max_new_tokens=60, no_repeat_ngram=0))
        times.append(seconds)
        parsed.append(parse_letters(text, len(r.candidates)))
    return {"generate_latency_s_median": statistics.median(times), "generate_latency_s": times,
            "generated_valid_distinct_median": statistics.median(p["valid_distinct"] for p in parsed),
            "generated_invalid_total": sum(p["invalid"] for p in parsed),
            "generated_repeated_total": sum(p["repeated"] for p in parsed), "example_output": text}


def bench_streaming(backend, catalog, requests, tokens: int) -> dict:
    from recommender.llm.explainer import Explainer, ExplainInput
    from recommender.types import Evidence

    explainer = Explainer(backend, catalog)
    rates, first_token = [], []
    for r in requests:
        inp = ExplainInput(r.candidates[0], r.query, [Evidence("collab", 1, 1.0, "", tuple(r.history[-2:]))],
                           r.history, r.ratings)
        prompt = explainer.prompt(inp)
        start = time.perf_counter()
        stamps = [time.perf_counter() for _ in backend.stream(prompt, max_new_tokens=tokens)]
        first_token.append(stamps[0] - start)
        if len(stamps) > 1:  # decode speed: tokens after the first, over the time they took
            rates.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    return {"stream_tokens_per_s_median": statistics.median(rates), "stream_first_token_s_median":
            statistics.median(first_token), "stream_max_new_tokens": tokens}


def bench_forward_options(backend, catalog, requests) -> dict:
    """Scoring forward pass: no_grad + full logits vs inference_mode + logits_to_keep=1."""
    import torch

    from recommender.llm.ranker import RankerConfig, build_rank_prompt

    torch.set_num_threads(backend.threads)  # as for scoring (streaming may have left fewer)
    ids = [torch.tensor([backend.tokenizer(build_rank_prompt(backend, catalog, r, RankerConfig()),
                                           add_special_tokens=False)["input_ids"]]) for r in requests]

    def run(context, keep):
        with context():
            return [timed(lambda: backend.model(x, use_cache=False, logits_to_keep=keep))[0] for x in ids]

    plain = run(torch.no_grad, 0)
    fast = run(torch.inference_mode, 1)
    return {"no_grad_all_logits_s_median": statistics.median(plain),
            "inference_mode_keep1_s_median": statistics.median(fast)}


def to_markdown(result: dict) -> str:
    lines = [f"# LLM benchmark ({result['date']})", "", f"Command: `{result['command']}`", "",
             f"Machine: {result['machine']}; load average at end {result['load_average_1_5_15_at_end']}", "",
             "| mode | load (s) | memory (MB) | ranking latency median (s) |", "|---|---|---|---|"]
    for mode, m in result["modes"].items():
        lines.append(f"| {mode} | {m['load_s']:.1f} | {m['memory_mb']:.0f} | {m['rank_latency_s_median']:.3f} |")
    bars = result.get("bars", {})
    lines += ["", "| figure (4bit) | value | bar | passes |", "|---|---|---|---|"]
    for name, (value, bar, ok) in bars.items():
        lines.append(f"| {name} | {value:.3f} | {bar} | {'yes' if ok else 'NO'} |")
    lines += ["", "```json", json.dumps({k: v for k, v in result.items() if k not in ("modes", "bars")}, indent=2),
              "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA if Path(DEFAULT_DATA).is_dir() else "ml-100k")
    parser.add_argument("--reps", type=int, default=10, help="requests per measurement (>= 10)")
    parser.add_argument("--modes", default="4bit,8bit,none")
    parser.add_argument("--stream-tokens", type=int, default=40)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = all available cores)")
    parser.add_argument("--decode-threads", type=int, default=1, help="torch threads for generation steps")
    parser.add_argument("--cache-dir", default="~/.cache/recommender/models")
    parser.add_argument("--out", default="eval/results/bench_llm", help="path stem for .json and .md")
    args = parser.parse_args()

    from recommender.data.registry import load_dataset
    from recommender.llm.backend import clear_backend_cache
    from recommender.llm.convert import ensure_default_checkpoint
    from recommender.llm.ranker import RankerConfig, build_rank_prompt

    dataset = load_dataset(args.data, progress=False)
    requests = make_requests(dataset, args.reps)
    convert_s, _ = timed(lambda: ensure_default_checkpoint(args.cache_dir, progress=True))
    result = {"command": f".venv/bin/python eval/bench_llm.py --reps {args.reps} --modes {args.modes} "
                         f"--stream-tokens {args.stream_tokens} --threads {args.threads} "
                         f"--decode-threads {args.decode_threads} --out {args.out}",
              "date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{len(os.sched_getaffinity(0))} CPU cores, no GPU",
              "conversion_or_cache_check_s": convert_s, "modes": {}}
    for mode in args.modes.split(","):
        result["modes"][mode], backend = bench_mode(mode, dataset.catalog, requests, args)
        if mode == "4bit":
            tokens = [backend.count_tokens(build_rank_prompt(backend, dataset.catalog, r, RankerConfig()))
                      for r in requests]
            result["rank_prompt_tokens_median"], result["rank_prompt_tokens_max"] = statistics.median(tokens), max(tokens)
            result["generation"] = bench_generation(backend, dataset.catalog, requests)
            result["streaming"] = bench_streaming(backend, dataset.catalog, requests, args.stream_tokens)
            result["forward_options"] = bench_forward_options(backend, dataset.catalog, requests)
        del backend
        clear_backend_cache()
        gc.collect()
    result["load_average_1_5_15_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if "4bit" in result["modes"]:
        verbalizer = result["modes"]["4bit"]["rank_latency_s_median"]
        speedup = result["generation"]["generate_latency_s_median"] / verbalizer
        tps = result["streaming"]["stream_tokens_per_s_median"]
        result["bars"] = {"time to first ranked list, median (s)": (verbalizer, "<= 1.5", verbalizer <= 1.5),
                          "verbalizer speed-up over generation (x)": (speedup, ">= 20", speedup >= 20),
                          "explanation streaming (tokens/s)": (tps, ">= 15", tps >= 15)}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(to_markdown(result), encoding="utf-8")
    print(to_markdown(result))


if __name__ == "__main__":
    main()
