"""The server's parts put together: store, playbooks, runtimes, carriers, engine and web."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import hashlib
import logging
import re
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI

from hearthkeeper.apply import apply_playbook, stored_notes
from hearthkeeper.assembly import plan_community, runtime_for
from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.carriers.plugin import (
    CarrierPlugin,
    CarrierSetup,
    ServedCarrier,
    ServerParts,
    table_name,
)
from hearthkeeper.clock import Clock, SystemClock
from hearthkeeper.config import ConfigError, Settings
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.admission import Admission
from hearthkeeper.engine.carrier import Carrier
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.engine.outage import Outage
from hearthkeeper.playbook import (
    CarrierKinds,
    LoadedPlaybook,
    Playbook,
    PlaybookError,
    Problem,
    carrier_warnings,
    load_playbook,
    parse_playbook,
)
from hearthkeeper.playbook.loader import MAX_READ_BYTES, FileTooLarge, file_digest
from hearthkeeper.roles import Role
from hearthkeeper.store import (
    Community,
    Group,
    PlaybookVersion,
    Store,
    create_engine_for,
    require_current,
)
from hearthkeeper.store.cluster import STARTING, Cluster, ClusterLost
from hearthkeeper.store.errors import unavailable
from hearthkeeper.web.app import create_app
from hearthkeeper.web.context import Web, WebSettings

C = TypeVar("C", bound=Carrier)
ACTOR = "serve"
_SYSTEM_CLOCK = SystemClock()
log = logging.getLogger(__name__)

PRESENCE_EVERY = 1.0  # seconds between two checks of the connection holding this worker's locks
FOLLOW_EVERY = 2.0  # seconds between two looks for a playbook version applied elsewhere


@dataclass(frozen=True)
class Running:
    """Which playbook version a community runs, and where it came from."""

    community: Community
    version: PlaybookVersion
    file: Path
    applied_now: bool  # the file was applied at this start (else a stored version runs)
    is_file: bool  # the version running is the file's text

    def describe(self) -> str:
        """One line for the terminal."""
        name = f"{self.community.name} ({self.community.slug})"
        if self.applied_now:
            return f"{name}: applied {self.file} as version {self.version.version}"
        if self.is_file:
            return f"{name}: version {self.version.version} ({self.file})"
        return (
            f"{name}: version {self.version.version}, applied by {self.version.applied_by} "
            f"after {self.file.name} (which is an earlier version)"
        )


@dataclass(frozen=True)
class Invite:
    """A group this server hosts (a web chat group) and the link that lets people join it."""

    community: Community
    group: Group
    url: str


class Host:
    """One server: the store, the communities' runtimes, the carriers, the engine and the web
    application. It is the console's `PlaybookHost`: a new version goes live here."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        web_settings: WebSettings,
        setups: dict[str, CarrierSetup],
        served: dict[str, ServedCarrier],
        runtimes: dict[int, Runtime],
        base_dirs: dict[int, Path],
        running: list[Running],
        role: Role = Role.ALL,
        cluster: Cluster | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.web_settings = web_settings
        self.served = served
        self.carriers: dict[str, Carrier] = {name: s.carrier for name, s in served.items()}
        self.runtimes = runtimes
        self.running = running
        # Located warnings about carriers the playbooks name that do not run here (printed by
        # `hearth serve`; the playbooks' other warnings are `hearth playbook validate`'s).
        self.warnings: tuple[Problem, ...] = ()
        # For each stored version run here that passes a bound or a check added since it was
        # applied: what to say (`stored_notes`), printed by `hearth serve` and logged.
        self.stored_notes: tuple[str, ...] = ()
        self._setups = setups
        self._base_dirs = base_dirs
        self.role = role
        self.cluster = cluster
        self._versions = {r.community.id: r.version.id for r in running}
        # With other processes on the database, carriers that cannot share their platform
        # connection (Matrix sync, Telegram polling, QQ) run in one engine worker at a time:
        # the others keep them on standby and take over when that worker dies.
        shared = {n: c for n, c in self.carriers.items() if cluster is None or served[n].shared}
        standby = {n: c for n, c in self.carriers.items() if n not in shared}
        self.engine = Engine(store, clock, list(runtimes.values()), shared,
                             standby=standby,
                             take_standby=None if cluster is None else cluster.take_carriers,
                             hold_group=None if cluster is None else cluster.holding)  # fmt: skip
        self.web = Web(store, clock, web_settings, served, self)
        self.app: FastAPI = create_app(self.web)

    def carrier(self, kind: type[C]) -> C:
        """The running carrier of class `kind` (how the demo and tests reach the web chat);
        `LookupError` if none runs."""
        found = next((c for c in self.carriers.values() if isinstance(c, kind)), None)
        if found is None:
            raise LookupError(f"no {kind.__name__} runs on this server")
        return found

    @classmethod
    def build(
        cls,
        settings: Settings,
        web_settings: WebSettings,
        *,
        clock: Clock = _SYSTEM_CLOCK,
        carriers: tuple[CarrierPlugin, ...] = CARRIERS,
        role: Role = Role.ALL,
    ) -> Host:
        """Open the store and start every configured playbook's community on the `carriers`
        that are configured (or run without configuration). Raises `ConfigError`,
        `PlaybookError` (FILE:LINE:COL problems) or `StoreError`; nothing starts then.

        On PostgreSQL the process joins the others on the same database (`Cluster`): engine
        workers share the web chat's groups, web nodes relay their frames, whatever `role`
        each runs. The roles `web` and `engine` need PostgreSQL."""
        if not settings.playbooks:
            where = settings.config_file or "the configuration"
            raise ConfigError(f'{where}: no playbooks to run; list them: playbooks = ["..."]')
        setups = carrier_setups(settings, carriers)
        tables = {p.kind: table_name(p) for p in carriers if table_name(p) != p.kind}
        kinds = CarrierKinds(frozenset(p.kind for p in carriers), frozenset(setups), tables=tables)
        read = _load_all(settings.playbooks)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine_for(settings.database_url)
        cluster: Cluster | None = None
        try:
            shared = engine.dialect.name == "postgresql"
            if role is not Role.ALL and not shared:
                raise ConfigError(
                    f"--role {role.value} runs beside other processes on one PostgreSQL "
                    "database, and this configuration uses SQLite; set HEARTH_DATABASE_URL "
                    "(or database_url) to a PostgreSQL database, or run `hearth serve` "
                    "without --role"
                )
            require_current(engine)
            store = Store(engine, clock)
            if shared:
                cluster = Cluster(engine)
                store.join_cluster(cluster)  # claims name this worker (outbox.claimed_by)
            with _one_at_a_time(cluster):
                loaded = _one_per_community(settings.playbooks, _too_large_read(store, read))
                _refuse_new_passed(store, loaded)
                host = cls._start_all(store, clock, settings, web_settings, loaded, setups,
                                      role=role, cluster=cluster)  # fmt: skip
        except BaseException:
            if cluster is not None:
                cluster.close()
            engine.dispose()
            raise
        host.warnings = tuple(w for item in loaded for w in carrier_warnings(item, kinds))
        return host

    @classmethod
    def _start_all(
        cls,
        store: Store,
        clock: Clock,
        settings: Settings,
        web_settings: WebSettings,
        loaded: list[LoadedPlaybook],
        setups: dict[str, CarrierSetup],
        *,
        role: Role = Role.ALL,
        cluster: Cluster | None = None,
    ) -> Host:
        runtimes: dict[int, Runtime] = {}
        base_dirs: dict[int, Path] = {}
        running: list[Running] = []
        notes: list[str] = []
        for path, item in zip(settings.playbooks, loaded, strict=True):
            started, playbook, over = _start(store, path, item, settings.config_file)
            notes.extend(over)
            base_dirs[started.community.id] = path.parent
            runtimes[started.community.id] = runtime_for(store, playbook, path.parent)
            for setup in setups.values():
                setup.adopt(store, started.community.id, playbook)
            running.append(started)
        parts = ServerParts(store, clock, web_settings, {r.community.slug: r.community
                                                         for r in running},
                            Admission(store, clock, runtimes.get), cluster)  # fmt: skip
        served = {}
        for setup in setups.values():
            one = setup.serve(parts)
            served[one.carrier.name] = one
            if role is not Role.ALL and one.needs_one_process is not None:
                where = settings.config_file or "the configuration"
                raise ConfigError(f"{where}: --role {role.value}: {one.needs_one_process}")
        host = cls(store=store, clock=clock, web_settings=web_settings, setups=setups,
                   served=served, runtimes=runtimes, base_dirs=base_dirs, running=running,
                   role=role, cluster=cluster)  # fmt: skip
        host.stored_notes = tuple(notes)  # said by `hearth serve`
        for runtime in runtimes.values():
            plan_community(store, runtime.community_id, runtime.playbook, clock.now())
        return host

    # --- PlaybookHost -------------------------------------------------------------------------

    def base_dir(self, community_id: int) -> Path:
        """Where the community's playbook file and content libraries are."""
        try:
            return self._base_dirs[community_id]
        except KeyError:
            raise ValueError(f"community {community_id} is not run by this server") from None

    def replace(self, community_id: int, loaded: LoadedPlaybook, by: str) -> PlaybookVersion:
        """Apply `loaded` as the community's next version and run it from now on. A playbook
        for another community (a different `community.slug`) is refused with `PlaybookError`."""
        current = self.runtimes.get(community_id)
        if current is None:
            raise ValueError(f"community {community_id} is not run by this server")
        wanted = loaded.playbook.community.slug
        if wanted != current.slug:
            raise PlaybookError([_slug_problem(loaded, current.slug)])
        applied = apply_playbook(self.store, loaded, actor=by)
        self._run(community_id, loaded.playbook, applied.version)
        plan_community(self.store, community_id, loaded.playbook, self.clock.now())
        return applied.version

    def _run(self, community_id: int, playbook: Playbook, version: PlaybookVersion) -> None:
        runtime = runtime_for(self.store, playbook, self.base_dir(community_id))
        self.runtimes[community_id] = runtime
        self._versions[community_id] = version.id
        self.engine.replace_runtime(runtime)
        for setup in self._setups.values():
            setup.adopt(self.store, community_id, playbook)

    def follow_playbooks(self) -> int:
        """Run the versions other nodes applied since this one last looked (a playbook
        uploaded through another web node's console, `hearth apply` beside this server), and
        plan them; how many communities changed."""
        changed = 0
        for community_id in list(self.runtimes):
            latest = self.store.latest_playbook_version(community_id)
            if latest is None or latest.id == self._versions.get(community_id):
                continue
            running = next(r for r in self.running if r.community.id == community_id)
            try:
                playbook, over = _stored(running.file, running.community, latest)
            except ConfigError as exc:  # a version this node cannot load: keep the running one
                log.error("%s", exc)
                self._versions[community_id] = latest.id
                continue
            for note in over:
                log.warning("%s", note)
            self._run(community_id, playbook, latest)
            # planned as a version applied here is (`replace`): a capacity reaches the groups
            # open already, a new calendar post is scheduled, the subscriptions replanned
            plan_community(self.store, community_id, playbook, self.clock.now())
            changed += 1
        return changed

    # --- what runs beside the web and the engine ----------------------------------------------

    def background(self) -> list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]]:
        """Work to run until stopped, in every role: the carriers' (the web chat's relay),
        following the playbook versions applied elsewhere (`hearth apply` beside a running
        server, another node's console) and, beside other processes, keeping this one's
        presence."""
        work = [task for served in self.served.values() for task in served.background]
        work.append(self._follow)
        if self.cluster is not None:
            work.append(self._keep_presence)
        return work

    async def _keep_presence(self, stop: asyncio.Event) -> None:
        """Notice at once when the connection holding this worker's locks is cut (a
        restart, a failover), and join the others again once the database answers: until
        then this worker claims nothing and its feed hands out nothing of its old groups."""
        cluster = self.cluster
        assert cluster is not None
        await _every(stop, lambda: PRESENCE_EVERY, cluster.check, "worker presence",
                     "could not check this worker's presence")  # fmt: skip

    async def _follow(self, stop: asyncio.Event) -> None:
        await _every(stop, lambda: FOLLOW_EVERY, self.follow_playbooks,
                     "following playbook versions", "could not look for new playbook versions")  # fmt: skip

    # --- what the terminal shows --------------------------------------------------------------

    def invites(self) -> list[Invite]:
        """Every group of the communities run here that this server hosts (the web chat's),
        with its invite link."""
        found: list[Invite] = []
        for community in self.store.list_communities():
            if community.id not in self.runtimes:
                continue
            for group in self.store.list_groups(community.id):
                url = self.web.invite_url(group)
                if url is not None:
                    found.append(Invite(community, group, url))
        return found

    def alerts_unsaid(self) -> list[str]:
        """For each community run here whose staff alerts reach nobody outside the console's
        Inbox (a web chat only community without a staff channel): a line saying so, and
        where to read them."""
        from hearthkeeper.capabilities.alerts.decide import only_inbox

        direct = {n for n, c in self.carriers.items() if ActionKind.DIRECT in c.capabilities.can}
        lines = []
        for item in self.running:
            runtime = self.runtimes.get(item.community.id)
            if runtime is None:
                continue
            why = only_inbox(runtime.playbook, self.store.list_groups(item.community.id), direct,
                             self.carriers)  # fmt: skip
            if why is not None:
                community = item.community
                lines.append(f"Staff alerts of {community.name} ({community.slug}) reach only "
                             f"the console's Inbox, {self.console_url()}/c/{community.slug}/inbox: "
                             f"{why}")  # fmt: skip
        return lines

    def status(self) -> list[str]:
        """What each carrier says about itself once started (a bot's account, say)."""
        return [line for served in self.served.values() for line in served.status]

    def console_url(self) -> str:
        """Where the operator signs in."""
        return self.web_settings.public_url.rstrip("/") + "/console"

    def close(self) -> None:
        """Release the database connections (and this process's place among the workers)."""
        if self.cluster is not None:
            self.cluster.close()
        self.store.engine.dispose()


