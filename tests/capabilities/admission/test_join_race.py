"""An invite code counts the people it seated: a joiner refused because the group is full
(alone, or racing others for its last seat through two web nodes) uses none of its uses. On
both databases; each web node has its own Store, carrier and app, as two `hearth serve --role
web` processes do."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission.codes import create_code
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.carriers.webchat import WebChatCarrier
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.carriers.webchat.routes import webchat_router
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.web.context import Web, WebSettings
from tests.capabilities.admission.door_setup import CODE, screening
from tests.webchat_setup import Chat, NoPlaybooks, build_chat, join


def _uses(chat: Chat) -> int:
    found = SqlInviteCodes.on(chat.store).code_named(chat.community_id, "SPRING")
    assert found is not None
    return found.uses


def _seated(chat: Chat) -> int:
    return len(chat.carrier.platform.seated(chat.groups[0].id))


def _second_node(chat: Chat, store: Store, clock: FrozenClock, data_dir: Path) -> FastAPI:
    """The same web chat served by another web node on the same database."""
    assert chat.carrier.admission is not None
    carrier = WebChatCarrier(store, clock, data_dir / "uploads")
    carrier.admission = Admission(store, clock, chat.carrier.admission._runtimes)
    web = Web(store=store, clock=clock, settings=WebSettings(data_dir=data_dir),
              carriers={carrier.name: served(carrier, None)}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(webchat_router(web, carrier, None))
    return app


def test_joiners_refused_by_a_full_group_use_none_of_the_codes_uses(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, CODE)
    create_code(store, chat.community_id, "cli", store_clock.now(), code="spring", max_uses=4)
    code = chat.codes[0]  # the Tea room holds 3
    answers = [join(TestClient(chat.app), code, f"M{n}", invite_code="spring") for n in range(5)]
    assert [a.status_code for a in answers] == [303, 303, 303, 403, 403]
    assert "full" in answers[3].text
    assert _seated(chat) == 3 and _uses(chat) == 3, "uses count the people let in"
    chat.carrier.platform.leave_seat(chat.groups[0].id, chat.carrier.platform.seated(
        chat.groups[0].id)[0].user_id, store_clock.now())  # fmt: skip
    late = join(TestClient(chat.app), code, "Late", invite_code="spring")
    assert late.status_code == 303, "the code's last use is still there for a seat freed"
    assert _uses(chat) == 4


def test_many_joiners_racing_for_the_last_seat_on_two_nodes_use_one_use(
    store: Store, store_clock: FrozenClock, tmp_path: Path, database_url: str
) -> None:
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, CODE)
    other = Store(create_engine_for(database_url), store_clock)
    nodes = [chat.app, _second_node(chat, other, store_clock, tmp_path / "node-2")]
    create_code(store, chat.community_id, "cli", store_clock.now(), code="spring", max_uses=50)
    code = chat.codes[0]
    for n in range(2):  # one seat left in the Tea room
        assert join(TestClient(chat.app), code, f"S{n}", invite_code="spring").status_code == 303
    racers = 8
    start = threading.Barrier(racers)
    statuses: list[int] = []

    def race(n: int) -> None:
        client = TestClient(nodes[n % 2])
        start.wait(30)
        statuses.append(join(client, code, f"R{n}", invite_code="spring").status_code)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other.engine.dispose()
    assert sorted(statuses) == [303] + [403] * (racers - 1)
    assert _seated(chat) == 3 and _uses(chat) == 3, "one use for the one who got the seat"
