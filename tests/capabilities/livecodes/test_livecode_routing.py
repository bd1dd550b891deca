"""A live code through the real web chat: newcomers follow `/go/poster` to a group with room;
groups fill in order, the next one opens by `copy.naming`, and the caps hold."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import Group, Store
from hearthkeeper.testing import FakeCarrier
from hearthkeeper.text.qr import read_qr_codes
from tests.capabilities.livecodes.livecode_setup import Codes, build_codes, playbook_text
from tests.webchat_setup import join, sqlite_store


def test_a_live_code_fills_two_groups_and_opens_a_third(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
        with TestClient(codes.app) as portal:
            codes.arrive_each(portal, "Ann", "Bo", "Cy", "Di", "Ed", expect=303)
        assert codes.seated() == {
            "Tea Friends #1": ["Ann", "Bo"],
            "Tea Friends #2": ["Cy", "Di"],
            "Tea Friends #3": ["Ed"],
        }
        opened = [e for e in store.audit_log(codes.community_id) if e.action == "group.open"]
        assert [e.actor for e in opened] == ["livecode:poster", "livecode:poster"]


def test_the_next_group_opens_when_the_newest_is_open_new_group_at_full(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        text = playbook_text(capacity=4, open_at=0.5)
        codes = build_codes(store, store_clock, tmp_path, text)
        with TestClient(codes.app) as portal:
            codes.arrive_each(portal, "Ann", "Bo")
            assert len(codes.groups()) == 1
            # group 1 is half full: group 2 opens, Cy still fills group 1
            codes.arrive_each(portal, "Cy")
        assert codes.seated() == {"Tea Friends #1": ["Ann", "Bo", "Cy"], "Tea Friends #2": []}


def test_joining_by_code_stops_at_join_by_code_cap(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=5, code_cap=2))
        with TestClient(codes.app) as portal:
            codes.arrive_each(portal, "Ann", "Bo", "Cy")
        seated = codes.seated()
        assert seated == {"Tea Friends #1": ["Ann", "Bo"], "Tea Friends #2": ["Cy"]}
        assert [g.capacity for g in codes.groups()] == [5, 5]  # room left for invitations


def test_a_group_takes_at_most_daily_code_cap_newcomers_by_code_a_day(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=10, daily=2))
        with TestClient(codes.app) as portal:
            codes.arrive_each(portal, "Ann", "Bo", "Cy")
            assert codes.seated() == {"Tea Friends #1": ["Ann", "Bo"], "Tea Friends #2": ["Cy"]}
            store_clock.advance(timedelta(days=1))  # a new day in Europe/London
            codes.arrive_each(portal, "Di", "Ed")
        assert codes.seated() == {
            "Tea Friends #1": ["Ann", "Bo", "Di", "Ed"],
            "Tea Friends #2": ["Cy"],
        }


def test_leaving_and_coming_back_by_code_counts_once_toward_daily_code_cap(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=10, daily=2))
        with TestClient(codes.app) as portal:
            ann = TestClient(codes.app)
            for n in range(3):  # in, out, in again by the poster: one newcomer, not three
                assert codes.arrive("Ann", client=ann).status_code == 303
                codes.engine_round(portal)
                assert codes.seated()["Tea Friends #1"] == ["Ann"], f"arrival {n + 1}"
                [group] = codes.groups()
                [seat] = codes.carrier.platform.seated(group.id)
                portal.portal.call(codes.carrier.leave, group.id, seat.user_id)
                codes.engine_round(portal)
            assert codes.arrive("Bo").status_code == 303
            codes.engine_round(portal)
        assert codes.seated() == {"Tea Friends #1": ["Bo"]}  # Ann took no newcomer's place


def test_reopening_the_link_keeps_the_seat_it_was_given(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
        browser = TestClient(codes.app)
        first = browser.get("/go/poster", follow_redirects=False)
        again = browser.get("/go/poster", follow_redirects=False)
        # other newcomers, each on an address of their own
        other = TestClient(codes.app, client=("198.51.100.2", 4000)).get(
            "/go/poster", follow_redirects=False
        )
        assert first.headers["location"] == again.headers["location"]
        assert first.headers["location"].endswith("?via=code%3Aposter")
        assert other.headers["location"] == first.headers["location"]  # one seat left for it
        third = TestClient(codes.app, client=("198.51.100.3", 4000)).get(
            "/go/poster", follow_redirects=False
        )
        assert third.headers["location"] != first.headers["location"]  # group 1 is spoken for
        assert len(codes.groups()) == 2


def test_a_script_changing_its_ipv6_address_within_its_64_holds_at_most_20_seats(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=100))
        for n in range(1, 31):  # one subscriber's /64, a fresh address each time
            script = TestClient(codes.app, client=(f"2001:db8:7:9::{n:x}", 40000 + n))
            sent = script.get("/go/poster", follow_redirects=False)
            assert sent.status_code == 303
            assert ("hearth_go" in sent.headers.get("set-cookie", "")) is (n <= 20)
        newcomer = TestClient(codes.app, client=("203.0.113.5", 50000))
        assert codes.arrive("Mei", client=newcomer).status_code == 303
        assert codes.seated() == {"Tea Friends #1": ["Mei"]}  # no group opened for nobody


def test_one_client_opening_the_link_in_a_loop_opens_no_empty_groups(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=8, code_cap=4))
        script = TestClient(codes.app, client=("198.51.100.7", 41000))
        held = 0
        for _ in range(30):  # a fresh browser each time: no cookie to reuse a seat
            script.cookies.clear()
            sent = script.get("/go/poster", follow_redirects=False)
            assert sent.status_code == 303
            held += "hearth_go" in sent.headers.get("set-cookie", "")
        assert held == 1  # a quarter of the group's by-code limit of 4
        assert len(codes.groups()) == 1  # before: 20 seats held opened 5 groups for nobody
        for n, name in enumerate(("Ann", "Bo", "Cy"), start=1):  # real newcomers elsewhere
            home = TestClient(codes.app, client=(f"203.0.113.{n}", 50000))
            assert codes.arrive(name, client=home).status_code == 303
        assert codes.seated() == {"Tea Friends #1": ["Ann", "Bo", "Cy"]}


def test_matrix_rooms_are_routed_to_and_when_all_are_full_the_page_says_so_in_chinese(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        text = playbook_text(capacity=2, language="zh-CN")
        codes = build_codes(store, store_clock, tmp_path, text)
        room = store.add_group(codes.community_id, "茶友 Matrix", "matrix", "!tea:example.org")
        SqlLiveCodes.on(store).add_channel(codes.community_id, "partner", "合作社群",
                                           ChannelKind.PARTNER, notes="", carrier="matrix",
                                           by="test", at=codes.clock.now())  # fmt: skip
        browser = TestClient(codes.app)
        sent = browser.get("/go/partner", follow_redirects=False)
        assert sent.status_code == 303
        assert sent.headers["location"] == "https://matrix.to/#/!tea:example.org"
        store.join(store.member_for("matrix", "@mei:example.org", "Mei").id, room.id,
                   at=store_clock.now())  # fmt: skip
        page = TestClient(codes.app).get("/go/partner", follow_redirects=False)
        assert page.status_code == 503
        assert '<html lang="zh-CN">' in page.text and "Tea Friends 暂时满员" in page.text
        assert "请稍后" in page.text


def test_a_retired_or_unknown_code_routes_nobody(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text())
        SqlLiveCodes.on(store).retire("poster", store_clock.now())
        retired = TestClient(codes.app).get("/go/poster", follow_redirects=False)
        assert retired.status_code == 410 and "no longer in use" in retired.text
        missing = TestClient(codes.app).get("/go/nothing", follow_redirects=False)
        assert missing.status_code == 404 and "没有这个二维码" in missing.text


def test_the_qr_image_encodes_the_stable_link(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text())
        client = TestClient(codes.app)
        png = client.get("/go/poster.png")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert read_qr_codes(png.content) == ["http://127.0.0.1:8470/go/poster"]
        svg = client.get("/go/poster.svg")
        assert svg.status_code == 200 and svg.text.lstrip().startswith("<?xml")
        assert client.get("/go/nothing.png").status_code == 404


def test_a_live_code_never_sends_a_newcomer_into_the_staff_channel(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """The community's first group is its staff channel: newcomers go to a group of their own."""
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        text = playbook_text(capacity=5) + 'alerts:\n  staff_group: "Tea Friends #1"\n'
        codes = build_codes(store, store_clock, tmp_path, text)
        with TestClient(codes.app) as portal:
            codes.arrive_each(portal, "Ann", "Bo", expect=303)
        assert codes.seated() == {"Tea Friends #1": [], "Tea Friends #2": ["Ann", "Bo"]}


