"""A live code whose carrier opens groups on another server (Matrix: the bot creates a room),
with a fake opener standing in for the homeserver: newcomers arriving together when every
room is full get one new room between them, not one each, and the server keeps routing
other newcomers while the homeserver takes its time. On both databases."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.web import router as livecode_router
from hearthkeeper.carriers.plugin import ServedCarrier
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Group, Store
from hearthkeeper.testing import FakeCarrier
from hearthkeeper.web.context import Web, WebSettings
from tests.capabilities.livecodes.livecode_setup import Codes, build_codes, playbook_text
from tests.webchat_setup import NoPlaybooks


class Homeserver:
    """Creates rooms slowly, as a homeserver may: each call waits `pause` (or until `go`)."""

    remote = True

    def __init__(self, pause: float = 0.3) -> None:
        self.pause = pause
        self.go: threading.Event | None = None
        self.created: list[str] = []
        self.stores: list[Store] = []

    def open_group(self, store: Store, community_id: int, playbook: Playbook) -> Group:
        self.stores.append(store)
        if self.go is not None:
            self.go.wait(10)
        time.sleep(self.pause)
        room = f"!room{len(self.created) + 2}:example.org"
        self.created.append(room)
        name = playbook.replication.naming.format(name=playbook.community.name,
                                                  n=len(self.created) + 1)  # fmt: skip
        return store.add_group(community_id, name, "matrix", room,
                               playbook.structure.groups.capacity)  # fmt: skip

    def join_link(self, group: Group, source: str | None = None) -> str:
        return f"https://matrix.to/#/{group.carrier_group_id}?via=example.org"


def with_matrix(codes: Codes, homeserver: Homeserver) -> TestClient:
    """The live codes served with a Matrix carrier that opens rooms through `homeserver`, one
    full room of two members, and the live code `partner` routing to Matrix."""
    web = Web(store=codes.store, clock=codes.clock, settings=WebSettings(data_dir=Path(".")),
              carriers={"webchat": served(codes.carrier),
                        "matrix": ServedCarrier(carrier=FakeCarrier("matrix"), opens=homeserver,
                                                join_link=homeserver.join_link)},
              playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(livecode_router(web))
    room = codes.store.add_group(codes.community_id, "!room1:example.org", "matrix",
                                 "!room1:example.org")  # fmt: skip
    for name in ("ann", "bo"):
        member = codes.store.member_for("matrix", f"@{name}:example.org", name)
        codes.store.join(member.id, room.id, at=codes.clock.now())
    SqlLiveCodes.on(codes.store).add_channel(codes.community_id, "partner", "Partner",
                                             ChannelKind.PARTNER, notes="", carrier="matrix",
                                             by="test", at=codes.clock.now())  # fmt: skip
    return TestClient(app)


def rooms(codes: Codes) -> list[str]:
    return [g.name for g in codes.store.list_groups(codes.community_id) if g.carrier == "matrix"]


def test_two_newcomers_at_a_full_room_get_one_new_room_between_them(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
    homeserver = Homeserver()
    client = with_matrix(codes, homeserver)
    sent: dict[str, Response] = {}
    start = threading.Barrier(2)

    def open_link(name: str) -> None:  # each newcomer on a phone of their own
        browser = TestClient(client.app, client=(f"198.51.100.{ord(name[0])}", 4000))
        start.wait()
        sent[name] = browser.get("/go/partner", follow_redirects=False)

    threads = [threading.Thread(target=open_link, args=(n,)) for n in ("cy", "di")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert homeserver.created == ["!room2:example.org"]
    assert rooms(codes) == ["!room1:example.org", "Tea Friends #2"]
    link = "https://matrix.to/#/!room2:example.org?via=example.org"
    assert [sent[n].status_code for n in ("cy", "di")] == [303, 303]
    assert sent["cy"].headers["location"] == sent["di"].headers["location"] == link
    # The room is full now (two seats held): the next newcomer has a room opened for them.
    third = TestClient(client.app, client=("198.51.100.3", 4000))
    third_sent = third.get("/go/partner", follow_redirects=False)
    assert (
        third_sent.headers["location"] == "https://matrix.to/#/!room3:example.org?via=example.org"
    )
    opened = [e for e in store.audit_log(codes.community_id) if e.action == "group.open"]
    assert [(e.actor, e.detail["name"]) for e in opened] == [
        ("livecode:partner", "Tea Friends #3"), ("livecode:partner", "Tea Friends #2")]  # fmt: skip


def test_other_newcomers_are_routed_while_the_homeserver_creates_a_room(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
    homeserver = Homeserver(pause=0)
    homeserver.go = threading.Event()
    client = with_matrix(codes, homeserver)
    waiting: dict[str, Response] = {}
    matrix = threading.Thread(target=lambda: waiting.update(
        cy=TestClient(client.app).get("/go/partner", follow_redirects=False)))  # fmt: skip
    matrix.start()
    deadline = time.monotonic() + 10
    while not homeserver.stores and time.monotonic() < deadline:
        time.sleep(0.01)
    # The room is being created; a newcomer by the web chat poster is routed meanwhile.
    poster = TestClient(client.app).get("/go/poster", follow_redirects=False)
    assert poster.status_code == 303 and poster.headers["location"].startswith("/join/")
    assert not homeserver.go.is_set() and "cy" not in waiting
    homeserver.go.set()
    matrix.join(30)
    assert waiting["cy"].headers["location"].startswith("https://matrix.to/#/!room2:")
    assert homeserver.stores == [store]  # called with the store, not inside a transaction


def test_a_matrix_join_takes_the_oldest_live_seat_held_in_the_room(
    store: Store, store_clock: FrozenClock
) -> None:
    tea = store.ensure_community("tea", "Tea")
    room = store.add_group(tea.id, "Tea on Matrix", "matrix", "!tea:x", capacity=5)
    repo = SqlLiveCodes.on(store)
    now = store_clock.now()
    partner = repo.add_channel(tea.id, "partner", "Partner", ChannelKind.PARTNER, notes="",
                               carrier="matrix", by="cli", at=now)  # fmt: skip
    repo.hold(partner.id, room.id, "old", "10.0.0.1", at=now, until=now - timedelta(minutes=1))
    repo.hold(partner.id, room.id, "h1", "10.0.0.1", at=now, until=now + timedelta(minutes=15))
    repo.hold(partner.id, room.id, "h2", "10.0.0.2", at=now, until=now + timedelta(minutes=15))
    mei = store.member_for("matrix", "@mei:x", "Mei").id
    store.join(mei, room.id, at=now)
    assert repo.take_seat(room.id, now)
    [load] = repo.loads(tea.id, "matrix", now, now)
    assert (load.members, load.held) == (1, 1)  # Mei counts once, not as member and seat
    assert load.today == 2, "the taken seat still counts for daily_code_cap; the expired not"
    assert repo.held("h1", partner.id, now) is None and repo.held("h2", partner.id, now) == room.id
    assert repo.take_seat(room.id, now) and not repo.take_seat(room.id, now)
