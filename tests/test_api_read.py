"""Reading a community through the REST API: communities, groups, members, live numbers,
the inbox and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from hearthkeeper.carriers.webchat.plugin import webchat_of
from hearthkeeper.web import slashed
from tests.web_auth_setup import Site, Tea, tea


@pytest.fixture
def t(site: Site) -> Tea:
    return tea(site)


def test_communities_are_listed_and_described(t: Tea) -> None:
    [listed] = t.get("/communities").json()
    assert listed["slug"] == "tea" and listed["name"] == "Tea Friends"
    detail = t.get("/communities/tea").json()
    assert detail["groups"] == 2 and detail["playbook_version"] == 1
    assert detail["inbox"] == 2, "one unanswered question and one staff alert"
    live = detail["live"]
    # Six posted; the spammer's two ads were deleted by moderation and count nowhere.
    assert (live["messages"], live["joins"], live["leaves"]) == (4, 3, 0)
    assert live["active_members"] == 2 and live["strikes"] == 2  # Mei and Angry: not the spammer


def test_an_unknown_community_is_a_readable_404(t: Tea) -> None:
    for path in ("/communities/coffee", "/communities/coffee/members", "/communities/coffee/inbox"):
        answer = t.get(path)
        assert answer.status_code == 404
        assert (
            answer.json()["detail"] == "There is no community 'coffee' (see /api/v1/communities)."
        )


def test_today_starts_at_midnight_in_the_communitys_time_zone(t: Tea) -> None:
    # The clock reads 2026-05-01 09:00 UTC, 10:00 in London (summer time): today began at
    # 23:00 UTC the day before.
    ev = t.chat.events
    late_yesterday = datetime(2026, 4, 30, 22, 30, tzinfo=UTC)  # 23:30 in London
    early_today = datetime(2026, 4, 30, 23, 30, tzinfo=UTC)  # 00:30 in London
    # Mei, who accepted the rules (Bob's posts would be deleted by the rules gate).
    t.chat.engine.process([ev.message("mei", "night owl", at=late_yesterday),
                           ev.message("mei", "early bird", at=early_today)])  # fmt: skip
    live = t.get("/communities/tea/live").json()
    assert live["timezone"] == "Europe/London"
    assert live["since"] == "2026-04-30T23:00:00Z"
    assert live["messages"] == 5, "the four kept of the morning and the one after midnight"


def test_groups_show_their_members_now_and_web_chat_invite_links(t: Tea) -> None:
    groups = {g["name"]: g for g in t.get("/communities/tea/groups").json()}
    assert set(groups) == {"g1", "Web lounge"}
    assert groups["g1"]["members"] == 3 and groups["g1"]["invite_url"] is None
    link = groups["Web lounge"]["invite_url"]
    code = webchat_of(t.site.web.carriers).invite_code(groups["Web lounge"]["id"])
    assert link == f"http://chat.example/join/{code}"


def test_groups_are_listed_by_name_as_the_console_lists_them(t: Tea) -> None:
    """The API listed groups in the order they were opened while the console lists them by
    name, numbers read as numbers: a script reading `group 10` before `group 2` showed a
    matrix in another order than the operator's Groups page."""
    store = t.site.store
    for name, carrier_id in (("group 10", "g-10"), ("group 2", "g-2a"), ("Group 2", "g-2b"),
                             ("group 9", "g-9")):  # fmt: skip
        store.add_group(t.id, name, "fake", carrier_id)
    listed = [g["name"] for g in t.get("/communities/tea/groups").json()]
    assert listed == ["g1", "group 2", "Group 2", "group 9", "group 10", "Web lounge"]
    assert [g["name"] for g in t.get("/communities/tea/groups").json()] == listed, "every time"


def test_a_members_groups_are_listed_by_name_as_the_groups_are(t: Tea) -> None:
    """A member's `groups` were listed in the order the groups were opened while the groups
    endpoint lists them by name, numbers read as numbers: a script reading both showed
    one member's groups in another order than the community's."""
    store = t.site.store
    mei = t.chat.member_id("mei")
    for name, carrier_id in (("group 10", "g-10"), ("group 2", "g-2"), ("Group 2", "g-2b")):
        store.join(mei, store.add_group(t.id, name, "fake", carrier_id).id)
    [found] = t.get("/communities/tea/members", query="Mei").json()["members"]
    assert found["groups"] == ["g1", "group 2", "Group 2", "group 10"]


