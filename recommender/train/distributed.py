"""Data parallelism across the processes that `accelerate launch` (or torchrun) starts, kept out of the
training loop: the loop hands this module a list of examples and a loss function, or a list of cases
and a scoring function, and gets back what one process would have computed.

    accelerate launch --multi_gpu --num_processes 4 -m recommender train --data ml-100k --out adapters/x

Without a launcher (WORLD_SIZE unset or 1) every operation here is a no-op on one process, nothing is
initialised and accelerate is not imported, so plain single-process use is exactly what it was.

How it works, and why not DDP. `accelerate.PartialState` reads the launcher's environment, picks the
backend (NCCL on GPUs, gloo on CPUs; RECOMMENDER_DIST_BACKEND overrides it, e.g. gloo for two processes
sharing one GPU in a test), pins each process to its GPU and initialises the process group. Every
process holds the whole model. For each optimizer step, the step's examples (the global batch) are
dealt out round-robin; each process backpropagates its share weighted by 1 / (global batch size), and
one all-reduce sums the LoRA gradients (flattened into one buffer) and the loss. Every process then
holds exactly the gradient one process would have computed, and runs the same optimizer step, so the
weights stay identical without being sent around. We do not wrap the model in DDP (accelerate's
`Accelerator.prepare`): the LoRA gradients are a few MB, so overlapping their reduction with the
backward pass gains nothing, while DDP would (a) average over ranks, which is wrong whenever a step's
examples do not split evenly (the last step, or more processes than examples: a process with nothing to
do would leave the others waiting in the backward pass), (b) need `no_sync` juggling for gradient
accumulation, and (c) put a wrapper between the training loop and the PEFT model that checkpoints,
validation and adapter writing use directly (and that bitsandbytes' 4-bit CPU layers must not be
re-packed through).
"""

from __future__ import annotations

import atexit
import contextlib
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BACKEND_ENV = "RECOMMENDER_DIST_BACKEND"


