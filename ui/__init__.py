"""Streamlit helpers that two or more pages use: the app's shell (navigation, sidebar, seed) and the
live-training view. A helper only one page uses lives with that page, in pages/<page>/."""
