"""An approved applicant for whom no group has room, on a carrier that does not seat people
itself (Matrix, Telegram, QQ: the queue checks, `engine/no_room.py`): nothing is asked of
the platform, staff are told once, and the approval is performed once a group opens, staff
told where the applicant went (SQLite and PostgreSQL: `store`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import Capabilities
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import StaffAlert, Store
from hearthkeeper.store.waiting_admissions import SqlWaitingAdmissions
from hearthkeeper.testing import EventBuilder
from hearthkeeper.testing.fake_carrier import FakeCarrier
from tests.engine_setup import playbook


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
    _approved(store, community.id, salon.id, "telegram", [("42", "Mei")], store_clock)
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
    _approved(store, community.id, salon.id, "telegram", [("42", "Mei")], store_clock)
    platform = Platform()
    queue = OutboundQueue(store, {"telegram": platform}, store_clock)  # type: ignore[dict-item]
    asyncio.run(queue.run_once())
    assert platform.admitted == [("-100", "42")]
    assert not [a for a in store.staff_alerts(community.id) if "Mei" in a.text]


@pytest.mark.parametrize("idempotent", [False, True], ids=["marked-one-by-one", "marked-together"])
def test_one_seat_freed_lets_in_one_of_the_approvals_waiting(
    store: Store, store_clock: FrozenClock, idempotent: bool
) -> None:
    """Three approvals wait for a salon holding one; Ann leaving frees one seat. On Telegram
    or QQ (marked one by one) or Matrix (a batch marked together) someone counts once their
    join arrives, so all three were let in: now Mei is, the others wait on without a second
    alert, and the next seat freed once she is in lets in Bo."""
    community = store.ensure_community("club", "Wine Club")
    salon = store.add_group(community.id, "Salon 1", "fake", "-100", capacity=1)
    ann = store.member_for("fake", "ann", "Ann")
    store.join(ann.id, salon.id)
    _approved(
        store, community.id, salon.id, "fake", (("1", "Mei"), ("2", "Bo"), ("3", "Cy")), store_clock
    )
    platform = FakeCarrier(idempotent=idempotent)
    queue = OutboundQueue(store, {"fake": platform}, store_clock)
    asyncio.run(queue.run_once())
    assert platform.performed == []
    assert len(store.staff_alerts(community.id)) == 3  # one each: no group has room

    store.leave(ann.id, salon.id)  # as the engine records a leave: room, the approvals go again
    assert SqlWaitingAdmissions.on(store).requeue(community.id) == 3
    asyncio.run(queue.run_once())
    assert [p.action.member for p in platform.performed] == ["1"]  # Mei, approved first
    alerts = store.staff_alerts(community.id)
    assert waiting(alerts) == ["Bo", "Cy"]  # told once, when they were approved
    seated = [a.text for a in alerts if "获批" in a.text]
    assert seated == ["Mei 在所有群满员时获批，现已有空位，已进入「Salon 1」。"]

    store.join(store.member_for("fake", "1", "Mei").id, salon.id)  # her join arrives
    assert SqlWaitingAdmissions.on(store).requeue(community.id) == 2
    asyncio.run(queue.run_once())
    assert [p.action.member for p in platform.performed] == ["1"]  # in, and the salon is full

    store.leave(store.member_for("fake", "1", "Mei").id, salon.id)
    SqlWaitingAdmissions.on(store).requeue(community.id)
    asyncio.run(queue.run_once())
    assert [p.action.member for p in platform.performed] == ["1", "2"]
    assert waiting(store.staff_alerts(community.id)) == ["Cy"]
    assert len(waiting(store.staff_alerts(community.id, open_only=False))) == 3


def test_a_group_opened_lets_in_as_many_as_it_holds_and_their_seats_stay_taken(
    store: Store, store_clock: FrozenClock
) -> None:
    """Three wait for the full Salon 1 when Salon 2, holding two, opens: the platform lets
    each into the group they asked for, so two go (into Salon 1, taking Salon 2's seats in
    the count) and Cy waits on. Once Mei's and Bo's joins arrive they are Salon 1's members,
    over its capacity: the seats they borrowed stay taken (they were forgotten, and Cy was
    let in on a seat no longer free), until one of them leaves."""
    community = store.ensure_community("club", "Wine Club")
    salon = store.add_group(community.id, "Salon 1", "fake", "-100", capacity=1)
    store.join(store.member_for("fake", "ann", "Ann").id, salon.id)
    _approved(
        store, community.id, salon.id, "fake", (("1", "Mei"), ("2", "Bo"), ("3", "Cy")), store_clock
    )
    platform = FakeCarrier()
    queue = OutboundQueue(store, {"fake": platform}, store_clock)
    asyncio.run(queue.run_once())

    store.add_group(community.id, "Salon 2", "fake", "-200", capacity=2)  # wakes them
    asyncio.run(queue.run_once())
    assert [(p.action.group, p.action.member) for p in platform.performed] == [
        ("-100", "1"), ("-100", "2")]  # fmt: skip
    assert waiting(store.staff_alerts(community.id)) == ["Cy"]

    for user, name in (("1", "Mei"), ("2", "Bo")):  # their joins arrive
        store.join(store.member_for("fake", user, name).id, salon.id)
    SqlWaitingAdmissions.on(store).requeue(community.id)
    asyncio.run(queue.run_once())
    assert [p.action.member for p in platform.performed] == ["1", "2"], "Cy took a seat lent"
    assert waiting(store.staff_alerts(community.id)) == ["Cy"]

    store.leave(store.member_for("fake", "2", "Bo").id, salon.id)  # the seat is given back
    SqlWaitingAdmissions.on(store).requeue(community.id)
    asyncio.run(queue.run_once())
    assert [p.action.member for p in platform.performed] == ["1", "2", "3"]
    assert waiting(store.staff_alerts(community.id)) == []


def waiting(alerts: Sequence[StaffAlert]) -> list[str]:
    """Whom the no-room alerts name, once each alert."""
    return sorted(name for a in alerts if "所有群都已满员" in a.text
                  for name in ("Mei", "Bo", "Cy") if f"已同意 {name} 加入" in a.text)  # fmt: skip


class LinkingPlatform(Platform):
    """Telegram when the applicant's join request is gone: it sends them an invite link of
    their own instead of approving a request (`carriers/telegram/admit.py`)."""

    def let_in_link(self, key: str) -> str | None:
        return "https://t.me/+let-in" if self.admitted else None


def test_an_approval_that_waited_and_was_sent_a_link_is_not_said_to_be_let_in(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff's note says the applicant was sent a link and is in once they use it, not that
    they are in the group."""
    community = store.ensure_community("club", "Wine Club")
    salon = store.add_group(community.id, "Salon 1", "telegram", "-100", capacity=1)
    store.join(store.member_for("telegram", "ann", "Ann").id, salon.id)
    _approved(store, community.id, salon.id, "telegram", [("42", "Mei")], store_clock)
    platform = LinkingPlatform()
    queue = OutboundQueue(store, {"telegram": platform}, store_clock)  # type: ignore[dict-item]
    asyncio.run(queue.run_once())
    store.add_group(community.id, "Salon 2", "telegram", "-200", capacity=2)  # room again
    asyncio.run(queue.run_once())

    assert platform.admitted == [("-100", "42")]
    [note] = [a for a in store.staff_alerts(community.id) if a.key.endswith(":seated")]
    assert "已向其发送「Salon 1」的邀请链接" in note.text, note.text
    assert "通过该链接申请入群后即进群" in note.text and "已进入" not in note.text