def test_members_are_found_by_name_and_by_tag_a_page_at_a_time(t: Tea) -> None:
    everyone = t.get("/communities/tea/members").json()
    assert everyone["total"] == 4
    assert [m["display_name"] for m in everyone["members"]] == ["Angry", "Bob", "Mei", "Spammer"]
    by_name = t.get("/communities/tea/members", query="ei").json()
    assert [m["display_name"] for m in by_name["members"]] == ["Mei"]
    assert by_name["members"][0]["groups"] == ["g1"]
    by_tag = t.get("/communities/tea/members", tag="oily").json()
    assert [m["display_name"] for m in by_tag["members"]] == ["Mei"]
    page = t.get("/communities/tea/members", limit=2, offset=2).json()
    assert page["total"] == 4 and [m["display_name"] for m in page["members"]] == ["Mei", "Spammer"]
    assert t.get("/communities/tea/members", limit=0).status_code == 422


def test_a_member_shows_identities_tags_strikes_sanctions_and_messages(t: Tea) -> None:
    spam = t.get(f"/communities/tea/members/{t.chat.member_id('spam')}").json()
    assert spam["display_name"] == "Spammer"
    assert spam["identities"] == [{"carrier": "fake", "carrier_user_id": "spam"}]
    assert [s["live"] for s in spam["strikes"]] == [True, True]
    [mute] = spam["sanctions"]
    assert mute["kind"] == "mute" and mute["in_force"] is True
    assert {m["text"] for m in spam["recent_messages"]} == {
        "加我微信 abc12345 低价出货",
        "加我微信 abc12345 低价出货 2",
    }
    mei = t.get(f"/communities/tea/members/{t.chat.member_id('mei')}").json()
    assert {tag["tag"] for tag in mei["tags"]} == {"oily", "rules-accepted"}
    assert mei["strikes"] == [] and mei["sanctions"] == []
    assert mei["points"] == 0


def test_an_unknown_member_or_one_of_another_community_is_a_404(t: Tea) -> None:
    other = t.site.store.member_for("fake", "stranger", "Stranger")  # never in a tea group
    for member_id in (999, other.id):
        answer = t.get(f"/communities/tea/members/{member_id}")
        assert answer.status_code == 404
        assert answer.json()["detail"] == f"Member {member_id} is not in community 'tea'."


def test_the_inbox_lists_waiting_questions_and_open_alerts(t: Tea) -> None:
    inbox = t.get("/communities/tea/inbox").json()
    [question] = inbox["questions"]
    assert question["asker"] == "Mei" and "Leeds" in question["text"]
    assert question["status"] == "open" and question["group_name"] == "g1"
    [alert] = inbox["alerts"]
    assert alert["handler"] == "moderation" and alert["member_id"] == t.chat.member_id("angry")


def test_the_audit_log_is_newest_first_and_limited(t: Tea) -> None:
    entries = t.get("/communities/tea/audit").json()
    assert entries[-1]["action"] == "playbook.apply" and entries[-1]["actor"] == "setup"
    assert any(e["action"] == "strike" for e in entries)
    assert len(t.get("/communities/tea/audit", limit=1).json()) == 1
    assert t.get("/communities/tea/audit", limit=5000).status_code == 422


@pytest.mark.parametrize("named", ["TEA", "Tea Friends", "tea friends"])
def test_a_community_is_found_by_its_name_or_in_any_case_as_the_orders_find_it(
    t: Tea, named: str
) -> None:
    """`GET …/audit` (and every core endpoint) took only the exact slug, while billing's
    `…/orders` took the name or any case (`find_community`, as `--community` does): the same
    address with `TEA` answered the ledger and a 404 for the audit log."""
    for path in ("/audit", "/members", ""):
        exact = t.get(f"/communities/tea{path}")
        answer = t.get(f"/communities/{named}{path}")
        assert answer.status_code == 200, answer.text
        assert answer.json() == exact.json()
    refused = t.get("/communities/coffee/audit")
    assert refused.status_code == 404
    assert refused.json()["detail"] == "There is no community 'coffee' (see /api/v1/communities)."


