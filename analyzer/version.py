"""The version of ScopeLens (the bottom floor: imports nothing of ours)."""

__version__ = "0.1.0"
