"""The suite passes whatever the host it runs on: here, a busy CI host that pauses a worker."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper import process
from tests.conftest import SIGNALS_AT_START, pytest_collection_modifyitems

ROOT = Path(__file__).resolve().parent.parent


def test_a_property_test_paused_by_a_busy_host_still_passes() -> None:
    """A worker descheduled for 0.3 s in the middle of one example (CI runs PostgreSQL,
    Synapse and Chromium beside the tests on 2 cores) failed the property test it was running:
    Hypothesis's 200 ms deadline ("Unreliable test timings"), though every input held."""
    seen: list[int] = []

    @given(st.integers())
    def every_integer_is_an_integer(number: int) -> None:
        seen.append(number)
        if len(seen) == 3:
            time.sleep(0.3)  # the host paused this worker
        assert isinstance(number, int)

    every_integer_is_an_integer()
    assert len(seen) > 3


def test_commands_are_read_as_plain_text_when_the_ci_forces_colour() -> None:
    """A CI with FORCE_COLOR=1 in its environment failed the `hearth calendar` test: its
    lines came out styled ("post \\x1b[2m(no content left)\\x1b[0m")."""
    test = "tests/capabilities/calendar/test_calendar_cli.py::" + (
        "test_text_lists_library_items_in_sequence_and_coverage"
    )
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", test],
        cwd=ROOT, env={**os.environ, "FORCE_COLOR": "1", "PY_COLORS": "1"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:]


def test_no_test_before_left_this_process_deaf_to_ctrl_c() -> None:
    """The `hearth` entry point run inside pytest's process (the locked-database test of
    `hearth events create`) left it ignoring Ctrl-C and SIGTERM and marked as the `hearth`
    script for every later test: a developer's Ctrl-C did nothing, a server a later test
    started inherited the ignored signals, and `hearth serve` run in-process stopped giving
    the test its handlers back. Runs last in its worker's share of the files before it."""
    now = {sig: signal.getsignal(sig) for sig in SIGNALS_AT_START}
    assert now == SIGNALS_AT_START
    assert not process.ends_with_the_command()


def test_a_postgresql_port_taken_before_the_server_binds_it_is_given_up_for_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test server's port is found free, released, then bound by PostgreSQL: another
    worker's server can take it in between. The server then starts on another port, and its
    connections reach it, not the process that took the port."""
    from tests.integration import postgres

    if isinstance(postgres.find_binaries(), str):
        pytest.skip("no PostgreSQL binaries")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = int(taken.getsockname()[1])
        picked = iter([port])
        free = postgres._free_port
        monkeypatch.setattr(postgres, "_free_port", lambda: next(picked, None) or free())
        server = postgres.start()
        assert not isinstance(server, str), server
        try:
            assert server.port != port
            with server.admin() as connection:
                row = connection.execute("SHOW data_directory").fetchone()
            assert (
                row is not None and Path(str(row[0])).resolve() == (server.root / "data").resolve()
            )
        finally:
            server.stop()


def test_a_matrix_port_taken_before_the_homeserver_binds_it_is_given_up_for_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As for PostgreSQL, with a worse failure: the process that took the port answers HTTP.
    Synapse then fails to bind, and its readiness probe must not take the other process's
    answer for the homeserver's; it starts on another port and that is where it answers."""
    from tests.integration import synapse

    if synapse.availability() is not None:
        pytest.skip("no matrix-synapse")

    class Impostor(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"versions": ["v1.1"]}')

        def log_message(self, format: str, *args: object) -> None:
            pass

    impostor = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Impostor)
    thread = threading.Thread(target=impostor.serve_forever, daemon=True)
    thread.start()
    try:
        port = int(impostor.server_address[1])
        picked = iter([port])
        free = synapse._free_port
        monkeypatch.setattr(synapse, "_free_port", lambda: next(picked, None) or free())
        server = synapse.start()
        assert not isinstance(server, str), server
        try:
            assert server.port != port
            assert server.register().user_id.startswith("@")  # its shared secret works there
        finally:
            server.stop()
    finally:
        impostor.shutdown()
        impostor.server_close()


class _Collected:
    """A collected test, as far as the order hook looks at it: its name and markers."""

    def __init__(self, name: str, *markers: str) -> None:
        self.name = name
        self.markers = markers

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return getattr(pytest.mark, name).mark if name in self.markers else None


def test_the_kill_9_burst_is_handed_out_before_every_other_test() -> None:
    """Wherever collection put the minute-long crash test, the workers get it first (and the
    others in the order they were in)."""
    items = [_Collected("a"), _Collected("b", "postgres"), _Collected("burst", "crash"),
             _Collected("c")]  # fmt: skip

    pytest_collection_modifyitems(items)  # type: ignore[arg-type]

    assert [item.name for item in items] == ["burst", "a", "b", "c"]
