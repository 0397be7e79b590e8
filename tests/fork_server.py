"""A warm interpreter that runs each script as `python script.py` in a fresh interpreter would, in a process
of its own forked from it; started once per test session by tests/generated.py as `python fork_server.py`.

A new interpreter spends seconds importing torch before a generated script's first line (more on a busy
machine), and dozens of tests run one. This process pays that once: it imports torch and numpy, nothing of
the app (it runs as a script, with the repository off `sys.path`), and runs no torch op, so no thread pool
has started and no generator has been drawn from. For each request it forks a child that becomes the
script's interpreter:

- its own process, so nothing of another script's state (modules, globals, torch settings) reaches it;
- `sys.argv`, `sys.path[0]` (the script's folder), the working directory, the environment and `__main__`
  as `python script.py` sets them, stdin from /dev/null, stdout and stderr to files;
- torch's and numpy's global generators reseeded from the OS, as a new interpreter's are (Python's
  `random` reseeds itself in a forked child);
- the exit status Python's own: 0, SystemExit's code, or 1 with the traceback for an uncaught exception,
  then the interpreter's normal shutdown (atexit handlers, flushed streams).

What it does not reproduce is the time of the imports: torch is in `sys.modules` before the script's
first line. Requests, one JSON object per line on stdin: {"script", "cwd", "stdout", "stderr", "env",
"timeout"}; replies, one per line on stdout: {"returncode"}, or {"timed_out": true} once the child,
still running after `timeout` seconds, was killed.
"""

import json
import os
import runpy
import signal
import sys
import time
import traceback
from pathlib import Path

import numpy
import torch

WRITE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC


def exit_status(stop: SystemExit) -> int:
    """The status `python` exits with for `stop`: None is 0, an int itself, anything else printed and 1."""
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1


def run_script(request: dict) -> int:
    """In the forked child: become `python <script>` (see the module docstring); its exit status."""
    script = request["script"]
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    streams = ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], WRITE), (2, request["stderr"], WRITE))
    for fd, path, flags in streams:
        opened = os.open(path, flags, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = [script, *request.get("args", [])]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    torch.seed()
    numpy.random.seed()
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        return exit_status(stop)
    except BaseException as error:
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != script:  # from the script's own frame
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        return 1
    return 0


def wait(pid: int, timeout: float) -> dict:
    """Wait for the child `pid` to end; kill it once `timeout` seconds have passed. The reply to send."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return {"returncode": os.waitstatus_to_exitcode(status)}
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"timed_out": True}
        time.sleep(0.01)


def app_modules(repo: str) -> set[str]:
    """The top-level module names the repository's code goes by: its .py files and folders of them."""
    names = set()
    for entry in os.scandir(repo):
        if entry.name.endswith(".py"):
            names.add(entry.name.removesuffix(".py"))
        elif entry.is_dir() and not entry.name.startswith(".") and any(Path(entry.path).glob("*.py")):
            names.add(entry.name)
    return names


def serve() -> None:
    """Answer requests until stdin closes (the test session ended)."""
    here = sys.path.pop(0)  # this file's folder, tests/: each child gets its script's folder instead
    loaded = sorted({name.split(".")[0] for name in sys.modules} & app_modules(os.path.dirname(here)))
    assert not loaded, f"the warm interpreter must hold nothing of the app: {loaded}"
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            sys.exit(run_script(request))  # the child ends here, with Python's normal shutdown
        print(json.dumps(wait(pid, request["timeout"])), flush=True)


if __name__ == "__main__":
    serve()
