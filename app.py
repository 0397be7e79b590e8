"""Neural Playground: the entry point. Navigation, shared sidebar and page config live in ui.shell."""

from ui.shell import run_app

run_app()
