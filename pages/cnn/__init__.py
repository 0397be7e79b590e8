"""The Convolutional networks page's parts (pages/cnn.py is the page script Streamlit runs)."""
