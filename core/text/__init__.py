"""Text sentiment: the model registry, the offline MiniLM model, explanations, batch classification, CLI."""
