"""The fast kernel's codes, one integer per branch it implements, and the torch.optim defaults it needs.

The kernel branches on these names, and the registries (losses, optimizers) and the engine give their
entries these names, so every code is written once.
"""

import numpy as np

# Activations, with the registry's default parameters (core/basics/activations.py).
IDENTITY, TANH, RELU, LEAKY_RELU, ELU, GELU, SILU, MISH, SOFTPLUS, SIGMOID, HARDTANH, SOFTSIGN, STEP = range(
    13
)
ACTIVATION_CODES = {
    "Identity": IDENTITY,
    "Tanh": TANH,
    "ReLU": RELU,
    "LeakyReLU": LEAKY_RELU,
    "ELU": ELU,
    "GELU": GELU,
    "SiLU": SILU,
    "Mish": MISH,
    "Softplus": SOFTPLUS,
    "Sigmoid": SIGMOID,
    "Hardtanh": HARDTANH,
    "Softsign": SOFTSIGN,
    "Step": STEP,
}

HALF_MSE, BCE_WITH_LOGITS, HUBER = range(3)  # losses (core/playground/losses.py)
SGD, SGD_MOMENTUM, NESTEROV, ADAM, ADAMW, RMSPROP, ADAGRAD = range(7)  # optimizers (core/playground/optim.py)
REGULARIZATION_CODES = {"none": 0, "L1": 1, "L2": 2}
NO_PENALTY, L1, L2 = REGULARIZATION_CODES.values()

# torch.optim's defaults, which the kernel's optimizer steps reproduce.
MOMENTUM = 0.9  # SGD+momentum and Nesterov (momentum=0.9 is set explicitly in the registry)
BETA1, BETA2, ADAM_EPS = 0.9, 0.999, 1e-8  # Adam and AdamW
ADAMW_DECAY = 0.01  # AdamW's weight_decay
RMS_ALPHA, RMS_EPS = 0.99, 1e-8  # RMSprop
ADAGRAD_EPS = 1e-10  # Adagrad
HYPER = np.array([MOMENTUM, BETA1, BETA2, ADAM_EPS, ADAMW_DECAY, RMS_ALPHA, RMS_EPS, ADAGRAD_EPS])
