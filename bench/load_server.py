"""The app's server command (`python -m serve`: Streamlit, warm-up at start) with a look inside, for
bench/load.py, bench/classroom and the replica test: the same server, plus a thread that answers questions
about the process from outside.

    .venv/bin/python -m bench.load_server run app.py --server.port 8765   # as `python -m streamlit run ...`

Every 0.5 s it adds up the CPU time of each thread by its Python name (/proc/self/task/<id>/stat), and when
the file $LOAD_CENSUS.request appears it writes $LOAD_CENSUS (JSON): live Runner objects and Streamlit
sessions (counted before and after a full garbage collection), model instances per class, threads by name,
CPU seconds per thread name, the ids of the sessions whose browser is connected now. With $LOAD_PROFILE set
it also samples every thread's Python stack every 20 ms and reports the most frequent places: where the
server's time goes when many sessions are busy.
"""

import collections
import gc
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from streamlit.web.cli import main as streamlit_main

from serve import start_warm_up

TICK = 0.5  # seconds between two CPU readings and two looks for a census request
SAMPLE = 0.02  # seconds between two stack samples with $LOAD_PROFILE
REPO = str(Path(__file__).resolve().parents[1])
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Where an idle thread's innermost Python frame is: waiting on a lock, a queue, the event loop's select.
WAITING = ("threading.py", "selectors.py", "futures/thread.py", "polling_path_watcher.py", "queue.py")


def thread_kind(name: str) -> str:
    """Threads grouped by what they do: the numbered ones (Thread-12 (...)) under one name."""
    return name.split(" (")[0].rstrip("0123456789-") or name


def cpu_seconds(native_id: int) -> float | None:
    """User + system CPU seconds of one thread of this process so far; None once it is gone."""
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)


def ours(code) -> bool:
    """Whether a code object is this repository's code (not a library in .venv)."""
    return code.co_filename.startswith(REPO) and "/.venv/" not in code.co_filename


def where(frame) -> str | None:
    """Where a thread is: 'file:line function > leaf function', the innermost frame of this repository's
    code and the innermost frame of all; None when the thread waits (a lock, a queue, the event loop)."""
    leaf = frame.f_code
    if leaf.co_filename.endswith(WAITING):
        return None
    while frame.f_back is not None and not ours(frame.f_code):
        frame = frame.f_back
    path = frame.f_code.co_filename.removeprefix(REPO + "/")
    return f"{path}:{frame.f_lineno} {frame.f_code.co_name} > {leaf.co_name}"


def census(cpu: dict[str, float], stacks: collections.Counter) -> dict:
    """What lives in the process now (see the module docstring)."""
    from streamlit.runtime.app_session import AppSession

    from core.runner import Runner

    def count(kind: type) -> int:
        return sum(isinstance(o, kind) for o in gc.get_objects())

    before = {"runners": count(Runner), "sessions": count(AppSession)}
    gc.collect()
    import torch

    models = collections.Counter(
        type(o).__name__
        for o in gc.get_objects()
        if isinstance(o, torch.nn.Module) and not type(o).__module__.startswith("torch.nn")
    )
    from streamlit.runtime import Runtime

    connected = [info.session.id for info in Runtime.instance()._session_mgr.list_active_sessions()]
    return {
        "connected_session_ids": connected,
        "runners": before["runners"],
        "sessions": before["sessions"],
        "runners_after_gc": count(Runner),
        "sessions_after_gc": count(AppSession),
        "models": dict(models.most_common(12)),
        "threads": dict(collections.Counter(thread_kind(t.name) for t in threading.enumerate())),
        "cpu_s_by_thread": {k: round(v, 1) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
        "stack_samples": dict(stacks.most_common(25)),
    }


def watch(path: Path, profile: bool) -> None:
    """The look inside: CPU per thread name every TICK, stacks every SAMPLE with `profile`, a census on
    request."""
    last: dict[int, tuple[str, float]] = {}  # native id -> (kind, CPU seconds seen so far)
    finished: collections.Counter = collections.Counter()  # CPU seconds of threads that have ended, by kind
    stacks: collections.Counter = collections.Counter()
    me = threading.get_ident()
    next_tick = time.monotonic()
    while True:
        time.sleep(SAMPLE if profile else TICK)
        if profile:
            names = {t.ident: thread_kind(t.name) for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                place = where(frame) if ident != me else None
                if place is not None:
                    stacks[f"{names.get(ident, '?')} | {place}"] += 1
        if time.monotonic() < next_tick:
            continue
        next_tick += TICK
        alive = {t.native_id: thread_kind(t.name) for t in threading.enumerate() if t.native_id}
        for native_id in list(last):
            if native_id not in alive:
                kind, seconds = last.pop(native_id)
                finished[kind] += seconds
        for native_id, kind in alive.items():
            seconds = cpu_seconds(native_id)
            if seconds is not None:
                last[native_id] = (kind, seconds)
        request = path.with_name(path.name + ".request")
        if request.exists():
            cpu = collections.Counter(finished)
            for kind, seconds in last.values():
                cpu[kind] += seconds
            path.write_text(json.dumps(census(cpu, stacks)))
            request.unlink()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    start_warm_up()  # as the app's own command (serve.py) does
    if os.environ.get("LOAD_CENSUS"):
        target = Path(os.environ["LOAD_CENSUS"])
        threading.Thread(
            target=watch, args=(target, bool(os.environ.get("LOAD_PROFILE"))), name="load-census", daemon=True
        ).start()
    sys.exit(streamlit_main(prog_name="streamlit"))