@contextlib.contextmanager
def _one_at_a_time(cluster: Cluster | None) -> Iterator[None]:
    """Processes starting together apply and plan the playbooks one after another."""
    if cluster is None:
        yield
        return
    with cluster.exclusive(STARTING):
        yield


def carrier_setups(
    settings: Settings, carriers: tuple[CarrierPlugin, ...]
) -> dict[str, CarrierSetup]:
    """The carriers this server runs, in installed order: each configured in hearth.toml, or
    running on its defaults (the web chat)."""
    setups: dict[str, CarrierSetup] = {}
    for plugin in carriers:
        setup = settings.carriers.get(plugin.kind) or plugin.default()
        if setup is not None:
            setups[plugin.kind] = setup
    return setups


@dataclass(frozen=True)
class _TooLarge:
    """A playbook file too large to read (`FileTooLarge`): run only if it is a stored version."""

    path: Path
    refused: FileTooLarge


def _load_all(paths: tuple[Path, ...]) -> list[LoadedPlaybook | _TooLarge]:
    """Every playbook, or one `PlaybookError` listing the problems of them all. Each is read
    as stored, what it passes that a new version may not kept aside (`LoadedPlaybook.passed`: a
    bound, a check added since): a file that is a version stored already runs as it was
    accepted, another is refused (`_refuse_new_passed`). A file too large to read is told apart once the store is open
    (`_too_large_read`)."""
    loaded: list[LoadedPlaybook | _TooLarge] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            loaded.append(load_playbook(path, as_stored=True))
        except FileTooLarge as exc:
            if exc.regular:
                loaded.append(_TooLarge(path, exc))
            else:
                problems.extend(exc.problems)
        except PlaybookError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PlaybookError(problems)
    return loaded


