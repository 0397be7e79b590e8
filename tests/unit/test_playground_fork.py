"""Fork and race: bit-identical twins on both engine paths, checkpoints that resume across paths, the link."""

import dataclasses

import numpy as np
import pytest

from core.playground.config import PlaygroundConfig, to_query
from core.playground.engine import Engine
from core.playground.fork import FORK_FIELDS, ForkJob, fork_error, fork_from_query, fork_query, resume
from core.playground.optim import OPTIMIZERS

PATHS = {
    "fast": PlaygroundConfig(optimizer="Adam", lr=0.01),
    # the autograd path: dropout draws from its own generator state, batch norm keeps running statistics
    "autograd": PlaygroundConfig(points=100, dropout=0.2, batch_norm=True, optimizer="SGD+momentum"),
}


def assert_same_run(a: Engine, b: Engine) -> None:
    """Bit for bit: the history, every parameter and buffer, and the generators."""
    assert a.epoch == b.epoch
    np.testing.assert_array_equal(a.history.metrics[: a.epoch], b.history.metrics[: b.epoch])
    np.testing.assert_array_equal(a.history.grad_norms[: a.epoch], b.history.grad_norms[: b.epoch])
    for (name, x), y in zip(a.model.state_dict().items(), b.model.state_dict().values(), strict=True):
        assert x.equal(y), name
    assert a.generator.get_state().equal(b.generator.get_state())
    assert a.dropout_state.equal(b.dropout_state)


@pytest.mark.parametrize("path", list(PATHS))
def test_an_unchanged_fork_stays_bit_identical_for_1000_epochs(path):
    config = PATHS[path]
    alone = Engine(config)
    alone.train(20)
    forked = Engine(config)
    forked.train(20)
    job = ForkJob(forked, config)
    assert job.a.fast == job.b.fast == (path == "fast") and job.fork_epoch == 20
    for _ in range(10):
        job.train(100)
    alone.train(1000)
    assert_same_run(job.a, job.b)
    assert_same_run(job.a, alone)  # forking does not disturb A either
    assert job.a.epoch == 1020


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_checkpoint_resumes_on_the_other_engine_path(name):
    """The kernel's flat optimizer state becomes torch.optim's state and back: a fast run resumed on the
    autograd path, and that one resumed on the fast path, go on as the run itself does (to 1e-9: the two paths
    add in different orders)."""
    config = PlaygroundConfig(optimizer=name, lr=0.01 if "Ada" in name or name == "RMSprop" else 0.03)
    run = Engine(config)
    run.train(7)
    on_autograd = Engine(config, fast=False)
    on_autograd.restore(run.checkpoint())
    run.train(5)
    on_autograd.train(5)
    back = Engine(config)
    back.restore(on_autograd.checkpoint())
    run.train(5)
    back.train(5)
    for other in (on_autograd, back):
        np.testing.assert_allclose(
            other.history.metrics[: other.epoch], run.history.metrics[: other.epoch], rtol=1e-9, atol=1e-12
        )
    np.testing.assert_allclose(back.parameter_vector(), run.parameter_vector(), rtol=1e-9, atol=1e-12)


def test_changing_b_resumes_it_from_the_fork_point():
    a = Engine(PlaygroundConfig())
    a.train(30)
    point = a.checkpoint()
    job = ForkJob(a, dataclasses.replace(a.config, lr=0.3))
    job.train(40)
    assert job.a.epoch == job.b.epoch == 70
    assert job.b.history.column("test_loss")[-1] != job.a.history.column("test_loss")[-1]
    np.testing.assert_array_equal(job.b.history.metrics[:30], point.metrics)  # the shared past
    # a new setting on B: it starts over from epoch 30 and catches up with A before both go on
    job.set_config("B", dataclasses.replace(a.config, optimizer="Adam", lr=0.01, dropout=0.1))
    assert job.b.epoch == 30 and not job.b.fast
    job.train(10)
    assert job.b.epoch == 40 and job.a.epoch == 70
    job.train(100)
    assert job.b.epoch == 70 and job.a.epoch == 70
    job.train(5)
    assert job.b.epoch == job.a.epoch == 75
    fresh = resume(point, job.b.config, a.data)
    fresh.train(45)
    assert_same_run(job.b, fresh)


def test_a_diverged_run_cannot_be_forked():
    engine = Engine(PlaygroundConfig(dataset="plane", lr=3.0))
    engine.train(50)
    assert engine.diverged
    assert "diverged at epoch" in fork_error(engine)
    with pytest.raises(ValueError, match="diverged"):
        ForkJob(engine, engine.config)


def test_one_diverged_run_leaves_the_other_racing():
    a = Engine(PlaygroundConfig(dataset="plane"))
    job = ForkJob(a, dataclasses.replace(a.config, lr=3.0))
    job.train(60)
    assert job.b.diverged and not job.a.diverged and not job.done
    job.train(10)
    assert job.a.epoch == 70 and job.b.epoch < 30


def test_the_link_carries_the_fork_point_and_both_settings():
    a = PlaygroundConfig(hidden=(5, 3))
    b = dataclasses.replace(a, lr=0.1, optimizer="Adam", dropout=0.25, activation="ReLU", batch_size=25)
    params = to_query(a) | fork_query(120, b)
    epoch, b_read, problems = fork_from_query(params, a)
    assert (epoch, b_read, problems) == (120, b, [])
    assert {f"b_{f}" for f in FORK_FIELDS} < set(params)
    # no fork in the link
    assert fork_from_query(to_query(a), a) == (None, a, [])
    # a bad value is one line and falls back to A's setting; the good ones are kept
    params |= {"b_lr": "fast", "b_dropout": "2"}
    epoch, b_read, problems = fork_from_query(params, a)
    assert epoch == 120 and b_read == dataclasses.replace(b, lr=a.lr, dropout=a.dropout)
    assert len(problems) == 2 and all(p.startswith("run B") for p in problems)
    epoch, b_read, problems = fork_from_query({"fork": "-3"}, a)
    assert epoch is None and len(problems) == 1


def test_the_pages_controls_change_a_and_what_b_shares():
    a = Engine(PlaygroundConfig())
    a.train(10)
    job = ForkJob(a, dataclasses.replace(a.config, lr=0.1))
    job.train(5)
    job.update_live(a.config)  # nothing changed: both go on
    assert job.a.epoch == job.b.epoch == 15
    job.update_live(dataclasses.replace(a.config, lr=0.01, schedule="step"))
    assert job.a.epoch == 10 and job.a.config.lr == 0.01  # A from the fork point with its new settings
    assert job.b.epoch == 10 and job.b.config.lr == 0.1 and job.b.config.schedule == "step"
    with pytest.raises(ValueError, match="can change only"):
        job.set_config("B", dataclasses.replace(a.config, hidden=(3,)))
