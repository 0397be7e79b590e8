"""The layering rules of docs/architecture.md, read from the code: every module's imports (ast), resolved to
the repository's files, checked against the arrows the layers allow. `problems(root)` lists each break as
"path:line: what is wrong" (cycles as the modules or packages that form them); tests/unit/test_architecture.py
runs it on this repository and on small trees that break one rule each.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SCANNED = ("app.py", "serve.py", "core", "ui", "pages", "tests", "bench", "scripts")
EVERY_LAYER = frozenset(
    {"app", "serve", "pages", "ui", "core", "core.topic", "core.figures", "tests", "bench", "scripts"}
)
# Which layers a layer may import (its own included where listed). Topic packages may import one another as
# long as the packages form no cycle; between pages, only a page's own parts (page_part_problems).
ALLOWED: dict[str, frozenset[str]] = {
    "app": frozenset({"ui"}),
    # The server command warms every page's caches: st.cache_* entries belong to the very functions a page
    # calls, so it calls them, in the pages' parts (never a page script).
    "serve": frozenset({"pages", "ui", "core", "core.topic", "core.figures"}),
    "pages": frozenset({"pages", "ui", "core", "core.topic", "core.figures"}),
    "ui": frozenset({"ui", "core", "core.topic", "core.figures"}),
    "core.topic": frozenset({"core", "core.topic", "core.figures"}),
    "core.figures": frozenset({"core", "core.figures"}),
    "core": frozenset({"core"}),
    "bench": frozenset({"bench", "serve", "core", "core.topic", "core.figures", "ui", "tests"}),
    "scripts": frozenset({"core", "core.topic", "core.figures", "ui", "tests"}),
    "tests": EVERY_LAYER - {"app"},
}


@dataclass(frozen=True)
class Import:
    """One imported module: who imports it, on which line, its dotted name and its file (None: not ours)."""

    source: str  # the importing file, relative to the root, e.g. "pages/cnn.py"
    line: int
    name: str  # e.g. "core.cnn.model"
    target: str | None  # e.g. "core/cnn/model.py"; "pkg/__init__.py" for a package


def python_files(root: Path) -> list[str]:
    """Every scanned .py file under root, as a relative posix path."""
    files = []
    for name in SCANNED:
        path = root / name
        if path.is_file():
            files.append(name)
        elif path.is_dir():
            files += [p.relative_to(root).as_posix() for p in sorted(path.rglob("*.py"))]
    return files


def resolve(root: Path, dotted: str) -> str | None:
    """The file Python would load for a dotted module name: a package before a module of the same name (so
    `pages.cnn` is the folder pages/cnn/, never the page script pages/cnn.py), None if it is not in root."""
    base = root.joinpath(*dotted.split("."))
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path.relative_to(root).as_posix()
    return None


def imports_of(root: Path, path: str) -> Iterator[Import]:
    """The modules one file imports; `from pkg import name` imports pkg.name when that is a module."""
    tree = ast.parse((root / path).read_text(encoding="utf-8"), filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, alias.name, resolve(root, alias.name))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative (ruff bans them; resolved anyway, from the file's package)
                package = path.split("/")[: -node.level]
                module = ".".join([*package, *([module] if module else [])])
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                target = resolve(root, submodule)
                name = submodule if target else module
                yield Import(path, node.lineno, name, target or resolve(root, module))


def all_imports(root: Path) -> list[Import]:
    return [i for path in python_files(root) for i in imports_of(root, path)]


def layer(path: str) -> str:
    """A file's layer: app, pages, ui, core (core's root modules), core.figures, core.topic (core/<topic>/),
    tests, bench or scripts."""
    if path == "app.py":
        return "app"
    if path == "serve.py":
        return "serve"
    parts = path.split("/")
    if parts[0] != "core":
        return parts[0]
    if len(parts) == 2:
        return "core"
    return "core.figures" if parts[1] == "figures" else "core.topic"


def page_of(path: str) -> str | None:
    """The page a file belongs to: "cnn" for the script pages/cnn.py and for its parts pages/cnn/*.py."""
    parts = path.split("/")
    if parts[0] != "pages" or len(parts) < 2:
        return None
    return parts[1].removesuffix(".py")


def is_page_script(path: str) -> bool:
    return path.startswith("pages/") and path.count("/") == 1


def streamlit_problems(imports: list[Import]) -> list[str]:
    """core/ is the library: no Streamlit in it."""
    return [
        f"{i.source}:{i.line}: core imports {i.name} (Streamlit belongs in pages/ and ui/)"
        for i in imports
        if layer(i.source).startswith("core") and i.name.split(".")[0] == "streamlit"
    ]


def arrow_problems(imports: list[Import]) -> list[str]:
    """Every import between our files goes along an allowed arrow (ALLOWED)."""
    return [
        f"{i.source}:{i.line}: {layer(i.source)} may not import {layer(i.target)} ({i.name})"
        for i in imports
        if i.target is not None and layer(i.target) not in ALLOWED[layer(i.source)]
    ]


def page_part_problems(imports: list[Import]) -> list[str]:
    """Nothing imports a page script (Streamlit runs it); a page's parts (pages/<page>/) are imported only by
    that page's script and its other parts, by tests, and by the server command's warm-up (serve.py)."""
    problems = []
    for i in imports:
        if i.target is None or layer(i.target) != "pages":
            continue
        if is_page_script(i.target):
            problems.append(
                f"{i.source}:{i.line}: imports the page script {i.target} (only Streamlit runs one)"
            )
        elif layer(i.source) not in ("tests", "serve") and page_of(i.source) != page_of(i.target):
            problems.append(
                f"{i.source}:{i.line}: imports {i.target}, a part of the {page_of(i.target)} page "
                "(shared helpers belong in ui/)"
            )
    return problems


def single_page_ui_problems(files: list[str], imports: list[Import]) -> list[str]:
    """A ui/ module serves two or more pages (reached from their files directly or through other ui/ modules);
    what only one page uses lives in that page's folder."""
    ui_imports: dict[str, set[str]] = {}
    for i in imports:
        if i.target is not None and layer(i.target) == "ui":
            ui_imports.setdefault(i.source, set()).add(i.target)
    pages_using: dict[str, set[str]] = {
        f: set() for f in files if layer(f) == "ui" and not f.endswith("__init__.py")
    }
    for source in files:
        page = page_of(source)
        if page is None:
            continue
        seen, todo = set(), list(ui_imports.get(source, ()))
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo += ui_imports.get(module, ())
        for module in seen & pages_using.keys():
            pages_using[module].add(page)
    return [
        f"{module}:1: used by {len(pages)} page(s) ({', '.join(sorted(pages)) or 'none'}); ui/ holds what "
        "two or more pages use: move it to its page's folder"
        for module, pages in sorted(pages_using.items())
        if len(pages) < 2
    ]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of a directed graph, as [a, b, ..., a] from the component's
    first node in sorted order (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                components.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(shortest_cycle(min(component), edges, component) for component in components)


def shortest_cycle(start: str, edges: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest path start -> ... -> start inside one strongly connected component (breadth first)."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(edges.get(node, set()) & component):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                frontier.append(nxt)
    raise ValueError(f"{start} is on no cycle")


def cycle_problems(imports: list[Import]) -> list[str]:
    """No import cycle between modules, and none between core's topic packages (core/<topic>/)."""
    modules: dict[str, set[str]] = {}
    packages: dict[str, set[str]] = {}
    for i in imports:
        if i.target is None or i.target == i.source:
            continue
        modules.setdefault(i.source, set()).add(i.target)
        if layer(i.source) == "core.topic" and layer(i.target) == "core.topic":
            source, target = ("/".join(p.split("/")[:2]) for p in (i.source, i.target))
            if source != target:
                packages.setdefault(source, set()).add(target)
    return [f"{c[0]}:1: import cycle {' -> '.join(c)}" for c in cycles(modules)] + [
        f"{c[0]}/__init__.py:1: cycle between topic packages {' -> '.join(c)}" for c in cycles(packages)
    ]


def problems(root: Path) -> list[str]:
    """Every break of the layering rules under root."""
    files = python_files(root)
    imports = all_imports(root)
    return (
        streamlit_problems(imports)
        + arrow_problems(imports)
        + page_part_problems(imports)
        + single_page_ui_problems(files, imports)
        + cycle_problems(imports)
    )
