"""Shared drawing parts, pure functions from data to plotly figures or pictures: the colour style, plane
heatmaps, the network drawing and raster pictures. A topic's own figures live in its package
(core/<topic>/figures.py); nothing here imports a topic package."""
