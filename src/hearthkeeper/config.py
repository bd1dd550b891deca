"""Settings: a `hearth.toml` file, overridden by environment variables, passed in explicitly."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CONFIG_NAME = "hearth.toml"
ENV_DATABASE_URL = "HEARTH_DATABASE_URL"
ENV_CONFIG = "HEARTH_CONFIG"
ENV_DATA_DIR = "HEARTH_DATA_DIR"
ENV_MATRIX_TOKEN = "HEARTH_MATRIX_TOKEN"
ENV_MATRIX_PASSWORD = "HEARTH_MATRIX_PASSWORD"
DEFAULT_SYNC_POSITION = "matrix-sync.json"


class ConfigError(Exception):
    """A configuration file that cannot be used; the message says where and why."""


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


class _ServerTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(DEFAULT_HOST, description="Address the web server listens on.")
    port: int = Field(DEFAULT_PORT, ge=0, le=65535, description="Port; 0 picks a free one.")
    public_url: str | None = Field(
        None, description="Where browsers reach the server; default http://<host>:<port>."
    )
    secure_cookies: bool = Field(False, description="Mark cookies Secure (behind HTTPS).")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies (addresses or networks) whose X-Forwarded-For is believed; "
        "default none: the connecting address is the client's.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8)"
                ) from None
        return value


@dataclass(frozen=True)
class WebChatLimits:
    """The `[webchat]` table: abuse limits of the built-in web chat, kept per member or per
    client (never per socket, which a client opens as many of as it likes)."""

    messages_per_10s: int = 8
    joins_per_minute: int = 20  # per client address: a venue's Wi-Fi is one address
    uploads_per_hour: int = 30
    upload_mib_per_hour: int = 100
    unused_upload_hours: int = 1


_LIMITS = WebChatLimits()  # the defaults of the [webchat] table


class _WebChatTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages_per_10s: int = Field(
        _LIMITS.messages_per_10s,
        ge=1,
        description="Messages per member every 10 s, across all their sockets.",
    )
    joins_per_minute: int = Field(
        _LIMITS.joins_per_minute,
        ge=1,
        description="New seats taken through invite links per client address.",
    )
    uploads_per_hour: int = Field(
        _LIMITS.uploads_per_hour, ge=1, description="Pictures one member may upload."
    )
    upload_mib_per_hour: int = Field(
        _LIMITS.upload_mib_per_hour, ge=1, description="MiB of pictures per member."
    )
    unused_upload_hours: int = Field(
        _LIMITS.unused_upload_hours,
        ge=1,
        description="Uploaded pictures no message uses are deleted after this.",
    )


class _MatrixTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    homeserver: str = Field(description="The homeserver's client URL, https://matrix.example.org.")
    user_id: str = Field(description="The bot's account, @hearth:example.org.")
    access_token: str | None = Field(None, description="The bot's token (or HEARTH_MATRIX_TOKEN).")
    password: str | None = Field(
        None, description="Or the bot's password (or HEARTH_MATRIX_PASSWORD)."
    )
    rooms: dict[str, str] = Field(
        default_factory=dict, description="Room id → the slug of the community it is a group of."
    )
    sync_position: str = Field(
        DEFAULT_SYNC_POSITION, description="Where the sync position is kept, under data_dir."
    )


class _ConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_dir: str = Field("data", description="Where the SQLite database and uploads live.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite in data_dir."
    )
    playbooks: list[str] = Field(
        default_factory=list, description="Playbook files this server runs."
    )
    server: _ServerTable = Field(default_factory=_ServerTable)
    webchat: _WebChatTable = Field(default_factory=_WebChatTable)
    matrix: _MatrixTable | None = None


@dataclass(frozen=True)
class MatrixSettings:
    """The `[matrix]` table: the bot's account and which rooms are groups of which community."""

    homeserver: str
    user_id: str
    access_token: str | None
    password: str | None
    rooms: Mapping[str, str]  # room id → community slug
    sync_position: Path  # a file under the data directory

    def credential(self) -> str:
        """How the bot signs in, for messages (never the secret itself)."""
        return "an access token" if self.access_token else "a password"


@dataclass(frozen=True)
class ServerSettings:
    """The `[server]` table: where `hearth serve` listens and how browsers reach it."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None  # as configured; None: derived from host and port
    secure_cookies: bool = False
    trusted_proxies: tuple[str, ...] = ()  # X-Forwarded-For is believed only from these

    def url(self, host: str | None = None, port: int | None = None) -> str:
        """The public URL: the configured one, else http://HOST:PORT (overrides as given)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        shown = host or self.host
        if shown in ("0.0.0.0", "::", ""):
            shown = "127.0.0.1"  # listening everywhere; the local address works for the operator
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{self.port if port is None else port}"


@dataclass(frozen=True)
class Settings:
    """Resolved settings: absolute paths, a database URL."""

    data_dir: Path
    database_url: str
    playbooks: tuple[Path, ...]
    config_file: Path | None
    server: ServerSettings = ServerSettings()
    matrix: MatrixSettings | None = None  # None: no [matrix] table, the bot is not run
    webchat: WebChatLimits = WebChatLimits()


def sqlite_url_for(data_dir: Path) -> str:
    """The default database: `hearth.db` in the data directory."""
    return f"sqlite:///{(data_dir / 'hearth.db').as_posix()}"


