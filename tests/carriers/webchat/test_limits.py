"""Abuse limits, counted per member and per client, not per socket: seats taken through an
invite link, messages across a member's sockets, pictures and their bytes; muted and banned
members upload nothing; pictures no message uses are swept away. Joins and uploads are
counted in the store: two server processes on one database, and a restart, count on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.limits import Meter
from hearthkeeper.carriers.webchat.plugin import WebChatLimits, webchat_limits
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.carriers.webchat.routes import SWEEP_EVERY, webchat_router
from hearthkeeper.clock import FrozenClock
from hearthkeeper.config import ConfigError, config_text, load_settings
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.web.context import Web
from tests.webchat_setup import Chat, build_chat, join, picture, sqlite_store

LIMITS = WebChatLimits(messages_per_10s=4, joins_per_minute=3, uploads_per_hour=3,
                       upload_mib_per_hour=1)  # fmt: skip


@pytest.fixture
def chat(tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock) -> Iterator[Chat]:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        yield build_chat(store, store_clock, tmp_path, max_upload_bytes=512 * 1024, limits=LIMITS)


def _members(chat: Chat) -> int:
    return len(chat.carrier.platform.seated(chat.groups[1].id))


# --- joining through an invite link -------------------------------------------------------------


def test_one_client_cannot_take_seat_after_seat(chat: Chat) -> None:
    code = chat.codes[1]  # "Garden" holds 5
    for n in range(3):
        assert join(TestClient(chat.app), code, f"bot {n}").status_code == 303
    refused = join(TestClient(chat.app), code, "bot 3")  # no cookie: a new identity each time
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) <= 60
    assert "Too many groups joined from here: at most 3 a minute." in refused.text
    assert _members(chat) == 3
    elsewhere = TestClient(chat.app, client=("198.51.100.7", 4000))  # another client joins
    assert join(elsewhere, code, "neighbour").status_code == 303
    chat.clock.advance(timedelta(seconds=61))
    assert join(TestClient(chat.app), code, "bot 3").status_code == 303
    assert _members(chat) == 5


def test_one_ipv6_subscriber_cannot_take_seat_after_seat_by_changing_address(chat: Chat) -> None:
    """A home or phone is handed a whole IPv6 /64: a new address from it is the same client;
    another /64 is another client."""
    code = chat.codes[1]  # "Garden" holds 5
    for n in range(3):
        client = TestClient(chat.app, client=(f"2001:db8:1:1::{n + 1}", 4000))
        assert join(client, code, f"bot {n}").status_code == 303
    same = TestClient(chat.app, client=("2001:db8:1:1:ffff::9", 4000))
    assert join(same, code, "bot 3").status_code == 429
    other = TestClient(chat.app, client=("2001:db8:1:2::1", 4000))
    assert join(other, code, "neighbour").status_code == 303
    assert _members(chat) == 4


def test_a_member_already_in_the_group_is_not_counted(chat: Chat) -> None:
    code = chat.codes[1]
    browser = TestClient(chat.app)
    assert join(browser, code, "Ann").status_code == 303
    again = {"nickname": "Ann", "csrf_token": browser.cookies["hearth_join"]}
    for _ in range(5):  # the same member submitting the form again
        resent = browser.post(f"/join/{code}", data=again, follow_redirects=False)
        assert resent.status_code == 303
    assert join(TestClient(chat.app), code, "Bob").status_code == 303
    assert join(TestClient(chat.app), code, "Carol").status_code == 303
    assert join(TestClient(chat.app), code, "Dan").status_code == 429
    assert _members(chat) == 3


@contextmanager
def another_process(chat: Chat) -> Iterator[FastAPI]:
    """A `hearth serve` of its own on `chat`'s database: its own engine, carrier and pages."""
    store = Store(create_engine_for(chat.store.engine.url.render_as_string(hide_password=False)),
                  chat.clock)  # fmt: skip
    carrier = WebChatCarrier(store, chat.clock, chat.carrier.uploads_dir,
                             max_upload_bytes=chat.carrier.max_upload_bytes)  # fmt: skip
    web = Web(store=store, clock=chat.clock, settings=chat.web.settings, carriers={},
              playbooks=chat.web.playbooks)  # fmt: skip
    app = FastAPI()
    app.include_router(webchat_router(web, carrier, LIMITS))
    try:
        yield app
    finally:
        store.engine.dispose()


