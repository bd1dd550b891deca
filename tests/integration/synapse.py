"""A throwaway Synapse homeserver for one test session.

`server_name` is `localhost`; it keeps its state in SQLite in a temporary directory and
listens on 127.0.0.1 only (client, admin and media APIs; no federation listener, and
federation allowed with no one). Rate limits are relaxed so tests do not trip them unless
they ask for strict ones: per user on the shared server (`limit_messages`), or a server of
their own (`start(extra_config=...)`). Users are created through the
shared-secret admin API, which returns their access tokens.

The server is a direct child of the test process with PR_SET_PDEATHSIG set (SIGTERM), so the
kernel stops it even when pytest is killed; normally `stop()` shuts it down. `restart()`
stops it and starts it again on the same port with the same database, for tests of a
homeserver that goes away and comes back.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

SERVER_NAME = "localhost"
PREFIX = "hearth-synapse-"
LEFTOVER_AGE_S = 600
OWNER_PID = "owner.pid"  # the pid of the test process that started the server
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
PORT_TRIES = 5
PR_SET_PDEATHSIG = 1
INSTALL_HINT = "install the dev extra (pip install -e '.[dev]'), which brings matrix-synapse"

# Generous enough that no test trips them by accident; a test of 429 handling starts its
# own server with strict ones through `extra_config`.
_RELAXED = {"per_second": 1000, "burst_count": 10000}
RELAXED_RATE_LIMITS: dict[str, Any] = {
    "rc_message": _RELAXED,
    "rc_registration": _RELAXED,
    "rc_login": {"address": _RELAXED, "account": _RELAXED, "failed_attempts": _RELAXED},
    "rc_admin_redaction": _RELAXED,
    "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
    "rc_joins_per_room": _RELAXED,
    "rc_invites": {"per_room": _RELAXED, "per_user": _RELAXED, "per_issuer": _RELAXED},
    "rc_3pid_validation": _RELAXED,
    "rc_media_create": _RELAXED,
    "rc_room_creation": _RELAXED,
    "rc_presence": {"per_user": _RELAXED},
    "rc_delayed_event_mgmt": _RELAXED,
    "rc_reports": _RELAXED,
    "rc_profile": _RELAXED,
    "rc_user_directory": _RELAXED,
}


@dataclass(frozen=True)
class MatrixUser:
    """A registered user and how to act as them."""

    user_id: str
    localpart: str
    password: str
    access_token: str
    device_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class PortTaken(RuntimeError):
    """The port picked as free was taken by another process before the homeserver bound it."""


@dataclass
class SynapseServer:
    """A running homeserver at `base_url` (http://127.0.0.1:PORT)."""

    root: Path
    port: int
    registration_secret: str
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _names: set[str] = field(default_factory=set)
    _admin_user: MatrixUser | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_name(self) -> str:
        return SERVER_NAME

    @property
    def config_path(self) -> Path:
        return self.root / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        return self.root / "homeserver.log"

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{SERVER_NAME}"

    def client(self, timeout: float = 10.0) -> httpx.Client:
        """A plain HTTP client pointed at the homeserver."""
        return httpx.Client(base_url=self.base_url, timeout=timeout)

    def register(
        self, localpart: str | None = None, *, password: str | None = None, admin: bool = False
    ) -> MatrixUser:
        """A new user through the shared-secret admin API (HMAC-SHA1 over a fresh nonce).

        Without a localpart one is made up, unique in this server's life."""
        name = localpart or self._fresh_name()
        secret_word = password or secrets.token_urlsafe(12)
        path = "/_synapse/admin/v1/register"
        with self.client() as http:
            nonce_response = http.get(path)
            nonce_response.raise_for_status()
            nonce = str(nonce_response.json()["nonce"])
            mac = registration_mac(self.registration_secret, nonce, name, secret_word, admin)
            response = http.post(
                path,
                json={
                    "nonce": nonce,
                    "username": name,
                    "password": secret_word,
                    "admin": admin,
                    "mac": mac,
                },
            )
        if response.status_code != 200:
            raise RuntimeError(
                f"registering {name!r} failed: {response.status_code} {response.text}"
            )
        body = response.json()
        return MatrixUser(
            user_id=str(body["user_id"]),
            localpart=name,
            password=secret_word,
            access_token=str(body["access_token"]),
            device_id=str(body["device_id"]),
        )

    def limit_messages(self, user: MatrixUser, per_second: int, burst_count: int) -> None:
        """Give `user` a strict message rate limit of their own (the admin API's per-user
        override), so a test can meet a 429 with `retry_after_ms` on the shared server.

        Synapse takes whole numbers here, and 0 means no limit at all."""
        admin = self._admin()
        path = f"/_synapse/admin/v1/users/{quote(user.user_id)}/override_ratelimit"
        with self.client() as http:
            response = http.post(
                path,
                headers=admin.headers,
                json={"messages_per_second": per_second, "burst_count": burst_count},
            )
        response.raise_for_status()

    def restart(self) -> None:
        """Stop the server and start it again on the same port with the same data."""
        self._terminate()
        self._launch()

    def stop(self) -> None:
        """Stop the server, then remove its directory."""
        self._terminate()
        shutil.rmtree(self.root, ignore_errors=True)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _admin(self) -> MatrixUser:
        if self._admin_user is None:
            self._admin_user = self.register(admin=True)
        return self._admin_user

    def _fresh_name(self) -> str:
        while True:
            name = f"user{secrets.token_hex(4)}"
            if name not in self._names:
                self._names.add(name)
                return name

    def _terminate(self) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.process = None

    def _launch(self) -> None:
        """Start the homeserver and wait until `/_matrix/client/versions` answers."""
        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with (self.root / "stdout.log").open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent(),
            )
        self.process = process
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT_S
        with self.client(timeout=2.0) as http:
            while True:
                if process.poll() is not None:
                    self.process = None
                    tail = self._output_tail()
                    if "Address already in use" in tail:
                        raise PortTaken(f"port {self.port} was taken before synapse bound it")
                    raise RuntimeError(f"synapse exited with {process.returncode}:\n{tail}")
                with contextlib.suppress(httpx.TransportError):
                    # An answer counts once this process says it listens: until then it
                    # may come from whoever took the port first.
                    if http.get("/_matrix/client/versions").status_code == 200 and (
                        self._listening(log_start)
                    ):
                        return
                if time.monotonic() > deadline:
                    self._terminate()
                    raise RuntimeError(
                        f"synapse did not answer within {START_TIMEOUT_S:.0f}s:\n"
                        f"{self._output_tail()}"
                    )
                time.sleep(0.05)

    def _listening(self, since: int) -> bool:
        """Whether this server's log, from byte `since` (this start's), says it listens."""
        if not self.log_path.exists():
            return False
        with self.log_path.open("rb") as log:
            log.seek(since)
            written = log.read().decode(errors="replace")
        return f"Synapse now listening on TCP port {self.port}" in written

    def _output_tail(self, lines: int = 40) -> str:
        text = ""
        for path in (self.root / "stdout.log", self.log_path):
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def registration_mac(secret: str, nonce: str, username: str, password: str, admin: bool) -> str:
    """The HMAC-SHA1 Synapse expects for shared-secret registration."""
    message = b"\x00".join(
        [
            nonce.encode(),
            username.encode(),
            password.encode(),
            b"admin" if admin else b"notadmin",
        ]
    )
    return hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()


