"""The live-training runner: trains on its own thread, obeys every command, never outlives its viewer."""

import sys
import threading
import time
from pathlib import Path

import pytest

from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.runner import WORKER_NAME, RedrawPacer, Runner, Turns


class CountingJob:
    """A job whose 'training' is counting steps; `limit` makes it finish by itself."""

    def __init__(self, limit: int | None = None) -> None:
        self.count, self.limit, self.lr = 0, limit, 0.1

    def train_for(self, seconds: float) -> int:
        time.sleep(seconds / 10)
        self.count += 1
        return 1

    def step(self) -> None:
        self.count += 1

    @property
    def done(self) -> bool:
        return self.limit is not None and self.count >= self.limit


def wait_for(condition, timeout: float = 10.0, watching: Runner | None = None) -> None:
    """Poll `condition` until it holds (the worker runs on its own schedule); fail after `timeout`.

    With `watching`, each poll is also a heartbeat, as a page's redraws are: on a loaded machine the worker
    would otherwise end after its idle timeout before the condition holds.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        if watching is not None:
            watching.heartbeat()
        time.sleep(0.005)


def workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == WORKER_NAME]


def test_play_trains_in_the_background_and_pause_stops_it_at_once():
    runner = Runner(CountingJob())
    runner.play()
    wait_for(lambda: runner.read(lambda job: job.count) >= 5, watching=runner)
    runner.pause()  # returns once the slice in progress has ended
    stopped = runner.read(lambda job: job.count)
    time.sleep(0.1)
    assert runner.read(lambda job: job.count) == stopped
    assert not runner.playing
    wait_for(lambda: not runner.training)
    runner.close()


def test_pause_is_never_lost_whenever_it_arrives():
    for delay in (0.0, 0.001, 0.003, 0.007, 0.013, 0.02):
        runner = Runner(CountingJob())
        runner.play()
        time.sleep(delay)
        runner.pause()
        stopped = runner.read(lambda job: job.count)
        time.sleep(0.05)
        assert runner.read(lambda job: job.count) == stopped, delay
        runner.close()


def test_step_pauses_and_trains_one_unit():
    runner = Runner(CountingJob())
    runner.step()
    assert runner.read(lambda job: job.count) == 1 and not runner.playing
    runner.play()
    wait_for(lambda: runner.read(lambda job: job.count) >= 3, watching=runner)
    runner.step()
    after = runner.read(lambda job: job.count)
    time.sleep(0.05)
    assert runner.read(lambda job: job.count) == after and not runner.playing
    runner.close()


def test_apply_changes_the_job_between_slices():
    runner = Runner(CountingJob())
    runner.play()
    runner.apply(lambda job: setattr(job, "lr", 0.5))
    assert runner.read(lambda job: job.lr) == 0.5
    runner.close()


def test_a_job_that_finishes_stops_its_worker():
    runner = Runner(CountingJob(limit=20))
    runner.play()
    wait_for(lambda: not runner.playing, watching=runner)
    wait_for(lambda: not runner.training)
    assert runner.read(lambda job: job.count) == 20 and not runner.playing
    runner.play()  # a finished job does not start again
    assert not runner.training


def test_the_worker_ends_without_heartbeats_and_resumes_with_one():
    runner = Runner(CountingJob(), idle_timeout=0.2)
    runner.play()
    wait_for(lambda: runner.training)
    wait_for(lambda: not runner.training)  # nobody watching: the thread ends
    assert runner.playing  # still wanted: the visitor only left
    count = runner.read(lambda job: job.count)
    time.sleep(0.1)
    assert runner.read(lambda job: job.count) == count  # and no training without a thread
    runner.heartbeat()  # the visitor is back
    wait_for(lambda: runner.read(lambda job: job.count) > count, watching=runner)
    runner.close()
    assert not runner.training and not workers()


def test_close_ends_the_worker_and_play_after_close_does_nothing():
    runner = Runner(CountingJob())
    runner.play()
    wait_for(lambda: runner.training)
    runner.close()
    assert not runner.training
    runner.play()
    assert not runner.training


def test_a_playground_engine_trains_through_the_runner_and_stops_when_it_diverges():
    runner = Runner(Engine(PlaygroundConfig(points=100)))
    runner.play()
    wait_for(lambda: runner.read(lambda engine: engine.epoch) >= 20, watching=runner)
    runner.close()
    # No heartbeats here: a long idle timeout, so that only divergence ends the worker on a busy machine.
    diverging = Runner(
        Engine(PlaygroundConfig(dataset="plane", lr=10.0, hidden=(8, 8), init="Normal")), idle_timeout=60
    )
    diverging.play()
    wait_for(lambda: not diverging.playing, watching=diverging)
    wait_for(lambda: not diverging.training)
    assert diverging.read(lambda engine: engine.diverged) and not diverging.playing


def test_train_steps_runs_whole_steps_at_least_once_and_never_past_done(monkeypatch) -> None:
    from core.runner import train_steps

    assert train_steps(CountingJob(), 0.0) == 1  # a zero-length slice still makes progress
    finishing = CountingJob(limit=5)
    assert train_steps(finishing, 10.0) == 5 and finishing.count == 5  # stops at done, not at the deadline
    assert train_steps(finishing, 10.0) == 0  # a finished job takes no step
    # On a fake clock where every step takes 1/64 s (exact in binary): a slice of 1/8 s is 8 steps.
    clock, timed = [0.0], CountingJob()

    def timed_step() -> None:
        timed.count += 1
        clock[0] += 1 / 64

    monkeypatch.setattr(timed, "step", timed_step)
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    assert train_steps(timed, 1 / 8) == 8 and timed.count == 8


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="OS thread names are read from Linux /proc")
def test_worker_carries_its_name_in_the_os_and_is_gone_after_close():
    runner = Runner(CountingJob(), idle_timeout=60)
    runner.play()
    wait_for(lambda: runner.training)
    # This worker's own entry, so other tests' workers ending at the same time cannot confuse the check.
    comm = Path(f"/proc/self/task/{runner._thread.native_id}/comm")  # what `top -H` and bench/load.py read
    wait_for(lambda: comm.read_text().strip() == WORKER_NAME)
    runner.close()
    assert not runner.training
    wait_for(lambda: not comm.exists())


def test_turns_let_one_in_at_a_time_in_the_order_they_came() -> None:
    turns = Turns(1)
    inside, order, most = [], [], [0]
    first = threading.Event()

    def work(name: str) -> None:
        with turns.turn():
            inside.append(name)
            most[0] = max(most[0], len(inside))
            order.append(name)
            if name == "a":
                first.wait(10)  # hold the turn until the others are in line
            inside.remove(name)

    a = threading.Thread(target=work, args=("a",))
    a.start()
    wait_for(lambda: inside == ["a"])
    others = []
    for name in "bcd":
        others.append(threading.Thread(target=work, args=(name,)))
        others[-1].start()
        waiting = len(others)
        wait_for(lambda n=waiting: len(turns._line) == n)  # each waits in line before the next comes
    first.set()
    for thread in (a, *others):
        thread.join(10)
    assert order == ["a", "b", "c", "d"] and most[0] == 1


def test_workers_of_many_runs_share_one_turn_and_all_train() -> None:
    runners = [Runner(CountingJob()) for _ in range(4)]
    for runner in runners:
        runner.play()
    wait_for(lambda: all(r.job.count > 3 for r in runners), watching=runners[0])
    for runner in runners:
        runner.close()
    assert all(not r.training for r in runners)


def test_the_pacer_slows_every_view_down_when_they_would_exceed_the_budget() -> None:
    pacer = RedrawPacer(budget=0.5, memory=60.0)
    pacer.report("a", 0.2)
    assert pacer.slowdown() == 1.0
    pacer.report("b", 0.4)
    pacer.report("c", 0.4)
    assert pacer.slowdown() == pytest.approx(2.0)
    pacer.forget("c")
    assert pacer.slowdown() == pytest.approx(1.2)
    stale = RedrawPacer(budget=0.5, memory=0.0)  # a view that stopped redrawing is forgotten
    stale.report("a", 5.0)
    assert stale.slowdown() == 1.0


def test_a_redraw_in_progress_keeps_the_worker_training_past_the_idle_timeout() -> None:
    runner = Runner(CountingJob(), idle_timeout=0.05)
    runner.play()
    with runner.watching():
        time.sleep(0.5)  # ten idle timeouts, no heartbeat in between
        assert runner.training
    wait_for(lambda: not runner.training)  # once the redraw ended, the timeout applies again
    runner.close()
