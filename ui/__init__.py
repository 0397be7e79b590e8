"""Streamlit-only helpers shared by app.py and the pages: the navigation, the sidebar and small widgets."""
