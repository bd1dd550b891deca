"""The `synapse` fixture: one throwaway homeserver per test session, started when a test
first asks for it (tests that use it are marked `matrix`). Loaded by tests/conftest.py.
Where matrix-synapse is missing the tests are skipped, and said so; under CI they fail."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration import synapse as homeserver

_SYNAPSE_OUTCOME = pytest.StashKey[str]()


def pytest_report_header(config: pytest.Config) -> str:
    reason = homeserver.availability()
    if reason is None:
        return "matrix tests: on a throwaway Synapse (SQLite, 127.0.0.1)"
    return f"matrix tests are SKIPPED: {reason}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcome = terminalreporter.config.stash.get(_SYNAPSE_OUTCOME, None)
    if outcome is not None:
        terminalreporter.write_line(outcome)


@pytest.fixture(scope="session")
def synapse(request: pytest.FixtureRequest) -> Iterator[homeserver.SynapseServer]:
    """A running homeserver (server_name `localhost`); `register()` makes users."""
    stash = request.config.stash
    try:
        server = homeserver.start()
    except RuntimeError as exc:
        stash[_SYNAPSE_OUTCOME] = f"Matrix tests: Synapse failed to start: {exc}"
        raise
    if isinstance(server, str):
        if os.environ.get("CI"):
            # CI installs the dev extra, so a missing Synapse there is a broken setup.
            stash[_SYNAPSE_OUTCOME] = f"Matrix tests FAILED (CI is set): {server}"
            pytest.fail(f"CI is set: {server}")
        stash[_SYNAPSE_OUTCOME] = f"Matrix tests were SKIPPED: {server}"
        pytest.skip(server)
    stash[_SYNAPSE_OUTCOME] = f"Matrix tests ran on Synapse at {server.base_url}"
    try:
        yield server
    finally:
        server.stop()
