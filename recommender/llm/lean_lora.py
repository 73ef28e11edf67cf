"""A lean inference forward for PEFT's LoRA layers, computing exactly what PEFT computes.

In one-token generation steps, Python overhead is most of a LoRA layer's cost: PEFT's generic forward
checks adapter names, dtypes, DoRA, dropout and mixed batches, then runs the adapter's two small products
(`eval/lean_lora.py` measures the difference). Under `torch.inference_mode` in eval mode, with one adapter
active, a layer here runs the base layer and `B(A(x)) * scaling` in the same order as PEFT, so the
result is bitwise the same; every other case (training, DoRA, adapters disabled or merged, several
active adapters) goes to PEFT's own forward.
"""

from __future__ import annotations

from typing import Any


def use_lean_lora(model: Any) -> int:
    """Give each LoRA layer of `model` the lean forward (once); returns how many layers were changed."""
    from peft.tuners.lora import LoraLayer

    changed = 0
    for module in model.modules():
        if isinstance(module, LoraLayer) and hasattr(module, "base_layer") and "forward" not in vars(module):
            module.forward = _lean_forward(module, module.forward)
            changed += 1
    return changed


def _lean_forward(layer, generic):
    import torch
    import torch.nn.functional as F

    def forward(x, *args, **kwargs):
        active = layer.active_adapters
        if (args or kwargs or layer.training or torch.is_grad_enabled() or layer.disable_adapters or layer.merged
                or len(active) != 1):
            return generic(x, *args, **kwargs)
        name = active[0]
        if name not in layer.lora_A:  # the adapter does not reach this layer
            return layer.base_layer(x)
        lora_a, lora_b = layer.lora_A[name].weight, layer.lora_B[name].weight
        if (name in getattr(layer, "lora_variant", {}) or layer.use_dora.get(name) or x.dtype != lora_a.dtype
                or layer.lora_B[name].bias is not None or torch.is_autocast_enabled()):
            return generic(x, *args, **kwargs)
        result = layer.base_layer(x)
        update = F.linear(F.linear(x, lora_a), lora_b) * layer.scaling[name]
        return result + (update if update.dtype == result.dtype else update.to(result.dtype))

    return forward
