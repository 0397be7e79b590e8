"""Run a page's "PyTorch for these settings" code the way a learner would: pasted into a fresh interpreter."""

import subprocess
import sys
from pathlib import Path


def run_generated(code: str, cwd: Path, timeout: float = 120, args: tuple[str, ...] = ()) -> str:
    """Run `code` as a script with `args` in a new Python process (no app modules imported for it); its
    stdout. Fails the test with the script's stderr when it does not exit cleanly."""
    path = cwd / "generated.py"
    path.write_text(code)
    done = subprocess.run(
        [sys.executable, str(path), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )
    assert done.returncode == 0, f"generated code failed:\n{done.stderr}"
    return done.stdout
