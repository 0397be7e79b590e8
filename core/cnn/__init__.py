"""Convolutional networks: convolution explained, image datasets, CNN models, live training, inspection."""
