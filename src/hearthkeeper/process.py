"""What this process is for, set once by the `hearth` entry point.

Tests invoke commands inside their own (pytest's) process; the console script runs one
command and exits. Code that may leave process-wide state behind (signal handlers) asks here.
"""

from __future__ import annotations


class _Process:
    ends_with_the_command = False


def ends_with_the_command() -> bool:
    """True in the `hearth` console script: the process exits when its command returns."""
    return _Process.ends_with_the_command


def mark_as_one_command() -> None:
    """Called by the entry point before it runs the command."""
    _Process.ends_with_the_command = True
