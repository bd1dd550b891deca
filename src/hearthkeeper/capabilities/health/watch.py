"""The daily key-member watch: a key member (core on their last active day, or staff) silent
for 7 to 28 days is reported to staff, once per silence spell.

The watch runs at 09:30 community time as scheduled work, one per community and day (keyed by
the date, so planning it twice is a no-op): a server plans it at start (`plan_health_watch`,
beside the calendar) and each watch plans the next. It is no handler: events never wait for
it. The alert goes through the ordinary alert path (outbox and staff inbox) under the key
`health:silent:<community>:<member>:<last active day>`: the same spell never alerts twice,
and a member who speaks again and falls silent again starts a new spell.

The same watch tells staff when a group's heat-death warning starts (`analytics/heat.py`): a
group warned as of today and not as of the day before (`newly_warned`). A group that stays
warned is not alerted again; one that recovers and falls again is. The groups are the
report's (the staff channel left out; a closed group is warned of no more; a group an import
registered is warned like any). One group: an alert placed in it (in the watch's group for an
imported history, where no chat would carry it) naming it, with the warning's headline and its
first `HEAT_ACTIONS` actions, under `health:heat:<community>:<group>:<day>`. More groups
starting on one day — the first watch after a hundred groups were imported — are one alert in
the watch's group listing the first `HEAT_NAMED` with their headlines and how many more, under
`health:heat:<community>:<day>`. A group warned for its silence alone is left to the matrix
watch, which alerts it as dying (`newly_warned`). A watch run on a later day than it was due
compares with the day before it was due and stands for that day's own watch (`watch`).

Catching up: the days no watch ran (the server down from before one watch to after the next)
are checked one by one from what the store holds, at most the last `CATCH_UP_DAYS` of them:
a heat-death warning that started and ended on those days, or a key member whose silence
reached 7 days and who is no longer silent by the return, never reached staff. They are one
alert on return naming the days the watch missed (`gap_alert`, under
`health:gap:<community>:<first day>:<last day>`: a second start alerts nothing again), not
one stale alert per day; what still holds on return is alerted as on any day.

The reads take seconds at hundreds of groups: a running engine does them aside (`prepare`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.heat import HeatWarning
from hearthkeeper.analytics.segments import DEFAULT_RULES
from hearthkeeper.analytics.vitals import SilentKey, community_vitals, silent_key_members_of
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, Request, schedule_request
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, Store
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.scheduled import ScheduledQueries
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.counts import counted

WATCH_AT = time(9, 30)  # community time, after the levels round
HEAT_ACTIONS = 2  # actions an alert of one group's heat-death warning names
HEAT_NAMED = 10  # groups an alert of many names, then how many more
CATCH_UP_DAYS = 14  # the days a late watch checks one by one, at most (the latest ones)


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
    "heat_one": {
        Language.ZH_CN: "「{group}」出现热寂预警：{headline} 建议：{actions}",
        Language.EN: "Heat-death warning for {group}: {headline} What to do: {actions}",
    },
    "heat_many": {
        Language.ZH_CN: "{count} 个群出现热寂预警：\n{lines}{more}\n各群的原因和建议见控制台的健康页或 `hearth report`。",
        Language.EN: "Heat-death warning for {count} groups:\n{lines}{more}\nEach group's "
                     "reasons and actions: the console's Health page or `hearth report`.",
    },
    "heat_line": {
        Language.ZH_CN: "-「{group}」：{headline}",
        Language.EN: "- {group}: {headline}",
    },
    "heat_more": {
        Language.ZH_CN: "\n……另有 {more} 个群",
        Language.EN: "\n… and {more} more",
    },
    "gap": {
        Language.ZH_CN: "服务器停机期间（{first} – {last}，每日巡检未运行{bounded}），以下情况出现后"
                        "又已结束，当时没有提醒：\n{lines}\n现在都已不再成立；详情见控制台的 Health 页或 "
                        "`hearth report --from {first} --to {last}`。",
        Language.EN: "While the server was down ({first} – {last}: the daily watch did not run"
                     "{bounded}), these started and ended, and nobody was told:\n{lines}\nNone "
                     "holds now; more in the console's Health page or "
                     "`hearth report --from {first} --to {last}`.",
    },
    "gap_bounded": {
        Language.ZH_CN: "；只检查了最近 {days} 天，自 {since} 起",
        Language.EN: "; only its last {days} days were checked, from {since}",
    },
    "gap_heat": {
        Language.ZH_CN: "-「{group}」热寂预警 {days} 天（{start} – {end}）：{headline}",
        Language.EN: "- Heat-death warning for {group}, {days} ({start} – {end}): {headline}",
    },
    "gap_more_heat": {
        Language.ZH_CN: "……另有 {more} 个群",
        Language.EN: "… and {more} more groups",
    },
    "gap_more_silent": {
        Language.ZH_CN: "……另有 {more} 位关键成员",
        Language.EN: "… and {more} more key members",
    },
    "gap_silent": {
        Language.ZH_CN: "- 关键成员 {name} 沉默了 {days} 天（最后活跃于 {last}，「{group}」）",
        Language.EN: "- Key member {name} was silent {days} after {last} (last active in {group})",
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
                      now: datetime, *, day: date | None = None) -> bool:  # fmt: skip
    """Schedule the community's next watch (today's if 09:30 is still ahead; `day`'s when
    given), attached to a group a carrier serves (`CommunityQueries.watch_group`); planning
    twice is a no-op. False when the community has no group yet."""
    group = CommunityQueries.on(scope).watch_group(community_id)
    if group is None:
        return False
    zone = ZoneInfo(playbook.community.timezone)
    day = next_watch(zone, now) if day is None else day
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


def newly_warned(today: Sequence[HeatWarning], before: Collection[int]) -> list[HeatWarning]:
    """Of today's warnings, the groups warned now and not in `before` (the ids of the groups
    warned as of the day before), in today's order: a warning that goes on is no news. A
    group warned for its silence alone is left to the matrix watch, which alerts it as dying
    (one alert per group and cause: `SILENT_DAYS` without a message is the matrix's dying
    group too)."""
    return [w for w in today if w.warning and w.group_id not in before and not w.silent]


def heat_alert(lang: Language, community_id: int, day: date, started: Sequence[HeatWarning],
               groups: Mapping[int, Group],
               watch_group: Group | GroupView) -> Action | None:  # fmt: skip
    """The staff alert of the heat-death warnings that started on `day` (None: none did)."""
    if not started:
        return None
    if len(started) == 1:
        [warning] = started
        group = groups.get(warning.group_id)
        where: Group | GroupView = (
            group if group is not None and not group.imported else watch_group
        )
        text = TEXTS.say("heat_one", lang, group=warning.name, headline=warning.headline or "",
                         actions=" ".join(warning.actions[:HEAT_ACTIONS]))  # fmt: skip
        key = f"health:heat:{community_id}:{warning.group_id}:{day.isoformat()}"
    else:
        where = watch_group
        lines = "\n".join(TEXTS.say("heat_line", lang, group=w.name, headline=w.headline or "")
                          for w in started[:HEAT_NAMED])  # fmt: skip
        more = len(started) - HEAT_NAMED
        text = TEXTS.say("heat_many", lang, count=len(started), lines=lines,
                         more=TEXTS.say("heat_more", lang, more=more) if more > 0 else "")  # fmt: skip
        key = f"health:heat:{community_id}:{day.isoformat()}"
    return Action(kind=ActionKind.ALERT_STAFF, carrier=where.carrier,
                  group=where.carrier_group_id, text=text,
                  reason="a group's heat-death warning started", handler="health",
                  key=key)  # fmt: skip


def heat_warnings(store: Store, community_id: int, day: date, zone: ZoneInfo,
                  playbook: Playbook,
                  language: Language = Language.EN) -> list[HeatWarning]:  # fmt: skip
    """Each counted group's heat-death warning as of `day`, as the report computes it, its
    reasons and actions said in `language`."""
    vitals = community_vitals(store, community_id, as_of=day, zone=zone, playbook=playbook,
                              name=playbook.community.name, cohort_weeks=1,
                              language=language)  # fmt: skip
    return [v.heat for _, v in sorted(vitals.groups.items())]


def _heat(scope: StoreBase, ctx: EffectContext, today: date, since: date,
          zone: ZoneInfo) -> Action | None:  # fmt: skip
    """The alert of the warnings on today that were not on as of `since`."""
    store, community = Store.on(scope), ctx.group.community_id
    lang = ctx.playbook.community.language  # the alert's, reasons and actions with its frame
    now = heat_warnings(store, community, today, zone, ctx.playbook, lang)
    if not any(w.warning for w in now):
        return None
    before = heat_warnings(store, community, since, zone, ctx.playbook)
    started = newly_warned(now, {w.group_id for w in before if w.warning})
    groups = {g.id: g for g in store.list_groups(community)}
    return heat_alert(lang, community, today, started, groups, ctx.group)


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


def missed_days(due: date, today: date) -> tuple[date, date, date] | None:
    """The days a watch due on `due` and run on `today` missed — (first, last, the first one
    checked: at most `CATCH_UP_DAYS` back) — or None when it runs on its day."""
    if due >= today:
        return None
    last = today - timedelta(days=1)
    return due, last, max(due, today - timedelta(days=CATCH_UP_DAYS))


def ended_runs(warned: Sequence[bool]) -> list[tuple[int, int]]:
    """The runs of warned days (first and last index) that start after the first day and
    end before the last: of the days from the last one checked to today, what started and
    ended in between (warned on the first day: known before; on the last: still holds)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, on in enumerate(warned):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if start > 0:
                runs.append((start, i - 1))
            start = None
    return runs