def _too_large_read(store: Store, read: list[LoadedPlaybook | _TooLarge]) -> list[LoadedPlaybook]:
    """The playbooks `_load_all` read, each file too large to read replaced by the stored
    version it is (the same text, by its SHA-256: a release before the playbook's size bound
    stored it), read as stored, its size said as a warning; a `PlaybookError` naming its size
    for one that is no stored version. The file is read no further than the longest version
    stored could be."""
    if all(isinstance(item, LoadedPlaybook) for item in read):
        return [item for item in read if isinstance(item, LoadedPlaybook)]
    longest = 4 * store.longest_playbook_text() + len(codecs.BOM_UTF8)  # UTF-8: 4 bytes at most
    loaded: list[LoadedPlaybook] = []
    problems: list[Problem] = []
    for item in read:
        if isinstance(item, LoadedPlaybook):
            loaded.append(item)
            continue
        digest = file_digest(item.path, longest) if longest > MAX_READ_BYTES else None
        version = None if digest is None else store.playbook_version_by_digest(digest)
        if version is None:
            problems.extend(item.refused.problems)
            continue
        try:
            loaded.append(parse_playbook(version.source_text, str(item.path), as_stored=True))
        except PlaybookError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PlaybookError(problems)
    return loaded


def _one_per_community(
    paths: tuple[Path, ...], loaded: list[LoadedPlaybook]
) -> list[LoadedPlaybook]:
    """`loaded`, unless two of the files are for one community (`ConfigError`)."""
    seen: dict[str, Path] = {}
    for path, item in zip(paths, loaded, strict=True):
        slug = item.playbook.community.slug
        if slug in seen:
            raise ConfigError(
                f"{path} and {seen[slug]} are both for community {slug!r}; "
                "run one playbook per community"
            )
        seen[slug] = path
    return loaded


