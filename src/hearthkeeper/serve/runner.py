"""Uvicorn and the engine in one event loop; Ctrl-C or SIGTERM stops both cleanly.

The listening socket is opened before anything else starts, so a busy port is reported in
one readable line and port 0 gives a free port whose number is known at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import uvicorn
from uvicorn.lifespan.on import LifespanOn

from hearthkeeper import process
from hearthkeeper.config import DEFAULT_HOST, DEFAULT_PORT

if TYPE_CHECKING:
    from hearthkeeper.serve.host import Host

# Seconds open connections (chat WebSockets) get to close once stopping; then they are cut.
GRACE_SECONDS = 3


class ServeError(Exception):
    """The server cannot start; the message says why and what to do."""


def open_socket(host_addr: str, port: int) -> socket.socket:
    """A socket listening on `host_addr:port` (port 0: a free one); `ServeError` if it cannot."""
    try:
        infos = socket.getaddrinfo(host_addr, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeError(f"cannot listen on {host_addr!r}: {exc.strerror}; check --host") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServeError(_bind_problem(host_addr, port, exc)) from None
    return sock


def bound_port(sock: socket.socket) -> int:
    """The port `sock` listens on."""
    return int(sock.getsockname()[1])


async def serve(
    host: Host,
    *,
    host_addr: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    stop: asyncio.Event | None = None,
    sock: socket.socket | None = None,
    on_ready: Callable[[int], None] | None = None,
) -> None:
    """Serve the web application and run the engine until `stop` is set (or SIGINT/SIGTERM
    arrive, when run in the main thread), or only one of them, as `host.role` says (an
    engine worker opens no port). `on_ready` gets the bound port (0 for an engine worker)
    once the web server accepts connections. Carriers are disconnected before this returns."""
    from hearthkeeper.roles import Role

    stop = stop or asyncio.Event()
    web_role = host.role in (Role.ALL, Role.WEB)
    if web_role:
        sock = sock or open_socket(host_addr, port)
    server = _Server(_config(host)) if web_role else None
    tasks: list[asyncio.Task[None]] = []
    if server is not None and sock is not None:
        tasks.append(asyncio.create_task(server.serve(sockets=[sock]), name="web"))
    if host.role in (Role.ALL, Role.ENGINE):
        tasks.append(asyncio.create_task(host.engine.run(stop), name="engine"))
    tasks += [asyncio.create_task(work(stop), name=getattr(work, "__name__", "background"))
              for work in host.background()]  # fmt: skip
    with _signals(stop, server):
        try:
            if server is not None:
                await _until_ready(server, stop, *tasks)
            if on_ready is not None and (server is None or server.started):
                on_ready(0 if sock is None or not web_role else bound_port(sock))
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({stopped, *tasks}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
        finally:
            stop.set()
            if server is not None:
                server.should_exit = True
            if host.role is Role.WEB:
                # No engine disconnects the carriers: close the web chat's sockets here.
                for served in host.served.values():
                    if served.hosted is not None:
                        await served.carrier.disconnect()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            if sock is not None:
                sock.close()
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            raise result


def _config(host: Host) -> uvicorn.Config:
    return uvicorn.Config(
        host.app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACE_SECONDS,
        ws_max_size=64 * 1024,  # the web chat refuses frames over 8 KiB; nothing near this is sane
        # The client's address is the peer's: uvicorn would otherwise believe X-Forwarded-For
        # from 127.0.0.1, so anyone on the machine could pick their address (and dodge the
        # sign-in lock-out). Proxies the operator trusts are handled in web/clientaddr.py.
        proxy_headers=False,
    )


class _Server(uvicorn.Server):
    """Uvicorn without its own signal handling: the runner's stop event governs both halves."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        # A forced exit (a second Ctrl-C) makes uvicorn skip the application's shutdown, which
        # leaves its lifespan task waiting; the loop then cancels it and uvicorn logs that as a
        # traceback. The application does nothing when it stops, so finish its lifespan anyway.
        lifespan = self.lifespan
        if isinstance(lifespan, LifespanOn) and not lifespan.shutdown_event.is_set():
            await lifespan.shutdown()


