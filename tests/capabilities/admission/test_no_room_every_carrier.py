"""An approved applicant for whom no group has room, on a carrier that does not seat people
itself (Matrix, Telegram, QQ: the queue checks, `engine/no_room.py`): nothing is asked of
the platform, staff are told once, and the approval is performed once a group opens, staff
told where the applicant went (SQLite and PostgreSQL: `store`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import Capabilities
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import Store


class Platform:
    """A carrier that lets in whoever it is asked to, as Telegram approves a join request."""

    name = "telegram"
    capabilities = Capabilities(can=frozenset({ActionKind.ADMIT}))

    def __init__(self) -> None:
        self.admitted: list[tuple[str | None, str | None]] = []

    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    def events(self) -> Sequence[object]:
        return []

    async def perform(self, action: Action, key: str) -> str | None:
        self.admitted.append((action.group, action.member))
        return None


def test_an_approval_with_every_group_full_waits_and_staff_are_told(
    store: Store, store_clock: FrozenClock
) -> None:
    community = store.ensure_community("club", "Wine Club")
    salon = store.add_group(community.id, "Salon 1", "telegram", "-100", capacity=2)
    for name in ("ann", "bo"):
        member = store.member_for("telegram", name, name.title())
        store.join(member.id, salon.id)
    now = store_clock.now()
    application, _ = SqlApplications.on(store).add_application(
        community.id, salon.id, "telegram", "42", "Mei", None, ["Why?"], ["Wine"], now)  # fmt: skip
    review.approve(store, application.id, "console:li", now)
    platform = Platform()
    queue = OutboundQueue(store, {"telegram": platform}, store_clock)  # type: ignore[dict-item]
    asyncio.run(queue.run_once())
    asyncio.run(queue.run_once())  # nothing is said twice

    assert platform.admitted == []  # Salon 1 holds 2: she is not let in beyond it
    [told] = [a for a in store.staff_alerts(community.id) if "Mei" in a.text]
    assert "所有群都已满员" in told.text and "「Wine Club」" in told.text  # zh-CN: no playbook
    assert "hearth groups open" in told.text

    store.add_group(community.id, "Salon 2", "telegram", "-200", capacity=2)  # room again
    asyncio.run(queue.run_once())
    assert platform.admitted == [("-100", "42")]  # her join request, approved now
    alerts = {a.key: a for a in store.staff_alerts(community.id, open_only=False)}
    assert alerts[told.key].handled_at is not None
    seated = [a for a in alerts.values() if a.key.endswith(":seated")]
    assert [a.text for a in seated] == ["Mei 在所有群满员时获批，现已有空位，已进入「Salon 1」。"]


def test_an_approval_with_room_somewhere_is_let_in_at_once(
    store: Store, store_clock: FrozenClock
) -> None:
    community = store.ensure_community("club", "Wine Club")
    salon = store.add_group(community.id, "Salon 1", "telegram", "-100", capacity=5)
    now = store_clock.now()
    application, _ = SqlApplications.on(store).add_application(
        community.id, salon.id, "telegram", "42", "Mei", None, ["Why?"], ["Wine"], now)  # fmt: skip
    review.approve(store, application.id, "console:li", now)
    platform = Platform()
    queue = OutboundQueue(store, {"telegram": platform}, store_clock)  # type: ignore[dict-item]
    asyncio.run(queue.run_once())
    assert platform.admitted == [("-100", "42")]
    assert not [a for a in store.staff_alerts(community.id) if "Mei" in a.text]
