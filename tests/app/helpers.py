"""Shared AppTest helper: open one page of the real app (app.py's navigation and sidebar included)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


def open_page(path: str, timeout: float = 120) -> AppTest:
    """Run app.py switched to `path` (e.g. "pages/neuron.py") and fail on any exception it shows."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
