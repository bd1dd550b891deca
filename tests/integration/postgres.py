"""A throwaway PostgreSQL server for one test session.

It listens on 127.0.0.1 only, with fsync off, in a temporary directory. It is a direct
child of the test process with PR_SET_PDEATHSIG set, so the kernel stops it even when
pytest is killed; normally `stop()` shuts it down.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

SUPERUSER = "hearth"
PREFIX = "hearth-pg-"
LEFTOVER_AGE_S = 600
START_TIMEOUT_S = 30.0
PR_SET_PDEATHSIG = 1
INSTALL_HINT = "install the `postgresql` package (apt-get install postgresql) to test on it too"


@dataclass(frozen=True)
class Binaries:
    initdb: Path
    postgres: Path


@dataclass
class PostgresServer:
    """A running server; `url(name)` points at database `name` on it."""

    process: subprocess.Popen[bytes]
    root: Path
    port: int
    version: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the `postgres` database, for CREATE/DROP DATABASE."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,  # a port taken by something that is not answering
        )

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then remove the data directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def find_binaries() -> Binaries | str:
    """initdb and postgres from PATH or /usr/lib/postgresql/*/bin, or why there are none."""
    initdb = shutil.which("initdb")
    if initdb is not None:
        bindir = Path(initdb).resolve().parent
        if (bindir / "postgres").is_file():
            return Binaries(bindir / "initdb", bindir / "postgres")
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        bindir = Path(candidate)
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return Binaries(bindir / "initdb", bindir / "postgres")
    return f"PostgreSQL is not installed here (initdb not found): {INSTALL_HINT}"


def server_user() -> pwd.struct_passwd | str | None:
    """Whom to run the server as: None for ourselves, the `postgres` user when we are root
    (initdb refuses root), or why neither works."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return "running as root, and there is no `postgres` system user to run PostgreSQL as"


def availability() -> str | None:
    """None if a server can be started here, else the reason it cannot."""
    binaries = find_binaries()
    if isinstance(binaries, str):
        return binaries
    user = server_user()
    return user if isinstance(user, str) else None


def start() -> PostgresServer | str:
    """Start a fresh server, or return why it cannot be started here."""
    binaries = find_binaries()
    if isinstance(binaries, str):
        return binaries
    user = server_user()
    if isinstance(user, str):
        return user
    _remove_leftovers()
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        if user is not None:
            os.chown(root, user.pw_uid, user.pw_gid)
        _initdb(binaries, root, user)
        for _ in range(PORT_TRIES - 1):
            try:
                return _launch(binaries, root, user)
            except PortTaken:  # another process took the free port first: pick another
                continue
        return _launch(binaries, root, user)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _initdb(binaries: Binaries, root: Path, user: pwd.struct_passwd | None) -> None:
    result = subprocess.run(
        [
            str(binaries.initdb),
            "-D",
            str(root / "data"),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        cwd=root,
        capture_output=True,
        preexec_fn=_child_setup(user, die_with_parent=False),
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")
        raise RuntimeError(f"initdb failed (exit {result.returncode}):\n{output}")


PORT_TRIES = 5


class PortTaken(RuntimeError):
    """The port picked as free was taken (by another test worker's server) before the server
    bound it."""


def halt(server: PostgresServer) -> None:
    """Stop the server as an operator's restart does (fast shutdown: every client cut),
    keeping its data for `resume`."""
    server.process.send_signal(signal.SIGINT)
    server.process.wait(timeout=60)


def resume(server: PostgresServer) -> PostgresServer:
    """The server `halt` stopped, started again on its data and its port."""
    binaries = find_binaries()
    user = server_user()
    assert not isinstance(binaries, str) and not isinstance(user, str)
    return _launch(binaries, server.root, user, port=server.port)


def _launch(binaries: Binaries, root: Path, user: pwd.struct_passwd | None, *,
            port: int | None = None) -> PostgresServer:  # fmt: skip
    log_path = root / "server.log"
    port = port or _free_port()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                str(binaries.postgres),
                "-D",
                str(root / "data"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(root),
                "-F",  # fsync off
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=50",
            ],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_child_setup(user, die_with_parent=True),
        )
    server = PostgresServer(process=process, root=root, port=port, version="")
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            log_text = log_path.read_text(errors="replace")
            if "could not bind" in log_text or "already in use" in log_text:
                raise PortTaken(f"port {port} was taken:\n{log_text}")
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"postgres exited with {process.returncode}:\n{log_text}")
        try:
            with server.admin() as connection:
                # the port may answer for another worker's server that took it first
                row = connection.execute("SHOW data_directory").fetchone()
                if row is None or Path(str(row[0])).resolve() != (root / "data").resolve():
                    process.wait(timeout=START_TIMEOUT_S)  # ours cannot bind: it exits
                    continue
                row = connection.execute("SHOW server_version").fetchone()
                server.version = str(row[0]) if row else "?"
                return server
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"postgres did not accept connections within {START_TIMEOUT_S:.0f}s"
                ) from None
            time.sleep(0.05)


def _remove_leftovers() -> None:
    """Remove data directories of servers that died with a killed test session (the kernel
    stopped the server, but nobody was left to delete its files)."""
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError):
            stale = time.time() - root.stat().st_mtime > LEFTOVER_AGE_S
            if stale and not (root / "data" / "postmaster.pid").exists():
                shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_setup(user: pwd.struct_passwd | None, *, die_with_parent: bool) -> Callable[[], None]:
    """Runs in the child between fork and exec: drop to `user`, then (in that order, since a
    credential change clears it) ask the kernel for SIGINT when the parent dies.

    "The parent" is the forking thread, so start servers from the main thread (as pytest's
    session fixtures are); SIGINT is PostgreSQL's fast shutdown: clients cut, files closed."""

    parent = os.getpid()

    def setup() -> None:
        if user is not None:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        if die_with_parent:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)
            # The parent may have died before the signal was armed.
            if os.getppid() != parent:
                os._exit(1)

    return setup
