"""Packaged assessment rules (rules.jsonl), read with importlib.resources."""
