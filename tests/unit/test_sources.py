"""Sources for generated scripts: read once per process, parsed one thread at a time (CPython 3.11's AST
builder is not safe for two threads at once: bench/load.py saw it fail with 5 sessions)."""

import inspect
import threading

import pytest

from core import sources
from core.playground.config import PlaygroundConfig
from core.playground.datasets import Split
from core.playground.export import export_script


def test_a_source_is_read_once_and_is_inspects(monkeypatch: pytest.MonkeyPatch) -> None:
    class Local:
        """Not read before this test."""

    calls = []
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda obj: calls.append(obj) or real(obj))
    assert sources.source_of(Local) == real(Local)
    assert sources.source_of(Local) == real(Local)
    assert calls == [Local]
    assert "class Split:" in sources.source_of(Split)


def test_parsing_waits_for_the_other_thread() -> None:
    done = threading.Event()
    worker = threading.Thread(target=lambda: (sources.parse("x = 1"), done.set()))
    with sources._AST_LOCK:  # another thread is parsing
        worker.start()
        assert not done.wait(0.2)
    worker.join(5)
    assert done.is_set()


def test_export_from_many_threads_at_once_gives_the_same_script() -> None:
    config = PlaygroundConfig(activation="Step")  # its script pastes the Step class and the Split class
    expected = export_script(config, 10)
    results, errors = [], []

    def export() -> None:
        try:
            results.extend(export_script(config, 10) for _ in range(20))
        except Exception as error:  # collected: an exception in a thread would not fail the test
            errors.append(error)

    threads = [threading.Thread(target=export) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [expected] * 160
