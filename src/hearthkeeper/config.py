"""Settings: a `hearth.toml` file, overridden by environment variables, passed in explicitly."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import ip_network
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hearthkeeper.capabilities.billing.settings import BillingSecrets, BillingTable
from hearthkeeper.carriers.plugin import CarrierPlugin, CarrierSetup, CarrierTable, table_name
from hearthkeeper.playbook.suggest import did_you_mean

CONFIG_NAME = "hearth.toml"
ENV_DATABASE_URL = "HEARTH_DATABASE_URL"
ENV_CONFIG = "HEARTH_CONFIG"
ENV_DATA_DIR = "HEARTH_DATA_DIR"
CARRIERS_TABLE = "carriers"  # [carriers.<kind>]: one table per carrier

Table = TypeVar("Table", bound=BaseModel)


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
    trial_limit_exempt: list[str] = Field(
        default_factory=list,
        description="Client addresses or networks the join pages' one free trial per network "
        "in 30 days does not count (a machine an operator tries the community out on); "
        "default none.",
    )

    @field_validator("trusted_proxies", "trial_limit_exempt")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for n, entry in enumerate(value, 1):
            try:
                ip_network(entry.strip(), strict=False)
            except ValueError:
                shown = repr(entry) if len(entry) <= 64 else f"{entry[:64]!r}…"
                where = f"entry {n} of {len(value):,}, " if len(value) > 1 else ""
                raise ValueError(
                    f"{where}{shown} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8)"
                ) from None
        return value


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
    billing: BillingTable = Field(default_factory=BillingTable)


@dataclass(frozen=True)
class ServerSettings:
    """The `[server]` table: where `hearth serve` listens and how browsers reach it."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None  # as configured; None: derived from host and port
    secure_cookies: bool = False
    trusted_proxies: tuple[str, ...] = ()  # X-Forwarded-For is believed only from these
    trial_limit_exempt: tuple[str, ...] = ()  # networks whose every newcomer may have a trial

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
    # The carriers hearth.toml has a table for, by kind (a kind without one runs on its
    # defaults if it has them: the host asks each installed plugin).
    carriers: Mapping[str, CarrierSetup] = field(default_factory=dict)
    billing: BillingSecrets = field(default_factory=BillingSecrets)  # webhook secrets, from env


DATABASE_NAME = "hearth.db"  # the default database's file in the data directory


def sqlite_url_for(data_dir: Path) -> str:
    """The default database: `hearth.db` in the data directory."""
    return f"sqlite:///{(data_dir / DATABASE_NAME).as_posix()}"


def config_text(
    playbook: str, data_dir: str = "data", carriers: Sequence[CarrierPlugin] = ()
) -> str:
    """A commented `hearth.toml` for `hearth init`, with each carrier's commented table."""
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
        "# A paid community's join page gives one free trial per client network in 30 days:\n"
        "# browsers trying it out on this machine all share 127.0.0.1. To let each have one\n"
        "# while testing locally (never behind a reverse proxy not in trusted_proxies, where\n"
        "# every visitor looks like 127.0.0.1):\n"
        '# trial_limit_exempt = ["127.0.0.1", "::1"]\n'
        "\n" + "\n".join(plugin.sample() for plugin in carriers)
    )


