"""Concrete carriers: the chat platforms the engine serves through the `Carrier` protocol."""
