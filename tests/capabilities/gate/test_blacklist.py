"""The gate on its own: a blacklisted member who joins or posts is removed and told why;
staff and members in good standing pass."""

from __future__ import annotations

from datetime import UTC, datetime

from hearthkeeper.capabilities.gate.blacklist import Blacklist
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.handler import Context, MemberView
from hearthkeeper.testing import EventBuilder
from tests.capabilities.handler_setup import GROUP, State
from tests.engine_setup import playbook

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def ctx(member_id: int, role: str | None = None) -> Context:
    member = MemberView(id=member_id, user_id=f"u{member_id}", display_name="Ann", role=role)
    return Context(playbook=playbook(), group=GROUP, member=member, now=NOW, state=State())


def test_a_blacklisted_member_who_posts_is_deleted_banned_and_refused_once() -> None:
    message = EventBuilder(NOW).message("u9", "hello again", name="Ann")
    gate = Blacklist()
    assert gate.check(message, ctx(9))
    outcome = gate.handle(message, ctx(9))
    assert outcome.stop
    assert [a.kind for a in outcome.actions] == [ActionKind.DELETE, ActionKind.BAN, ActionKind.SEND]
    delete, ban, send = outcome.actions
    assert delete.target == message.event_id and ban.member == "u9"
    assert send.key == "refused:1:9" and "Ann" in (send.text or "")


def test_a_blacklisted_member_who_joins_is_banned_without_a_deletion_and_staff_told() -> None:
    join = EventBuilder(NOW).join("u9", name="Ann")
    outcome = Blacklist().handle(join, ctx(9))
    kinds = [a.kind for a in outcome.actions]
    assert kinds == [ActionKind.BAN, ActionKind.SEND, ActionKind.ALERT_STAFF]
    alert = outcome.actions[2]
    assert alert.violation == "ban_evasion" and "Ann" in (alert.text or "")


def test_staff_and_members_in_good_standing_pass() -> None:
    message = EventBuilder(NOW).message("u9", "hello")
    assert not Blacklist().check(message, ctx(9, role="manager"))
    assert not Blacklist().check(EventBuilder(NOW).message("u3", "hello"), ctx(3))
