"""Moderation decisions as the console shows them: strikes and sanctions with the member's
name, the group's and where each one stands now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.store import Sanction, Store, Strike
from hearthkeeper.store.sanctions import SUPERSEDED
from hearthkeeper.web.console.pages import CommunityView


def strike_status(strike: Strike, now: datetime) -> str:
    """live, pardoned or expired."""
    if strike.pardoned_at is not None:
        return "pardoned"
    return "live" if strike.live(now) else "expired"


def sanction_status(sanction: Sanction, now: datetime) -> str:
    """in force, lifted, superseded (by a newer one) or ended (its time ran out)."""
    if sanction.lifted_at is not None:
        return "superseded" if sanction.lifted_by == SUPERSEDED else "lifted"
    if sanction.until is not None and sanction.until <= now:
        return "ended"
    return "in force"


@dataclass(frozen=True)
class Decision:
    """A strike or a sanction, named."""

    at: datetime
    kind: str  # strike, mute, ban or blacklist
    member_id: int
    member: str
    group: str | None
    violation: str
    explanation: str
    status: str
    strike: Strike | None = None
    sanction: Sanction | None = None

    @property
    def can_pardon(self) -> bool:
        return self.strike is not None and self.status == "live"

    @property
    def can_lift(self) -> bool:
        return self.sanction is not None and self.status == "in force"


def named(
    store: Store,
    view: CommunityView,
    strikes: Iterable[Strike],
    sanctions: Iterable[Sanction],
    now: datetime,
) -> list[Decision]:
    """Strikes and sanctions as decisions, newest first (names looked up in one query)."""
    strikes, sanctions = list(strikes), list(sanctions)
    names = store.member_names([s.member_id for s in strikes] + [s.member_id for s in sanctions])
    groups = {g.id: g.name for g in store.list_groups(view.community.id)}
    found = [
        Decision(
            at=s.at, kind="strike", member_id=s.member_id,
            member=names.get(s.member_id, f"member {s.member_id}"),
            group=groups.get(s.group_id) if s.group_id else None, violation=s.violation,
            explanation=s.explanation, status=strike_status(s, now), strike=s,
        )
        for s in strikes
    ] + [
        Decision(
            at=s.at, kind=s.kind.value, member_id=s.member_id,
            member=names.get(s.member_id, f"member {s.member_id}"),
            group=groups.get(s.group_id) if s.group_id else None, violation="",
            explanation=s.reason, status=sanction_status(s, now), sanction=s,
        )
        for s in sanctions
    ]  # fmt: skip
    return sorted(found, key=lambda d: d.at, reverse=True)


def recent_decisions(
    store: Store, view: CommunityView, since: datetime, now: datetime
) -> list[Decision]:
    """Strikes and sanctions given from `since` on, newest first."""
    cid = view.community.id
    return named(
        store,
        view,
        store.community_strikes(cid, since=since, now=now),
        store.community_sanctions(cid, in_force_only=False, since=since, now=now),
        now,
    )
