"""Staff find a member's appeal in the console's inbox, with what the rule matched, and
pardon or uphold it there."""

from __future__ import annotations

from datetime import timedelta

from markupsafe import escape

from hearthkeeper.capabilities.appeals import bans
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.moderation import staff
from tests.console_setup import BASE, SCRIPT, Console


def appeal(console: Console, text: str) -> None:
    console.clock.advance(timedelta(minutes=1))
    console.events.now = console.clock.now()
    console.engine.process([console.events.message("spam", text, name=SCRIPT)])


def test_an_appeal_is_pardoned_from_the_inbox_once(console: Console) -> None:
    spam = console.member_id("spam")
    cid = console.community_id
    assert console.store.live_strikes(cid, spam, console.clock.now()) == 2
    appeal(console, "/申诉 我发的是自己店铺的活动")
    [waiting] = SqlAppeals.on(console.store).waiting(cid)
    page = console.get("/inbox").text
    assert "【申诉】" in page and "我发的是自己店铺的活动" in page
    latest = console.store.strikes(member_id=spam)[-1]
    assert waiting.strike_id == latest.id
    assert str(escape(latest.explanation)) in page  # staff read what the rule matched
    assert f'action="{BASE}/appeals/{waiting.id}/pardon"' in page
    assert f'action="{BASE}/appeals/{waiting.id}/uphold"' in page
    done = console.post(f"/appeals/{waiting.id}/pardon")
    assert done.headers["location"] == f"{BASE}/inbox?notice=appeal-pardoned"
    assert console.store.live_strikes(cid, spam, console.clock.now()) == 1
    assert console.store.active_sanctions(member_id=spam, now=console.clock.now()) == []
    assert "【申诉】" not in console.get("/inbox").text  # its alert handled with it
    again = console.post(f"/appeals/{waiting.id}/uphold")
    assert again.headers["location"] == f"{BASE}/inbox?problem=already-decided"
    entries = [e.action for e in console.store.audit_log(cid)]
    assert "appeal" in entries and "appeal.pardoned" in entries and "appeal.upheld" not in entries


def test_an_appeal_of_another_community_is_not_found(console: Console) -> None:
    assert console.post("/appeals/999/pardon").status_code == 404


def test_a_ban_appeal_from_the_banned_page_is_pardoned_from_the_inbox(console: Console) -> None:
    angry = console.member_id("angry")
    group = console.store.get_group(console.group_id)
    assert group is not None
    now = console.clock.now()
    staff.ban_member(console.store, angry, group, "console:ann", now, key="ban-angry",
                     reason="骂人")  # fmt: skip
    filed = bans.file_ban_appeal(console.store, group, angry, "我刚才太激动了，保证不再犯", now)
    assert filed.appeal is not None
    page = console.get("/inbox").text
    assert "【申诉】" in page and "保证不再犯" in page and "封禁" in page
    assert f'action="{BASE}/appeals/{filed.appeal.id}/pardon"' in page
    assert console.post(f"/appeals/{filed.appeal.id}/pardon").status_code == 303
    assert console.store.active_sanctions(member_id=angry, now=console.clock.now()) == []
    member_page = console.get(f"/members/{angry}").text
    assert "<td>ban</td>" in member_page  # its appeal named as against the ban, not a mute


def test_an_appeals_alert_waits_until_the_appeal_is_decided(console: Console) -> None:
    """Marking an appeal's alert handled (the REST API's, or the console's form sent by hand)
    took it out of the inbox with the appeal undecided: the member was told "already with
    staff" ever after, and their member page said it waited in the inbox, where nothing
    showed it. Refused, saying to pardon or uphold it; so is "not an ad" on it."""
    cid = console.community_id
    appeal(console, "/申诉 我发的是自己店铺的活动")
    [waiting] = SqlAppeals.on(console.store).waiting(cid)
    [alert] = [a for a in console.store.staff_alerts(cid) if a.handler == "appeals"]

    for form in ("handled", "not-an-ad"):
        done = console.post(f"/alerts/{alert.id}/{form}")
        assert done.headers["location"] == f"{BASE}/inbox?problem=appeal-waiting", form
    said = console.get("/inbox", problem="appeal-waiting").text
    assert "pardon or uphold it" in said and "我发的是自己店铺的活动" in said  # still listed
    api = {"X-CSRF-Token": console.csrf()}
    for endpoint in ("handle", "not-an-ad"):
        answer = console.client.post(f"/api/v1/alerts/{alert.id}/{endpoint}", headers=api)
        assert answer.status_code == 409, endpoint
        assert f"appeal {waiting.id}" in answer.json()["detail"], endpoint
    assert SqlAppeals.on(console.store).waiting(cid) == [waiting]
    assert [a.id for a in console.store.staff_alerts(cid, open_only=True)].count(alert.id) == 1

    console.post(f"/appeals/{waiting.id}/uphold")

    assert SqlAppeals.on(console.store).waiting(cid) == []
    assert alert.id not in [a.id for a in console.store.staff_alerts(cid, open_only=True)]


def test_staff_add_a_note_the_member_reads_from_the_inbox(console: Console) -> None:
    """The CLI and the API took a note for the member with a decision; the inbox, where most
    appeals are decided, did not. Its one form now has the note, for Pardon and Uphold."""
    cid = console.community_id
    appeal(console, "/申诉 我发的是自己店铺的活动")
    [waiting] = SqlAppeals.on(console.store).waiting(cid)
    page = console.get("/inbox").text
    assert 'id="note-' in page and f'formaction="{BASE}/appeals/{waiting.id}/uphold"' in page
    refused = console.post(f"/appeals/{waiting.id}/uphold", {"note": "太" * 501})
    assert refused.headers["location"] == f"{BASE}/inbox?problem=note-too-long"
    assert SqlAppeals.on(console.store).waiting(cid) == [waiting], "nothing decided"
    done = console.post(f"/appeals/{waiting.id}/uphold", {"note": "群里不能发店铺活动"})
    assert done.headers["location"] == f"{BASE}/inbox?notice=appeal-upheld"
    queued = console.store.claim(50, console.clock.now() + timedelta(days=1))
    [told] = [i.action.get("text", "") for i in queued if i.key == f"appeal:{waiting.id}:told"]
    assert told.endswith("群里不能发店铺活动")