async def _until_ready(
    server: uvicorn.Server, stop: asyncio.Event, *tasks: asyncio.Task[None]
) -> None:
    while not server.started and not stop.is_set():
        for task in tasks:
            if task.done():
                task.result()  # raises what went wrong
                raise ServeError(f"the {task.get_name()} stopped while starting")
        await asyncio.sleep(0.02)


@contextlib.contextmanager
def _signals(stop: asyncio.Event, server: uvicorn.Server | None) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop`; a second Ctrl-C stops waiting for open connections.

    The handlers are Python's own (`signal.signal`), not the loop's `add_signal_handler`:
    the loop's `remove_signal_handler` puts the default handlers back before ours could be
    restored, and a signal in that moment (a second Ctrl-C as serving ends) killed the
    process (SIGTERM) or raised KeyboardInterrupt. One `signal.signal` swaps a handler with
    no moment between. Python runs these handlers in the main thread, even while the loop
    waits in `select` (PEP 475), and they hand the signal to the loop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set() and server is not None:
            server.force_exit = True
        stop.set()

    def received(signum: int, frame: object) -> None:
        loop.call_soon_threadsafe(on_signal)

    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, received) for sig in handled}
    if _early.taken():  # asked to stop while the host started: stop now
        stop.set()
    try:
        yield
    finally:
        for sig in handled:
            signal.signal(sig, previous[sig])


@contextlib.contextmanager
def stopping_quietly() -> Iterator[None]:
    """For a command that serves until stopped, around `asyncio.run(serve(…))` and closing
    the store: SIGINT and SIGTERM that arrive outside `serve`'s own handling cannot cut the
    command short with a traceback or an exit status of 130. One that arrives before `serve`
    handles them (the host still starting, after "Ctrl-C stops the server." was printed) is
    kept: `serve` stops as soon as it takes the signals over (before, it was dropped and the
    server served on: a `systemctl stop` or a `timeout` right after start went unheard). One
    that arrives after (a second Ctrl-C while the loop winds down and the store closes)
    changes nothing.

    In the `hearth` process they are ignored after leaving: the command has stopped and
    only printing "stopped" and Python's exit are left, and a signal restored for that
    moment would interrupt them. Elsewhere (a test invoking the command in its own process)
    the handlers of the moment are back on leaving."""
    handled = (signal.SIGINT, signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _early.clear()
    previous = {sig: signal.signal(sig, _early.keep) for sig in handled}
    try:
        yield
    finally:
        for sig in handled:
            ended = process.ends_with_the_command()
            signal.signal(sig, signal.SIG_IGN if ended else previous[sig])
        _early.clear()  # one kept for a `serve` that never ran stops no later one


class _EarlyStop:
    """Whether a stop signal arrived while `stopping_quietly` held the signals and `serve`
    did not handle them yet. A plain attribute: a handler that takes no lock cannot wait
    on the code it interrupted."""

    def __init__(self) -> None:
        self.asked = False

    def keep(self, signum: int, frame: object) -> None:
        self.asked = True

    def clear(self) -> None:
        self.asked = False

    def taken(self) -> bool:
        """Whether one arrived (forgotten once told)."""
        asked, self.asked = self.asked, False
        return asked


_early = _EarlyStop()


def _bind_problem(host_addr: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host_addr} is already in use (another Hearthkeeper?); "
            f"choose another with --port, e.g. --port {port + 1}"
        )
    if exc.errno == errno.EACCES:
        return (
            f"not allowed to listen on port {port} (ports below 1024 need privileges); use --port"
        )
    return f"cannot listen on {host_addr}:{port}: {exc.strerror or exc}; check --host and --port"
