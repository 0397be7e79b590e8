"""The Recurrent networks page's parts (pages/rnn.py is the page script Streamlit runs)."""