def test_members_leaving_through_the_engine_let_in_the_approvals_waiting(
    store: Store, store_clock: FrozenClock
) -> None:
    """The engine records the leaves a carrier reports (Telegram, QQ, Matrix): two members
    leaving a full salon in one batch let in the two approvals waiting for room."""
    runtime = runtime_for(store, playbook())
    platform = FakeCarrier()
    engine = Engine(store, store_clock, [runtime], {"fake": platform},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    community_id = runtime.community_id
    salon = store.add_group(community_id, "Salon 1", "fake", "-100", capacity=2)
    events = EventBuilder(store_clock.now())
    engine.process([events.join(user, group="-100") for user in ("ann", "bea")])
    _approved(
        store,
        community_id,
        salon.id,
        "fake",
        (("1", "Mei"), ("2", "Bo")),
        store_clock,
        interest="Tea",
    )
    queue = OutboundQueue(store, {"fake": platform}, store_clock)
    asyncio.run(queue.run_once())  # the welcomes go; no group has room for Mei or Bo
    assert ActionKind.ADMIT not in [p.action.kind for p in platform.performed]
    assert waiting(store.staff_alerts(community_id)) == ["Bo", "Mei"]

    engine.process([events.leave(user, group="-100") for user in ("ann", "bea")])
    asyncio.run(queue.run_once())
    admitted = [p.action.member for p in platform.performed if p.action.kind is ActionKind.ADMIT]
    assert admitted == ["1", "2"]


def _approved(store: Store, community_id: int, group_id: int, carrier: str,
              people: Sequence[tuple[str, str]], clock: FrozenClock,
              interest: str = "Wine") -> None:  # fmt: skip
    """Each of `people` (their id on `carrier`, their name) applied to the group and was
    approved by staff at the console, in order."""
    applications = SqlApplications.on(store)
    for user, name in people:
        application, _ = applications.add_application(
            community_id, group_id, carrier, user, name, None, ["Why?"], [interest],
            clock.now())  # fmt: skip
        review.approve(store, application.id, "console:li", clock.now())
