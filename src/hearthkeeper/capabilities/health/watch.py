"""The daily key-member watch: a key member (core on their last active day, or staff) silent
for 7 to 28 days is reported to staff, once per silence spell.

The watch runs at 09:30 community time as scheduled work, one per community and day (keyed by
the date, so planning it twice is a no-op): a server plans it at start (`plan_health_watch`,
beside the calendar) and each watch plans the next. It is no handler: events never wait for
it. The alert goes through the ordinary alert path (outbox and staff inbox) under the key
`health:silent:<community>:<member>:<last active day>`: the same spell never alerts twice,
and a member who speaks again and falls silent again starts a new spell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.segments import DEFAULT_RULES
from hearthkeeper.analytics.vitals import SilentKey, silent_key_members_of
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, Request, schedule_request
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, Store
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.scope import StoreBase

WATCH_AT = time(9, 30)  # community time, after the levels round


class HealthWatch(Request, effect="health.watch"):
    """The key-member watch of the community on `day` (its local date)."""

    day: date


TEXTS = Phrasebook({
    "silent": {
        Language.ZH_CN: "关键成员 {name} 自 {last} 起已沉默 {days} 天（最后活跃于「{group}」）。"
                        "可以在「{group}」@ 一下 TA，聊聊 TA 擅长的话题。",
        Language.EN: "Key member {name} has been silent since {last} ({days} days): last active "
                     "in {group}; consider @-ing them in {group} with a topic they know.",
    },
})  # fmt: skip


def watch_key(community_id: int, day: date) -> str:
    """The watch of one community on one day."""
    return f"health:watch:{community_id}:{day.isoformat()}"


def alert_key(community_id: int, silent: SilentKey) -> str:
    """One alert per member and silence spell (the spell is named by its last active day)."""
    last = silent.placed.last_active.isoformat() if silent.placed.last_active else "never"
    return f"health:silent:{community_id}:{silent.placed.member_id}:{last}"


def next_watch(zone: ZoneInfo, now: datetime) -> date:
    """The day of the next watch: today's if 09:30 community time is still ahead."""
    day = now.astimezone(zone).date()
    if datetime.combine(day, WATCH_AT, tzinfo=zone) <= now:
        day += timedelta(days=1)
    return day


def plan_health_watch(scope: StoreBase, community_id: int, playbook: Playbook,
                      now: datetime) -> bool:  # fmt: skip
    """Schedule the community's next watch (today's if 09:30 is still ahead), attached to a
    group a carrier serves (`CommunityQueries.watch_group`); planning twice is a no-op. False
    when the community has no group yet."""
    group = CommunityQueries.on(scope).watch_group(community_id)
    if group is None:
        return False
    zone = ZoneInfo(playbook.community.timezone)
    day = next_watch(zone, now)
    at = datetime.combine(day, WATCH_AT, tzinfo=zone)
    schedule_request(scope, watch_key(community_id, day), community_id, HealthWatch(day=day), at,
                     group_id=group.id)  # fmt: skip
    return True


@dataclass(frozen=True)
class Silent:
    """A key member gone silent, with the group they were last active in and their user id
    on its carrier (None: none, or the group is gone)."""

    key: SilentKey
    group: Group | None
    user: str | None


def alerts(lang: Language, community_id: int, silent: Sequence[Silent]) -> list[Action]:
    """Staff alerts for the silent key members, each spell under its own key."""
    found: list[Action] = []
    for s in silent:
        group, last = s.group, s.key.placed.last_active
        if group is None or last is None:
            continue
        text = TEXTS.say("silent", lang, name=s.key.name, last=last.isoformat(),
                         days=s.key.placed.silent_days, group=group.name)  # fmt: skip
        found.append(Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                            group=group.carrier_group_id, member=s.user, text=text,
                            reason="a key member went silent", handler="health",
                            key=alert_key(community_id, s.key)))  # fmt: skip
    return found


def _silent(scope: StoreBase, community_id: int, today: date, zone: ZoneInfo) -> list[Silent]:
    groups, members = CommunityQueries.on(scope), MemberQueries.on(scope)
    found = []
    for key in silent_key_members_of(Store.on(scope), community_id, as_of=today, zone=zone,
                                     rules=DEFAULT_RULES):  # fmt: skip
        group = groups.get_group(key.group_id)
        placed = key.placed
        seen = group is not None and placed.last_active is not None
        user = members.user_on(placed.member_id, group.carrier) if seen and group else None
        found.append(Silent(key, group, user))
    return found


def watch(scope: StoreBase, request: HealthWatch, ctx: EffectContext) -> Sequence[Action]:
    """Alert staff of key members silent 7–28 days (each spell once); plan tomorrow's watch."""
    zone = ZoneInfo(ctx.playbook.community.timezone)
    community = ctx.group.community_id
    today = ctx.now.astimezone(zone).date()  # as of the day it runs (request.day: when due)
    found = alerts(ctx.playbook.community.language, community,
                   _silent(scope, community, today, zone))  # fmt: skip
    plan_health_watch(scope, community, ctx.playbook, ctx.now)
    return found