@dataclass(frozen=True)
class Distributed:
    """This process's place among the data-parallel processes (one process by default)."""

    rank: int = 0
    world_size: int = 1
    local_world_size: int = 1  # processes on this machine (they share its CPU cores)
    backend: str | None = None  # "gloo", "nccl", ... (None: one process, no process group)

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """The one process that writes files and prints progress."""
        return self.rank == 0

    # --- splitting work ---------------------------------------------------------------------------
    def shard(self, items: Sequence[T]) -> list[T]:
        """This process's share of `items`: every world_size-th item, starting at its rank."""
        return list(items[self.rank::self.world_size])

    def map_batches(self, items: Sequence[T], fn: Callable[[list[T]], Sequence[R]], batch_size: int,
                    on_batch: Callable[[int], None] | None = None) -> list[R]:
        """`fn` applied to `items` in batches of `batch_size`, the batches dealt out round-robin to the
        processes; every process gets all results, in the order of `items` (`fn` returns one result per
        item). The batches are the ones one process would form, so padding, and with it every score, is
        the same whatever the number of processes. `on_batch(n)` runs after each of this process's batches."""
        batches = [list(items[i:i + batch_size]) for i in range(0, len(items), batch_size)]
        done = []
        for batch in self.shard(batches):
            out = list(fn(batch))
            if len(out) != len(batch):
                raise ValueError(f"fn returned {len(out)} results for {len(batch)} items")
            done.append(out)
            if on_batch is not None:
                on_batch(len(batch))
        return [result for batch in self.unshard(done, len(batches)) for result in batch]

    def share(self, n_items: int, batch_size: int) -> int:
        """How many of `n_items` this process handles in `map_batches` (for its progress bar)."""
        n_batches = -(-n_items // batch_size)
        return sum(min(batch_size, n_items - b * batch_size) for b in range(self.rank, n_batches, self.world_size))

    def unshard(self, mine: list[R], n: int) -> list[R]:
        """Undo `shard`: every process's results put back in item order (on every process)."""
        if not self.enabled:
            return mine
        shards = self.all_gather(mine)
        ordered: list[Any] = [None] * n
        for rank, results in enumerate(shards):
            ordered[rank::self.world_size] = results
        return ordered

    # --- collectives ------------------------------------------------------------------------------
    def all_gather(self, obj: T) -> list[T]:
        """`obj` from every process, by rank (picklable objects)."""
        if not self.enabled:
            return [obj]
        import torch.distributed as dist

        gathered: list[Any] = [None] * self.world_size
        dist.all_gather_object(gathered, obj)
        return gathered

    def broadcast(self, obj: T) -> T:
        """The main process's `obj`, on every process: for decisions that must be taken identically (the
        time budget, where each process has its own clock)."""
        if not self.enabled:
            return obj
        import torch.distributed as dist

        box = [obj]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def sum_(self, tensors: Sequence) -> None:
        """Sum each tensor over all processes, in place, with one all-reduce of a flattened buffer."""
        self._in_place(tensors, broadcast=False)

    def copy_from_main_(self, tensors: Sequence) -> None:
        """Overwrite each tensor with the main process's (one flattened broadcast)."""
        self._in_place(tensors, broadcast=True)

    def _in_place(self, tensors: Sequence, broadcast: bool) -> None:
        if not self.enabled or not tensors:
            return
        import torch
        import torch.distributed as dist

        flat = torch.cat([t.detach().reshape(-1).float() for t in tensors])
        device = flat.device
        if self.backend == "gloo" and device.type != "cpu":
            flat = flat.cpu()  # gloo works on CPU tensors
        if broadcast:
            dist.broadcast(flat, src=0)
        else:
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
        flat = flat.to(device)
        offset = 0
        with torch.no_grad():
            for t in tensors:
                t.copy_(flat[offset:offset + t.numel()].view_as(t).to(t.dtype))
                offset += t.numel()

    def barrier(self) -> None:
        if self.enabled:
            import torch.distributed as dist

            dist.barrier()

    @contextlib.contextmanager
    def main_first(self) -> Iterator[None]:
        """Run the block on the main process first, then on the others: for work that fills a shared cache
        (data download, model conversion, retrieval indexes), which the others then read."""
        if not self.is_main:
            self.barrier()
        yield
        if self.is_main:
            self.barrier()

    def default_threads(self) -> int:
        """torch CPU threads per process when none are configured: the cores this process may use, shared
        among the processes on this machine (2 processes on 2 cores: 1 thread each)."""
        available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(1, available // self.local_world_size)


def data_parallel_backward(dist: Distributed, examples: Sequence[T], batch_size: int,
                           loss_fn: Callable[[list[T]], Any], parameters: Sequence) -> float:
    """Accumulate into `parameters`' .grad the gradient of the mean loss over `examples` (one optimizer
    step's global batch), computed across processes; return that mean loss (the same on every process).

    `loss_fn(batch)` returns the mean loss of a batch (a scalar tensor). Each process runs its share in
    forward passes of `batch_size` and weights each batch by len(batch) / len(examples); summing over
    processes then gives exactly what one process running every batch would have computed, however
    unevenly the examples split (a process may have none)."""
    import torch

    total = 0.0
    mine = dist.shard(examples)
    for start in range(0, len(mine), batch_size):
        batch = mine[start:start + batch_size]
        loss = loss_fn(batch)
        (loss * len(batch) / len(examples)).backward()
        total += float(loss.detach()) * len(batch)
    if dist.enabled and parameters:
        device = parameters[0].device
        # which parameters got a gradient anywhere: one process leaves the others' .grad None, so must we
        reached = torch.tensor([float(p.grad is not None) for p in parameters], device=device)
        for p in parameters:
            if p.grad is None:  # this process had no examples (or the parameter was not reached here)
                p.grad = torch.zeros_like(p)
        loss_sum = torch.tensor([total], device=device)
        dist.sum_([*(p.grad for p in parameters), loss_sum, reached])
        for p, anywhere in zip(parameters, reached.tolist()):
            if not anywhere:
                p.grad = None
        total = float(loss_sum)
    return total / len(examples)


_CURRENT: Distributed | None = None


def current() -> Distributed:
    """This process's Distributed, initialised once from the launcher's environment."""
    global _CURRENT
    if _CURRENT is None:
        _CURRENT = _from_environment()
    return _CURRENT


def _from_environment() -> Distributed:
    world_size = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world_size <= 1:
        return Distributed()
    import torch
    from accelerate import PartialState

    backend = os.environ.get(BACKEND_ENV) or None
    # cpu=True makes accelerate use gloo on a machine without GPUs (without it, a CPU-only launch would
    # silently run every process on its own, each training the whole model).
    state = PartialState(cpu=not torch.cuda.is_available(), **({"backend": backend} if backend else {}))
    atexit.register(state.destroy_process_group)  # torch warns about a group left open at exit
    local = int(os.environ.get("LOCAL_WORLD_SIZE", world_size))
    return Distributed(state.process_index, state.num_processes, local, state.backend)
