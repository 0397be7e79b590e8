"""Live training: a background worker per session that trains a job and hands out consistent snapshots.

Every page that trains live (playground, concepts, CNN, RNN, transfer learning) wraps its training in a
`TrainingJob` and gives it to a `Runner`. The runner trains in short slices on its own thread, so training
never waits for drawing; the page reads the job under the runner's lock (`read`), which only ever waits for
the slice in progress. Play, pause, step, reset and live setting changes are method calls that take effect at
the next slice boundary and are never lost, whatever the page's drawing is doing.

A worker never outlives its viewer: the page calls `heartbeat()` on every redraw, and the worker thread ends
when no heartbeat came for `idle_timeout` seconds (tab closed, page left, session gone). The run stays
"playing": the next heartbeat (the visitor came back) starts a new worker that carries on where it stopped.
"""

import contextlib
import ctypes
import sys
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

T = TypeVar("T")

SLICE = 0.01  # seconds of training between two looks at the commands: Pause takes effect within about this
GAP = 0.002  # seconds the worker sleeps between slices, so the page's threads get the GIL on the torch path
IDLE_TIMEOUT = 1.5  # seconds without a heartbeat after which the worker stops (the viewer is gone)
# The worker's thread name, in Python and (on Linux) for the OS, so that /proc/<pid>/task/*/comm shows how
# many workers a server runs (bench/load.py counts them). At most 15 characters: the kernel truncates longer.
WORKER_NAME = "np-trainer"
PR_SET_NAME = 15  # prctl option from <linux/prctl.h>: name the calling thread


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

    def close(self, timeout: float = 5.0) -> None:
        """Stop for good and wait for the worker to end (the run was reset or replaced)."""
        self._closed, self._playing = True, False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _work(self) -> None:
        """The worker: train slice after slice while playing and watched."""
        name_os_thread(WORKER_NAME)
        while self.playing and not self._closed and time.monotonic() - self._last_beat < self.idle_timeout:
            with self._lock:
                if not self._playing or self.job.done:
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