@dataclass(frozen=True)
class Spell:
    """A key member's silence seen on a missed day: its longest, and where they last were."""

    key: SilentKey
    days: int


@dataclass(frozen=True)
class Gap:
    """What started and ended on the days a watch missed (`missed_days`)."""

    first: date
    last: date
    since: date  # the first day checked
    heat: tuple[tuple[HeatWarning, int, date, date], ...] = ()  # warning, days, first, last
    silent: tuple[Spell, ...] = ()
    groups: Mapping[int, str] = field(default_factory=dict)  # group id → name, for the spells


def _heat_runs(store: Store, community: int, days: Sequence[date], zone: ZoneInfo,
               ctx: EffectContext) -> list[tuple[HeatWarning, int, date, date]]:  # fmt: skip
    """Each group's warning runs that started and ended within `days` (the day before the
    first checked, the checked ones, today), with the warning of its first day."""
    lang = ctx.playbook.community.language
    by_day = [{w.group_id: w for w in heat_warnings(store, community, day, zone, ctx.playbook,
                                                    lang)}
              for day in days]  # fmt: skip
    found = []
    for gid in sorted({gid for warnings in by_day for gid in warnings}):
        flags = [_warned(warnings.get(gid)) for warnings in by_day]
        for start, end in ended_runs(flags):
            found.append((by_day[start][gid], end - start + 1, days[start], days[end]))
    return found


