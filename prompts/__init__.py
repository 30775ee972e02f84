"""Prompt and phrase files (data, not code), loaded by name with importlib.resources."""
