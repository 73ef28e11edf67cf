"""Settings of `recommender eval`: defaults < --config YAML (eval/configs/) < flags."""

from __future__ import annotations

from dataclasses import dataclass

from recommender.config import check, option


@dataclass
class EvalConfig:
    data: str = option("ml-100k", "Data set name (ml-100k) or a path in a supported format.")
    split: str = option("test", "Split to report: 'val' or 'test'. Fusion weights and mixes are always tuned on 'val'.")
    ranker: str = option("none", "'none' (retrieval only) or 'llm' (re-rank the shortlist with the LLM).")
    users: int | None = option(None, "Evaluate a seeded random sample of this many users (default: all).")
    seed: int = option(0, "Seed for the user sample and the shuffles.")
    shortlist_size: int = option(20, "Shortlist length handed to the LLM ranker (at most 20 labels).")
    conversational: bool = option(False, "Run the scripted multi-turn conversational evaluation instead.")
    turns: int = option(3, "Conversational evaluation: turns per simulated user.")
    model: str | None = option(None, "LLM: Hugging Face id or path (default: the embedded SmolLM2-135M-Instruct).")
    quantize: str = option("4bit", "LLM weights: '4bit' (NF4), '8bit' or 'none' (fp32).")
    adapter: str = option("default", "LoRA adapter path, 'default' (shipped adapter when its base matches) or 'none'.")
    compare_adapter: bool = option(True, "With an adapter, also score the zero-shot model in the same run.")
    batch_size: int = option(8, "LLM scoring batch size.")
    permutations: int = option(1, "Average LLM scores over this many candidate orders (position-bias control).")
    llm_val_users: int | None = option(None, "LLM mix weights are tuned on this many sampled validation users "
                                             "(default: all; 300 users gave 0.01-wide noise in NDCG@10).")
    bias_users: int | None = option(300, "Position-bias figure (retrieval order vs shuffled) on this many test users.")
    out: str | None = option(None, "Write JSON results here (and a Markdown table next to it).")

    def __post_init__(self):
        check(self.split in ("val", "test"), f"split must be 'val' or 'test', not {self.split!r}")
        check(self.ranker in ("none", "llm"), f"ranker must be 'none' or 'llm', not {self.ranker!r}")
        check(self.users is None or self.users >= 1, "users must be >= 1")
        check(1 <= self.shortlist_size <= 20, "shortlist_size must be between 1 and 20")
        check(1 <= self.turns <= 10, "turns must be between 1 and 10")
        check(self.quantize in ("4bit", "8bit", "none"), "quantize must be 4bit, 8bit or none")
        check(self.batch_size >= 1, "batch_size must be >= 1")
        check(self.permutations >= 1, "permutations must be >= 1")
        check(self.llm_val_users is None or self.llm_val_users >= 10, "llm_val_users must be >= 10")
        check(self.bias_users is None or self.bias_users >= 10, "bias_users must be >= 10")
