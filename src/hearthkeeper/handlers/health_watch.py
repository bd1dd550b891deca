"""The daily key-member watch: a key member (core on their last active day, or staff) silent
for 7 to 28 days is reported to staff, once per silence spell.

The watch runs at 09:30 community time as scheduled work, one per community and day (keyed by
the date, so planning it twice is a no-op): a server plans it at start (`plan_health_watch`,
beside the calendar) and each watch plans the next. It is no handler: events never wait for it. The alert goes through the ordinary
alert path (outbox and staff inbox) under the key `health:silent:<community>:<member>:<last
active day>`: the same spell never alerts twice, and a member who speaks again and falls
silent again starts a new spell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.segments import DEFAULT_RULES
from hearthkeeper.analytics.vitals import SilentKey, silent_key_members_of
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store

WATCH_AT = time(9, 30)  # community time, after the levels round
WATCH = "health.watch"

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


def plan_health_watch(store: Store, community_id: int, playbook: Playbook, now: datetime) -> bool:
    """Schedule the community's next watch (today's if 09:30 is still ahead), attached to its
    first group; planning twice is a no-op. False when the community has no group yet."""
    groups = store.list_groups(community_id)
    if not groups:
        return False
    zone = ZoneInfo(playbook.community.timezone)
    day = now.astimezone(zone).date()
    if datetime.combine(day, WATCH_AT, tzinfo=zone) <= now:
        day += timedelta(days=1)
    store.schedule(watch_key(community_id, day), community_id, WATCH, {"day": day.isoformat()},
                   datetime.combine(day, WATCH_AT, tzinfo=zone), group_id=groups[0].id)  # fmt: skip
    return True


def watch(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Alert staff of key members silent 7–28 days (each spell once); plan tomorrow's watch."""
    zone = ZoneInfo(ctx.playbook.community.timezone)
    community = ctx.group.community_id
    today = ctx.now.astimezone(zone).date()
    alerts: list[Action] = []
    for silent in silent_key_members_of(store, community, as_of=today, zone=zone,
                                        rules=DEFAULT_RULES):  # fmt: skip
        group = store.get_group(silent.group_id)
        last = silent.placed.last_active
        if group is None or last is None:
            continue
        text = TEXTS.say("silent", ctx.playbook.community.language, name=silent.name,
                         last=last.isoformat(), days=silent.placed.silent_days,
                         group=group.name)  # fmt: skip
        alerts.append(Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                             group=group.carrier_group_id,
                             member=store.user_on(silent.placed.member_id, group.carrier),
                             text=text, reason="a key member went silent", handler="health",
                             key=alert_key(community, silent)))  # fmt: skip
    plan_health_watch(store, community, ctx.playbook, ctx.now)
    return alerts


def register(registry: Registry) -> None:
    """Add the watch (planned by the server at start, `plan_health_watch`)."""
    registry.add_effect(WATCH, watch)
