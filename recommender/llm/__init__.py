"""The language-model stack: backend (quantized model, optional LoRA), prompts, verbalizer ranker and
grounded explanations. Submodules import torch/transformers lazily, inside functions."""
