"""Why the explanations' LLM pass is slow on this CPU: one decoding step (width tokens per row, rows at
once, after a 300-token prompt) of the default model in 4-bit NF4 and in fp32, on one thread as the chat
runs it. A research measurement for issue 16 (eval/results/explain_speed.md); nothing in the package
depends on it.

    .venv/bin/python eval/explain_speed.py --out eval/results/explain_speed
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

SHAPES = [(1, 1), (1, 4), (1, 8), (9, 1), (9, 4), (9, 8)]  # (rows, tokens per row)


def step_ms(model, rows: int, width: int, reps: int) -> float:
    import torch

    prompt = torch.randint(100, 2000, (rows, 300))
    times = []
    with torch.inference_mode():
        for _ in range(reps):
            cache = model(input_ids=prompt, use_cache=True).past_key_values
            step = torch.randint(100, 2000, (rows, width))
            started = time.perf_counter()
            for _ in range(5):
                model(input_ids=step, past_key_values=cache, use_cache=True, logits_to_keep=width)
                cache.crop(-width)
            times.append((time.perf_counter() - started) / 5 * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions (the median is reported)")
    parser.add_argument("--out", default="eval/results/explain_speed", help="writes OUT.md")
    args = parser.parse_args()

    import torch

    from recommender.llm.backend import load_backend
    from recommender.llm.defaults import llm_config_from

    rows = {}
    for quantize in ("4bit", "none"):
        backend = load_backend(llm_config_from(None, quantize, None), progress=False)
        torch.set_num_threads(1)
        rows[quantize] = [step_ms(backend.model, r, w, args.reps) for r, w in SHAPES]
    load = os.getloadavg()
    command = f".venv/bin/python eval/explain_speed.py --reps {args.reps} --out {args.out}"
    lines = [f"Command: `{command}`", "",
             f"One decoding step of SmolLM2-135M-Instruct (no adapter) after a 300-token prompt, one thread, "
             f"median of {args.reps}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.", "",
             "| rows x tokens per row | NF4 (ms) | fp32 (ms) |", "|---|---:|---:|"]
    lines += [f"| {r} x {w} | {a:.1f} | {b:.1f} |" for (r, w), a, b in zip(SHAPES, rows["4bit"], rows["none"])]
    text = "\n".join(lines) + "\n"
    Path(args.out).with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
