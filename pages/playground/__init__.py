"""The Training playground page's parts (pages/playground.py is the page script Streamlit runs)."""
