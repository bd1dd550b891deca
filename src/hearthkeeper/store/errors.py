"""The one error the store raises for problems a user can cause or fix."""

from __future__ import annotations


class StoreError(Exception):
    """A readable store problem: what went wrong and how to fix it, never a traceback."""
