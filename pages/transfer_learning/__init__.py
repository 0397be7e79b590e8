"""The Transfer learning page's parts (pages/transfer_learning.py is the page script Streamlit runs)."""
