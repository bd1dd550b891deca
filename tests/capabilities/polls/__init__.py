"""Polls: parsing, votes and results through the engine on both databases."""