def _warned(warning: HeatWarning | None) -> bool:
    """Warned as the watch alerts it (a group silent 28 days is the matrix watch's)."""
    return warning is not None and warning.warning and not warning.silent


def _silent_spells(scope: StoreBase, community: int, days: Sequence[date], zone: ZoneInfo,
                   today: Sequence[Silent]) -> list[Spell]:  # fmt: skip
    """Key members' silences seen on the checked days (`days[1:]`), not on the day before
    them (alerted then) and over by today (not in `today`'s list)."""
    store = Store.on(scope)
    seen = [{(k.placed.member_id, k.placed.last_active): k
             for k in silent_key_members_of(store, community, as_of=day, zone=zone,
                                            rules=DEFAULT_RULES)}
            for day in days[:-1]]  # fmt: skip
    known = set(seen[0]) | {(s.key.placed.member_id, s.key.placed.last_active) for s in today}
    spells: dict[tuple[int, date | None], Spell] = {}
    for found in seen[1:]:
        for spell, k in found.items():
            if spell in known:
                continue
            longest, length = spells.get(spell), k.placed.silent_days or 0
            if longest is None or length > longest.days:
                spells[spell] = Spell(k, length)
    return sorted(spells.values(), key=lambda s: (s.key.name, s.key.placed.member_id))


def _gap(scope: StoreBase, ctx: EffectContext, due: date, today: date, zone: ZoneInfo,
         silent_today: Sequence[Silent]) -> Gap | None:  # fmt: skip
    """What started and ended on the days the watch missed (None: it missed none, or nothing
    did)."""
    missed = missed_days(due, today)
    if missed is None:
        return None
    first, last, since = missed
    days = [since + timedelta(days=n) for n in range(-1, (today - since).days + 1)]
    store, community = Store.on(scope), ctx.group.community_id
    heat = _heat_runs(store, community, days, zone, ctx)
    silent = _silent_spells(scope, community, days, zone, silent_today)
    if not heat and not silent:
        return None
    names = {g.id: g.name for g in store.list_groups(community)}
    return Gap(first, last, since, tuple(heat), tuple(silent), names)


def gap_key(community_id: int, gap: Gap) -> str:
    """One alert per stretch of days no watch ran."""
    return f"health:gap:{community_id}:{gap.first.isoformat()}:{gap.last.isoformat()}"


