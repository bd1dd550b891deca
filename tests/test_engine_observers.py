"""The audit log says a decision's reason once, on its first strike entry whatever order its
actions were applied in (on its first entry when it gives no strike); the others point to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.batch import Applied, BatchRecord
from hearthkeeper.engine.events import Message, Sender
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.engine.observers import log_audit
from hearthkeeper.store import NewAudit, Store

AT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
GROUP = GroupView(id=1, name="G one", carrier="webchat", carrier_group_id="g1", capacity=None,
                  community_id=1, community_slug="a")  # fmt: skip


class _Audits:
    def __init__(self) -> None:
        self.written: list[NewAudit] = []

    def audit_bulk(self, entries: Sequence[NewAudit]) -> None:
        self.written.extend(entries)


def _applied(kind: ActionKind, event: str, reason: str, violation: str = "advertising") -> Applied:
    message = Message(carrier="webchat", group="g1", event_id=event, at=AT,
                      sender=Sender(user_id="u-spam", display_name="Spam"), text="ad")  # fmt: skip
    action = Action(kind=kind, carrier="webchat", group="g1", member="u-spam",
                    violation=violation, reason="rule broken", detail=reason)  # fmt: skip
    return Applied(action=action, group=GROUP, member_id=7, event=message,
                   day=date(2026, 5, 1), at=AT)  # fmt: skip


def _reasons(*applied: Applied) -> list[tuple[str, Any]]:
    tx = _Audits()
    log_audit(cast(Store, tx), BatchRecord(applied=list(applied)))
    return [(e.action, e.detail["reason"]) for e in tx.written]


def test_the_strike_says_the_reason_though_the_deletion_was_applied_first() -> None:
    """The reason went on whichever entry came first: a deletion applied before the strike
    said it, and the strike pointed to `the delete entry`."""
    assert _reasons(
        _applied(ActionKind.DELETE, "e1", "advertising: '加微信'"),
        _applied(ActionKind.STRIKE, "e1", "advertising: '加微信'"),
        _applied(ActionKind.STRIKE, "e1", "advertising: '加微信'"),
        _applied(ActionKind.WARN, "e1", "advertising: '加微信'"),
    ) == [
        ("delete", "see the strike entry for this event"),
        ("strike", "advertising: '加微信'"),
        ("strike", "see the first strike entry for this event"),
        ("warn", "see the strike entry for this event"),
    ]


def test_a_decision_without_a_strike_says_it_on_its_first_entry_each_message_its_own() -> None:
    assert _reasons(
        _applied(ActionKind.DELETE, "e1", "contact: 'vx'"),
        _applied(ActionKind.WARN, "e1", "contact: 'vx'"),
        _applied(ActionKind.DELETE, "e2", "contact: 'vx'"),
    ) == [
        ("delete", "contact: 'vx'"),
        ("warn", "see the delete entry for this event"),
        ("delete", "contact: 'vx'"),  # another message: its own decision
    ]
