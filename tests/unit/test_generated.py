"""tests/generated.py runs each generated script as a fresh interpreter would: forked from a warm one, it
sees what `python script.py` in a new process sees, nothing of the app and nothing of another script."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.generated import run_generated, run_in_new_process, start_environment, warm_interpreter

WHAT_A_SCRIPT_SEES = """\
import os, sys
import numpy, torch
print(__name__, __file__, sys.argv, sys.path[0], os.getcwd())
print(repr(sys.stdin.read()), os.environ.get("HOME"))
print(torch.get_num_threads(), torch.get_default_dtype(), torch.is_grad_enabled())
print(sorted(name for name in ("core", "ui", "pages", "app", "tests") if name in sys.modules))
"""


def test_a_script_sees_what_it_sees_in_a_new_interpreter(tmp_path: Path) -> None:
    path = tmp_path / "generated.py"
    path.write_text(WHAT_A_SCRIPT_SEES)
    returncode, fresh, _ = run_in_new_process(path, tmp_path, timeout=120)
    assert returncode == 0
    assert run_generated(WHAT_A_SCRIPT_SEES, tmp_path) == fresh
    assert f"__main__ {path} ['{path}'] {tmp_path} {tmp_path}\n" in fresh and "\n[]\n" in fresh


def test_a_scripts_arguments_reach_it_as_in_a_new_interpreter(tmp_path: Path) -> None:
    path = tmp_path / "generated.py"
    path.write_text(WHAT_A_SCRIPT_SEES)
    args = ("--out", "runs.json")
    returncode, fresh, _ = run_in_new_process(path, tmp_path, timeout=120, args=args)
    assert returncode == 0
    assert run_generated(WHAT_A_SCRIPT_SEES, tmp_path, args=args) == fresh
    assert f"['{path}', '--out', 'runs.json']" in fresh


def test_the_app_is_not_importable(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="ModuleNotFoundError: No module named 'core'"):
        run_generated("import core.runner\n", tmp_path)


def test_nothing_passes_from_one_script_to_the_next(tmp_path: Path) -> None:
    leaky = """\
import sys, numpy, torch
torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
torch.nn.Module.leaked = True
sys.modules["leaked"] = sys
print(torch.rand(2).tolist(), numpy.random.rand(2).tolist())
"""
    look = """\
import sys, numpy, torch
print(torch.get_default_dtype(), hasattr(torch.nn.Module, "leaked"), "leaked" in sys.modules)
print(torch.get_num_threads())
print(torch.rand(2).tolist(), numpy.random.rand(2).tolist())
"""
    first = run_generated(leaky, tmp_path).splitlines()
    dtype_and_leaks, threads, draws = run_generated(look, tmp_path).splitlines()
    assert dtype_and_leaks == "torch.float32 False False"
    path = tmp_path / "threads.py"
    path.write_text("import torch\nprint(torch.get_num_threads())\n")
    assert threads == run_in_new_process(path, tmp_path, timeout=120)[1].strip()
    assert draws != first[0]  # the generators are seeded anew, as a new interpreter's are


def test_exit_status_output_and_tracebacks_are_pythons(tmp_path: Path) -> None:
    assert (
        run_generated("import atexit\nprint('hi')\natexit.register(print, 'bye')\n", tmp_path) == "hi\nbye\n"
    )
    assert run_generated("import sys\nprint('done')\nsys.exit(0)\n", tmp_path) == "done\n"
    with pytest.raises(AssertionError, match=r'File ".*generated\.py", line 2(.|\n)*ValueError: boom'):
        run_generated("x = 1\nraise ValueError('boom')\n", tmp_path)
    with pytest.raises(AssertionError, match="generated code failed"):
        run_generated("import sys\nsys.exit(3)\n", tmp_path)
    with pytest.raises(subprocess.TimeoutExpired):
        run_generated("import time\ntime.sleep(600)\n", tmp_path, timeout=1)


def test_the_session_uses_the_warm_interpreter() -> None:
    """No test changed a variable that a new interpreter would read: scripts run forked, not from scratch."""
    assert start_environment(os.environ) == warm_interpreter().env
