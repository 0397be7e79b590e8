"""Live training: a background worker per session that trains a job and hands out consistent snapshots.

Every page that trains live (playground, concepts, CNN, RNN, transfer learning) wraps its training in a
`TrainingJob` and gives it to a `Runner`. The runner trains in short slices on its own thread, so training
never waits for drawing; the page reads the job under the runner's lock (`read`), which only ever waits for
the slice in progress. Play, pause, step, reset and live setting changes are method calls that take effect at
the next slice boundary and are never lost, whatever the page's drawing is doing.

A worker never outlives its viewer: the page calls `heartbeat()` on every redraw, and the worker thread ends
when no heartbeat came for `idle_timeout` seconds (tab closed, page left, session gone). The run stays
"playing": the next heartbeat (the visitor came back) starts a new worker that carries on where it stopped.
A redraw in progress counts as watching (`watching()`): on a busy server a redraw may take longer than
`idle_timeout`, and that is no reason to stop a run somebody is looking at.

Many sessions on one server share its cores in two ways. Training takes turns (`TURNS`): at most one worker
per core trains at a time, the others wait in line for the next slice, so every playing session gets an
equal share of the training time and the page's script threads compete with a few training threads, not
with one per session. Redraws share a budget (`PACER`): each live view reports what its redraws cost, and
when all of them together would take more than their share of the CPU, every view redraws less often
(its browser is told a longer interval), down to a floor; a redraw that cannot keep up is skipped, never
queued (Streamlit keeps at most one pending rerun per fragment).
"""

import contextlib
import ctypes
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")

SLICE = 0.01  # seconds of training between two looks at the commands: Pause takes effect within about this
GAP = 0.002  # seconds the worker sleeps between slices, so the page's threads get the GIL on the torch path
IDLE_TIMEOUT = 1.5  # seconds without a heartbeat after which the worker stops (the viewer is gone)
# The worker's thread name, in Python and (on Linux) for the OS, so that /proc/<pid>/task/*/comm shows how
# many workers a server runs (bench/load.py counts them). At most 15 characters: the kernel truncates longer.
WORKER_NAME = "np-trainer"
PR_SET_NAME = 15  # prctl option from <linux/prctl.h>: name the calling thread
REDRAW_SHARE = 0.3  # of the process's cores for all live views' redraws (the rest: training, clicks)
VIEW_MEMORY = 2.0  # seconds after its last redraw a live view still counts as playing (for the pacer)


class TrainingJob(Protocol):
    """What a runner trains: a page's model, data, optimizer and history, stepped in time slices."""

    def train_for(self, seconds: float) -> int:
        """Train for about `seconds` (at least one step); returns the steps run."""
        ...

    def step(self) -> None:
        """Train one unit (the page's Step button: an epoch, a minibatch, ...)."""
        ...

    @property
    def done(self) -> bool:
        """Whether training has stopped by itself: finished its budget, or diverged."""
        ...


def train_steps(job: TrainingJob, seconds: float) -> int:
    """The usual `train_for`: `job.step()` for about `seconds`, at least once, never once `job.done`.

    A slice is whole steps, so Pause never cuts one in half. Returns the steps run.
    """
    end, ran = time.perf_counter() + seconds, 0
    while not job.done and (ran == 0 or time.perf_counter() < end):
        job.step()
        ran += 1
    return ran


