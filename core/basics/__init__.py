"""The Basics pages' library: one neuron and the MLP (mlp), the activation-function registry (activations),
the forward pass layer by layer (forward), and their figures."""
