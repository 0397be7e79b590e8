"""Run a page's "PyTorch for these settings" code the way a learner would: pasted into a fresh interpreter.

Each script runs in a process of its own, forked from one warm interpreter per test session that has
imported torch and numpy and nothing of the app (tests/fork_server.py says what a child gets and why that
is a fresh interpreter in everything a script can depend on). This saves the seconds of a torch import per
script. When the environment differs from the one the warm interpreter started with (a variable torch or
Python may read at start-up), the script gets a genuinely new interpreter instead.
"""

import atexit
import functools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FORK_SERVER = Path(__file__).with_name("fork_server.py")
# Variables that change while the session runs but that nothing reads when an interpreter starts: not a
# reason for a new interpreter (a forked child still gets them, in its os.environ). pytest notes the current
# test; importing scikit-learn sets the Intel/LLVM OpenMP switches KMP_* (torch here runs GNU OpenMP, which
# never reads them); torch's inductor records its cache folder, read only when it compiles; importing
# streamlit sets MPLBACKEND, read by matplotlib's import (in a child, after the fork, from the request's env).
PER_TEST_VARIABLES = {
    "PYTEST_CURRENT_TEST",
    "MPLBACKEND",
    "KMP_DUPLICATE_LIB_OK",
    "KMP_INIT_AT_FORK",
    "TORCHINDUCTOR_CACHE_DIR",
}
SESSION_ENVIRONMENT = dict(os.environ)  # as the session started, before any test changed a variable


class WarmInterpreter:
    """The fork server's process, its start environment and its log (tests/fork_server.py)."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="fork-server-")
        self.log = Path(self.folder.name) / "fork_server.log"
        self.env = start_environment(SESSION_ENVIRONMENT)
        self.process = subprocess.Popen(
            [sys.executable, str(FORK_SERVER)],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("w"),
            cwd=self.folder.name,
            text=True,
        )
        atexit.register(self.close)

    def run(
        self, script: Path, cwd: Path, timeout: float, args: tuple[str, ...] = ()
    ) -> tuple[int, str, str]:
        """Run `script` with `args` in a forked child; its exit status, stdout and stderr."""
        out, err = cwd / f"{script.stem}.stdout", cwd / f"{script.stem}.stderr"
        request = {
            "script": str(script),
            "args": list(args),
            "cwd": str(cwd),
            "stdout": str(out),
            "stderr": str(err),
            "env": dict(os.environ),
            "timeout": timeout,
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the warm interpreter ended:\n{self.log.read_text()}")
        reply = json.loads(line)
        if reply.get("timed_out"):
            raise subprocess.TimeoutExpired([sys.executable, str(script)], timeout)
        return reply["returncode"], out.read_text(), err.read_text()

    def close(self) -> None:
        self.process.stdin.close()  # the server ends at the end of its input
        self.process.wait(timeout=30)
        self.folder.cleanup()


@functools.cache
def warm_interpreter() -> WarmInterpreter:
    """The session's warm interpreter, started on first use."""
    return WarmInterpreter()


def start_environment(env: os._Environ | dict[str, str]) -> dict[str, str]:
    """The variables that a new interpreter could read at start-up."""
    return {name: value for name, value in env.items() if name not in PER_TEST_VARIABLES}


def run_in_new_process(
    path: Path, cwd: Path, timeout: float, args: tuple[str, ...] = ()
) -> tuple[int, str, str]:
    """`python path args...` in a new interpreter; its exit status, stdout and stderr."""
    done = subprocess.run(
        [sys.executable, str(path), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )
    return done.returncode, done.stdout, done.stderr


def run_generated(code: str, cwd: Path, timeout: float = 120, args: tuple[str, ...] = ()) -> str:
    """Run `code` as a script with `args` in a fresh interpreter (no app modules imported for it); its
    stdout. Fails the test with the script's stderr when it does not exit cleanly."""
    path = cwd / "generated.py"
    path.write_text(code)
    warm = warm_interpreter()
    if start_environment(os.environ) == warm.env:
        returncode, stdout, stderr = warm.run(path, cwd, timeout, args)
    else:
        returncode, stdout, stderr = run_in_new_process(path, cwd, timeout, args)
    assert returncode == 0, f"generated code failed:\n{stderr}"
    return stdout