def test_joins_and_uploads_are_counted_across_processes_and_restarts(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Each process counted joins and uploads in its own memory: behind a balancer with two
    processes a client took twice the seats a minute, a member uploaded twice the pictures an
    hour, and every restart gave both afresh."""
    chat = build_chat(store, store_clock, tmp_path, max_upload_bytes=512 * 1024, limits=LIMITS)
    code = chat.codes[1]  # "Garden" holds 5
    _, token = chat.member("photographer")
    with another_process(chat) as second:
        for n in range(3):
            app = chat.app if n % 2 else second
            assert join(TestClient(app), code, f"bot {n}").status_code == 303
            uploader = TestClient(app, cookies={"hearth_member": token})
            assert _upload(uploader, chat, picture(size=(5 + n, 3))).status_code == 200
        for app in (chat.app, second):
            assert join(TestClient(app), code, "bot 3").status_code == 429
            refused = _upload(TestClient(app, cookies={"hearth_member": token}), chat, picture())
            assert refused.status_code == 429
    with another_process(chat) as restarted:
        assert join(TestClient(restarted), code, "bot 3").status_code == 429, "a restart too"
        uploader = TestClient(restarted, cookies={"hearth_member": token})
        assert _upload(uploader, chat, picture()).status_code == 429
        assert _members(chat) == 3
        store_clock.advance(timedelta(seconds=61))
        assert join(TestClient(restarted), code, "bot 3").status_code == 303
        assert _upload(uploader, chat, picture()).status_code == 429, "an hour's limit"
        store_clock.advance(timedelta(hours=1))
        assert _upload(uploader, chat, picture()).status_code == 200


def test_a_member_changes_nickname_at_most_so_often(chat: Chat) -> None:
    """A seated member's form is not a new seat, so nothing counted it: one member renamed
    207 times in 20 seconds, each message able to go out under another name."""
    code = chat.codes[1]
    browser = TestClient(chat.app)
    assert join(browser, code, "Ann").status_code == 303
    token = browser.cookies["hearth_join"]
    for n in range(10):
        renamed = browser.post(f"/join/{code}", data={"nickname": f"Ann {n}", "csrf_token": token},
                               follow_redirects=False)  # fmt: skip
        assert renamed.status_code == 303, renamed.text
    refused = browser.post(f"/join/{code}", data={"nickname": "Bea", "csrf_token": token},
                           follow_redirects=False)  # fmt: skip
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) <= 3600
    assert "Too many nickname changes: at most 10 an hour." in refused.text
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[1].id)] == ["Ann 9"]
    same = browser.post(f"/join/{code}", data={"nickname": "Ann 9", "csrf_token": token},
                        follow_redirects=False)  # fmt: skip
    assert same.status_code == 303  # the form sent again unchanged is no change
    chat.clock.advance(timedelta(hours=1, seconds=1))
    again = browser.post(f"/join/{code}", data={"nickname": "Bea", "csrf_token": token},
                         follow_redirects=False)  # fmt: skip
    assert again.status_code == 303
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[1].id)] == ["Bea"]


# --- messages across sockets -------------------------------------------------------------------


def _socket(client: TestClient, chat: Chat, token: str, group: int = 0) -> Any:
    return client.websocket_connect(f"/chat/{chat.codes[group]}/ws",
                                    headers={"cookie": f"hearth_member={token}"})  # fmt: skip


def test_a_member_with_many_sockets_has_one_rate(chat: Chat) -> None:
    _, token = chat.member("Chatty")
    with TestClient(chat.app) as client, _socket(client, chat, token) as tab, \
            _socket(client, chat, token) as phone:  # fmt: skip
        tab.receive_json(), phone.receive_json()
        for n in range(4):  # alternately from either socket
            (tab if n % 2 else phone).send_json({"type": "say", "text": f"message {n}"})
            assert tab.receive_json()["text"] == phone.receive_json()["text"] == f"message {n}"
        phone.send_json({"type": "say", "text": "one more"})
        assert phone.receive_json() == {
            "type": "error", "message": "slow down: at most 4 messages every 10 seconds"
        }  # fmt: skip
        chat.clock.advance(timedelta(seconds=11))
        tab.send_json({"type": "say", "text": "after a pause"})
        assert tab.receive_json()["text"] == "after a pause"
    assert [m.text for m in chat.carrier.platform.history(chat.groups[0].id)][-1] == "after a pause"
    assert len(chat.carrier.platform.history(chat.groups[0].id)) == 5


# --- uploads -----------------------------------------------------------------------------------


def _uploader(chat: Chat, nickname: str = "photographer") -> tuple[str, TestClient]:
    user, token = chat.member(nickname)
    return user.user_id, TestClient(chat.app, cookies={"hearth_member": token})


def _upload(client: TestClient, chat: Chat, data: bytes) -> Response:
    return client.post(f"/chat/{chat.codes[0]}/upload",
                       files={"picture": ("p.png", data, "image/png")})  # fmt: skip


def test_uploads_are_counted_per_member_not_per_connection(chat: Chat) -> None:
    _, first = _uploader(chat)
    second = TestClient(chat.app, cookies=dict(first.cookies))  # another tab, same member
    for n in range(3):
        assert (
            _upload(first if n % 2 else second, chat, picture(size=(5 + n, 3))).status_code == 200
        )
    refused = _upload(second, chat, picture(size=(9, 3)))
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert refused.json()["detail"].startswith("Too many pictures: at most 3 an hour.")
    _, other = _uploader(chat, "Ann")
    assert _upload(other, chat, picture()).status_code == 200


def test_upload_bytes_are_limited_per_member_and_hour(chat: Chat) -> None:
    _, client = _uploader(chat)
    noise = os.urandom(400 * 1024)  # the bytes received count, a picture or not
    assert _upload(client, chat, noise).status_code == 415
    assert _upload(client, chat, noise).status_code == 415
    refused = _upload(client, chat, noise)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many pictures: at most 1 MiB an hour.")
    chat.clock.advance(timedelta(hours=1, seconds=1))
    assert _upload(client, chat, picture()).status_code == 200


def test_a_muted_or_banned_member_uploads_nothing(chat: Chat) -> None:
    muted, client = _uploader(chat)
    chat.carrier.platform.mute(chat.groups[0].id, muted, chat.clock.now() + timedelta(hours=1),
                               "flooding")  # fmt: skip
    refused = _upload(client, chat, picture())
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You are muted until Fri 1 May 10:00: flooding."
    banned, other = _uploader(chat, "Spammer")
    chat.carrier.platform.ban(chat.groups[0].id, banned, "adverts", chat.clock.now())
    refused = _upload(other, chat, picture())
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You are banned from Tea room: adverts."
    assert not chat.carrier.uploads_dir.exists() or not any(chat.carrier.uploads_dir.iterdir())


def test_pictures_no_message_uses_are_swept_away(chat: Chat) -> None:
    _, client = _uploader(chat)
    shown = _upload(client, chat, picture(size=(5, 5))).json()["picture"]
    forgotten = _upload(client, chat, picture(size=(6, 6))).json()["picture"]
    with TestClient(chat.app) as live, _socket(live, chat, client.cookies["hearth_member"]) as ws:
        ws.receive_json()
        ws.send_json({"type": "say", "text": "look", "picture": shown})
        assert ws.receive_json()["picture_url"].endswith(shown)
    folder = chat.carrier.uploads_dir
    old = (chat.clock.now() - timedelta(hours=2)).timestamp()
    for name in (shown, forgotten):
        os.utime(folder / name, (old, old))
    (folder / ".upload-crashed").write_bytes(b"half")
    os.utime(folder / ".upload-crashed", (old, old))
    chat.clock.advance(SWEEP_EVERY + timedelta(seconds=1))
    fresh = _upload(client, chat, picture(size=(7, 7))).json()["picture"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([shown, fresh])
    assert chat.carrier.platform.history(chat.groups[0].id)[-1].picture == shown


def test_clients_are_forgotten_once_their_window_is_over(store_clock: FrozenClock) -> None:
    meter, now = Meter(2, timedelta(minutes=1)), store_clock.now()
    for n in range(5000):  # a crowd of addresses, once each
        assert meter.take(f"address {n}", now) is None
    assert meter.take("address 7", now) is None
    assert meter.take("address 7", now) == timedelta(minutes=1)  # a third: wait a minute
    later = now + timedelta(minutes=2)
    for _ in range(2048):
        meter.take("regular", later + timedelta(seconds=1))
    assert len(meter) == 1


def test_the_store_says_which_pictures_messages_use(store: Store) -> None:
    platform = SqlWebChat.on(store)
    community = store.ensure_community("tea", "Tea lovers")
    group = store.add_group(community.id, "Tea room", "webchat", "tea-1")
    names = [f"{n:064x}.png" for n in range(1200)]  # more than one bounded IN list
    for used in (names[3], names[700]):
        platform.add_message(group.id, user_id=None, nickname="Hearthkeeper", kind="picture",
                             text="", picture=used)  # fmt: skip
    assert platform.pictures_in_use(names) == {names[3], names[700]}
    assert platform.pictures_in_use([]) == set()


# --- settings ----------------------------------------------------------------------------------


def test_limits_come_from_the_webchat_table(tmp_path: Path) -> None:
    config = tmp_path / "hearth.toml"
    config.write_text("[webchat]\njoins_per_minute = 50\nupload_mib_per_hour = 20\n")
    limits = webchat_limits(load_settings(config, {}, tmp_path, CARRIERS))
    assert limits == WebChatLimits(joins_per_minute=50, upload_mib_per_hour=20)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert webchat_limits(load_settings(None, {}, elsewhere, CARRIERS)) == WebChatLimits()
    config.write_text("[webchat]\nmessages_per_10s = 0\nuploads_per_minute = 3\n")
    with pytest.raises(ConfigError) as bad:
        load_settings(config, {}, tmp_path, CARRIERS)
    assert "webchat.messages_per_10s: Input should be greater than or equal to 1" in str(bad.value)
    assert "webchat.uploads_per_minute: unknown setting" in str(bad.value)


def test_the_commented_webchat_table_of_hearth_init_holds_the_defaults(tmp_path: Path) -> None:
    sample = config_text("playbook.yaml", carriers=CARRIERS)
    block = sample.split("# [carriers.webchat]\n", 1)[1].split("\n\n", 1)[0]
    config = tmp_path / "hearth.toml"
    config.write_text("[carriers.webchat]\n" + block.replace("# ", ""))
    assert webchat_limits(load_settings(config, {}, tmp_path, CARRIERS)) == WebChatLimits()
