"""Data parallelism (recommender/train/distributed.py) under `accelerate launch` with two CPU processes
(gloo): the collectives, then `recommender train` (a crash and --resume included) and `recommender eval
--ranker llm`, each compared with one process doing the same work.

The launches take 15-25 s each on two cores (two fresh Pythons importing torch and transformers), so
the end-to-end tests are marked slow.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recommender.config import to_dict
from recommender.train.checkpoint import is_complete
from recommender.train.distributed import Distributed, data_parallel_backward
from tests.synthetic import HashEmbedder, synthetic_dataset
from tests.test_train import tiny_config, tiny_model_dir  # noqa: F401  (a fixture)

REPO = Path(__file__).resolve().parents[1]
LAUNCH = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
          "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0"]


@pytest.fixture(autouse=True)
def isolated_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "index-cache"))
    monkeypatch.setenv("RECOMMENDER_DATA_DIR", str(tmp_path / "data-cache"))


def launch(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([*LAUNCH, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def cores_per_process() -> int:
    return max(1, len(os.sched_getaffinity(0)) // 2)


# --- one process: every operation is a no-op -----------------------------------------------------------------

def test_one_process_does_all_the_work_without_a_process_group(monkeypatch):
    from recommender.train import distributed

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert distributed._from_environment() == Distributed()
    one = Distributed()
    assert not one.enabled and one.is_main and one.shard([1, 2, 3]) == [1, 2, 3]
    assert one.map_batches(list(range(5)), lambda xs: [x + 1 for x in xs], 2) == [1, 2, 3, 4, 5]
    assert one.broadcast("x") == "x" and one.all_gather("x") == ["x"] and one.share(5, 2) == 5
    with one.main_first():
        pass


def test_shares_cover_every_item_once():
    ranks = [Distributed(rank=r, world_size=3) for r in range(3)]
    assert [d.shard(list(range(7))) for d in ranks] == [[0, 3, 6], [1, 4], [2, 5]]
    # batches of 3 of 10 items: [0-2] [3-5] [6-8] [9], dealt out as batch 0 and 3, 1, 2
    assert [d.share(10, 3) for d in ranks] == [4, 3, 3]


def test_one_process_gradient_is_the_plain_accumulated_mean():
    import torch

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    xs, ys = torch.randn(5, 3), torch.randn(5)

    def loss_fn(batch):
        idx = torch.tensor(batch)
        return ((model(xs[idx]).squeeze(-1) - ys[idx]) ** 2).mean()

    loss = data_parallel_backward(Distributed(), list(range(5)), 2, loss_fn, list(model.parameters()))
    got = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    expected = loss_fn(list(range(5)))
    expected.backward()
    assert loss == pytest.approx(float(expected.detach()), rel=1e-6)
    for g, p in zip(got, model.parameters()):
        torch.testing.assert_close(g, p.grad)


# --- two processes: the collectives ----------------------------------------------------------------------------

COLLECTIVES_SCRIPT = """
import json, sys
import torch
from recommender.train.distributed import current, data_parallel_backward

dist = current()
out = {"rank": dist.rank, "world_size": dist.world_size, "backend": dist.backend, "threads": torch.get_num_threads(),
       "squares": dist.map_batches(list(range(7)), lambda xs: [x * x for x in xs], 2),
       "broadcast": dist.broadcast(dist.rank + 10), "gathered": dist.all_gather(dist.rank)}
torch.manual_seed(0)  # the same model and data on both processes
model = torch.nn.Linear(3, 1)
xs, ys = torch.randn(5, 3), torch.randn(5)

def loss_fn(batch):
    idx = torch.tensor(batch)
    return ((model(xs[idx]).squeeze(-1) - ys[idx]) ** 2).mean()

unused = torch.nn.Parameter(torch.zeros(2))  # in no loss: its .grad stays None, as with one process
for n in (5, 1):  # 3 + 2 examples; 1 + 0 (the second process has nothing to do in this step)
    model.zero_grad()
    loss = data_parallel_backward(dist, list(range(n)), 2, loss_fn, [*model.parameters(), unused])
    assert unused.grad is None
    got = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    expected = loss_fn(list(range(n)))  # one process, one forward pass over the whole step
    expected.backward()
    out[f"step of {n}"] = {"loss": loss, "expected_loss": float(expected),
                           "grad_error": max(float((g - p.grad).abs().max()) for g, p in zip(got, model.parameters()))}