def availability() -> str | None:
    """None if a homeserver can be started here, else the reason it cannot."""
    if importlib.util.find_spec("synapse") is None:
        return f"matrix-synapse is not installed in this environment: {INSTALL_HINT}"
    return None


def start(extra_config: Mapping[str, Any] | None = None) -> SynapseServer | str:
    """Start a fresh homeserver, or return why it cannot be started here.

    `extra_config` is merged over the generated homeserver.yaml (top-level keys replaced)."""
    reason = availability()
    if reason is not None:
        return reason
    _remove_leftovers()
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    # The test process that owns it: while it lives the directory is not a leftover, even
    # with no homeserver running (between the stop and the start of `restart`).
    (root / OWNER_PID).write_text(str(os.getpid()))
    try:
        server = SynapseServer(
            root=root, port=_free_port(), registration_secret=secrets.token_hex(16)
        )
        for attempt in range(PORT_TRIES):
            write_config(server, extra_config or {})
            try:
                server._launch()
                return server
            except PortTaken:  # another process took the free port first: pick another
                if attempt == PORT_TRIES - 1:
                    raise
                server.port = _free_port()
        raise AssertionError("unreachable")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def homeserver_config(server: SynapseServer) -> dict[str, Any]:
    """The homeserver.yaml for `server`, as a dict (JSON is valid YAML)."""
    root = server.root
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": f"{server.base_url}/",
        "pid_file": str(root / "homeserver.pid"),
        "listeners": [
            {
                "port": server.port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client", "media"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(root / "homeserver.db")}},
        "log_config": str(root / "log.yaml"),
        "media_store_path": str(root / "media"),
        "signing_key_path": str(root / "signing.key"),
        "registration_shared_secret": server.registration_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "enable_metrics": False,
        "enable_registration": False,
        "bcrypt_rounds": 4,  # hashing passwords at the default cost takes ~0.3 s a user
        "presence": {"enabled": False},
        "federation_domain_whitelist": [],
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "url_preview_enabled": False,
        **RELAXED_RATE_LIMITS,
    }


def write_config(server: SynapseServer, extra_config: Mapping[str, Any]) -> None:
    """homeserver.yaml, a quiet logging config and a fresh ed25519 signing key."""
    config = {**homeserver_config(server), **extra_config}
    server.config_path.write_text(json.dumps(config, indent=2))
    logging_config = {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "plain",
                "filename": str(server.log_path),
            }
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        # Its "now listening on TCP port N" line tells `_launch` the port is this server's.
        "loggers": {"synapse.app._base": {"level": "INFO"}},
        "disable_existing_loggers": False,
    }
    (server.root / "log.yaml").write_text(json.dumps(logging_config))
    # signedjson's format: algorithm, key version, unpadded base64 of the 32-byte seed.
    seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    (server.root / "signing.key").write_text(f"ed25519 a_test {seed}\n")


def _remove_leftovers() -> None:
    """Remove directories of servers that died with a killed test session."""
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError):
            stale = time.time() - root.stat().st_mtime > LEFTOVER_AGE_S
            in_use = _alive(root / "homeserver.pid") or _alive(root / OWNER_PID)
            if stale and not in_use:
                shutil.rmtree(root, ignore_errors=True)


def _alive(pid_file: Path) -> bool:
    """Whether the process named in a pid file still runs (another session's server)."""
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> Callable[[], None]:
    """Runs in the child between fork and exec: SIGTERM (Synapse's clean shutdown) when the
    forking thread dies, so start servers from the main thread, as session fixtures are."""
    parent = os.getpid()

    def setup() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return setup