def gap_alert(lang: Language, community_id: int, gap: Gap,
              watch_group: GroupView) -> Action:  # fmt: skip
    """The one alert of what started and ended while no watch ran, in the watch's group."""
    say = TEXTS.say
    en = lang is not Language.ZH_CN
    lines = [say("gap_heat", lang, group=w.name, headline=w.headline or "",
                 days=counted(days, "day") if en else str(days), start=start.isoformat(),
                 end=end.isoformat())
             for w, days, start, end in gap.heat[:HEAT_NAMED]]  # fmt: skip
    if len(gap.heat) > HEAT_NAMED:
        lines.append(say("gap_more_heat", lang, more=len(gap.heat) - HEAT_NAMED))
    lines += [say("gap_silent", lang, name=s.key.name,
                  days=counted(s.days, "day") if en else str(s.days),
                  last=s.key.placed.last_active.isoformat() if s.key.placed.last_active else "—",
                  group=gap.groups.get(s.key.group_id, "?"))
              for s in gap.silent[:HEAT_NAMED]]  # fmt: skip
    if len(gap.silent) > HEAT_NAMED:
        lines.append(say("gap_more_silent", lang, more=len(gap.silent) - HEAT_NAMED))
    bounded = (say("gap_bounded", lang, days=CATCH_UP_DAYS, since=gap.since.isoformat())
               if gap.since > gap.first else "")  # fmt: skip
    text = say("gap", lang, first=gap.first.isoformat(), last=gap.last.isoformat(),
               bounded=bounded, lines="\n".join(lines))  # fmt: skip
    return Action(kind=ActionKind.ALERT_STAFF, carrier=watch_group.carrier,
                  group=watch_group.carrier_group_id, text=text,
                  reason="the daily watch caught up on the days the server was down",
                  handler="health", key=gap_key(community_id, gap))  # fmt: skip


@dataclass(frozen=True)
class WatchRead:
    """What a watch run on `today` for the day `due` found: its alerts."""

    today: date
    due: date
    alerts: tuple[Action, ...]


def _read(scope: StoreBase, request: HealthWatch, ctx: EffectContext) -> WatchRead:
    zone = ZoneInfo(ctx.playbook.community.timezone)
    community, lang = ctx.group.community_id, ctx.playbook.community.language
    today = ctx.now.astimezone(zone).date()  # as of the day it runs (request.day: when due)
    due = min(request.day, today)
    silent = _silent(scope, community, today, zone)
    found = alerts(lang, community, silent)
    heat = _heat(scope, ctx, today, due - timedelta(days=1), zone)
    if heat is not None:
        found.append(heat)
    gap = _gap(scope, ctx, due, today, zone, silent)
    if gap is not None:
        found.append(gap_alert(lang, community, gap, ctx.group))
    return WatchRead(today, due, tuple(found))


def prepare(scope: StoreBase, request: HealthWatch, ctx: EffectContext) -> WatchRead:
    """The watch's reads, done aside before its item runs (`Engine.run`)."""
    return _read(scope, request, ctx)


def watch(scope: StoreBase, request: HealthWatch, ctx: EffectContext) -> Sequence[Action]:
    """Alert staff of key members silent 7–28 days (each spell once) and of the groups whose
    heat-death warning started since the day before the watch was due; plan the next watch.

    A watch run on a later day than it was due (the server was down at 09:30 and for the
    rest of that day) catches up: it compares today with the day before it was due, so a
    warning that started on a day no watch ran is alerted now, and it stands for today's
    watch, which would compare with yesterday and alert a group it named again (`_stands_in`).
    What started and ended on the days it missed is one more alert (`gap_alert`)."""
    zone = ZoneInfo(ctx.playbook.community.timezone)
    community = ctx.group.community_id
    today = ctx.now.astimezone(zone).date()
    due = min(request.day, today)
    read = ctx.prepared
    if not (isinstance(read, WatchRead) and (read.today, read.due) == (today, due)):
        read = _read(scope, request, ctx)
    found = list(read.alerts)
    if due < today:
        _stands_in(scope, community, ctx, today, zone)
        plan_health_watch(scope, community, ctx.playbook, ctx.now, day=today + timedelta(days=1))
    else:
        plan_health_watch(scope, community, ctx.playbook, ctx.now)
    return found


def _stands_in(scope: StoreBase, community_id: int, ctx: EffectContext, today: date,
               zone: ZoneInfo) -> None:  # fmt: skip
    """A late watch done today: today's watch, planned at the server's start or by a version
    applied later today, is called off (kept under its key, so planning it again is a
    no-op)."""
    key, queries = watch_key(community_id, today), ScheduledQueries.on(scope)
    at = datetime.combine(today, WATCH_AT, tzinfo=zone)
    queries.schedule(key, community_id, HealthWatch.effect, HealthWatch(day=today).to_payload(),
                     at, group_id=ctx.group.id)  # fmt: skip
    queries.cancel_scheduled(key)
