"""Source code of the app's own functions and classes, for the generated "PyTorch for these settings" scripts.

`inspect.getsource` of a class parses its whole module with `ast.parse`, and CPython 3.11 keeps the AST
builder's recursion depth in state shared by all threads: two sessions' script threads parsing at once can
fail with "SystemError: AST constructor recursion depth mismatch" (seen by bench/load.py with 5 sessions
opening the playground together; python/cpython#106905). Sources do not change while the server runs, so
each is read once per process, and every parse here takes one lock.
"""

import ast
import functools
import inspect
import threading

_AST_LOCK = threading.Lock()  # one ast.parse at a time in this process (see above)


def parse(text: str) -> ast.Module:
    """`ast.parse(text)`, one thread at a time."""
    with _AST_LOCK:
        return ast.parse(text)


@functools.cache
def source_of(obj: object) -> str:
    """`inspect.getsource(obj)`, read once per process, one thread at a time."""
    with _AST_LOCK:
        return inspect.getsource(obj)
