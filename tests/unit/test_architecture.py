"""The layering rules (docs/architecture.md) hold for this repository, and each rule catches a break of it:
every test below plants one break in a small tree that otherwise keeps every rule."""

from pathlib import Path

import pytest

from tests.architecture import cycles, problems

REPO = Path(__file__).resolve().parents[2]

# A tree that keeps every rule: two pages, one with a part; ui/ shared by both; two topic packages.
CLEAN = {
    "app.py": "from ui.shell import run_app\n",
    "core/__init__.py": "",
    "core/runner.py": "import torch\n",
    "core/figures/__init__.py": "",
    "core/figures/style.py": "import plotly\n",
    "core/alpha/__init__.py": "",
    "core/alpha/model.py": "import core.runner\nfrom core.figures import style\n",
    "core/alpha/data.py": "from core.alpha.model import Model\n",
    "core/beta/__init__.py": "",
    "core/beta/model.py": "from core.alpha.model import Model\n",
    "ui/__init__.py": "",
    "ui/shell.py": "import streamlit as st\n\nfrom core.runner import Runner\n",
    "ui/live.py": "from ui.shell import seed\n",
    "pages/one.py": "from pages.one.parts import draw\nfrom ui.live import view\n",
    "pages/one/__init__.py": "",
    "pages/one/parts.py": "import streamlit as st\n\nfrom core.beta.model import Model\n",
    "pages/two.py": "from core.alpha import data\nfrom ui.live import view\nfrom ui.shell import seed\n",
    "tests/__init__.py": "",
    "tests/test_one.py": "from pages.one.parts import draw\n",
}


def tree(root: Path, changes: dict[str, str]) -> Path:
    """CLEAN under root, with `changes` written over it (a file's new text)."""
    for path, text in (CLEAN | changes).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_this_repository_keeps_every_rule():
    assert problems(REPO) == []


def test_the_clean_tree_keeps_every_rule(tmp_path):
    assert problems(tree(tmp_path, {})) == []


def test_streamlit_under_core_is_caught(tmp_path):
    root = tree(tmp_path, {"core/alpha/model.py": "import core.runner\nimport streamlit.components.v1\n"})
    assert problems(root) == [
        "core/alpha/model.py:2: core imports streamlit.components.v1 (Streamlit belongs in pages/ and ui/)"
    ]


def test_an_import_of_a_page_script_is_caught_even_in_a_test(tmp_path):
    root = tree(tmp_path, {"tests/test_one.py": "import pages.two\n"})
    assert problems(root) == [
        "tests/test_one.py:1: imports the page script pages/two.py (only Streamlit runs one)"
    ]


def test_an_import_of_another_pages_part_is_caught(tmp_path):
    two = "from ui.live import view\nfrom ui.shell import seed\nfrom pages.one.parts import draw\n"
    assert problems(tree(tmp_path, {"pages/two.py": two})) == [
        "pages/two.py:3: imports pages/one/parts.py, a part of the one page (shared helpers belong in ui/)"
    ]


def test_a_page_part_imported_outside_pages_breaks_the_arrows(tmp_path):
    root = tree(tmp_path, {"ui/live.py": "from ui.shell import seed\nfrom pages.one.parts import draw\n"})
    assert problems(root) == [
        "ui/live.py:2: ui may not import pages (pages.one.parts)",
        "ui/live.py:2: imports pages/one/parts.py, a part of the one page (shared helpers belong in ui/)",
    ]


def test_a_ui_module_only_one_page_uses_is_caught(tmp_path):
    only_one = {"ui/only_one.py": "import streamlit\n", "pages/one/parts.py": "import ui.only_one\n"}
    assert problems(tree(tmp_path, only_one)) == [
        "ui/only_one.py:1: used by 1 page(s) (one); ui/ holds what two or more pages use: "
        "move it to its page's folder"
    ]


def test_a_ui_module_reached_through_another_counts_every_page(tmp_path):
    # ui/shell.py is imported by ui/live.py only, which both pages import: it serves two pages
    root = tree(tmp_path, {"pages/two.py": "from ui.live import view\n"})
    assert problems(root) == []


def test_a_module_cycle_is_caught(tmp_path):
    root = tree(tmp_path, {"core/alpha/model.py": "import core.runner\nfrom core.alpha.data import load\n"})
    assert problems(root) == [
        "core/alpha/data.py:1: import cycle core/alpha/data.py -> core/alpha/model.py -> core/alpha/data.py"
    ]


def test_a_cycle_between_topic_packages_is_caught(tmp_path):
    # no module cycle: alpha/late.py -> beta/util.py, beta/model.py -> alpha/model.py
    late = {"core/alpha/late.py": "from core.beta.util import helper\n", "core/beta/util.py": "import math\n"}
    assert problems(tree(tmp_path, late)) == [
        "core/alpha/__init__.py:1: cycle between topic packages core/alpha -> core/beta -> core/alpha"
    ]


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "core/alpha/model.py",
            "import ui.shell\n",
            "core/alpha/model.py:1: core.topic may not import ui (ui.shell)",
        ),
        (
            "core/figures/heatmaps.py",
            "from core.beta import model\n",
            "core/figures/heatmaps.py:1: core.figures may not import core.topic (core.beta.model)",
        ),
        (
            "core/sources.py",
            "import core.alpha.data\n",
            "core/sources.py:1: core may not import core.topic (core.alpha.data)",
        ),
        (
            "app.py",
            "from ui.shell import run_app\nimport core.runner\n",
            "app.py:2: app may not import core (core.runner)",
        ),
    ],
)
def test_an_arrow_the_layers_do_not_allow_is_caught(tmp_path, path, text, expected):
    assert problems(tree(tmp_path, {path: text})) == [expected]


def test_cycles_finds_one_shortest_cycle_per_component():
    edges = {"a": {"b"}, "b": {"c", "a"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert cycles(edges) == [["a", "b", "a"], ["d", "d"]]
