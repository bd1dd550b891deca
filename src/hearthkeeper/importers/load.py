"""Writing what a source reads into the store, in chunks of one transaction each.

Groups are registered on the source's carrier (`import:telegram`, `import:whatsapp`,
`import:csv`) under a key scoped by the community's slug; members come through the store's
bulk `member_ids`; messages through `add_imported_rows` (skipping ids already there);
joins and leaves become events and stays, applied only the first time their event is seen.
A crash loses at most the chunk in flight, and running the import again completes it. On
PostgreSQL the next chunk is read while the database stores the current one. At the end,
replies not linked yet (answers to later messages) are linked and the rollups of the groups
touched are rebuilt.
"""

from __future__ import annotations

import hashlib
import itertools
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hearthkeeper.importers.base import (
    BadRow,
    GroupRef,
    ImportedMessage,
    ImportedStay,
    ImportFileError,
    Item,
    SenderRef,
    Source,
)
from hearthkeeper.store import Community, EventType, NewEvent, Store

CHUNK = 5_000
_KEY = 255  # what the store keeps of a carrier's id
_NAME = 200  # and of a name

Progress = Callable[[int, int], None]
"""Told (done, total) in the source's progress units after every chunk."""


@dataclass
class ImportSummary:
    """What an import did: counts, the groups it touched, and what it skipped and why."""

    format: str
    path: str
    community: Community | None = None
    messages_seen: int = 0
    messages_added: int = 0
    stays_seen: int = 0
    stays_added: int = 0
    groups: dict[int, str] = field(default_factory=dict)
    members: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    zoneless_times: int = 0  # times written without a zone, read in `--tz`

    @property
    def messages_already(self) -> int:
        """Messages that were stored before (or repeated within the file)."""
        return self.messages_seen - self.messages_added

    @property
    def read_anything(self) -> bool:
        """Whether the file held anything importable (already stored or not)."""
        return self.messages_seen > 0 or self.stays_seen > 0


