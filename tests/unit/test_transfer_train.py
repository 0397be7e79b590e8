"""Head training, freezing and the three-way comparison: what trains changes, what is frozen does not."""

import time

import pytest
import torch

from core.runner import Runner
from core.transfer.backbone import load_backbone
from core.transfer.train import (
    CompareJob,
    FineTuneConfig,
    FineTuneJob,
    HeadConfig,
    HeadJob,
    confusion,
    freeze_counts,
    parameter_counts,
    per_class_accuracy,
)
from core.transfer.workspace import HeadData
from tests.unit.transfer_fixtures import tiny_backbone


def _features(seed: int = 0, n: int = 40, d: int = 8) -> HeadData:
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, d, generator=g) + 2.0 * y[:, None]  # (N, D), separable
    index = torch.arange(n)
    return HeadData(x[:30], y[:30], x[30:], y[30:], x[:0], y[:0], index[:30].numpy(), index[30:].numpy())


def _pictures(n: int = 12, size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(n, 3, size, size, generator=g), torch.arange(n) % 2


def _state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_head_job_learns_and_steps_one_epoch_at_a_time() -> None:
    job = HeadJob(_features(), 2, HeadConfig(epochs=20, lr=1e-2, batch_size=8, seed=0))
    job.step()
    assert job.snapshot()["epoch"] == 1 and len(job.snapshot()["history"]["val_acc"]) == 1
    job.run()
    snap = job.snapshot()
    assert job.done and snap["epoch"] == 20
    assert snap["history"]["train_loss"][-1] < snap["history"]["train_loss"][0]
    assert snap["history"]["val_acc"][-1] == 1.0 and snap["confusion"].trace() == 10


def test_head_job_is_reproducible_from_its_seed() -> None:
    runs = [HeadJob(_features(), 2, HeadConfig(epochs=3, seed=s)) for s in (7, 7, 8)]
    for job in runs:
        job.run()
    assert torch.equal(runs[0].head.weight, runs[1].head.weight)
    assert not torch.equal(runs[0].head.weight, runs[2].head.weight)


def test_head_job_trains_through_the_runner() -> None:
    job = HeadJob(_features(), 2, HeadConfig(epochs=10_000, batch_size=8))
    runner = Runner(job)
    try:
        runner.play()
        deadline = time.monotonic() + 20
        while runner.read(lambda j: j.epochs.epoch) < 3 and time.monotonic() < deadline:
            runner.heartbeat()
            time.sleep(0.05)
        runner.pause()
        epoch = runner.read(lambda j: j.epochs.epoch)
        assert epoch >= 3
        time.sleep(0.2)
        assert runner.read(lambda j: j.epochs.epoch) == epoch  # paused means paused
    finally:
        runner.close()


def test_all_blocks_frozen_only_the_head_changes_tensor_by_tensor() -> None:
    backbone = tiny_backbone()
    x, y = _pictures()
    job = FineTuneJob(backbone, x, y, x[:4], y[:4], 2, FineTuneConfig(n_frozen=3, epochs=3, lr=1e-2))
    before = _state(job.model)
    while not job.done:
        job.train_for(1.0)
    after = _state(job.model)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"head.weight", "head.bias"}  # batch-norm running statistics included


def test_partly_frozen_blocks_stay_and_the_rest_train() -> None:
    backbone = tiny_backbone()
    x, y = _pictures()
    job = FineTuneJob(backbone, x, y, x[:4], y[:4], 2, FineTuneConfig(n_frozen=1, epochs=2, lr=1e-2))
    before = _state(job.model)
    job.step()
    after = _state(job.model)
    for key in before:
        same = torch.equal(before[key], after[key])
        if key.startswith("trunk.blocks.stem."):
            assert same, key
        elif not key.endswith("num_batches_tracked"):
            assert not same, key


def test_parameter_groups_give_the_backbone_its_own_learning_rate() -> None:
    backbone = tiny_backbone()
    x, y = _pictures()
    job = FineTuneJob(backbone, x, y, x, y, 2, FineTuneConfig(n_frozen=1, backbone_lr_factor=0.1, lr=1e-2))
    head_group, backbone_group = job.optimizer.param_groups
    assert head_group["lr"] == pytest.approx(1e-2) and backbone_group["lr"] == pytest.approx(1e-3)
    trunk_trainable = {id(p) for p in job.model.trunk.parameters() if p.requires_grad}
    assert {id(p) for p in backbone_group["params"]} == trunk_trainable


@pytest.mark.parametrize("n_frozen", [0, 1, 2, 3])
def test_freeze_counts_match_the_built_model(n_frozen: int) -> None:
    expected = freeze_counts(tiny_backbone(), n_frozen, 5)
    x, y = _pictures()
    job = FineTuneJob(tiny_backbone(), x, y, x, y, 5, FineTuneConfig(n_frozen=n_frozen))
    assert parameter_counts(job.model) == expected


def test_lite0_frozen_count_is_the_whole_backbone() -> None:
    backbone = load_backbone()
    trainable, frozen = freeze_counts(backbone, len(backbone.block_names), 3)
    assert trainable == 1280 * 3 + 3 and frozen == 3_371_008  # EfficientNet-Lite0 without its classifier


def test_compare_job_trains_three_variants_on_the_same_data() -> None:
    x, y = _pictures()
    jobs = {
        name: FineTuneJob(tiny_backbone(), x, y, x[:4], y[:4], 2, FineTuneConfig(n_frozen=k, epochs=2))
        for name, k in (("from scratch", 0), ("frozen", 3), ("fine-tuned", 1))
    }
    job = CompareJob(lambda: jobs)
    assert not job.started and not job.done and job.snapshot() == {}
    job.step()
    assert [s["epoch"] for s in job.snapshot().values()] == [1, 1, 1]
    while not job.done:
        job.train_for(0.5)
    before, after, labels = job.embeddings()
    assert before.shape == after.shape == (16, 8) and len(labels) == 16


def test_confusion_and_per_class_accuracy() -> None:
    counts = confusion([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 3)
    assert counts.tolist() == [[1, 1, 0], [1, 2, 0], [0, 0, 0]]
    accuracy = per_class_accuracy(counts)
    assert accuracy[:2].tolist() == [0.5, 2 / 3] and accuracy[2] != accuracy[2]  # NaN: no pictures


def test_fine_tuning_repeats_exactly_whatever_else_draws_random_numbers() -> None:
    x, y = _pictures()
    config = FineTuneConfig(n_frozen=0, epochs=1, seed=3)
    backbone = load_backbone()
    first = FineTuneJob(backbone, x, y, x[:4], y[:4], 2, config)
    first.step()
    second = FineTuneJob(load_backbone(), x, y, x[:4], y[:4], 2, config)
    while not second.done:
        torch.rand(7)  # another job or thread using the global generator in between
        second.train_for(0.0)
    for key, tensor in first.model.state_dict().items():
        assert torch.equal(tensor, second.model.state_dict()[key]), key


def test_a_from_scratch_backbone_is_drawn_from_its_seed() -> None:
    first, again, other = (load_backbone(pretrained=False, seed=s).trunk.state_dict() for s in (1, 1, 2))
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["blocks.stem.0.weight"], other["blocks.stem.0.weight"])
