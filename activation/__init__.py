"""Composable CDP: the activation package (CLI, warehouse access, syncs to destinations)."""

__version__ = "0.1.0"
