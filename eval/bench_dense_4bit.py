"""4-bit layers as bitsandbytes runs them on this CPU against the dense forward (recommender/llm/dense_4bit.py).

Side by side in one process, alternating: the default 4-bit model with the shipped intent adapter, reading
chat messages under the intent schema (what a person waits for before a typed request's list shows),
one-token steps for one row and for three (messages decoded together), and a 120-token prompt pass.
Reports medians, whether every logit and every intent is the same, and the memory the dense weights take.
On a CPU with bitsandbytes' AVX512-BF16 kernel the default ("auto") never turns the dense forward on.

    .venv/bin/python eval/bench_dense_4bit.py --out eval/results/bench_dense_4bit
"""

import argparse
import dataclasses
import json
import os
import statistics
import time
from pathlib import Path

MESSAGES = ["a darker film like Fargo", "a clever comedy like Groundhog Day", "moody science fiction like Blade Runner",
            "something scary but not too gory from the 80s", "i loved heat and se7en, more like those",
            "a romantic movie for date night, nothing sad"]


def step_seconds(model, prompt, batch: int, steps: int = 5) -> tuple[float, float, object]:
    """(prompt pass seconds, seconds per one-token step, last logits) for `batch` copies of `prompt`."""
    import torch

    with torch.inference_mode():
        started = time.perf_counter()
        out = model(input_ids=prompt.repeat(batch, 1), use_cache=True)
        prompt_s = time.perf_counter() - started
        cache, token = out.past_key_values, torch.full((batch, 1), 1000)
        started = time.perf_counter()
        for _ in range(steps):
            step = model(input_ids=token, past_key_values=cache, use_cache=True, logits_to_keep=1)
            cache.crop(-1)
    return prompt_s, (time.perf_counter() - started) / steps, torch.cat([out.logits[:, -1], step.logits[:, -1]])


def switch(forwards: dict, dense: bool) -> None:
    for module, forward in forwards.items():
        if dense:
            module.forward = forward
        else:
            vars(module).pop("forward", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="alternating measurements per setting")
    parser.add_argument("--out", default="eval/results/bench_dense_4bit", help="writes OUT.md and OUT.json")
    args = parser.parse_args()
    import torch

    from recommender.facade import Recommender
    from recommender.llm.defaults import llm_config_from, resolve_intent_adapter
    from recommender.llm.dense_4bit import dense_4bit_layers, has_4bit_cpu_kernel

    config = dataclasses.replace(llm_config_from(None, "4bit", "default"), dense_4bit="off", device="cpu")
    recommender = Recommender.load("ml-100k", ranker="llm", llm_config=config, progress=False,
                                   intent_adapter=resolve_intent_adapter("default", None), explain_adapter=None)
    intent = recommender.intent_parser
    model = intent.backend.model
    dense_4bit_layers(model)
    forwards = {m: vars(m)["forward"] for m in model.modules() if hasattr(m, "dense_weight")}
    dense_bytes = sum(m.dense_weight.numel() * m.dense_weight.element_size() for m in forwards)
    intent.parse("a warm-up request like Heat")
    prompt = torch.arange(1000, 1120).unsqueeze(0)
    times = {mode: {"parse": [], "prompt": [], "step1": [], "step3": []} for mode in ("bitsandbytes", "dense")}
    outputs: dict = {mode: {} for mode in times}
    for _ in range(args.repeats):
        for mode in times:
            switch(forwards, mode == "dense")
            for message in MESSAGES:
                parsed = intent.parse(message)
                times[mode]["parse"].append(parsed.seconds)
                outputs[mode][message] = parsed.raw
            model.set_adapter("intent", inference_mode=True)
            torch.set_num_threads(1)
            for batch in (1, 3):
                prompt_s, step_s, logits = step_seconds(model, prompt, batch)
                times[mode][f"step{batch}"].append(step_s)
                outputs[mode][f"logits{batch}"] = logits
            times[mode]["prompt"].append(prompt_s)
    same_logits = all(torch.equal(outputs["bitsandbytes"][k], outputs["dense"][k]) for k in ("logits1", "logits3"))
    same_intents = all(outputs["bitsandbytes"][m] == outputs["dense"][m] for m in MESSAGES)
    medians = {mode: {k: statistics.median(v) for k, v in t.items()} for mode, t in times.items()}
    load = [round(x, 2) for x in os.getloadavg()]
    command = f".venv/bin/python eval/bench_dense_4bit.py --repeats {args.repeats} --out {args.out}"
    labels = {"parse": "a message read under the intent schema (s)", "prompt": "a 120-token prompt pass (s)",
              "step1": "a one-token step, one row (ms)", "step3": "a one-token step, three rows (ms)"}
    rows = [f"| {labels[k]} | {_fmt(k, medians['bitsandbytes'][k])} | {_fmt(k, medians['dense'][k])} | "
            f"{medians['bitsandbytes'][k] / medians['dense'][k]:.2f}x |" for k in labels]
    text = "\n".join([
        f"Command: `{command}`", "",
        f"CPU: {_cpu()}; bitsandbytes 4-bit kernel (AVX512-BF16): {'yes' if has_4bit_cpu_kernel() else 'no'}; "
        f"{os.cpu_count()} CPUs; load average at end {load}. SmolLM2-135M NF4 with the shipped intent adapter; "
        f"medians over {args.repeats} alternating rounds ({len(MESSAGES)} messages a round).", "",
        "| | bitsandbytes forward | dense forward | speed-up |", "|---|---:|---:|---:|", *rows, "",
        f"Same logits, bit for bit: {'yes' if same_logits else 'NO'}; same intent for every message: "
        f"{'yes' if same_intents else 'NO'}. Dense weights: {dense_bytes / 2**20:.0f} MiB over {len(forwards)} layers.", ""])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({
        "command": command, "cpu": _cpu(), "kernel": has_4bit_cpu_kernel(), "load_average_at_end": load,
        "medians": medians, "same_logits": same_logits, "same_intents": same_intents,
        "dense_mib": round(dense_bytes / 2**20, 1), "times": times}, indent=2) + "\n")
    print(text)


def _fmt(key: str, seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if key.startswith("step") else f"{seconds:.2f}"


def _cpu() -> str:
    info = Path("/proc/cpuinfo")
    if not info.exists():
        return "unknown"
    lines = info.read_text().splitlines()
    name = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown")
    flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
    return f"{name} ({', '.join(f for f in ('avx2', 'avx512f', 'avx512_bf16') if f in flags) or 'no AVX2'})"


if __name__ == "__main__":
    main()
