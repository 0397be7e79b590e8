"""The Training playground page's parts (the page script is pages/playground.py)."""
