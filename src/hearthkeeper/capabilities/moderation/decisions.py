"""Moderation decisions as the console and `hearth strikes` / `hearth sanctions` show them:
strikes and sanctions with where each one stands now (and, in the console, the member's name
and the group's)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from hearthkeeper.store import Sanction, Store, Strike
from hearthkeeper.store.records import SanctionKind
from hearthkeeper.store.sanctions import SUPERSEDED


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
    community_id: int,
    strikes: Iterable[Strike],
    sanctions: Iterable[Sanction],
    now: datetime,
) -> list[Decision]:
    """Strikes and sanctions as decisions, newest first (names looked up in one query)."""
    strikes, sanctions = list(strikes), list(sanctions)
    names = store.member_names([s.member_id for s in strikes] + [s.member_id for s in sanctions])
    groups = {g.id: g.name for g in store.list_groups(community_id)}
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
    store: Store, community_id: int, since: datetime, now: datetime
) -> list[Decision]:
    """Strikes and sanctions given in a community from `since` on, newest first."""
    return named(
        store,
        community_id,
        store.community_strikes(community_id, since=since, now=now),
        store.community_sanctions(community_id, in_force_only=False, since=since, now=now),
        now,
    )


def who(member_id: int, name: str | None) -> str:
    """A member as the lists name one: "Ann (member 15)", or "member 15" without a name."""
    return f"{name} (member {member_id})" if name else f"member {member_id}"


def _clock(at: datetime, zone: tzinfo, named: bool, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return at.astimezone(zone).strftime(fmt) + (f" {zone}" if named else "")


def strike_line(strike: Strike, now: datetime, name: str | None = None, zone: tzinfo = UTC,
                named: bool = False) -> str:  # fmt: skip
    """One strike as `hearth strikes list` prints it (`name`: the member's display name; its
    times in `zone`, the zone `named` after each when the list's rows are in several)."""
    state = strike_status(strike, now)
    if state == "pardoned":
        state = "pardoned by " + (strike.pardoned_by or "?")
    expires = _clock(strike.expires_at, zone, named, "%Y-%m-%d") if strike.expires_at else "never"
    return (f"#{strike.id}  {who(strike.member_id, name)}  {strike.violation}  "
            f"{_clock(strike.at, zone, named)}  expires {expires}  {state} — {strike.explanation}")  # fmt: skip


def sanction_line(item: Sanction, name: str | None = None, zone: tzinfo = UTC,
                  named: bool = False) -> str:  # fmt: skip
    """One sanction as `hearth sanctions list` prints it (`name`: the member's display name;
    its times in `zone`, the zone `named` after each when the list's rows are in several)."""
    where = f"group {item.group_id}" if item.group_id else (
        f"community {item.community_id}" if item.community_id else "all communities")  # fmt: skip
    until = f" until {_clock(item.until, zone, named)}" if item.until else ""
    if item.kind is SanctionKind.KICK:  # a removal under way: over once they are back
        until += " or until they join again"
    return (f"#{item.id}  {item.kind.value}  {who(item.member_id, name)}  {where}  "
            f"since {_clock(item.at, zone, named)}{until} — {item.reason}")  # fmt: skip
