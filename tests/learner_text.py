"""The text a learner can read in the app, as the source writes it: every string literal under pages/, ui/
and core/ (f-strings with `{}` where a value goes). Claims are looked up here rather than in one file, so a
test keeps working when a module moves to another package."""

import ast
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _literal(node: ast.JoinedStr) -> str:
    """An f-string's text with `{}` for each value."""
    return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)


@cache
def learner_strings() -> tuple[str, ...]:
    """Every string literal of the app's source (implicitly concatenated literals are one string)."""
    strings = []
    for folder in ("pages", "ui", "core"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    strings.append(node.value)
                elif isinstance(node, ast.JoinedStr):
                    strings.append(_literal(node))
    return tuple(strings)


def says(phrase: str) -> bool:
    """Whether some string of the app contains `phrase`."""
    return any(phrase in text for text in learner_strings())
