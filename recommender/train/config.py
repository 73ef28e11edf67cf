"""Settings of `recommender train`: defaults < --config YAML (adapters/configs/) < flags."""

from __future__ import annotations

from dataclasses import dataclass

from recommender.config import check, option

TASKS = ("rank", "intent", "explain")
SCHEDULES = ("cosine", "linear", "constant")
MISSED_TARGET_POLICIES = ("insert", "skip")
SELECT_ON = ("llm", "mix")
# Fields that may differ between an interrupted run and its --resume (everything else must match).
RESUMABLE_CHANGES = frozenset({"max_minutes", "out"})


@dataclass
class TrainConfig:
    task: str = option("rank", "What the adapter learns: 'rank' (the LLM ranker's answers), 'intent' (the chat's "
                               "JSON intent of a message, from generated messages) or 'explain' (explanations "
                               "written from fact sheets).")
    data: str = option("ml-100k", "Data set name (ml-100k) or a path in a supported format.")
    out: str | None = option(None, "Output adapter directory, e.g. adapters/my-adapter (required).")
    seed: int = option(0, "Seed of the example order, candidate shuffles, LoRA init and dropout.")

    # Base model and LoRA.
    model: str | None = option(None, "Base model: Hugging Face id or local directory with a chat template "
                                     "(default: the embedded SmolLM2-135M-Instruct).")
    quantize: str = option("4bit", "Base weights while training: '4bit' (NF4, QLoRA), '8bit' or 'none' (fp32).")
    lora_r: int = option(8, "LoRA rank.")
    lora_alpha: int = option(16, "LoRA alpha (the update is scaled by alpha / r).")
    lora_dropout: float = option(0.05, "Dropout on the LoRA input.")
    target_modules: list = option(["q_proj", "k_proj", "v_proj", "o_proj"],
                                  "Module names that get LoRA (add gate_proj, up_proj, down_proj for the MLP).")
    lora_layers: int | None = option(None, "LoRA only in the top N transformer layers (default: all). The layers "
                                           "below need no backward pass, so training is faster.")

    # Examples.
    targets_per_user: int = option(3, "Next-item targets per user, walking back from the end of the training "
                                      "history; the retriever that builds training candidates never sees them.")
    min_history: int = option(3, "A target needs at least this many earlier interactions.")
    users: int | None = option(None, "Train on a seeded sample of this many users (default: all).")
    max_examples: int | None = option(None, "Cap on training examples (a seeded random subset; default: all).")
    shortlist_size: int = option(20, "Candidates per example: the retrieval shortlist (at most 20 labels).")
    missed_target: str = option("insert", "When retrieval missed the target: 'insert' it in place of the last "
                                          "candidate (shown without retrieval ranks) or 'skip' the example.")

    # Intent task (task: intent).
    intent_examples: int = option(4000, "Intent task: generated (message -> intent) training examples.")
    intent_val_examples: int = option(150, "Intent task: generated validation messages (another seed), decoded "
                                            "under the schema at each validation.")

    # Explanation task (task: explain).
    explain_examples: int = option(2000, "Explain task: cards (fact sheet -> explanation) from training-half users.")
    explain_val_examples: int = option(200, "Explain task: validation cards, from training-half users not trained on.")

    # Prompt: must match inference, so it is written next to the adapter (ranker.yaml).
    max_history: int = option(8, "Most recent history items shown in the prompt.")
    title_chars: int = option(40, "Titles longer than this are cut with an ellipsis.")
    show_year: bool = option(False, "Show release years after the titles in the prompt.")
    show_genres: bool = option(False, "Show genres after the titles in the prompt.")
    show_retrieval_rank: bool = option(True, "Show each candidate's retrieval rank in the prompt.")
    labels_by_rank: bool = option(False, "Label candidates by retrieval rank (A = rank 1), lines in a shuffled "
                                         "order: the answer letter carries the retrieval prior, the line position "
                                         "nothing. Needs missed_target 'skip' (an inserted target has no rank).")
    scheme: str = option("letters", "Ranking prompt: 'letters' (one prompt, a letter per candidate) or 'pointwise' "
                                    "(a yes/no judgement per candidate after the shared history, all in one packed "
                                    "pass; position-invariant, so labels_by_rank must be false).")
    residual: bool = option(False, "Train the LLM as a correction to a retrieval-rank prior: each candidate's "
                                   "label logit gets the log-frequency of its retrieval rank among the training "
                                   "targets added before the loss, and the ranker adds the same prior "
                                   "(ranker.yaml rank_prior). Needs missed_target 'skip'.")

    # Optimisation.
    epochs: int = option(1, "Passes over the training examples.")
    batch_size: int = option(1, "Examples per forward pass.")
    grad_accum: int = option(8, "Forward passes per optimizer step (effective batch = batch_size * grad_accum).")
    lr: float = option(3e-4, "Peak learning rate (AdamW).")
    weight_decay: float = option(0.0, "AdamW weight decay.")
    warmup_steps: int = option(10, "Optimizer steps of linear warm-up from 0 to lr.")
    schedule: str = option("cosine", "Learning-rate decay after warm-up: cosine, linear (both to 0) or constant.")
    max_grad_norm: float = option(1.0, "Clip the gradient norm to this (0 = no clipping).")

    # Validation, checkpoints, budget.
    val_users: int = option(200, "Validation users (a fixed seeded sample; their val-split shortlists).")
    eval_every: int = option(25, "Validate every this many optimizer steps (and at the end).")
    eval_batch_size: int = option(8, "Prompts per forward pass when validating.")
    patience: int = option(4, "Stop after this many validations without improvement (0 = never stop early).")
    select_on: str = option("llm", "Best checkpoint by val NDCG@10 of the 'llm' ranking alone or the best 'mix'.")
    checkpoint_every: int = option(10, "Write a resumable checkpoint every this many optimizer steps.")
    max_minutes: float = option(0.0, "Wall-time budget for the whole run (0 = none): training stops early, "
                                     "leaving time for the last validation and saving.")
    threads: int = option(0, "torch CPU threads (0 = one per available core; under accelerate launch, per "
                             "process, 0 = the cores shared among the processes on this machine).")

    def __post_init__(self):
        check(self.task in TASKS, f"task must be one of {', '.join(TASKS)}, not {self.task!r}")
        check(self.intent_examples >= 1, f"intent_examples must be >= 1, not {self.intent_examples}")
        check(self.intent_val_examples >= 1, f"intent_val_examples must be >= 1, not {self.intent_val_examples}")
        check(self.explain_examples >= 1, f"explain_examples must be >= 1, not {self.explain_examples}")
        check(self.explain_val_examples >= 1, f"explain_val_examples must be >= 1, not {self.explain_val_examples}")
        check(self.quantize in ("4bit", "8bit", "none"), f"quantize must be 4bit, 8bit or none, not {self.quantize!r}")
        check(self.lora_r >= 1, f"lora_r must be >= 1, not {self.lora_r}")
        check(self.lora_alpha >= 1, f"lora_alpha must be >= 1, not {self.lora_alpha}")
        check(0.0 <= self.lora_dropout < 1.0, f"lora_dropout must be in [0, 1), not {self.lora_dropout}")
        check(isinstance(self.target_modules, list) and len(self.target_modules) > 0
              and all(isinstance(m, str) and m for m in self.target_modules),
              "target_modules must be a non-empty list of module names")
        check(self.lora_layers is None or self.lora_layers >= 1, "lora_layers must be >= 1")
        check(self.targets_per_user >= 1, f"targets_per_user must be >= 1, not {self.targets_per_user}")
        check(self.min_history >= 1, f"min_history must be >= 1, not {self.min_history}")
        check(self.users is None or self.users >= 1, "users must be >= 1")
        check(self.max_examples is None or self.max_examples >= 1, "max_examples must be >= 1")
        check(2 <= self.shortlist_size <= 20, f"shortlist_size must be between 2 and 20, not {self.shortlist_size}")
        check(self.missed_target in MISSED_TARGET_POLICIES,
              f"missed_target must be one of {', '.join(MISSED_TARGET_POLICIES)}, not {self.missed_target!r}")
        check(not (self.labels_by_rank and self.missed_target == "insert"),
              "labels_by_rank needs missed_target 'skip': an inserted target has no retrieval rank to label it by")
        check(not (self.residual and self.missed_target == "insert"),
              "residual needs missed_target 'skip': an inserted target has no retrieval rank for the prior")
        self.ranker_config()  # the prompt fields (scheme, labels_by_rank, ...) are checked where inference checks them
        check(self.max_history >= 1, f"max_history must be >= 1, not {self.max_history}")
        check(self.title_chars >= 8, f"title_chars must be >= 8, not {self.title_chars}")
        check(self.epochs >= 1, f"epochs must be >= 1, not {self.epochs}")
        check(self.batch_size >= 1, f"batch_size must be >= 1, not {self.batch_size}")
        check(self.grad_accum >= 1, f"grad_accum must be >= 1, not {self.grad_accum}")
        check(0.0 < self.lr < 1.0, f"lr must be in (0, 1), not {self.lr}")
        check(self.weight_decay >= 0.0, f"weight_decay must be >= 0, not {self.weight_decay}")
        check(self.warmup_steps >= 0, f"warmup_steps must be >= 0, not {self.warmup_steps}")
        check(self.schedule in SCHEDULES, f"schedule must be one of {', '.join(SCHEDULES)}, not {self.schedule!r}")
        check(self.max_grad_norm >= 0.0, f"max_grad_norm must be >= 0, not {self.max_grad_norm}")
        check(self.val_users >= 1, f"val_users must be >= 1, not {self.val_users}")
        check(self.eval_every >= 1, f"eval_every must be >= 1, not {self.eval_every}")
        check(self.eval_batch_size >= 1, f"eval_batch_size must be >= 1, not {self.eval_batch_size}")
        check(self.patience >= 0, f"patience must be >= 0, not {self.patience}")
        check(self.select_on in SELECT_ON, f"select_on must be one of {', '.join(SELECT_ON)}, not {self.select_on!r}")
        check(self.checkpoint_every >= 1, f"checkpoint_every must be >= 1, not {self.checkpoint_every}")
        check(self.max_minutes >= 0.0, f"max_minutes must be >= 0, not {self.max_minutes}")
        check(self.threads >= 0, f"threads must be >= 0, not {self.threads}")

    @property
    def examples_per_step(self) -> int:
        return self.batch_size * self.grad_accum

    def ranker_config(self, rank_prior: list | None = None):
        """The RankerConfig that builds the same prompts (and adds the same `rank_prior`) at inference time."""
        from recommender.llm.ranker import RankerConfig

        return RankerConfig(max_history=self.max_history, title_chars=self.title_chars,
                            show_retrieval_rank=self.show_retrieval_rank, labels_by_rank=self.labels_by_rank,
                            show_year=self.show_year, show_genres=self.show_genres, scheme=self.scheme,
                            rank_prior=rank_prior)