def _is_stored(store: Store, loaded: LoadedPlaybook) -> bool:
    """Whether `loaded`'s text is a version its community stored already."""
    community = store.get_community(loaded.playbook.community.slug)
    if community is None:
        return False
    digest = hashlib.sha256(loaded.source_text.encode("utf-8")).hexdigest()
    return any(v.sha256 == digest for v in store.playbook_versions(community.id))


def _refuse_new_passed(store: Store, loaded: list[LoadedPlaybook]) -> None:
    """A `PlaybookError` for the files over a bound, or holding what a check added since
    refuses, that `hearth serve` would apply as a new version (each problem located, as
    `hearth apply` says it); nothing is applied then."""
    problems = [p for item in loaded if item.passed and not _is_stored(store, item)
                for p in item.passed]  # fmt: skip
    if problems:
        raise PlaybookError(problems)


def _start(
    store: Store, path: Path, loaded: LoadedPlaybook, config: Path | None = None
) -> tuple[Running, Playbook, list[str]]:
    """Apply the file unless it is already a stored version; else run the latest version.
    With what to say of what the version run passes that a new one may not (`stored_notes`; `config`:
    the configuration file, for the command it names)."""
    community = store.get_community(loaded.playbook.community.slug)
    if community is not None:
        versions = store.playbook_versions(community.id)
        digest = hashlib.sha256(loaded.source_text.encode("utf-8")).hexdigest()
        if any(v.sha256 == digest for v in versions):
            latest = versions[-1]
            if latest.sha256 == digest:
                command = f"hearth apply {path}" + (f" --config {config}" if config else "")
                notes = stored_notes(community.slug, latest.version, loaded,
                                         str(path), command)  # fmt: skip
                return Running(community, latest, path, False, True), loaded.playbook, notes
            playbook, notes = _stored(path, community, latest)
            return Running(community, latest, path, False, False), playbook, notes
    applied = apply_playbook(store, loaded, actor=ACTOR)
    return Running(applied.community, applied.version, path, True, True), loaded.playbook, []


