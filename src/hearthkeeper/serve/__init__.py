"""`hearth serve`: the engine, the carriers and the web side in one process."""

from hearthkeeper.serve.host import Host, Invite, Running
from hearthkeeper.serve.runner import ServeError, open_socket, serve

__all__ = ["Host", "Invite", "Running", "ServeError", "open_socket", "serve"]
