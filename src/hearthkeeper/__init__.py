"""Hearthkeeper: community operations from a written playbook."""

__version__ = "0.1.0"