with open(f"{sys.argv[1]}.{dist.rank}", "w") as f:
    json.dump(out, f)
"""


def test_collectives_and_gradients_across_two_processes(tmp_path):
    script = tmp_path / "collectives.py"
    script.write_text(COLLECTIVES_SCRIPT)
    done = launch([str(script), str(tmp_path / "out")], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    for rank in (0, 1):
        out = json.loads((tmp_path / f"out.{rank}").read_text())
        assert (out["rank"], out["world_size"], out["backend"]) == (rank, 2, "gloo")
        assert out["squares"] == [x * x for x in range(7)]
        assert out["broadcast"] == 10 and out["gathered"] == [0, 1]
        for n in (5, 1):
            step = out[f"step of {n}"]
            assert step["loss"] == pytest.approx(step["expected_loss"], rel=1e-6)
            assert step["grad_error"] < 1e-6


# --- two processes: `recommender train` ------------------------------------------------------------------------

TRAIN_SCRIPT = """
import json, os, sys
import torch
from safetensors.torch import save_file
from recommender.train.checkpoint import lora_parameters
from recommender.train.config import TrainConfig
from recommender.train.run import train
from recommender.train.trainer import Trainer
from tests.synthetic import HashEmbedder, synthetic_dataset

config = TrainConfig(**json.loads(sys.argv[1]))
crash_after, resume = int(sys.argv[2]), sys.argv[3] == "resume"
trainers = []
original_init, original_checkpoint = Trainer.__init__, Trainer.checkpoint

def remember(self, *args, **kwargs):
    original_init(self, *args, **kwargs)
    trainers.append(self)

def checkpoint_then_crash(self):  # a deterministic stand-in for a crash right after a checkpoint
    original_checkpoint(self)
    if self.state.step == crash_after:
        self.dist.barrier()
        os._exit(3)

Trainer.__init__, Trainer.checkpoint = remember, checkpoint_then_crash
train(config, dataset=synthetic_dataset(n_items=60, n_users=40, length=12, seed=0), embedder_factory=HashEmbedder,
      progress=False, resume=resume)
trainer = trainers[0]
rank = trainer.dist.rank
save_file({k: p.detach().contiguous() for k, p in lora_parameters(trainer.tm.model).items()},
          f"{config.out}.rank{rank}.safetensors")
with open(f"{config.out}.rank{rank}.json", "w") as f:
    json.dump({"world_size": trainer.dist.world_size, "threads": torch.get_num_threads(),
               "losses": trainer.state.losses}, f)
