"""A pytest plugin: CPU seconds (`time.process_time`) of each test's set-up (its fixtures) and
call, summed and the set-up's median printed at the end (the first test's set-up, which imports
and migrates, left out of the median).

`PYTHONPATH=src:benchmarks .venv/bin/pytest -q -p no:randomly -p pytest_cpu tests/test_x.py`"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import pytest

_setup: list[float] = []
_call: list[float] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    started = time.process_time()
    yield
    _setup.append(time.process_time() - started)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    started = time.process_time()
    yield
    _call.append(time.process_time() - started)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    later = _setup[1:] or _setup
    if later:
        terminalreporter.write_line(
            f"CPU set-up: median {statistics.median(later):.3f} s over {len(later)} tests, "
            f"total {sum(_setup):.2f} s; calls total {sum(_call):.2f} s"
        )
