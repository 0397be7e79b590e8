"""The Image classification page's parts (pages/image_classification.py is the page script Streamlit runs)."""
