"""`python -m streamlit` with torch imported first, for the fresh servers that browser tests start ahead
(tests/e2e/conftest.py, `SpareServers`):

    .venv/bin/python -m tests.e2e.warm_streamlit run app.py --server.port 8765

A spare server starts while the test before it runs, so the seconds of the torch import pass before the
test's first request instead of during it. Nothing of the app is imported and Streamlit's runtime is
untouched: the test's deep link is still the first page the newly started server runs.
"""

import torch  # noqa: F401  (imported for its start-up time: the app's first page run needs it)
from streamlit.web.cli import main

if __name__ == "__main__":
    main(prog_name="streamlit")
