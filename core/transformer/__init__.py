"""Transformers: self-attention by hand, and a small character-level GPT trained live on the built-in
Shakespeare corpus or the learner's text, with its attention maps, samples and generated script."""
