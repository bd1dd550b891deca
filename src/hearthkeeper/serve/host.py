"""The server's parts put together: store, playbooks, runtimes, carriers, engine and web."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import plan_community, runtime_for
from hearthkeeper.carriers.matrix import MatrixAccount, MatrixCarrier, RoomMap, SyncPosition
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.groups import WEBCHAT, add_webchat_group
from hearthkeeper.clock import Clock, SystemClock
from hearthkeeper.config import ConfigError, MatrixSettings, Settings
from hearthkeeper.engine.carrier import Carrier
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.playbook import (
    LoadedPlaybook,
    Playbook,
    PlaybookError,
    Problem,
    load_playbook,
    parse_playbook,
)
from hearthkeeper.store import (
    Community,
    Group,
    PlaybookVersion,
    Store,
    create_engine_for,
    require_current,
)
from hearthkeeper.web.app import create_app
from hearthkeeper.web.context import Web, WebSettings

MATRIX = "matrix"
ACTOR = "serve"
_SYSTEM_CLOCK = SystemClock()


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
    """A web chat group and the link that lets people join it."""

    community: Community
    group: Group
    url: str


class Host:
    """One server: the store, the communities' runtimes, the web chat carrier, the engine and
    the web application. It is the console's `PlaybookHost`: a new version goes live here."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        web_settings: WebSettings,
        webchat: WebChatCarrier,
        runtimes: dict[int, Runtime],
        base_dirs: dict[int, Path],
        running: list[Running],
        matrix: MatrixCarrier | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.web_settings = web_settings
        self.webchat = webchat
        self.matrix = matrix
        self.carriers: dict[str, Carrier] = {webchat.name: webchat}
        if matrix is not None:
            self.carriers[matrix.name] = matrix
        self.runtimes = runtimes
        self.running = running
        self._base_dirs = base_dirs
        self.engine = Engine(store, clock, list(runtimes.values()), self.carriers)
        self.web = Web(store, clock, web_settings, webchat, self)
        self.app: FastAPI = create_app(self.web)

    @classmethod
    def build(
        cls, settings: Settings, web_settings: WebSettings, *, clock: Clock = _SYSTEM_CLOCK
    ) -> Host:
        """Open the store and start every configured playbook's community. Raises `ConfigError`,
        `PlaybookError` (FILE:LINE:COL problems) or `StoreError`; nothing starts then."""
        if not settings.playbooks:
            where = settings.config_file or "the configuration"
            raise ConfigError(f'{where}: no playbooks to run; list them: playbooks = ["..."]')
        loaded = _load_all(settings.playbooks)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine_for(settings.database_url)
        try:
            require_current(engine)
            return cls._start_all(Store(engine, clock), clock, settings, web_settings, loaded)
        except BaseException:
            engine.dispose()
            raise

    @classmethod
    def _start_all(
        cls,
        store: Store,
        clock: Clock,
        settings: Settings,
        web_settings: WebSettings,
        loaded: list[LoadedPlaybook],
    ) -> Host:
        runtimes: dict[int, Runtime] = {}
        base_dirs: dict[int, Path] = {}
        running: list[Running] = []
        for path, item in zip(settings.playbooks, loaded, strict=True):
            started, playbook = _start(store, path, item)
            base_dirs[started.community.id] = path.parent
            runtimes[started.community.id] = runtime_for(store, playbook, path.parent)
            ensure_webchat_group(store, started.community.id, playbook)
            running.append(started)
        matrix = None
        if settings.matrix is not None:
            adopt_matrix_rooms(store, settings.matrix, {r.community.slug: r for r in running})
            matrix = matrix_carrier(settings.matrix)
        webchat = WebChatCarrier(store, clock, web_settings.data_dir / "uploads",
                                 max_upload_bytes=web_settings.max_upload_bytes)  # fmt: skip
        host = cls(store=store, clock=clock, web_settings=web_settings, webchat=webchat,
                   runtimes=runtimes, base_dirs=base_dirs, running=running,
                   matrix=matrix)  # fmt: skip
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
        runtime = runtime_for(self.store, loaded.playbook, self.base_dir(community_id))
        self.runtimes[community_id] = runtime
        self.engine.replace_runtime(runtime)
        ensure_webchat_group(self.store, community_id, loaded.playbook)
        plan_community(self.store, community_id, loaded.playbook, self.clock.now())
        return applied.version

    # --- what the terminal shows --------------------------------------------------------------

    def invites(self) -> list[Invite]:
        """Every web chat group of the communities run here, with its invite link."""
        base = self.web_settings.public_url.rstrip("/")
        found: list[Invite] = []
        for community in self.store.list_communities():
            if community.id not in self.runtimes:
                continue
            for group in self.store.list_groups(community.id):
                if group.carrier == self.webchat.name:
                    code = self.webchat.invite_code(group.id)
                    found.append(Invite(community, group, f"{base}/join/{code}"))
        return found

    def console_url(self) -> str:
        """Where the operator signs in."""
        return self.web_settings.public_url.rstrip("/") + "/console"

    def close(self) -> None:
        """Release the database connections."""
        self.store.engine.dispose()


