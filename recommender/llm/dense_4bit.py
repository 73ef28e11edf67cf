"""4-bit layers that dequantize once, on CPUs where bitsandbytes has no 4-bit kernel.

bitsandbytes computes a 4-bit layer on CPU with its packed AVX512-BF16 kernel when the CPU has it. On any
other CPU (AVX2 only: most laptops) each forward pass dequantizes the layer's whole weight and then runs a
dense product, so every generated token pays for dequantizing the model again: on a 2-core AVX2 machine
that was half the time of reading a message (`eval/bench_dense_4bit.py`). Here the dequantized weight is
kept and the layer runs the same dense product with it: the output is bitwise the one bitsandbytes
computes (the same NF4 values, the same `F.linear` in the compute dtype), for the memory of the dense
weights (4 bytes a weight in float32: 405 MiB for the default 135M model). Only for inference: the
training model keeps bitsandbytes' own layers.
"""

from __future__ import annotations

from typing import Any

MODES = ("auto", "on", "off")


def has_4bit_cpu_kernel() -> bool:
    """Whether bitsandbytes computes 4-bit layers on this CPU with its packed kernel (AVX512-BF16)."""
    try:
        from bitsandbytes.functional import has_avx512bf16
    except ImportError:
        return False
    return bool(has_avx512bf16())


def wanted(mode: str, quantize: str, device: str) -> bool:
    """Whether `mode` ("auto", "on", "off") densifies a model loaded with `quantize` on `device`."""
    if quantize != "4bit" or device != "cpu" or mode == "off":
        return False
    return mode == "on" or not has_4bit_cpu_kernel()


def dense_4bit_layers(model: Any) -> int:
    """Give each bitsandbytes 4-bit linear layer of `model` a forward with its weight dequantized once;
    returns how many layers were changed (0 when the model has none)."""
    try:
        from bitsandbytes.nn import Linear4bit
    except ImportError:
        return 0
    changed = 0
    for module in model.modules():
        if not isinstance(module, Linear4bit) or "forward" in vars(module):
            continue
        if getattr(module.weight.quant_state, "packing_format_for_cpu", False):
            continue  # already repacked for bitsandbytes' own kernel, which is faster than this
        module.support_avx512bf16_for_cpu = False  # the generic forward (training) must not repack it
        module.forward = _dense_forward(module, module.forward)
        changed += 1
    return changed


def _dense_forward(layer, generic):
    import bitsandbytes.functional as BF
    import torch
    import torch.nn.functional as F

    state = layer.weight.quant_state
    dtype = layer.compute_dtype or torch.float32
    weight = BF.dequantize_4bit(layer.weight.data, state).to(dtype)
    layer.register_buffer("dense_weight", weight, persistent=False)

    def forward(x):
        if layer.training or torch.is_grad_enabled():  # bitsandbytes' own backward
            return generic(x)
        bias = layer.bias if layer.bias is None or layer.bias.dtype == dtype else layer.bias.to(dtype)
        return F.linear(x.to(dtype), layer.dense_weight, bias).to(x.dtype)

    return forward
