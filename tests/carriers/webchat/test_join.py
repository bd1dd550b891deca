"""The invite link in a browser: the join page, choosing a nickname, the member cookie, full
groups, bans, and hostile names that must never reach a page unescaped."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Join
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from hearthkeeper.web.assets import STATIC
from tests.webchat_setup import Chat, build_chat, join, sqlite_store

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_TEXT = "<img src=x onerror=alert(1)>"


def test_the_join_page_shows_the_group_and_a_nickname_form(chat: Chat) -> None:
    chat.member("early bird")
    page = TestClient(chat.app).get(f"/join/{chat.codes[0]}")
    assert page.status_code == 200
    assert "Tea room" in page.text and "Tea lovers" in page.text
    assert "1 of 3 seats taken" in page.text
    assert 'name="nickname"' in page.text and 'name="csrf_token"' in page.text
    assert "hearth_join" in page.headers["set-cookie"]


def test_choosing_a_nickname_joins_and_sets_the_member_cookie(chat: Chat) -> None:
    client = TestClient(chat.app)
    answer = join(client, chat.codes[0], "  小美  ")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/chat/{chat.codes[0]}"
    cookie = answer.headers["set-cookie"]
    assert "hearth_member=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    token = client.cookies["hearth_member"]
    user = chat.carrier.platform.user_by_token(hashlib.sha256(token.encode()).hexdigest())
    assert user is not None and user.nickname == "小美" and user.user_id.startswith("w-")
    [event] = chat.carrier.take_events()
    assert isinstance(event, Join) and event.sender.display_name == "小美"
    page = client.get(f"/chat/{chat.codes[0]}")
    assert page.status_code == 200 and "Tea room" in page.text and 'id="messages"' in page.text
    assert f'data-me="{user.user_id}"' in page.text
    # the page names its script and style by a version of their content: after an upgrade a
    # browser fetches the new ones (an old cached chat.js ignored the `restored` frame)
    for asset, tag in (("chat/chat.js", '<script src="{}" defer>'),
                       ("chat/chat.css", '<link rel="stylesheet" href="{}">')):  # fmt: skip
        version = hashlib.sha256((STATIC / asset).read_bytes()).hexdigest()[:10]
        assert tag.format(f"/static/{asset}?v={version}") in page.text


def test_a_returning_member_keeps_their_identity_in_another_group(chat: Chat) -> None:
    client = TestClient(chat.app)
    join(client, chat.codes[0], "Mei")
    assert join(client, chat.codes[1], "Mei Lin").status_code == 303
    ids = {seated.user_id for g in chat.groups for seated in chat.carrier.platform.seated(g.id)}
    assert len(ids) == 1
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[0].id)] == ["Mei Lin"]


def test_the_member_cookie_is_secure_behind_https(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = build_chat(store, store_clock, tmp_path, secure_cookies=True)
        answer = join(TestClient(chat.app, base_url="https://testserver"), chat.codes[0], "Mei")
        assert "Secure" in answer.headers["set-cookie"]


def test_joining_without_the_forms_token_is_refused(chat: Chat) -> None:
    client = TestClient(chat.app)
    client.get(f"/join/{chat.codes[0]}")
    answer = client.post(f"/join/{chat.codes[0]}", data={"nickname": "Mei", "csrf_token": "forged"})
    assert answer.status_code == 403 and "This form has expired" in answer.text
    assert chat.carrier.platform.seats_taken(chat.groups[0].id) == 0


@pytest.mark.parametrize(
    ("nickname", "says"),
    [
        ("   ", "Choose a nickname"),
        ("x" * 33, "use at most 32"),
        ("bad\x07bell", "control or invisible characters"),
        ("rtl\u202eevil", "control or invisible characters"),
        ("hearthkeeper", "looks like Hearthkeeper, the bot&#39;s name"),
        ("Ｈｅａｒｔｈｋｅｅｐｅｒ", "looks like Hearthkeeper, the bot&#39;s name"),
        ("Неаrthkееpеr", "looks like Hearthkeeper, the bot&#39;s name"),  # Cyrillic Н, а, е
        ("Hearth\u200dkeeper", "looks like Hearthkeeper, the bot&#39;s name"),
        ("Hearth keeper", "looks like Hearthkeeper, the bot&#39;s name"),
    ],
)
def test_an_unusable_nickname_is_explained(chat: Chat, nickname: str, says: str) -> None:
    answer = join(TestClient(chat.app), chat.codes[0], nickname)
    assert answer.status_code == 400 and says in answer.text
    assert 'name="nickname"' in answer.text  # the form is shown again


def test_a_full_group_refuses_and_links_to_a_group_with_room(chat: Chat) -> None:
    for n in range(3):
        chat.member(f"member {n}")
    client = TestClient(chat.app)
    answer = join(client, chat.codes[0], "latecomer")
    assert answer.status_code == 403
    assert "This group is full (3 of 3)." in answer.text
    assert f'href="/join/{chat.codes[1]}"' in answer.text and "Garden" in answer.text
    assert join(client, chat.codes[1], "latecomer").status_code == 303  # same identity
    assert chat.carrier.platform.seats_taken(chat.groups[1].id) == 1


def test_a_full_groups_page_offers_no_join_into_it_but_into_the_group_with_room(
    chat: Chat,
) -> None:
    """A full Tea room's page said it was full, linked to Garden, and still showed its own
    join form: pressing Join was refused (403, the same words). The form now goes to Garden
    and says so; sent, it seats the newcomer there."""
    for n in range(3):
        chat.member(f"member {n}")
    client = TestClient(chat.app)
    page = client.get(f"/join/{chat.codes[0]}")
    assert "This group is full (3 of 3)." in page.text
    assert f'action="/join/{chat.codes[0]}"' not in page.text
    form = page.text[page.text.index('id="join-form"') :]
    assert form.startswith('id="join-form"') and "Join Garden</button>" in form
    assert f'action="/join/{chat.codes[1]}" id="join-form"' in page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found is not None
    sent = client.post(f"/join/{chat.codes[1]}", data={"nickname": "latecomer",
                                                       "csrf_token": found[1]},
                       follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"] == f"/chat/{chat.codes[1]}"
    garden = [s.nickname for s in chat.carrier.platform.seated(chat.groups[1].id)]
    assert garden == ["latecomer"]


def test_when_every_group_is_full_the_page_shows_no_join_form(chat: Chat) -> None:
    for n in range(3):
        chat.member(f"tea {n}")
    for n in range(5):
        chat.member(f"garden {n}", group=1)
    page = TestClient(chat.app).get(f"/join/{chat.codes[0]}")
    assert "This group is full (3 of 3)." in page.text
    assert 'id="join-form"' not in page.text and 'name="nickname"' not in page.text


def test_a_closed_groups_link_says_so_before_anything_is_typed(chat: Chat) -> None:
    """The invite link of a group closed into Garden showed the join form ('0 of 3 seats
    taken', a nickname, Join) and only refused once sent, after making the newcomer an
    identity. The page says it is closed, gives no form and links to Garden; a member
    seated in it still opens their chat."""
    client = TestClient(chat.app)
    assert join(client, chat.codes[0], "stayer").status_code == 303
    chat.store.close_group(chat.groups[0].id, "ops", into=chat.groups[1].id)
    page = TestClient(chat.app).get(f"/join/{chat.codes[0]}")
    assert "Tea room is closed: it takes no newcomers." in page.text
    assert 'name="nickname"' not in page.text
    assert f'href="/join/{chat.codes[1]}"' in page.text and "Garden" in page.text
    seated = client.get(f"/join/{chat.codes[0]}")
    assert "is closed" not in seated.text and f'href="/chat/{chat.codes[0]}"' in seated.text


def test_a_banned_member_sees_why_and_no_form(chat: Chat) -> None:
    client = TestClient(chat.app)
    join(client, chat.codes[0], "spammer")
    [seated] = chat.carrier.platform.seated(chat.groups[0].id)
    ban = Action(kind=ActionKind.BAN, carrier="webchat", group="tea-1", member=seated.user_id,
                 reason="advertising")  # fmt: skip
    asyncio.run(chat.carrier.perform(ban, "ban-1"))
    assert client.get(f"/chat/{chat.codes[0]}", follow_redirects=False).status_code == 303
    page = client.get(f"/join/{chat.codes[0]}")
    assert "You are banned from Tea room: advertising." in page.text
    assert 'name="nickname"' not in page.text
    answer = join_again(client, chat.codes[0])
    assert answer.status_code == 403 and "banned from Tea room: advertising" in answer.text


def join_again(client: TestClient, code: str) -> Response:
    token = client.cookies["hearth_join"]
    return client.post(f"/join/{code}", data={"nickname": "", "csrf_token": token})


def test_unknown_invites_and_strangers(chat: Chat) -> None:
    client = TestClient(chat.app)
    missing = client.get("/join/no-such-code")
    assert missing.status_code == 404 and "No such group" in missing.text
    assert client.get("/join/bad%20code!").status_code == 404
    assert client.get("/chat/no-such-code").status_code == 404
    stranger = client.get(f"/chat/{chat.codes[0]}", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"] == f"/join/{chat.codes[0]}"


def test_hostile_names_are_escaped_on_every_page(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = build_chat(store, store_clock, tmp_path,
                          names=(HOSTILE_TEXT, '"><b>room</b>', HOSTILE_NAME))  # fmt: skip
        for n in range(3):
            chat.member(f"{HOSTILE_NAME}{n}")
        client = TestClient(chat.app)
        pages = [client.get(f"/join/{chat.codes[0]}")]
        pages.append(join(client, chat.codes[0], HOSTILE_NAME))  # full: links to the other
        pages.append(join(client, chat.codes[1], HOSTILE_NAME))
        pages.append(client.get(f"/chat/{chat.codes[1]}"))
        pages.append(client.get(f"/join/{chat.codes[1]}"))  # "you are in as …"
        user = chat.carrier.platform.seated(chat.groups[1].id)[0]
        asyncio.run(chat.carrier.say(chat.groups[1].id, user.user_id, HOSTILE_TEXT))
        pages.append(client.get(f"/chat/{chat.codes[1]}"))
        assert [p.status_code for p in pages] == [200, 403, 303, 200, 200, 200]
        for page in pages:
            for raw in (HOSTILE_NAME, HOSTILE_TEXT, "<b>room</b>", '"><b>'):
                assert raw not in page.text, page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[3].text
        assert "&lt;img src=x onerror=alert(1)&gt;" in pages[3].text


def test_a_copy_of_another_members_nickname_in_the_group_is_refused(chat: Chat) -> None:
    chat.member("小美", group=0)
    for copy in ("小美", "小 美", "小美\u200d", "小美!"):
        answer = join(TestClient(chat.app), chat.codes[0], copy)
        assert answer.status_code == 400, copy
        assert "Someone in this group is already called “小美”" in answer.text
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[0].id)] == ["小美"]
    elsewhere = join(TestClient(chat.app), chat.codes[1], "小美")
    assert elsewhere.status_code == 303, "another group has no 小美 yet"


def test_a_member_cannot_rename_into_another_members_nickname(chat: Chat) -> None:
    chat.member("Mei", group=0)
    client = TestClient(chat.app)
    assert join(client, chat.codes[1], "Ann").status_code == 303
    answer = join(client, chat.codes[0], "MEI")  # joining another group under a new name
    assert answer.status_code == 400 and "already called “Mei”" in answer.text
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[0].id)] == ["Mei"]
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[1].id)] == ["Ann"]


def test_a_rename_cannot_copy_a_nickname_in_another_group_the_member_is_in(chat: Chat) -> None:
    """The name is shown in every group they are in: renaming by one group's join page into
    the name of someone in another of their groups would let them speak as that person."""
    chat.member("Victoria", group=1)
    mallory = TestClient(chat.app)
    assert join(mallory, chat.codes[0], "Mallory").status_code == 303
    assert join(mallory, chat.codes[1], "Mallory").status_code == 303
    answer = join(mallory, chat.codes[0], "victoria")  # by the page of the group she is not in
    assert answer.status_code == 400
    assert "Someone in Garden, another group you are in, is already called “Victoria”" in (
        answer.text
    )
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[0].id)] == ["Mallory"]
    assert sorted(s.nickname for s in chat.carrier.platform.seated(chat.groups[1].id)) == [
        "Mallory", "Victoria",
    ]  # fmt: skip


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_two_newcomers_under_one_name_at_once_are_not_both_seated(
    tmp_path: Path, store: Store, store_clock: FrozenClock, language: Language,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The second newcomer is checked against the name when the seat is taken, not only
    before: here another "Twin" is seated between the page's check and this one's seat,
    as when 30 browsers send the form at once (27 of them were seated as "Twin")."""
    chat = build_chat(store, store_clock, tmp_path, language=language)
    checked = chat.carrier._refuse_lookalike

    def then_someone_else_joins(group_id: int, user_id: str, nickname: str,
                                lang: Language) -> None:  # fmt: skip
        checked(group_id, user_id, nickname, lang)
        if not chat.carrier.platform.seated(group_id):
            chat.member("Twin", group=0)  # the other browser's form, taken meanwhile

    monkeypatch.setattr(chat.carrier, "_refuse_lookalike", then_someone_else_joins)
    answer = join(TestClient(chat.app), chat.codes[0], "twin")
    assert answer.status_code == 400
    said = "本群已有人叫“Twin”" if language is Language.ZH_CN else "already called “Twin”"
    assert said in answer.text
    assert [s.nickname for s in chat.carrier.platform.seated(chat.groups[0].id)] == ["Twin"]


def test_the_link_a_member_came_by_reaches_the_engine_with_their_join(chat: Chat) -> None:
    client = TestClient(chat.app)
    assert join(client, chat.codes[0], "Mei", via="lc-poster").status_code == 303
    assert join(TestClient(chat.app), chat.codes[0], "Lan").status_code == 303
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.sender.display_name, e.source) for e in joins] == [
        ("Mei", "lc-poster"),
        ("Lan", None),
    ]