"""


@pytest.mark.slow
def test_two_process_training_matches_one_process_and_resumes(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    """QLoRA (4-bit base, CPU) with 13 examples in steps of 3 (split 2 + 1 between the processes; the last
    step has 1 example, so the second process has none), validation every 2 steps. The two-process run
    is killed right after the checkpoint of step 3 and resumed, also on two processes. Its loss curve,
    validation curve, final weights and adapter must equal one process's."""
    import torch
    from safetensors.torch import load_file

    from recommender.llm.backend import check_adapter_matches
    from recommender.train.checkpoint import lora_parameters
    from recommender.train.run import train
    from recommender.train.trainer import Trainer

    settings = dict(quantize="4bit", max_examples=13, val_users=12, batch_size=1, grad_accum=3, eval_every=2,
                    checkpoint_every=1, lr=3e-3, lora_dropout=0.0, threads=0)
    trainers = []
    original_init = Trainer.__init__

    def remember(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        trainers.append(self)

    monkeypatch.setattr(Trainer, "__init__", remember)
    one = train(tiny_config(tmp_path / "one", tiny_model_dir, **settings), progress=False,
                dataset=synthetic_dataset(n_items=60, n_users=40, length=12, seed=0),
                embedder_factory=HashEmbedder).metrics
    one_weights = {k: p.detach().clone() for k, p in lora_parameters(trainers[0].tm.model).items()}
    assert one["optimizer_steps"] == 5 and [p["step"] for p in one["val_curve"]] == [0, 2, 4, 5]

    out = tmp_path / "two"
    config = json.dumps(to_dict(tiny_config(out, tiny_model_dir, **settings)))
    script = tmp_path / "train_script.py"
    script.write_text(TRAIN_SCRIPT)
    crashed = launch([str(script), config, "3", "fresh"], tmp_path)
    assert crashed.returncode != 0 and not out.exists(), crashed.stderr[-3000:]
    checkpoint = tmp_path / "two.partial" / "checkpoints" / "step-000003"
    assert is_complete(checkpoint)
    assert len(torch.load(checkpoint / "rng.pt", weights_only=False)["by_rank"]) == 2  # each its own dropout

    resumed = launch([str(script), config, "0", "resume"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    two = json.loads((out / "metrics.json").read_text())
    assert two["resumed"] and two["optimizer_steps"] == two["planned_steps"] == 5 and two["examples_seen"] == 13
    np.testing.assert_allclose(two["train_loss_per_step"], one["train_loss_per_step"], atol=1e-4)
    assert [p["step"] for p in two["val_curve"]] == [0, 2, 4, 5] and two["best_step"] == one["best_step"]
    for a, b in zip(two["val_curve"], one["val_curve"]):
        assert (a["llm"], a["best_mix"]) == pytest.approx((b["llm"], b["best_mix"]), abs=1e-4)

    ranks = [json.loads((tmp_path / f"two.rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["world_size"] for r in ranks] == [2, 2]
    assert [r["threads"] for r in ranks] == [cores_per_process()] * 2
    weights = [load_file(str(tmp_path / f"two.rank{r}.safetensors")) for r in (0, 1)]
    assert weights[0].keys() == weights[1].keys() == one_weights.keys()
    for key, expected in one_weights.items():
        assert torch.equal(weights[0][key], weights[1][key]), key  # the processes never drift apart
        torch.testing.assert_close(weights[0][key], expected, atol=1e-5, rtol=1e-4)

    assert is_complete(out) and not (tmp_path / "two.partial").exists()
    check_adapter_matches(out, trainers[0].tm.model_id)
    saved, expected = (load_file(str(d / "adapter_model.safetensors")) for d in (out, tmp_path / "one"))
    assert saved.keys() == expected.keys()
    for key in saved:
        assert torch.isfinite(saved[key]).all()
        torch.testing.assert_close(saved[key], expected[key], atol=1e-5, rtol=1e-4)


# --- two processes: `recommender eval --ranker llm` ------------------------------------------------------------

def write_generic(dataset, directory: Path) -> Path:
    directory.mkdir(parents=True)
    with open(directory / "items.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["item_id", "title", "year", "genres"])
        writer.writerows([it.item_id, it.title, it.year, "|".join(it.genres)] for it in dataset.catalog)
    with open(directory / "interactions.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["user_id", "item_id", "rating", "timestamp"])
        inter = dataset.interactions
        writer.writerows([u, dataset.catalog[int(i)].item_id, float(r), int(t)]
                         for u, i, r, t in zip(inter.users, inter.items, inter.ratings, inter.timestamps))
    return directory


@pytest.mark.slow
def test_two_process_llm_eval_matches_one_process(tiny_model_dir, tmp_path, capsys):  # noqa: F811
    from recommender.cli import main
    from recommender.llm.backend import clear_backend_cache

    data = write_generic(synthetic_dataset(n_items=60, n_users=40, length=12, seed=0), tmp_path / "data")
    args = ["eval", "--data", str(data), "--split", "test", "--ranker", "llm", "--model", str(tiny_model_dir),
            "--quantize", "none", "--adapter", "none", "--batch-size", "4", "--quiet"]
    try:
        assert main([*args, "--out", str(tmp_path / "one.json")]) == 0
    finally:
        clear_backend_cache()
    capsys.readouterr()
    done = launch(["-m", "recommender", *args, "--out", str(tmp_path / "two.json")], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("| fusion |") == 2  # the main process alone prints the (test and val) tables
    one, two = (json.loads((tmp_path / f"{name}.json").read_text()) for name in ("one", "two"))
    assert two["n_users"] == one["n_users"] == 40 and two["metrics"] == one["metrics"]
    (a,), (b,) = one["llm"]["rankers"], two["llm"]["rankers"]
    for field in ("llm_val", "llm_test", "mix_test", "val_grid", "test_grid", "mix_weight", "invalid_item_rate",
                  "position_bias_ndcg10", "mix_test_ndcg10_per_user"):
        assert b[field] == a[field], field  # the same batches and shuffles: the same scores
    assert len(b["val_grid"]) == 11 and a["position_bias_ndcg10"]["users"] == 40
