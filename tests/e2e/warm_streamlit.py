"""`python -m streamlit` with the app's large third-party libraries imported first, for the fresh servers that
browser tests start ahead (tests/e2e/conftest.py, `SpareServers`):

    .venv/bin/python -m tests.e2e.warm_streamlit run app.py --server.port 8765

A spare server starts while the test before it runs, so the seconds of these imports (torch; torchvision
with torch._dynamo, plotly and pandas add about 2 s of a first page run) pass before the test's first
request instead of during it. Nothing of the app is imported and Streamlit's runtime is untouched: the
test's deep link is still the first page the newly started server runs.
"""

# Imported for their start-up time: the app's first page run needs each of them.
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import torch  # noqa: F401
import torchvision  # noqa: F401
from streamlit.web.cli import main

if __name__ == "__main__":
    main(prog_name="streamlit")
