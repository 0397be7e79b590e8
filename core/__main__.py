"""`python -m core`: the command-line face of the library."""

from core.cli import main

raise SystemExit(main())
