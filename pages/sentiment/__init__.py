"""The Sentiment page's parts (pages/sentiment.py is the page script Streamlit runs)."""