def _stored(
    path: Path, community: Community, version: PlaybookVersion
) -> tuple[Playbook, list[str]]:
    """The stored `version` (applied after the file at `path`), as it was accepted, and what
    to say of the bounds it passes over; `ConfigError` when this release cannot read it."""
    try:
        loaded = parse_playbook(version.source_text, str(path), as_stored=True)
    except PlaybookError as exc:
        raise ConfigError(
            f"community {community.slug!r} runs stored playbook version {version.version}, "
            f"which this Hearthkeeper cannot load ({exc.problems[0].path}: "
            f"{exc.problems[0].message}); apply a fixed file with `hearth apply {path}`"
        ) from None
    notes = stored_notes(community.slug, version.version, loaded)
    return loaded.playbook, notes


def _slug_problem(loaded: LoadedPlaybook, slug: str) -> Problem:
    line, column = 1, 1
    for number, text in enumerate(loaded.source_text.splitlines(), start=1):
        found = re.match(r"^(\s+)slug\s*:", text)
        if found:
            line, column = number, len(found.group(1)) + 1
            break
    message = (
        f"this playbook is for community {loaded.playbook.community.slug!r}, but it was "
        f"uploaded for {slug!r}; a community's slug cannot change"
    )
    return Problem(loaded.file, line, column, "community.slug", message)


async def _every(stop: asyncio.Event, seconds: Callable[[], float], work: Callable[[], object],
                 what: str, failing: str) -> None:  # fmt: skip
    """`work()`, in a thread, every `seconds()` (read at each wait) until `stop`: the
    database away is logged once per outage (`Outage(what)`), a lost cluster connection is
    left to the next look (the cluster logs it), anything else logged as `failing`."""
    outage = Outage(what)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds()):
                await stop.wait()
        if stop.is_set():
            return
        try:
            await asyncio.to_thread(work)
        except ClusterLost:
            continue  # the next look reconnects
        except Exception as error:
            if unavailable(error):
                outage.failed(error)
            else:
                log.exception("%s", failing)
            continue
        outage.recovered()
