"""The Training playground: 2-D datasets, a small network, and a fast, exact training engine for it."""
