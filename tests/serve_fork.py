"""`hearth serve` processes forked from one that has imported the server already.

A start of `hearth serve` spends about three fifths of its CPU importing (the web framework,
the store, every capability, the carriers of its configuration); the tests that kill a server
and start it again paid that at every start. A `Forks` process imports it all once, with the
test's environment and folder, then forks a `hearth serve` whenever asked: each is a process
of its own, in a session of its own, reading its configuration and database afresh and
writing its own log, run as `python -m hearthkeeper serve` runs it; only the imports are not
done again. (One difference: string hashing is seeded once, so every start hashes alike.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from typing import IO

# Guards against a hang, not a measure of speed.
WAIT = 150.0

# The forking process. It reads "serve LOG ARG…" lines on stdin and answers each with
# "pid PID" on stdout once forked; "ended PID STATUS" when one of its processes has ended.
_FORKS = """
import importlib, os, pkgutil, select, sys
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
while True:
    if select.select([0], [], [], 0.02)[0]:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        asked += chunk
    reap()
    while b"\\n" in asked:
        line, asked = asked.split(b"\\n", 1)
        log, *args = line.decode().split()[1:]
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
"""


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
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Forks:
    """The forking process of one test: `hearth serve` imported, with `env`, in `folder`
    (the carriers its `hearth.toml` names imported too)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        with (folder / "hearth.toml").open("rb") as file:
            carriers = tomllib.load(file).get("carriers", {})
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
        threading.Thread(target=self._answers, daemon=True).start()

    def serve(self, log: Path, *args: str) -> Forked:
        """A `hearth serve ARGS` forked (at once, or as soon as the imports are done); its
        standard output and error written to `log`."""
        log.write_bytes(b"")  # (read before the process has written anything)
        forked = Forked(self)
        with self._lock:
            self._asked.append(forked)
        assert self._process.stdin is not None
        self._process.stdin.write(f"serve {log} {' '.join(args)}\n".encode())
        self._process.stdin.flush()
        return forked

    def close(self) -> None:
        """The forking process ended (the servers it forked are left as they are)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait(30)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
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
