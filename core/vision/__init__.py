"""Pretrained ImageNet classifiers: model registry, image decoding, inference, Grad-CAM, example photos."""