def config_text(playbook: str, data_dir: str = "data") -> str:
    """A commented `hearth.toml` for `hearth init`."""
    return (
        "# Hearthkeeper configuration (docs/cli.md). Relative paths are relative to this file.\n"
        f'data_dir = "{data_dir}"\n'
        "# The database: SQLite in data_dir by default; for PostgreSQL set\n"
        '# database_url = "postgresql://user:password@host/dbname"  (or HEARTH_DATABASE_URL)\n'
        f'playbooks = ["{playbook}"]\n'
        "\n"
        "# The web server of `hearth serve`: the operator console, the REST API, the web chat.\n"
        "[server]\n"
        f'host = "{DEFAULT_HOST}"\n'
        f"port = {DEFAULT_PORT}\n"
        "# Where browsers reach this server (invite links are built from it), e.g. behind a\n"
        "# reverse proxy with HTTPS; then also set secure_cookies = true.\n"
        f'# public_url = "http://{DEFAULT_HOST}:{DEFAULT_PORT}"\n'
        "secure_cookies = false\n"
        "# Behind a reverse proxy, its address, so the client's own address is read from\n"
        "# X-Forwarded-For (sign-in lock-out, web chat limits); never set it without a proxy.\n"
        '# trusted_proxies = ["127.0.0.1"]\n'
        "\n"
        "# The web chat's abuse limits, per member or client address (docs/cli.md).\n"
        "# [webchat]\n"
        "# messages_per_10s = 8\n"
        "# joins_per_minute = 20\n"
        "# uploads_per_hour = 30\n"
        "# upload_mib_per_hour = 100\n"
        "# unused_upload_hours = 1\n"
        "\n"
        "# A Matrix bot (docs/carriers/matrix.md): uncomment, then map rooms to communities.\n"
        "# [matrix]\n"
        '# homeserver = "https://matrix.example.org"\n'
        '# user_id = "@hearth:example.org"\n'
        f"# access_token in the environment: {ENV_MATRIX_TOKEN}\n"
        "# [matrix.rooms]\n"
        '# "!AbCdEf:example.org" = "your-community-slug"\n'
    )


def load_settings(config: Path | None, env: Mapping[str, str], cwd: Path) -> Settings:
    """Read settings from `config` (or $HEARTH_CONFIG, or ./hearth.toml if present) and env."""
    path = config or (Path(env[ENV_CONFIG]) if env.get(ENV_CONFIG) else None)
    if path is None and (cwd / CONFIG_NAME).is_file():
        path = cwd / CONFIG_NAME
    if path is not None:
        path = (cwd / path).resolve()
        parsed = _read(path)
        base = path.parent
    else:
        parsed, base = _ConfigFile(), cwd
    data_dir = (base / (env.get(ENV_DATA_DIR) or parsed.data_dir)).resolve()
    url = env.get(ENV_DATABASE_URL) or parsed.database_url or sqlite_url_for(data_dir)
    playbooks = tuple((base / p).resolve() for p in parsed.playbooks)
    table = parsed.server
    server = ServerSettings(host=table.host, port=table.port, public_url=table.public_url,
                            secure_cookies=table.secure_cookies,
                            trusted_proxies=tuple(table.trusted_proxies))  # fmt: skip
    where = str(path) if path is not None else "the configuration"
    matrix = _matrix(parsed.matrix, env, data_dir, where)
    return Settings(data_dir=data_dir, database_url=url, playbooks=playbooks, config_file=path,
                    server=server, matrix=matrix,
                    webchat=WebChatLimits(**parsed.webchat.model_dump()))  # fmt: skip


def _matrix(
    table: _MatrixTable | None, env: Mapping[str, str], data_dir: Path, where: str
) -> MatrixSettings | None:
    """The `[matrix]` table checked; secrets from the environment win over the file's."""
    if table is None:
        return None
    homeserver = table.homeserver.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", homeserver):
        raise ConfigError(
            f"{where}: matrix.homeserver: {table.homeserver!r} is not a URL; "
            'write it as homeserver = "https://matrix.example.org"'
        )
    if not re.fullmatch(r"@[^:\s]+:\S+", table.user_id):
        raise ConfigError(
            f"{where}: matrix.user_id: {table.user_id!r} is not a Matrix user id; "
            'write it as user_id = "@hearth:example.org"'
        )
    token = env.get(ENV_MATRIX_TOKEN) or table.access_token or None
    password = env.get(ENV_MATRIX_PASSWORD) or table.password or None
    if token is None and password is None:
        raise ConfigError(
            f"{where}: matrix: {table.user_id} needs an access token or a password; set "
            f"{ENV_MATRIX_TOKEN} (or {ENV_MATRIX_PASSWORD}) in the environment, or "
            "access_token in [matrix]"
        )
    for room, slug in table.rooms.items():
        # Room version 12 ids have no server part: !<43 characters>; older ones !id:server.
        if not re.fullmatch(r"![^:\s]+(:\S+)?", room):
            raise ConfigError(
                f"{where}: matrix.rooms: {room!r} is not a room id (they look like "
                "!AbCdEf:example.org, or !AbCdEf… without a server in rooms of version 12; "
                "`hearth matrix rooms` lists the bot's rooms with their ids)"
            )
        if not slug.strip():
            raise ConfigError(f"{where}: matrix.rooms.{room}: name the community's slug")
    return MatrixSettings(
        homeserver=homeserver,
        user_id=table.user_id,
        access_token=token,
        password=password,
        rooms={room: slug.strip() for room, slug in table.rooms.items()},
        sync_position=(data_dir / table.sync_position).resolve(),
    )


def _read(path: Path) -> _ConfigFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax: {exc}") from None
    try:
        return _ConfigFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: "
            + ("unknown setting" if e["type"] == "extra_forbidden" else e["msg"])
            for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
