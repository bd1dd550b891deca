"""Moderation through the REST API: strikes and their pardon, sanctions and their lifting,
staff alerts marked handled — each written to the audit log as `api:<operator>`."""

from __future__ import annotations

import pytest

from hearthkeeper.store import OutboxStatus
from tests.web_auth_setup import Site, Tea, tea


@pytest.fixture
def t(site: Site) -> Tea:
    return tea(site)


def test_pardoning_a_strike_through_the_api_stops_it_counting_and_is_audited(t: Tea) -> None:
    strikes = t.get("/communities/tea/strikes", live_only="true").json()
    assert [s["violation"] for s in strikes] == ["advertising", "advertising"]
    newest = strikes[0]
    answer = t.post(f"/strikes/{newest['id']}/pardon")
    assert answer.status_code == 200
    pardoned = answer.json()
    assert pardoned["pardoned_by"] == "api:mei" and pardoned["live"] is False
    spam = t.chat.member_id("spam")
    assert t.site.store.live_strikes(t.id, spam, t.site.clock.now()) == 1
    assert len(t.get("/communities/tea/strikes", live_only="true").json()) == 1
    assert len(t.get("/communities/tea/strikes").json()) == 2, "still on record"
    [entry] = [e for e in t.site.store.audit_log(t.id) if e.action == "pardon"]
    assert entry.actor == "api:mei" and entry.detail["strike"] == newest["id"]


def test_pardoning_twice_or_an_unknown_strike_is_refused_readably(t: Tea) -> None:
    strike_id = t.get("/communities/tea/strikes").json()[0]["id"]
    t.post(f"/strikes/{strike_id}/pardon")
    again = t.post(f"/strikes/{strike_id}/pardon")
    assert again.status_code == 409
    assert again.json()["detail"].startswith(f"Strike {strike_id} was already pardoned by api:mei")
    unknown = t.post("/strikes/9999/pardon")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "There is no strike with id 9999."


def test_lifting_a_mute_through_the_api_queues_the_unmute(t: Tea) -> None:
    [mute] = t.get("/communities/tea/sanctions").json()
    assert mute["kind"] == "mute" and mute["member_id"] == t.chat.member_id("spam")
    answer = t.post(f"/sanctions/{mute['id']}/lift")
    assert answer.status_code == 200
    lifted = answer.json()
    assert lifted["undo_actions"] == 1
    assert lifted["sanction"]["lifted_by"] == "api:mei" and lifted["sanction"]["in_force"] is False
    assert t.get("/communities/tea/sanctions").json() == []
    assert [s["id"] for s in t.get("/communities/tea/sanctions", in_force="false").json()] == [
        mute["id"]
    ]
    pending = t.site.store.claim(10, t.site.clock.now())
    assert any(i.action["kind"] == "unmute" and i.status is OutboxStatus.SENDING for i in pending)
    assert any(
        e.actor == "api:mei" and e.action == "lift mute" for e in t.site.store.audit_log(t.id)
    )
    assert t.post(f"/sanctions/{mute['id']}/lift").status_code == 409
    assert t.post("/sanctions/9999/lift").status_code == 404


def test_handling_an_alert_empties_the_inbox_and_is_audited(t: Tea) -> None:
    [alert] = t.get("/communities/tea/inbox").json()["alerts"]
    answer = t.post(f"/alerts/{alert['id']}/handle")
    assert answer.status_code == 200 and answer.json()["handled_by"] == "api:mei"
    assert t.get("/communities/tea/inbox").json()["alerts"] == []
    assert t.get("/communities/tea").json()["inbox"] == 1, "the question still waits"
    assert any(e.action == "alert.handle" and e.actor == "api:mei"
               for e in t.site.store.audit_log(t.id))  # fmt: skip
    again = t.post(f"/alerts/{alert['id']}/handle")
    assert again.status_code == 409 and "already handled by api:mei" in again.json()["detail"]
    assert t.post("/alerts/9999/handle").status_code == 404


def _message_of(t: Tea, user: str) -> int:
    found = t.get(f"/communities/tea/members/{t.chat.member_id(user)}").json()
    return int(found["recent_messages"][0]["id"])


def test_deleting_a_message_through_the_api_queues_it_once_and_keeps_it_as_spam(t: Tea) -> None:
    message_id = _message_of(t, "angry")
    first = t.post(f"/messages/{message_id}/delete")
    again = t.post(f"/messages/{message_id}/delete")
    assert first.status_code == again.status_code == 200
    assert first.json() == {"message_id": message_id, "deleted": True, "bans": []}
    deletions = [i for i in t.site.store.outbox_items() if i.key == f"staff-delete:{message_id}"]
    assert len(deletions) == 1 and deletions[0].action["kind"] == "delete"
    [example] = t.site.store.moderation_examples(community_id=t.id)
    assert example.is_spam and example.actor == "api:mei"
    unknown = t.post("/messages/9999/delete")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "There is no message with id 9999."


def test_banning_for_a_message_through_the_api_bans_the_sender(t: Tea) -> None:
    message_id = _message_of(t, "angry")
    answer = t.post(f"/messages/{message_id}/ban")
    assert answer.status_code == 200
    [ban] = answer.json()["bans"]
    assert ban["kind"] == "ban" and ban["member_id"] == t.chat.member_id("angry")
    assert ban["in_force"] is True
    [example] = t.site.store.moderation_examples(community_id=t.id)
    assert example.source == "staff_ban" and example.is_spam
