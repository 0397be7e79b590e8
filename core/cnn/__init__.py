"""Convolutional networks: the convolution explainer, image datasets, CNN models, live training, inspection."""