def matrix_carrier(matrix: MatrixSettings) -> MatrixCarrier:
    """The bot of the `[matrix]` table (not yet signed in: the engine connects it)."""
    account = MatrixAccount(homeserver=matrix.homeserver, user_id=matrix.user_id,
                            access_token=matrix.access_token, password=matrix.password)  # fmt: skip
    return MatrixCarrier(account, RoomMap(dict(matrix.rooms)), SyncPosition(matrix.sync_position))


def adopt_matrix_rooms(
    store: Store, matrix: MatrixSettings, running: dict[str, Running]
) -> list[Group]:
    """Every mapped room as a group (carrier `matrix`, the room id as its carrier group id) of
    its community: registered the first time, kept after. Raises `ConfigError` for a room
    mapped to a community this server does not run, or already a group of another one."""
    groups: list[Group] = []
    for room, slug in sorted(matrix.rooms.items()):
        started = running.get(slug)
        if started is None:
            served = ", ".join(sorted(running)) or "none"
            raise ConfigError(
                f"matrix.rooms: {room} is mapped to community {slug!r}, which no playbook of "
                f"this server runs (communities run here: {served})"
            )
        community = started.community
        group = store.group_for_carrier(MATRIX, room)
        if group is None:
            group = store.add_group(community.id, room, MATRIX, room)
        elif group.community_id != community.id:
            owner = next((c.slug for c in store.list_communities()
                          if c.id == group.community_id), "?")  # fmt: skip
            raise ConfigError(
                f"matrix.rooms: {room} is mapped to {slug!r}, but it is already a group of "
                f"community {owner!r}; a group belongs to one community (map it to {owner!r})"
            )
        groups.append(group)
    return groups


def ensure_webchat_group(store: Store, community_id: int, playbook: Playbook) -> Group | None:
    """Give the community its first web chat group unless it has one; the new group or None."""
    if any(g.carrier == WEBCHAT for g in store.list_groups(community_id)):
        return None
    return add_webchat_group(store, community_id, playbook, 1)


def _load_all(paths: tuple[Path, ...]) -> list[LoadedPlaybook]:
    """Every playbook, or one `PlaybookError` listing the problems of them all."""
    loaded: list[LoadedPlaybook] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            loaded.append(load_playbook(path))
        except PlaybookError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PlaybookError(problems)
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


def _start(store: Store, path: Path, loaded: LoadedPlaybook) -> tuple[Running, Playbook]:
    """Apply the file unless it is already a stored version; else run the latest version."""
    community = store.get_community(loaded.playbook.community.slug)
    if community is not None:
        versions = store.playbook_versions(community.id)
        digest = hashlib.sha256(loaded.source_text.encode("utf-8")).hexdigest()
        if any(v.sha256 == digest for v in versions):
            latest = versions[-1]
            if latest.sha256 == digest:
                return Running(community, latest, path, False, True), loaded.playbook
            playbook = _stored(path, community, latest)
            return Running(community, latest, path, False, False), playbook
    applied = apply_playbook(store, loaded, actor=ACTOR)
    return Running(applied.community, applied.version, path, True, True), loaded.playbook


def _stored(path: Path, community: Community, version: PlaybookVersion) -> Playbook:
    try:
        return parse_playbook(version.source_text, str(path)).playbook
    except PlaybookError as exc:
        raise ConfigError(
            f"community {community.slug!r} runs stored playbook version {version.version}, "
            f"which this Hearthkeeper cannot load ({exc.problems[0].path}: "
            f"{exc.problems[0].message}); apply a fixed file with `hearth apply {path}`"
        ) from None


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
