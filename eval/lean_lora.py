"""Generation steps with PEFT's LoRA forward against the lean one (recommender/llm/lean_lora.py).

Side by side in one process, alternating, on one thread: the 4-bit default model with the shipped explain
adapter active, a 120-token prompt, then one-token steps for one row and for nine (the explainer's two
batch sizes). Reports median ms per step and whether the logits are bitwise the same.

    .venv/bin/python eval/lean_lora.py --out eval/results/lean_lora
"""

import argparse
import os
import statistics
import time
from pathlib import Path


def step_times(model, prompt, batch: int, steps: int = 5):
    import torch

    with torch.inference_mode():
        out = model(input_ids=prompt.repeat(batch, 1), use_cache=True)
        cache, logits = out.past_key_values, [out.logits[:, -1].clone()]
        token = torch.full((batch, 1), 1000)
        started = time.perf_counter()
        for _ in range(steps):
            step = model(input_ids=token, past_key_values=cache, use_cache=True, logits_to_keep=1)
            cache.crop(-1)
        logits.append(step.logits.clone())
    return (time.perf_counter() - started) / steps, logits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="alternating measurements per setting")
    parser.add_argument("--out", default="eval/results/lean_lora", help="writes OUT.md")
    args = parser.parse_args()
    import torch

    from recommender.llm.backend import LLMConfig, load_backend
    from recommender.llm.defaults import shipped_adapter

    backend = load_backend(LLMConfig(), progress=False)
    backend.add_adapter("explain", str(shipped_adapter("smollm2-135m-explain")))
    model = backend.model
    model.set_adapter("explain", inference_mode=True)
    torch.set_num_threads(1)
    lean = {m: vars(m)["forward"] for m in model.modules() if "forward" in vars(m)}
    prompt = torch.arange(1000, 1120).unsqueeze(0)
    rows = []
    for batch in (1, 9):
        times = {"peft": [], "lean": []}
        logits = {}
        for _ in range(args.repeats):
            for name in ("peft", "lean"):
                for module, forward in lean.items():
                    if name == "peft":
                        del module.forward
                    else:
                        module.forward = forward
                seconds, logits[name] = step_times(model, prompt, batch)
                times[name].append(seconds * 1000)
        same = all(torch.equal(a, b) for a, b in zip(logits["peft"], logits["lean"]))
        peft, fast = statistics.median(times["peft"]), statistics.median(times["lean"])
        rows.append(f"| {batch} | {peft:.1f} | {fast:.1f} | {1 - fast / peft:.1%} | {'yes' if same else 'NO'} |")
    load = os.getloadavg()
    text = "\n".join([
        f"Command: `.venv/bin/python eval/lean_lora.py --repeats {args.repeats} --out {args.out}`", "",
        f"{len(lean)} LoRA layers (explain adapter), one thread, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}. Median ms per one-token step over {args.repeats} alternating runs of 5 steps.", "",
        "| rows | PEFT forward | lean forward | saved | same logits |", "|---:|---:|---:|---:|:---:|", *rows, ""])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
