"""`hearth serve` processes forked from one that has imported the server already, and the
real interpreter start (`interpreter_serve`) each test makes first.

A start of `hearth serve` spends about three fifths of its CPU importing (the web framework,
the store, every capability, the carriers of its configuration); the tests that kill a server
and start it again paid that at every start. A `Forks` process imports it all once, with the
test's environment and folder, then forks a `hearth serve` whenever asked: each is a process
of its own, in a session of its own, reading its configuration and database afresh and
writing its own log, run as `python -m hearthkeeper serve` runs it; only the imports are not
done again. Two differences: the forking process imports every capability and carrier module
in one fixed order, and string hashing is seeded once, so every forked start hashes alike.
So each test's first start is a real `python -m hearthkeeper serve` (its own imports, in the
order the start path makes them, its own hash seed): an import-order or circular-import
failure in that path, or behaviour depending on hash order, still fails a test; only the
restarts after a kill, which the tests are about, are forked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import tomllib
from contextlib import suppress
from pathlib import Path
from typing import IO, Protocol

# Guards against a hang, not a measure of speed.
WAIT = 150.0

# The forking process. It reads one JSON object a line on stdin, {"log": LOG, "args": [ARG…]},
# and answers each with "pid PID" on stdout once forked; "ended PID STATUS" when one of its
# processes has ended. At the end of its input it waits for every process it forked (those
# still running were killed by `Forks.close`), says each has ended, then ends.
_FORKS = """
import importlib, json, os, pkgutil, select, sys
import hearthkeeper.cli.root, hearthkeeper.cli.serve_cmd, hearthkeeper.serve, hearthkeeper.web.app
import jieba
for package in ("hearthkeeper.capabilities", *sys.argv[1:]):
    importlib.import_module(package)
    for found in pkgutil.walk_packages(sys.modules[package].__path__, package + "."):
        importlib.import_module(found.name)
from hearthkeeper.cli import main

def said(line):
    os.write(1, (line + "\\n").encode())

def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        said(f"ended {pid} {os.waitstatus_to_exitcode(status)}")

asked = b""
reading = True
while reading:
    if select.select([0], [], [], 0.02)[0]:
        chunk = os.read(0, 65536)
        reading = bool(chunk)
        asked += chunk
    reap()
    while b"\\n" in asked:
        line, asked = asked.split(b"\\n", 1)
        request = json.loads(line)
        log, args = request["log"], request["args"]
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.setsid()
            null = os.open(os.devnull, os.O_RDONLY)
            out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.close(null)
            os.close(out)
            sys.argv = ["hearth", *args]
            main()
            sys.exit(0)
        said(f"pid {pid}")
while True:
    try:
        pid, status = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    said(f"ended {pid} {os.waitstatus_to_exitcode(status)}")
"""


class ServeProcess(Protocol):
    """A `hearth serve` as the tests use a process, started for real (`subprocess.Popen`) or
    forked (`Forked`)."""

    @property
    def pid(self) -> int: ...
    def poll(self) -> int | None: ...
    def wait(self, timeout: float) -> int: ...
    def send_signal(self, sig: signal.Signals) -> None: ...
    def kill(self) -> None: ...


def interpreter_serve(
    folder: Path, env: dict[str, str], log: Path, *args: str
) -> subprocess.Popen[bytes]:
    """`python -m hearthkeeper ARGS` started as an operator starts it (a fresh interpreter,
    its own imports and hash seed), in `folder`, in a session of its own; its standard
    output and error written to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "hearthkeeper", *args], cwd=folder, env=env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


class Forked:
    """One forked `hearth serve`, as far as the tests use a process: poll, wait, a signal."""

    def __init__(self, forks: Forks) -> None:
        self._forks = forks
        self._pid: int | None = None
        self._known = threading.Event()
        self._ended = threading.Event()
        self.returncode: int | None = None

    @property
    def pid(self) -> int:
        if not self._known.wait(WAIT) or self._pid is None:
            raise AssertionError(f"hearth serve was not forked:\n{self._forks.log()}")
        return self._pid

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float) -> int:
        self.pid  # noqa: B018 (forked first)
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired(f"hearth serve ({self.pid})", timeout)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: signal.Signals) -> None:
        if self.returncode is None:
            with suppress(ProcessLookupError):  # (ended, its end not read yet)
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Forks:
    """The forking process of one test: `hearth serve` imported, with `env`, in `folder`
    (the carriers its `hearth.toml` names imported too)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        with (folder / "hearth.toml").open("rb") as file:
            carriers = tomllib.load(file).get("carriers", {})
        self.env = env
        self._log = folder / "forks.log"
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _FORKS, "hearthkeeper.carriers.webchat",
                 *(f"hearthkeeper.carriers.{name}" for name in carriers)],
                cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                env=env, start_new_session=True,
            )  # fmt: skip
        self._lock = threading.Lock()
        self._asked: list[Forked] = []  # forks asked for, not yet answered
        self._forked: dict[int, Forked] = {}
        self._closing = False
        self._reader = threading.Thread(target=self._answers, daemon=True)
        self._reader.start()

    def serve(self, log: Path, *args: str) -> Forked:
        """A `hearth serve ARGS` forked (at once, or as soon as the imports are done); its
        standard output and error written to `log`."""
        log.write_bytes(b"")  # (read before the process has written anything)
        forked = Forked(self)
        with self._lock:
            self._asked.append(forked)
        assert self._process.stdin is not None
        request = json.dumps({"log": str(log), "args": list(args)})
        self._process.stdin.write(request.encode() + b"\n")
        self._process.stdin.flush()
        return forked

    def close(self) -> None:
        """Every server forked and still running killed (SIGKILL), each one's `returncode`
        set; then the forking process ended."""
        with self._lock:
            self._closing = True
            running = [forked for forked in self._forked.values() if forked.returncode is None]
        for forked in running:
            forked.kill()
        if self._process.poll() is None:
            assert self._process.stdin is not None
            with suppress(BrokenPipeError):
                self._process.stdin.close()  # the end of its input: it reaps and ends
            try:
                self._process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(30)
        self._reader.join(WAIT)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with suppress(BrokenPipeError):
                    stream.close()

    def log(self) -> str:
        return self._log.read_text(errors="replace")[-3000:]

    def _answers(self) -> None:
        assert self._process.stdout is not None
        try:
            self._read(self._process.stdout)
        finally:  # the forking process ended: what it never forked never will be
            with self._lock:
                for forked in self._asked:
                    forked.returncode = 1
                    forked._ended.set()
                    forked._known.set()
                self._asked.clear()
                # Ended before it could say how they ended (only when `close` had to kill it
                # too): those it forked were sent SIGKILL by `close`.
                if self._closing:
                    for forked in self._forked.values():
                        forked.returncode = -signal.SIGKILL
                        forked._ended.set()
                    self._forked.clear()

    def _read(self, answers: IO[bytes]) -> None:
        for raw in answers:
            word, pid, *status = raw.decode().split()
            with self._lock:
                if word == "pid":
                    forked = self._asked.pop(0)
                    forked._pid = int(pid)
                    self._forked[int(pid)] = forked
                    forked._known.set()
                else:
                    forked = self._forked.pop(int(pid))
                    forked.returncode = int(status[0])
                    forked._ended.set()