def load_settings(
    config: Path | None,
    env: Mapping[str, str],
    cwd: Path,
    carriers: Sequence[CarrierPlugin] = (),
) -> Settings:
    """Read settings from `config` (or $HEARTH_CONFIG, or ./hearth.toml if present) and env;
    each `[carriers.<kind>]` table is checked by the installed plugin of that kind."""
    path = config or (Path(env[ENV_CONFIG]) if env.get(ENV_CONFIG) else None)
    if path is None and (cwd / CONFIG_NAME).is_file():
        path = cwd / CONFIG_NAME
    tables: dict[str, tuple[str, Mapping[str, Any]]] = {}
    if path is not None:
        path = (cwd / path).resolve()
        raw = _read(path)
        tables = _carrier_tables(raw, carriers, str(path))
        parsed = _validate(path, raw)
        base = path.parent
    else:
        parsed, base = _ConfigFile(), cwd
    data_dir = (base / (env.get(ENV_DATA_DIR) or parsed.data_dir)).resolve()
    url = env.get(ENV_DATABASE_URL) or parsed.database_url or sqlite_url_for(data_dir)
    playbooks = tuple((base / p).resolve() for p in parsed.playbooks)
    table = parsed.server
    server = ServerSettings(host=table.host, port=table.port, public_url=table.public_url,
                            secure_cookies=table.secure_cookies,
                            trusted_proxies=tuple(table.trusted_proxies),
                            trial_limit_exempt=tuple(table.trial_limit_exempt))  # fmt: skip
    where = str(path) if path is not None else "the configuration"
    setups: dict[str, CarrierSetup] = {}
    for plugin in carriers:
        if plugin.kind in tables:
            written, values = tables[plugin.kind]
            read = CarrierTable(values, written, where, env, data_dir)
            setups[plugin.kind] = plugin.configure(read)
    return Settings(data_dir=data_dir, database_url=url, playbooks=playbooks, config_file=path,
                    server=server, carriers=setups,
                    billing=BillingSecrets.read(parsed.billing, env))  # fmt: skip


def read_table(model: type[Table], table: CarrierTable) -> Table:
    """A carrier's table validated by its pydantic `model`; every wrong setting in one
    `ConfigError`, each named by its path (`carriers.<kind>.<setting>: ...`)."""
    try:
        return model.model_validate(dict(table.values))
    except ValidationError as exc:
        raise ConfigError(f"{table.file}: {_problems(exc, table.path)}") from None


def _carrier_tables(
    raw: dict[str, Any], carriers: Sequence[CarrierPlugin], where: str
) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Take the carriers' tables out of `raw`: kind → (the path written, the table). Both
    `[carriers.<name>]` and the older top-level `[<name>]` are read, never both at once; the
    name is the plug-in's `table_name` (its kind, or the one it reads instead)."""
    kind_of = {table_name(plugin): plugin.kind for plugin in carriers}
    kinds = list(kind_of)
    found: dict[str, tuple[str, Mapping[str, Any]]] = {}
    nested = raw.pop(CARRIERS_TABLE, {})
    if not isinstance(nested, dict):
        raise ConfigError(f"{where}: {CARRIERS_TABLE}: write each carrier as a table, "
                          f"[{CARRIERS_TABLE}.<kind>]")  # fmt: skip
    for kind, values in nested.items():
        named = next((name for name, of in kind_of.items() if of == kind and name != kind), None)
        if named is not None:  # [carriers.qq] for the QQ carrier, whose table is onebot
            raise ConfigError(f"{where}: {CARRIERS_TABLE}.{kind}: the {kind!r} carrier reads "
                              f"its settings from [{CARRIERS_TABLE}.{named}]")  # fmt: skip
        if kind not in kinds:
            installed = ", ".join(kinds) or "none"
            raise ConfigError(
                f"{where}: {CARRIERS_TABLE}.{kind}: no carrier of this kind is installed "
                f"(installed: {installed}){did_you_mean(kind, kinds)}"
            )
        found[kind] = (f"{CARRIERS_TABLE}.{kind}", values)
    for kind in kinds:
        if kind not in raw:
            continue
        older = raw.pop(kind)
        if kind in found:
            raise ConfigError(
                f"{where}: both [{CARRIERS_TABLE}.{kind}] and [{kind}] are set; keep one, "
                f"[{CARRIERS_TABLE}.{kind}] (the older [{kind}] spelling is read only alone)"
            )
        found[kind] = (kind, older)
    for written, values in found.values():
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: {written}: write it as a table, [{written}]")
    return {kind_of[name]: table for name, table in found.items()}


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax: {exc}") from None


def _validate(path: Path, raw: dict[str, Any]) -> _ConfigFile:
    try:
        return _ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_problems(exc)}") from None


def _problems(exc: ValidationError, prefix: str = "") -> str:
    """`path.to.setting: what is wrong; ...` for every error pydantic found."""
    return "; ".join(
        (".".join([p for p in (prefix,) if p] + [str(p) for p in e["loc"]]) or "(file)")
        + ": "
        + (
            "unknown setting"
            if e["type"] == "extra_forbidden"
            else e["msg"].removeprefix("Value error, ")
        )
        for e in exc.errors()
    )