def test_a_name_written_full_width_or_decomposed_finds_its_community_and_two_alike_none(
    t: Tea,
) -> None:
    """A name typed full-width (a Chinese keyboard's `Ｔｅａ`) or with its accent apart (NFD,
    as macOS writes it) was a 404; two communities named alike but for the case (`Tea Friends`,
    `TEA FRIENDS`) answered for whichever was listed first, so a call meant for one read or
    changed the other: refused now, naming both by slug."""
    for named in ("Ｔｅａ Ｆｒｉｅｎｄｓ", "ＴＥＡ"):
        answer = t.get(f"/communities/{named}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["slug"] == "tea"
    t.site.store.ensure_community("cafe", "Café Corner")
    assert t.get("/communities/Cafe\u0301 corner").json()["slug"] == "cafe"
    t.site.store.ensure_community("tea-2", "TEA FRIENDS")
    for path in ("", "/audit", "/members"):
        refused = t.get(f"/communities/tea friends{path}")
        assert refused.status_code == 404, (path, refused.text)
        assert refused.json()["detail"] == (
            "'tea friends' names 2 communities: tea (Tea Friends), tea-2 (TEA FRIENDS); say "
            "which by its slug (see /api/v1/communities)."
        ), path
    assert t.get("/communities/Tea Friends").json()["slug"] == "tea"  # as written: one
    assert t.get("/communities/tea-2").json()["slug"] == "tea-2"


def test_the_audit_log_is_read_further_back_a_page_at_a_time(t: Tea) -> None:
    """The API answered the newest 1,000 entries at most, with no way to read older ones (a
    busy community writes thousands a week); `offset` reads on, page after page, to the
    first entry, each once."""
    every = t.get("/communities/tea/audit", limit=1000).json()
    assert len(every) >= 3
    pages = [t.get("/communities/tea/audit", limit=2, offset=n).json()
             for n in range(0, len(every), 2)]  # fmt: skip
    assert [e for page in pages for e in page] == every
    assert every[-1]["action"] == "playbook.apply"
    assert t.get("/communities/tea/audit", offset=len(every)).json() == []


def test_a_name_with_a_slash_finds_its_community_and_never_another(t: Tea) -> None:
    """A name holding `/` (`Tea/Coffee`), written `Tea%2FCoffee` in an address, was decoded
    before routing: a 404, or another community's page when the name's first part named one
    (`Tea Friends%2Faudit` answered the audit log of `Tea Friends`)."""
    t.site.store.ensure_community("tea-coffee", "Tea/Coffee")
    t.site.store.ensure_community("tea-audit", "Tea Friends/audit")
    for path in ("", "/members", "/audit"):
        answer = t.get(f"/communities/Tea%2FCoffee{path}")
        assert answer.status_code == 200, (path, answer.text)
        assert answer.json() == t.get(f"/communities/tea-coffee{path}").json(), path
    assert t.get("/communities/tea friends%2fAUDIT").json()["slug"] == "tea-audit"
    t.site.store.ensure_community("percent", "100%/Tea")
    assert t.get("/communities/100%25%2FTea/audit").status_code == 200
    t.site.store.ensure_community("tea-percent", "Tea 100%")
    assert t.get("/communities/Tea 100%25/members").status_code == 200
    refused = t.get("/communities/Tea%2FMilk/members")
    assert refused.status_code == 404
    assert refused.json()["detail"] == (
        "There is no community 'Tea/Milk' (see /api/v1/communities)."
    )


@pytest.mark.parametrize(
    ("raw", "name", "rest"),
    [
        ("Tea%252FCoffee", "Tea%2FCoffee", "/audit"),  # the name as written, no slash in it
        ("Tea%2FCoffee", "Tea/Coffee", "/audit"),
        ("100%25%2FTea", "100%/Tea", ""),
        ("Tea%20100%25", "Tea 100%", "/members"),
        ("Tea%25", "Tea%", ""),
        ("..%2Faudit", "../audit", ""),
        ("Tea%2F", "Tea/", "/members"),
    ],
)  # fmt: skip
def test_the_community_segment_routed_names_the_community_written(
    raw: str, name: str, rest: str
) -> None:
    """As the server hands an address over (its path decoded once, `raw_path` as sent): a
    community named `Tea%2FCoffee`, written `Tea%252FCoffee`, was looked up as `Tea/Coffee`
    (another community, or none)."""
    for prefix in slashed.PREFIXES:
        sent = f"{prefix}{raw}{rest}"
        scope = slashed.kept_whole(
            {"type": "http", "raw_path": sent.encode(), "path": unquote(sent)}
        )
        segment, _, after = scope["path"].removeprefix(prefix).partition("/")
        assert (slashed.named(segment), after and "/" + after) == (name, rest), sent