def import_source(
    store: Store,
    source: Source,
    *,
    community: str,
    name: str | None = None,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
    stage: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import everything `source` reads into the community with slug `community` (created,
    named `name`, with the first chunk: a file with nothing to import creates nothing).
    `progress` hears how far the reading is; `stage` what is done after it."""
    loader = _Loader(store, source, community, name or community)
    summary = ImportSummary(source.format, str(source.path), community=loader.community)
    # PostgreSQL works in a process of its own: while it stores a chunk, the next one is
    # read and parsed in a thread. SQLite works in this process and gives the interpreter
    # back on every row, so a reader thread would only make the two wait on each other.
    ahead = store.engine.dialect.name == "postgresql"
    with _chunks(source, chunk_size, read_ahead=ahead) as chunks:
        for chunk, done in chunks:
            loader.write(chunk, summary)
            if progress is not None:
                progress(done, source.total)
    if progress is not None:
        progress(source.total, source.total)
    groups = sorted(loader.groups.values())
    if groups:
        if stage is not None:
            stage("linking replies, rebuilding the analytics rollups")
        store.link_imported_replies(groups)
        store.rebuild_rollups(groups)
        store.settle_after_import()
    summary.community = loader.community
    summary.groups = loader.group_names
    summary.members = len(loader.seen_members)
    summary.bad_rows = source.bad_rows
    summary.notes = source.notes
    summary.zoneless_times = source.zoneless
    return summary


@contextmanager
def _chunks(source: Source, size: int, *, read_ahead: bool) -> Iterator[Iterator[_Chunk]]:
    """The source's items in chunks of `size`, each with how far the reading was then; with
    `read_ahead`, read by a thread up to two chunks ahead (stopped when the block ends)."""
    if not read_ahead:
        yield _in_turn(source, size)
        return
    reader = _ReadAhead(source, size)
    try:
        yield reader.chunks()
    finally:
        reader.stop()


_Chunk = tuple[list[Item], int]


def _in_turn(source: Source, size: int) -> Iterator[_Chunk]:
    items = iter(source.items())
    while chunk := list(itertools.islice(items, size)):
        yield chunk, source.done()


class _ReadAhead:
    """Reads chunks in a thread into a queue of two; whatever the reading raises is raised
    where the next chunk is taken, after every chunk read before it."""

    _END = object()

    def __init__(self, source: Source, size: int) -> None:
        self.source = source
        self.size = size
        self.queue: queue.Queue[object] = queue.Queue(maxsize=2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._read, name="hearth-import-reader",
                                       daemon=True)  # fmt: skip
        self.thread.start()

    def chunks(self) -> Iterator[_Chunk]:
        while True:
            got = self.queue.get()
            if got is self._END:
                return
            if isinstance(got, BaseException):
                raise got
            yield got  # type: ignore[misc]

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def _read(self) -> None:
        items = iter(self.source.items())
        try:
            while not self.stopped.is_set():
                chunk = list(itertools.islice(items, self.size))
                if not chunk:
                    self._put(self._END)
                    return
                self._put((chunk, self.source.done()))
        except BaseException as exc:  # handed to the importing thread, which raises it
            self._put(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def _put(self, value: object) -> None:
        while not self.stopped.is_set():
            try:
                self.queue.put(value, timeout=0.1)
            except queue.Full:
                continue
            return


class _Loader:
    def __init__(self, store: Store, source: Source, slug: str, name: str) -> None:
        self.store = store
        self.source = source
        self.slug = slug
        self.name = name
        self.community = store.get_community(slug)
        self.groups: dict[str, int] = {}  # group key -> id
        self.group_names: dict[int, str] = {}
        self.members: dict[str, int] = {}  # sender key -> member id
        self.seen_members: set[str] = set()

    def write(self, chunk: list[Item], summary: ImportSummary) -> None:
        """Store one chunk in one transaction."""
        messages = [item for item in chunk if isinstance(item, ImportedMessage)]
        stays = [item for item in chunk if isinstance(item, ImportedStay)]
        with self.store.transaction() as tx:
            if self.community is None:
                self.community = tx.ensure_community(self.slug, self.name)
                summary.community = self.community
            self._groups(tx, self.community, {item.group.key: item.group for item in chunk})
            self._members(tx, chunk)
            groups, members = self.groups, self.members
            summary.messages_seen += len(messages)
            summary.messages_added += tx.add_imported_rows([
                (groups[m.group.key], members[m.sender.key], m.event_id, m.kind, m.text,
                 m.sent_at, m.reply_to)
                for m in messages
            ])  # fmt: skip
            summary.stays_seen += len(stays)
            if stays:
                summary.stays_added += self._stays(tx, stays)

    def _groups(self, tx: Store, community: Community, refs: dict[str, GroupRef]) -> None:
        carrier = self.source.carrier
        for ref in refs.values():
            if ref.key in self.groups:
                continue
            key = _bounded(f"{self.slug}/{ref.key}")
            group = tx.group_for_carrier(carrier, key)
            if group is None:
                group = tx.add_group(community.id, ref.name[:_NAME], carrier, key)
            elif group.community_id != community.id:
                raise ImportFileError(
                    f"the {carrier} group {key!r} belongs to another community "
                    f"(id {group.community_id})"
                )
            self.groups[ref.key] = group.id
            self.group_names[group.id] = group.name

    def _members(self, tx: Store, chunk: list[Item]) -> None:
        refs = [item.sender if isinstance(item, ImportedMessage) else item.member
                for item in chunk]  # fmt: skip
        known = self.members
        senders: dict[str, SenderRef] = {}
        for ref in refs:
            if ref.key not in known and ref.key not in senders:
                senders[ref.key] = ref
        self.seen_members.update(ref.key for ref in refs)
        if not senders:
            return
        carrier = self.source.carrier
        users = {(carrier, self._user_id(key)): ref.name for key, ref in senders.items()}
        found = tx.member_ids(users)
        for key in senders:
            self.members[key] = found[(carrier, self._user_id(key))]

    def _user_id(self, key: str) -> str:
        return _bounded(key if self.source.global_members else f"{self.slug}/{key}")

    def _stays(self, tx: Store, stays: list[ImportedStay]) -> int:
        recorded = tx.record_events_bulk([
            NewEvent(self.groups[s.group.key], s.event_id,
                     EventType.JOIN if s.joined else EventType.LEAVE,
                     self.members[s.member.key], s.at)
            for s in stays
        ])  # fmt: skip
        added = 0
        for stay, (_, created) in zip(stays, recorded, strict=True):
            if not created:
                continue  # applied by an earlier import
            added += 1
            group_id, member_id = self.groups[stay.group.key], self.members[stay.member.key]
            if stay.joined:
                tx.join(member_id, group_id, at=stay.at)
            else:
                tx.leave(member_id, group_id, at=stay.at)
        return added


def _bounded(key: str) -> str:
    """`key` if the store can keep it whole, else a prefix and a hash of the rest."""
    if len(key) <= _KEY:
        return key
    return key[: _KEY - 33] + "#" + hashlib.sha256(key.encode()).hexdigest()[:32]