def test_a_live_code_sends_nobody_to_a_closed_group(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """The operator closed Tea Friends #1 (`hearth groups close`) with room left in it: the
    poster's code kept sending newcomers there, the oldest group with room."""
    from hearthkeeper.carriers.opening import StoredGroups, open_by_hand
    from hearthkeeper.playbook import parse_playbook

    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        text = playbook_text(capacity=4)
        codes = build_codes(store, store_clock, tmp_path, text)
        with TestClient(codes.app) as portal:
            codes.arrive_each(portal, "Ann")
            with store.transaction() as tx:
                open_by_hand(tx, codes.community_id, parse_playbook(text).playbook,
                             StoredGroups(), "cli")  # fmt: skip
            store.close_group(codes.groups()[0].id, "ops")
            codes.arrive_each(portal, "Bo", "Cy")
        assert codes.seated() == {"Tea Friends #1": ["Ann"], "Tea Friends #2": ["Bo", "Cy"]}


def test_a_seat_held_in_a_group_closed_since_is_not_kept(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """A newcomer opened the poster's link, then the operator closed the group it held them a
    seat in: opening the link again sent them to the closed group, which seats nobody."""
    from hearthkeeper.carriers.opening import StoredGroups, open_by_hand
    from hearthkeeper.carriers.webchat.repository import SqlWebChat
    from hearthkeeper.playbook import parse_playbook

    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        text = playbook_text(capacity=4)
        codes = build_codes(store, store_clock, tmp_path, text)
        browser = TestClient(codes.app)
        first = browser.get("/go/poster", follow_redirects=False)
        with store.transaction() as tx:
            opened = open_by_hand(tx, codes.community_id, parse_playbook(text).playbook,
                                  StoredGroups(), "cli")  # fmt: skip
        store.close_group(codes.groups()[0].id, "ops")
        again = browser.get("/go/poster", follow_redirects=False)
        code = SqlWebChat.on(store).invite_code(opened.id, "not-made-yet")
        assert code != "not-made-yet"  # made by the routing
        assert again.headers["location"].startswith(f"/join/{code}")
        assert first.headers["location"] != again.headers["location"]


def _approved_into(store: Store, clock: FrozenClock, room: Group, user: str, name: str) -> None:
    """Staff approve `name`'s application to `room`, and the Matrix bot invites them."""
    made, _ = SqlApplications.on(store).add_application(
        room.community_id, room.id, "matrix", user, name, None, ["Why tea?"], ["Oolong"],
        clock.now())  # fmt: skip
    review.approve(store, made.id, "console:li", clock.now())
    bot = FakeCarrier("matrix")
    asyncio.run(OutboundQueue(store, {"matrix": bot}, clock).run_once())
    assert [p.action.member for p in bot.performed] == [user]


def _matrix_rooms(store: Store, codes: Codes, *capacities: int) -> list[Group]:
    rooms = [store.add_group(codes.community_id, f"Tea Matrix {n}", "matrix",
                             f"!room{n}:example.org", capacity=capacity)
             for n, capacity in enumerate(capacities, start=1)]  # fmt: skip
    SqlLiveCodes.on(store).add_channel(codes.community_id, "partner", "Partner",
                                       ChannelKind.PARTNER, notes="", carrier="matrix",
                                       by="test", at=codes.clock.now())  # fmt: skip
    store.join(store.member_for("matrix", "@mei:example.org", "Mei").id, rooms[0].id)
    return rooms


def test_a_live_code_counts_the_approvals_let_in_and_not_in_yet(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """A Matrix room holding two, with Mei in it and Lan invited by an approval, not in yet:
    the live code sent the next newcomer there too, three people for two seats."""
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
        [room] = _matrix_rooms(store, codes, 2)
        _approved_into(store, store_clock, room, "@lan:example.org", "Lan")
        page = TestClient(codes.app).get("/go/partner", follow_redirects=False)
        assert page.status_code == 503, page.headers.get("location")


def test_a_live_code_leaves_the_seat_an_approval_borrowed_taken_after_they_join(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """Lan was let into the full first room on the second room's only seat, and joined: the
    live code sent the next newcomer to that seat (the first room over its capacity, the
    second empty); until she leaves, every room is full."""
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
        first, _ = _matrix_rooms(store, codes, 1, 1)
        _approved_into(store, store_clock, first, "@lan:example.org", "Lan")
        lan = store.member_for("matrix", "@lan:example.org", "Lan")
        store.join(lan.id, first.id)  # she accepts the invitation
        page = TestClient(codes.app).get("/go/partner", follow_redirects=False)
        assert page.status_code == 503, page.headers.get("location")

        store.leave(lan.id, first.id)
        sent = TestClient(codes.app).get("/go/partner", follow_redirects=False)
        assert sent.headers["location"] == "https://matrix.to/#/!room2:example.org"


def test_a_seat_held_for_a_newcomer_refused_at_the_join_goes_back(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """The poster held a seat in Tea Friends #1 for a newcomer; two people took the group's
    two seats by its invite link meanwhile, so the newcomer's join was refused (full). The
    seat stayed held for 15 minutes: when one of the two left, the poster still counted the
    group full and sent the next newcomer to a new group. Now a join refused for good gives
    the seat back."""
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
    late = TestClient(codes.app, client=("198.51.100.9", 4000))
    sent = late.get("/go/poster", follow_redirects=False)
    assert late.get(sent.headers["location"]).status_code == 200  # the join form, then …
    [tea] = codes.groups()
    invite = codes.carrier.invite_code(tea.id)
    with TestClient(codes.app) as portal:
        for n, name in enumerate(("Ann", "Bo"), start=1):
            by_link = TestClient(codes.app, client=(f"203.0.113.{n}", 4000))
            assert join(by_link, invite, name).status_code == 303
        codes.engine_round(portal)
        form = {"nickname": "Cy", "csrf_token": late.cookies["hearth_join"],
                "source": "code:poster"}  # fmt: skip
        refused = late.post(f"/join/{invite}", data=form, follow_redirects=False)  # … sent
        assert refused.status_code == 403 and "full" in refused.text
        [bo] = [s for s in codes.carrier.platform.seated(tea.id) if s.nickname == "Bo"]
        portal.portal.call(codes.carrier.leave, tea.id, bo.user_id)
        codes.engine_round(portal)
    store_clock.advance(timedelta(minutes=1))
    nxt = TestClient(codes.app, client=("198.51.100.10", 4000))
    again = nxt.get("/go/poster", follow_redirects=False)
    assert again.headers["location"] == sent.headers["location"], "Tea Friends #1 has a seat"
    assert [g.name for g in codes.groups()] == ["Tea Friends #1"], "none opened for nobody"
