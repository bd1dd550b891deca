"""Fixtures of the admission tests: the web chat of tests/carriers/webchat."""

from tests.carriers.webchat.conftest import chat, client

__all__ = ["chat", "client"]
