"""Resumable training state on disk, written so that a killed process never leaves a half-written
checkpoint or adapter that looks complete.

Every directory is written under a temporary name, the marker file `COMPLETE` is written last, and only
then is the directory renamed into place; readers trust only directories holding the marker.

Work directory of a run (`<out>.partial/`, removed once the final adapter is in place):
    run.json                      the resolved config the run started with
    checkpoints/step-000040/      adapter/, optimizer.pt, scheduler.pt, rng.pt, state.json, order.npy
    best/step-000025/             adapter/ (the best validated weights so far), metrics.json
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from recommender.errors import RecommenderError

MARKER = "COMPLETE"
KEEP_CHECKPOINTS = 2


def write_dir_atomically(final: Path, write: Callable[[Path], None], marker: dict | None = None) -> None:
    """Fill a temporary sibling of `final` with `write`, add the marker last, then rename it into place.
    An existing `final` is replaced only after the new directory is complete."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    old = None
    try:
        write(tmp)
        _write_synced(tmp / MARKER, json.dumps(marker or {}, indent=2) + "\n")
        if final.exists():
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            final.rename(old)
        tmp.rename(final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def is_complete(path: Path) -> bool:
    return (Path(path) / MARKER).is_file()


@dataclass
class TrainState:
    """Everything about progress that is not a tensor; saved as state.json in each checkpoint."""

    step: int = 0  # optimizer steps done
    examples_seen: int = 0  # position in the example order
    total_steps: int = 0
    best_score: float | None = None
    best_step: int = -1
    evals_since_best: int = 0
    curve: list = field(default_factory=list)  # one dict per validation
    losses: list = field(default_factory=list)  # mean training loss per optimizer step
    elapsed_s: float = 0.0  # wall time of the run so far, summed over resumes
    stop_reason: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> "TrainState":
        return cls(**json.loads(text))


def rng_states() -> dict:
    import torch

    states = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states["cuda"] = torch.cuda.get_rng_state_all()  # dropout on a GPU draws from these
    return states


def restore_rng_states(states: dict, rank: int = 0) -> None:
    """Restore this process's RNG states. A data-parallel checkpoint holds one set per process
    ({"by_rank": [...]}); a process without its own (a resume with more processes) continues from the
    main process's states, then moves to a stream of its own so its dropout masks differ."""
    import torch

    by_rank = states.get("by_rank", [states])
    mine = by_rank[rank] if rank < len(by_rank) else by_rank[0]
    random.setstate(mine["python"])
    np.random.set_state(mine["numpy"])
    torch.set_rng_state(mine["torch"])
    if "cuda" in mine and torch.cuda.is_available() and len(mine["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(mine["cuda"])
    if rank >= len(by_rank):
        torch.manual_seed(int(torch.randint(2**31 - 1, (1,))) + rank)


class WorkDir:
    """The `<out>.partial/` directory of one run: checkpoints and the best adapter so far."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.checkpoints = self.root / "checkpoints"
        self.best = self.root / "best"

    def exists(self) -> bool:
        return self.root.exists()

    def create(self, config_dict: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _write_synced(self.root / "run.json", json.dumps(config_dict, indent=2) + "\n")

    def saved_config(self) -> dict | None:
        path = self.root / "run.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def clear(self) -> None:
        """Start over: no checkpoints, no best weights (run.json is rewritten by `create`)."""
        shutil.rmtree(self.checkpoints, ignore_errors=True)
        shutil.rmtree(self.best, ignore_errors=True)

    def latest_checkpoint(self) -> Path | None:
        return _latest_complete(self.checkpoints)

    def best_adapter(self, step: int) -> Path | None:
        path = self.best / f"step-{step:06d}"
        return path / "adapter" if is_complete(path) else None

    def save_checkpoint(self, model, optimizer, scheduler, state: TrainState, order: np.ndarray,
                        rng_by_rank: list[dict] | None = None) -> Path:
        """`rng_by_rank`: every process's RNG states in a data-parallel run (default: this process's)."""
        import torch

        if rng_by_rank is None:
            rng_by_rank = [rng_states()]
        rng = rng_by_rank[0] if len(rng_by_rank) == 1 else {"by_rank": rng_by_rank}

        def write(tmp: Path) -> None:
            save_adapter_weights(model, tmp / "adapter")
            torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
            torch.save(scheduler.state_dict(), tmp / "scheduler.pt")
            torch.save(rng, tmp / "rng.pt")
            np.save(tmp / "order.npy", order)
            (tmp / "state.json").write_text(state.to_json(), encoding="utf-8")

        path = self.checkpoints / f"step-{state.step:06d}"
        write_dir_atomically(path, write, {"step": state.step})
        _prune(self.checkpoints, keep=KEEP_CHECKPOINTS)
        return path

    def load_checkpoint(self, path: Path, model, optimizer, scheduler, rank: int = 0) -> tuple[TrainState, np.ndarray]:
        """Restore weights, optimizer, scheduler and (process `rank`'s) RNG states in place; return the state
        and order."""
        import torch

        load_adapter_weights(model, path / "adapter")
        # Our own files: they hold RNG states and optimizer state, not only tensors.
        optimizer.load_state_dict(torch.load(path / "optimizer.pt", weights_only=False))
        scheduler.load_state_dict(torch.load(path / "scheduler.pt", weights_only=False))
        restore_rng_states(torch.load(path / "rng.pt", weights_only=False), rank)
        state = TrainState.from_json((path / "state.json").read_text(encoding="utf-8"))
        return state, np.load(path / "order.npy")

    def save_best(self, model, step: int, metrics: dict) -> None:
        """Keep the weights of a new best validation step. Older bests are dropped only when a checkpoint
        that no longer needs them is written (`forget_best_except`)."""
        def write(tmp: Path) -> None:
            save_adapter_weights(model, tmp / "adapter")
            (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")

        write_dir_atomically(self.best / f"step-{step:06d}", write, {"step": step})

    def forget_best_except(self, step: int) -> None:
        for path in _complete_steps(self.best):
            if path.name != f"step-{step:06d}":
                shutil.rmtree(path, ignore_errors=True)
        _prune(self.best, keep=1 << 30)

    def forget_after(self, step: int) -> None:
        """On resume: drop best weights from validations after the checkpoint (they will be redone)."""
        for path in _complete_steps(self.best):
            if int(path.name.split("-")[1]) > step:
                shutil.rmtree(path, ignore_errors=True)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# PEFT's save_pretrained / get_peft_model_state_dict go through module.state_dict(), and bitsandbytes'
# 4-bit layers on the CPU rewrite their packed weights in place when asked for a state dict: the model
# left in memory then computes something else than the same weights loaded afresh (scores off by 6-9
# nats). Training would go on from a silently different base. So the LoRA tensors are read and written
# directly, in PEFT's file format (adapter_config.json + adapter_model.safetensors).
ADAPTER_NAME = "default"


def lora_parameters(model) -> dict:
    """PEFT file key -> live LoRA parameter of the active adapter."""
    tag = f".{ADAPTER_NAME}."
    return {name.replace(tag, "."): param for name, param in model.named_parameters() if "lora_" in name and tag in name}


def save_adapter_weights(model, adapter_dir: Path) -> None:
    from safetensors.torch import save_file

    adapter_dir = Path(adapter_dir)
    adapter_dir.mkdir(parents=True, exist_ok=True)
    tensors = {key: p.detach().cpu().contiguous() for key, p in lora_parameters(model).items()}
    save_file(tensors, str(adapter_dir / "adapter_model.safetensors"), metadata={"format": "pt"})
    model.peft_config[ADAPTER_NAME].save_pretrained(str(adapter_dir))


def load_adapter_weights(model, adapter_dir: Path) -> None:
    import torch
    from safetensors.torch import load_file

    saved = load_file(str(Path(adapter_dir) / "adapter_model.safetensors"))
    params = lora_parameters(model)
    if set(saved) != set(params):
        raise RecommenderError(f"{adapter_dir}: its LoRA tensors do not match the model's LoRA layers "
                               f"(a checkpoint of another config?); use --overwrite to start over")
    with torch.no_grad():
        for key, param in params.items():
            param.copy_(saved[key].to(param.device, param.dtype))


def _complete_steps(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.startswith("step-") and is_complete(p)]
    return sorted(found, key=lambda p: p.name)


def _latest_complete(folder: Path) -> Path | None:
    found = _complete_steps(folder)
    return found[-1] if found else None


def _prune(folder: Path, keep: int) -> None:
    """Drop all but the newest `keep` complete step directories, and leftovers of killed writes
    (hidden temporaries: one process writes a work directory, and its own write has been renamed)."""
    if not folder.is_dir():
        return
    for path in _complete_steps(folder)[:-keep]:
        shutil.rmtree(path, ignore_errors=True)
    for path in folder.iterdir():
        if path.name.startswith("."):
            shutil.rmtree(path, ignore_errors=True)
