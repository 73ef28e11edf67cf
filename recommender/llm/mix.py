"""Mixing LLM scores with retrieval scores, per list."""

from __future__ import annotations

import numpy as np


def mix_scores(retrieval_scores: np.ndarray, llm_scores: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) * z(retrieval) + weight * z(llm), where z standardises within this one list
    (subtract the mean, divide by the standard deviation; a constant list becomes all zeros).

    Standardising per list puts the two scales (fused retrieval scores, label log-probabilities)
    on a common footing, so `weight` means the same thing for every user."""
    return (1.0 - weight) * _standardise(retrieval_scores) + weight * _standardise(llm_scores)


def _standardise(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    spread = values.std()
    return (values - values.mean()) / spread if spread > 1e-12 else np.zeros_like(values)
