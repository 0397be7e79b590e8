"""Figure builders: pure functions from data to plotly figures, tested without a browser."""
