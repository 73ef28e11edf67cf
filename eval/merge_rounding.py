"""Why a LoRA adapter cannot be merged into the 4-bit base (eval/results/dead_ends/merged_adapters.md).

For a few layers of the shipped explain adapter, with random inputs x: how large the adapter's update is
against the layer's output (|ΔWx| / |Wx|), and the error against the trained model (4-bit base plus the
exact update), in units of the update, of the base's own rounding, of merging into the fp32 weights before
rounding, and of merging into the already rounded weights.

    .venv/bin/python eval/merge_rounding.py
"""

import glob
import json
import os

import bitsandbytes.functional as F
import torch
from safetensors.torch import load_file

ADAPTER = "adapters/smollm2-135m-explain"


def nf4(weight):
    packed, state = F.quantize_4bit(weight.contiguous(), quant_type="nf4", blocksize=64)
    return F.dequantize_4bit(packed, state, quant_type="nf4", blocksize=64)


def main() -> None:
    base_dir = glob.glob(os.path.expanduser("~/.cache/recommender/models/SmolLM2-135M-Instruct-*"))[0]
    base = load_file(glob.glob(base_dir + "/*.safetensors")[0])
    adapter = load_file(f"{ADAPTER}/adapter_model.safetensors")
    config = json.load(open(f"{ADAPTER}/adapter_config.json"))
    scaling = config["lora_alpha"] / config["r"]
    torch.manual_seed(0)
    for layer in (3, 15, 28):
        for module in ("self_attn.q_proj", "mlp.down_proj"):
            w = base[f"model.layers.{layer}.{module}.weight"].float()
            a, b = (adapter[next(k for k in adapter if f"layers.{layer}.{module}.lora_{p}" in k)].float() for p in "AB")
            delta = scaling * b @ a
            trained = nf4(w) + delta
            x = torch.randn(w.shape[1], 64)
            update = (delta @ x).norm()
            print(f"layer {layer} {module}: |ΔWx|/|Wx| {update / (w @ x).norm():.3f}; error / |ΔWx|: "
                  f"base rounding {((nf4(w) - w) @ x).norm() / update:.2f}, "
                  f"merged into fp32 {((nf4(w + delta) - trained) @ x).norm() / update:.2f}, "
                  f"merged into 4-bit {((nf4(trained) - trained) @ x).norm() / update:.2f}")


if __name__ == "__main__":
    main()
