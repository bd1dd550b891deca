"""Appeals as staff list them (`hearth appeals list`, the REST API, the member's console
page): who, where, against what, their words, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass

from hearthkeeper.capabilities.appeals.repository import Appeal, SqlAppeals
from hearthkeeper.store import Store

WAITING = "waiting"  # the status of an appeal staff have not decided yet


@dataclass(frozen=True)
class Against:
    """What an appeal was against, in staff's words: `strike for advertising`, `mute`, `ban`."""

    kind: str  # strike, mute, ban, blacklist
    violation: str | None  # the strike's (a ban's, when the ladder gave it with one: None)
    words: str


@dataclass(frozen=True)
class Listed:
    """An appeal with the names staff read."""

    appeal: Appeal
    community: str  # its slug
    member: str
    group: str
    against: Against

    @property
    def status(self) -> str:
        """`waiting`, `pardoned` or `upheld`."""
        return self.appeal.outcome or WAITING


def against(store: Store, appeal: Appeal) -> Against:
    """What `appeal` was against."""
    if appeal.strike_id is not None:
        strike = store.get_strike(appeal.strike_id)
        violation = strike.violation if strike is not None else None
        return Against("strike", violation, f"strike for {violation or appeal.strike_id}")
    sanction = store.get_sanction(appeal.sanction_id) if appeal.sanction_id is not None else None
    kind = sanction.kind.value if sanction is not None else "mute"
    return Against(kind, None, kind)


def listed(store: Store, community_id: int | None, *, open_only: bool = False,
           limit: int = 200) -> list[Listed]:  # fmt: skip
    """The appeals of one community (None: every one), oldest first, named."""
    return named(store, SqlAppeals.on(store).listed(community_id, open_only=open_only,
                                                     limit=limit))  # fmt: skip


def one(store: Store, appeal_id: int) -> Listed | None:
    """One appeal, named (None: no such appeal)."""
    appeal = SqlAppeals.on(store).get(appeal_id)
    return None if appeal is None else named(store, [appeal])[0]


def named(store: Store, appeals: list[Appeal]) -> list[Listed]:
    """`appeals` with the names staff read."""
    names = store.member_names(a.member_id for a in appeals)
    slugs = {c.id: c.slug for c in store.list_communities()}
    groups: dict[int, str] = {}
    for appeal in appeals:
        if appeal.group_id not in groups:
            group = store.get_group(appeal.group_id)
            groups[appeal.group_id] = group.name if group is not None else str(appeal.group_id)
    return [
        Listed(a, slugs.get(a.community_id, str(a.community_id)),
               names.get(a.member_id, f"member {a.member_id}"), groups[a.group_id],
               against(store, a))
        for a in appeals
    ]  # fmt: skip
