"""Figure builders: pure functions from data to plotly figures, shared by the pages and tested without a browser."""