def available_cores() -> int:
    """How many CPUs this process may run on (its affinity: taskset, a container's cpuset), at least 1."""
    with contextlib.suppress(AttributeError, OSError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Turns:
    """Training turns shared by every worker of the process: at most `width` slices run at once, and the
    workers that want one wait in line, first come, first served.

    Without turns, N training threads on C cores are always runnable (the kernel releases the GIL), so the
    OS gives each page's script thread about C/(N + 1) of a core and preempts it while it holds the GIL:
    with 20 sessions on one core, page runs starved and redraws came seconds apart."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._lock = threading.Lock()
        self._line: deque[threading.Event] = deque()
        self._busy = 0  # turns being used now

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for a turn (at once when one is free and nobody waits), hold it for the block."""
        with self._lock:
            mine = None
            if self._busy < self.width and not self._line:
                self._busy += 1
            else:
                mine = threading.Event()
                self._line.append(mine)
        if mine is not None:
            mine.wait()  # the worker before us handed its turn over
        try:
            yield
        finally:
            with self._lock:
                if self._line:
                    self._line.popleft().set()  # the turn passes to the first in line
                else:
                    self._busy -= 1


class RedrawPacer:
    """How much slower than their own rate the live views of the process should redraw, so that together
    they take at most `budget` cores: backpressure, shared equally by every view that plays."""

    def __init__(self, budget: float, memory: float = VIEW_MEMORY) -> None:
        self.budget = budget
        self.memory = memory
        self._demand: dict[Hashable, tuple[float, float]] = {}  # view -> (cores at full rate, when told)
        self._lock = threading.Lock()

    def report(self, view: Hashable, cores: float) -> None:
        """`view` redrew; at its full rate its redraws would take `cores` (CPU seconds per second)."""
        with self._lock:
            self._demand[view] = (cores, time.monotonic())

    def forget(self, view: Hashable) -> None:
        """`view` stopped playing."""
        with self._lock:
            self._demand.pop(view, None)

    def slowdown(self) -> float:
        """At least 1: by how much every playing view should stretch its redraw interval."""
        now = time.monotonic()
        with self._lock:
            self._demand = {v: d for v, d in self._demand.items() if now - d[1] < self.memory}
            total = sum(cores for cores, _ in self._demand.values())
        return max(1.0, total / self.budget)


TURNS = Turns(available_cores())
PACER = RedrawPacer(REDRAW_SHARE * available_cores())


class Runner:
    """Trains one job on a background thread while it is playing and somebody is watching."""

    def __init__(self, job: TrainingJob, slice_seconds: float = SLICE, idle_timeout: float = IDLE_TIMEOUT):
        self.job = job
        self.slice_seconds = slice_seconds
        self.idle_timeout = idle_timeout
        self.steps = 0  # slices run so far: lets a viewer see whether anything changed
        self._lock = threading.Lock()  # held while the job trains, reads or changes
        self._playing = False
        self._closed = False
        self._last_beat = time.monotonic()
        self._drawing = 0  # redraws in progress (see `watching`)
        self._thread: threading.Thread | None = None

    @property
    def playing(self) -> bool:
        """Whether the visitor wants it to train (Play pressed, not paused, not done)."""
        return self._playing and not self.job.done

    @property
    def closed(self) -> bool:
        """Whether the run was closed (reset or replaced): its view should make way for the new one."""
        return self._closed

    @property
    def training(self) -> bool:
        """Whether a worker thread is alive right now."""
        return self._thread is not None and self._thread.is_alive()

    def play(self) -> None:
        """Start (or resume) training in the background."""
        if self._closed or self.job.done:
            return
        self._playing = True
        self.heartbeat()

    def pause(self) -> None:
        """Stop training after the slice in progress; returns once the job is quiet."""
        self._playing = False
        with self._lock:  # the slice in progress ends before this returns
            pass

    def step(self) -> None:
        """Pause, then train one unit of the job."""
        self.pause()
        with self._lock:
            if not self.job.done:
                self.job.step()
                self.steps += 1

    def apply(self, change: Callable[[TrainingJob], None]) -> None:
        """Run `change(job)` between two slices: a live setting change (learning rate, batch size, ...)."""
        with self._lock:
            change(self.job)

    def read(self, look: Callable[[TrainingJob], T]) -> T:
        """Run `look(job)` between two slices and return what it returns: a consistent snapshot."""
        with self._lock:
            return look(self.job)

    def heartbeat(self) -> None:
        """The viewer is still there: keep the worker alive, and start one if the run is playing."""
        self._last_beat = time.monotonic()
        if self.playing and not self.training and not self._closed:
            self._thread = threading.Thread(target=self._work, name=WORKER_NAME, daemon=True)
            self._thread.start()

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """A redraw in progress: a heartbeat at its start and end, and the worker keeps training while it
        lasts, however long a busy server makes it."""
        self._drawing += 1
        self.heartbeat()
        try:
            yield
        finally:
            self._drawing -= 1
            self.heartbeat()

    def close(self, timeout: float = 5.0) -> None:
        """Stop for good and wait for the worker to end (the run was reset or replaced)."""
        self._closed, self._playing = True, False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _watched(self) -> bool:
        """Whether somebody watches: a redraw in progress, or a heartbeat within `idle_timeout`."""
        return self._drawing > 0 or time.monotonic() - self._last_beat < self.idle_timeout

    def _work(self) -> None:
        """The worker: train slice after slice, each in its turn, while playing and watched."""
        name_os_thread(WORKER_NAME)
        while self.playing and not self._closed and self._watched():
            with TURNS.turn(), self._lock:
                if not self._playing or self._closed or self.job.done:
                    break
                self.job.train_for(self.slice_seconds)
                self.steps += 1
            time.sleep(GAP)


def _find_prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once at import. Looking it up in a worker would call dlopen/dlsym with the
    GIL held, which can deadlock against a thread that holds the loader lock and waits for the GIL."""
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(None).prctl
    return None


_PRCTL = _find_prctl()


def name_os_thread(name: str) -> None:
    """Give the calling thread `name` in the OS too (Linux; elsewhere nothing): Python 3.11 names only its
    own thread object, and a server's operator sees OS threads (top -H, /proc/<pid>/task/*/comm)."""
    if _PRCTL is not None:  # without prctl the name is a courtesy lost; training goes on
        _PRCTL(PR_SET_NAME, name.encode()[:15], 0, 0, 0)
