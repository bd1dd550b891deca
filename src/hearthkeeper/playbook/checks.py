"""Checks across sections that a field on its own cannot make: references and reachability."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel

from hearthkeeper.playbook.base import MAX_NAME, format_duration
from hearthkeeper.playbook.business import ALERT_SOURCES, ALERT_VIOLATIONS
from hearthkeeper.playbook.group_names import naming_in_use, naming_pattern
from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.playbook.keywords import check_keywords
from hearthkeeper.playbook.model import Playbook
from hearthkeeper.playbook.promises import in_words, promised_mutes
from hearthkeeper.playbook.rules import REMOVING, Response, Sanction, ViolationKind
from hearthkeeper.playbook.schedule import parse_schedule, shortest_gap
from hearthkeeper.playbook.suggest import did_you_mean
from hearthkeeper.playbook.zones import misleading
from hearthkeeper.text.controls import CONTROLS, describe

Loc = tuple[str | int, ...]
Finding = tuple[Loc, str]

# Scheduled posts and reminders closer than this flood a group; allowed, but said out loud.
MIN_SCHEDULE_GAP = timedelta(minutes=10)
# The largest group number a name made by `copy.naming` must leave room for.
LAST_GROUP_NUMBER = 9999


class Checked(NamedTuple):
    """What the checks across sections find in a schema-valid playbook, each with where it is."""

    errors: list[Finding]
    # Found by checks added after their fields were released (`base.REFUSED_SINCE`): errors in
    # a playbook written now; a version stored before runs as it was accepted, these warnings.
    refused_since: list[Finding]
    # allowed but probably not meant (a valid playbook may have these)
    warnings: list[Finding]


def check_playbook(playbook: Playbook, groups: Collection[str] | None = None) -> Checked:
    """Everything wrong with a schema-valid playbook, what checks added since its fields were
    released refuse, and what is allowed but probably not meant. `groups`: the names of the
    community's groups as the store keeps them, where the caller knows them (None: not known
    here, `hearth playbook validate`)."""
    keywords = check_keywords(playbook)
    errors = [
        *_role_references(playbook),
        *_joining(playbook),
        *_levels(playbook),
        *_ladder(playbook),
        *_unique_ids(playbook),
        *_groups(playbook),
        *_group_names(playbook),
        *_group_overrides(playbook),
        *_calendar(playbook),
        *_referrals(playbook),
    ]
    # A check added here is one a running community's stored version may fail: it runs as it
    # was accepted, so what it does with the value must be what the release that stored it did.
    since = [
        *((k.loc, k.message) for k in keywords if not k.warning),  # step 8; the comma, session 39
        *_urgent_alerts(playbook),  # session 16: a name no alert carries matched none, as now
    ]
    return Checked(errors, since, [
        *((k.loc, k.message) for k in keywords if k.warning),
        *_frequent_schedules(playbook),
        *_referral_rewards(playbook),
        *_free_paid_plan(playbook),
        *_empty_quiet_hours(playbook),
        *_misleading_zone(playbook),
        *_hidden_characters(playbook),
        *_blank_texts(playbook),
        *_promised_mutes(playbook),
        *_rules_not_shown(playbook),
        *_idle_threshold_fields(playbook),
        *_unreachable_groups(playbook, groups or ()),
        *_settings_while_off(playbook),
        *_check_in_points_while_off(playbook),
    ])  # fmt: skip


def _idle_threshold_fields(pb: Playbook) -> Iterator[Finding]:
    """Fields of another threshold kind left behind when `kind` was changed (a template's
    application questions under `kind: open`): nothing reads them, though they read as if
    newcomers were asked."""
    threshold = pb.joining.threshold
    loc: Loc = ("joining", "threshold")
    kind = threshold.kind.value
    if threshold.kind is not ThresholdKind.APPLICATION:
        if threshold.questions:
            yield (*loc, "questions"), (f"questions are asked only by `kind: application`; with "
                                        f"`kind: {kind}` nobody is asked them")  # fmt: skip
        if threshold.reviewers is not None:
            yield (*loc, "reviewers"), (f"reviewers review applications (`kind: application`); "
                                        f"with `kind: {kind}` there are none")  # fmt: skip
    if threshold.kind is not ThresholdKind.TASK and threshold.invite_friends is not None:
        yield (*loc, "invite_friends"), (f"invite_friends counts only with `kind: task`; with "
                                         f"`kind: {kind}` nobody needs to invite anyone")  # fmt: skip
    if threshold.kind is not ThresholdKind.TASK and threshold.referrals_in:
        yield (*loc, "referrals_in"), (f"referrals_in counts only with `kind: task`; with "
                                       f"`kind: {kind}` nobody's referrals are counted at the "
                                       "door")  # fmt: skip
    if threshold.kind is not ThresholdKind.PAID and threshold.plan is not None:
        # one threshold per community: `application` with a plan does not also let payers in
        yield (*loc, "plan"), (f"the plan is offered at the door only by `kind: paid`; with "
                               f"`kind: {kind}` nobody is asked to pay or given its trial, and "
                               "paying does not let anyone in (a community has one threshold: "
                               "to screen by payment, write `kind: paid`)")  # fmt: skip
    if threshold.kind is not ThresholdKind.MIN_LEVEL and threshold.min_level is not None:
        yield (*loc, "min_level"), (f"min_level is checked only by `kind: min_level`; with "
                                    f"`kind: {kind}` no level is needed to join")  # fmt: skip


GroupsOf = Callable[[str], Collection[str]]
"""The names of a community's groups, by its slug, as the store keeps them: what the caller
reading a playbook may know (the groups that exist) and the playbook cannot."""


@dataclass(frozen=True)
class CarrierKinds:
    """What the server reading a playbook can run, which the playbook itself cannot know: the
    caller passes it in (the kinds installed, and those configured on this server)."""

    installed: frozenset[str]
    configured: frozenset[str] | None = None  # None: not known here (`hearth playbook validate`)
    thresholds: frozenset[str] | None = None  # joining threshold kinds checked here (None: unknown)
    # The settings table of a kind whose table is named otherwise (qq → onebot)
    tables: Mapping[str, str] = field(default_factory=dict)
    # Each kind → the content kinds whose files it sends (picture, video, voice, file); a kind
    # not here sends a scheduled post's text or title only
    sends_files: Mapping[str, frozenset[str]] = field(default_factory=dict)


def check_carriers(pb: Playbook, kinds: CarrierKinds) -> list[Finding]:
    """`structure.carriers` declares where the community's groups are; a kind this
    Hearthkeeper does not have, or that this server is not configured for, runs no group."""
    found: list[Finding] = []
    for i, carrier in enumerate(pb.structure.carriers):
        kind = carrier.kind.value
        loc: Loc = ("structure", "carriers", i, "kind")
        if kind not in kinds.installed:
            installed = ", ".join(sorted(kinds.installed)) or "none"
            found.append((loc, f"no {kind!r} carrier is installed in this Hearthkeeper "
                               f"(installed: {installed}), so no group runs on it"))  # fmt: skip
        elif kinds.configured is not None and kind not in kinds.configured:
            found.append((loc, f"the {kind!r} carrier is not configured on this server, so no "
                               f"group runs on it; add a [carriers.{kinds.tables.get(kind, kind)}] "
                               "table to hearth.toml "
                               f"(docs/carriers/{kind}.md)"))  # fmt: skip
    return found


def _hidden_characters(pb: Playbook) -> Iterator[Finding]:
    """Texts members will read (welcomes, replies, posts, rules …) carrying a control,
    text-direction or invisible character: pasted from elsewhere, one reorders the line or
    hides a difference. Names are refused outright (`base.check_shown`); a free text is
    allowed, and said out loud."""
    for loc, text in _texts(pb, ()):
        found = CONTROLS.search(text)
        if found is not None:
            yield loc, (f"carries {describe(found.group(), found.start())}; members would "
                        "read the text reordered or with a hidden difference: delete it")  # fmt: skip


def _blank_texts(pb: Playbook) -> Iterator[Finding]:
    """A text written as spaces or line breaks alone (`welcome: "   "`): it validated, and
    members got an empty message (a blank bubble; Telegram refuses one, so it failed)."""
    for loc, text in _texts(pb, ()):
        if text and not text.strip():
            yield loc, ("is blank (spaces or line breaks alone): members would get an empty "
                        "message; write the text they should read")  # fmt: skip


def _promised_mutes(pb: Playbook) -> Iterator[Finding]:
    """A text promising a mute the ladder does not give ("第二次禁言 1 小时" with the ladder's
    mute changed to 2h): members would read one penalty and get another."""
    given = sorted({s.mute_for for s in pb.rules.ladder if s.mute_for is not None})
    ladder = ("the ladder mutes for " + ", ".join(in_words(d) for d in given)) if given else (
        "no step of the ladder mutes")  # fmt: skip
    for loc, text in _texts(pb, ()):
        for said, duration in promised_mutes(text):
            if duration not in given:
                yield loc, (f"says {said!r} ({in_words(duration)}), but {ladder}: members "
                            "would read one penalty and get another; change the text or the "
                            "ladder's mute_for")  # fmt: skip


def _rules_not_shown(pb: Playbook) -> Iterator[Finding]:
    """A welcome without {rules} where newcomers must accept the rules: the bot asks them to
    reply to accept rules the welcome never showed them (a group's own welcome, written as
    a short greeting, most of all)."""
    if not pb.joining.ceremony.accept_rules or not pb.rules.texts:
        return
    welcomes: list[tuple[Loc, str | None]] = [
        (("joining", "ceremony", "welcome"), pb.joining.ceremony.welcome),
        *((("groups", key, "welcome"), o.welcome) for key, o in pb.groups.items()),
    ]
    for loc, text in welcomes:
        if text is not None and "{rules}" not in text:
            yield loc, ("has no {rules}: newcomers are asked to reply to accept the rules "
                        "(joining.ceremony.accept_rules) without being shown them; add {rules} "
                        "where the rules should be")  # fmt: skip


def _texts(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every text in a playbook (or a part of it), with where it is."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _texts(getattr(value, name), (*loc, info.alias or name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _texts(item, (*loc, i))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(item, (*loc, key))


def _frequent_schedules(pb: Playbook) -> Iterator[Finding]:
    schedules: list[tuple[Loc, str | None]] = [
        *(
            (("calendar", "posts", i, "schedule"), p.schedule)
            for i, p in enumerate(pb.calendar.posts)
        ),
        *(
            (("calendar", "live_sessions", i, "schedule"), s.schedule)
            for i, s in enumerate(pb.calendar.live_sessions)
        ),
        *((("activities", i, "schedule"), a.schedule) for i, a in enumerate(pb.activities)),
        *(
            (("mechanisms", "titles", i, "reminder"), t.reminder)
            for i, t in enumerate(pb.mechanisms.titles)
        ),
    ]
    for loc, schedule in schedules:
        if schedule is None:
            continue
        gap = shortest_gap(parse_schedule(schedule), MIN_SCHEDULE_GAP)
        if gap is not None:
            minutes = int(gap.total_seconds() // 60)
            yield (
                loc,
                (
                    f"{schedule!r} fires {minutes} minute{'s' if minutes != 1 else ''} after the "
                    f"previous firing: every group gets a message that often; schedules are meant "
                    f"for posts hours or days apart (e.g. 'every day 08:00')"
                ),
            )


def _role_references(pb: Playbook) -> Iterator[Finding]:
    roles = pb.structure.roles
    mech = pb.mechanisms
    refs: list[tuple[Loc, list[str] | None]] = [
        (("joining", "threshold", "reviewers"), pb.joining.threshold.reviewers),
        (("mechanisms", "polls", "started_by"), mech.polls.started_by),
        (("mechanisms", "signups", "started_by"), mech.signups.started_by),
        (("alerts", "recipients"), pb.alerts.recipients),
    ]
    for kind in ViolationKind:
        refs.append(
            (
                ("rules", "violations", kind.value, "exempt_roles"),
                pb.rules.violations.detector(kind).exempt_roles,
            )
        )
    for loc, names in refs:
        for index, name in enumerate(names or []):
            if name not in roles:
                hint = did_you_mean(name, roles) or f" (defined: {', '.join(roles) or 'none'})"
                yield (*loc, index), f"role {name!r} is not defined in structure.roles{hint}"


def _joining(pb: Playbook) -> Iterator[Finding]:
    threshold = pb.joining.threshold
    loc: Loc = ("joining", "threshold")
    plans = [p.id for p in pb.monetisation.plans]
    levels = [level.id for level in pb.structure.levels]
    if threshold.kind is ThresholdKind.APPLICATION and not threshold.questions:
        yield (*loc, "questions"), "an application threshold needs at least one question"
    if threshold.kind is ThresholdKind.PAID and threshold.plan is None:
        yield (*loc, "plan"), "a paid threshold needs `plan`, the id of a monetisation plan"
    if threshold.plan is not None and threshold.plan not in plans:
        hint = did_you_mean(threshold.plan, plans) or f" (defined: {', '.join(plans) or 'none'})"
        yield (*loc, "plan"), f"plan {threshold.plan!r} is not in monetisation.plans{hint}"
    if threshold.kind is ThresholdKind.TASK and threshold.invite_friends is None:
        yield (*loc, "invite_friends"), "a task threshold needs `invite_friends`, e.g. 3"
    if threshold.kind is ThresholdKind.MIN_LEVEL and threshold.min_level is None:
        yield (*loc, "min_level"), "a min_level threshold needs `min_level`, a structure.levels id"
    if threshold.min_level is not None and threshold.min_level not in levels:
        hint = did_you_mean(threshold.min_level, levels) or f" (defined: {', '.join(levels)})"
        yield (*loc, "min_level"), f"level {threshold.min_level!r} is not in structure.levels{hint}"


def _referrals(pb: Playbook) -> Iterator[Finding]:
    reward = pb.mechanisms.referrals.reward.reward
    rewards = [r.id for r in pb.mechanisms.points.rewards]
    if reward is not None and reward not in rewards:
        hint = did_you_mean(reward, rewards) or f" (defined: {', '.join(rewards) or 'none'})"
        loc: Loc = ("mechanisms", "referrals", "reward", "reward")
        yield loc, f"reward {reward!r} is not in mechanisms.points.rewards{hint}"


def _urgent_alerts(pb: Playbook) -> Iterator[Finding]:
    """`alerts.urgent` names a violation kind or what raises alerts; any other name would
    never match an alert, and the alerts it was meant for would wait through quiet hours."""
    known = [*(kind.value for kind in ViolationKind), *ALERT_VIOLATIONS, *ALERT_SOURCES]
    for index, name in enumerate(pb.alerts.urgent):
        if name not in known:
            hint = did_you_mean(name, known) or ""
            yield (("alerts", "urgent", index),
                   f"{name!r} is no violation kind or alert source, so no alert would pass "
                   f"quiet hours by it{hint}; the names are: {', '.join(sorted(known))}")  # fmt: skip


def _empty_quiet_hours(pb: Playbook) -> Iterator[Finding]:
    quiet = pb.alerts.quiet_hours
    if quiet is not None and quiet[:5] == quiet[6:]:
        yield (("alerts", "quiet_hours"),
               f"{quiet!r} starts and ends at the same time, so there are no quiet hours: "
               "every alert goes out at once (e.g. '22:00-07:00' holds them overnight)")  # fmt: skip


def _misleading_zone(pb: Playbook) -> Iterator[Finding]:
    """`EST` validates as a fixed UTC−5 that never moves to summer time; `Etc/GMT+8` is UTC−8."""
    said = misleading(pb.community.timezone)
    if said is not None:
        yield (("community", "timezone"), said)


def _referral_rewards(pb: Playbook) -> Iterator[Finding]:
    referrals, points = pb.mechanisms.referrals, pb.mechanisms.points
    if not referrals.enabled:
        return
    reward, loc = referrals.reward, ("mechanisms", "referrals", "reward")
    if not (reward.points or reward.title or reward.reward or reward.membership_days):
        yield loc, ("the invite task rewards nothing: give points, a title, a reward item or "
                    "membership days")  # fmt: skip
    if reward.membership_days and not pb.monetisation.plans:
        yield (*loc, "membership_days"), ("there is no membership to give days of: "
                                          "monetisation.plans is empty")  # fmt: skip
    if reward.points and not points.enabled:
        yield (*loc, "points"), "mechanisms.points is disabled, so these points are not given"


def _free_paid_plan(pb: Playbook) -> Iterator[Finding]:
    """A `paid` threshold on a plan of price 0 tells every newcomer to pay 0 and lets nobody
    in until staff record a payment for them: rarely what an operator who wrote 0 meant."""
    threshold = pb.joining.threshold
    if threshold.kind is not ThresholdKind.PAID:
        return
    for index, plan in enumerate(pb.monetisation.plans):
        if plan.id == threshold.plan and plan.price == 0:
            yield (("monetisation", "plans", index, "price"),
                   f"plan {plan.id!r} costs 0, and the paid threshold lets nobody in until staff "
                   "record a payment for each person; for a free community use kind: open")  # fmt: skip


def _levels(pb: Playbook) -> Iterator[Finding]:
    levels = pb.structure.levels
    if levels[0].promote is not None:
        yield (
            ("structure", "levels", 0, "promote"),
            ("the bottom level is where newcomers start; it cannot have promotion criteria"),
        )
    for index, level in enumerate(levels[1:], start=1):
        if level.promote is None:
            yield (
                ("structure", "levels", index),
                (f"level {level.id!r} has no `promote` criteria, so nobody can ever reach it"),
            )


def _ladder(pb: Playbook) -> Iterator[Finding]:
    ladder = pb.rules.ladder
    live = [
        k
        for k in ViolationKind
        if pb.rules.violations.detector(k).enabled
        and pb.rules.violations.detector(k).response is Response.LADDER
    ]
    if ladder and not live:
        yield (
            ("rules", "ladder"),
            ("the ladder can never fire: every violation kind is disabled or only alerts staff"),
        )
    if live and not ladder:
        yield (
            ("rules", "ladder"),
            (f"{', '.join(k.value for k in live)} give strikes but the ladder is empty: add steps"),
        )
    previous = 0
    removed_at: int | None = None
    for index, step in enumerate(ladder):
        loc: Loc = ("rules", "ladder", index)
        if step.at <= previous:
            yield (
                (*loc, "at"),
                (
                    f"step at {step.at} comes after step at {previous}: list steps by increasing `at`"
                ),
            )
        if removed_at is not None:
            yield (
                (*loc, "at"),
                (f"this step can never fire: at {removed_at} strikes the member is already banned"),
            )
        if Sanction.MUTE in step.do and step.mute_for is None:
            yield (*loc, "mute_for"), "a step that mutes needs `mute_for`, e.g. 1h"
        if Sanction.MUTE not in step.do and step.mute_for is not None:
            yield (
                (*loc, "mute_for"),
                "`mute_for` is set but the step does not mute: add mute to `do`",
            )
        if removed_at is None and REMOVING & set(step.do):
            removed_at = step.at
        previous = max(previous, step.at)


def _unique_ids(pb: Playbook) -> Iterator[Finding]:
    lists: list[tuple[Loc, list[str]]] = [
        (("structure", "levels"), [level.id for level in pb.structure.levels]),
        (("calendar", "posts"), [p.id for p in pb.calendar.posts]),
        (("calendar", "live_sessions"), [s.id for s in pb.calendar.live_sessions]),
        (("activities",), [a.id for a in pb.activities]),
        (("monetisation", "plans"), [p.id for p in pb.monetisation.plans]),
        (("mechanisms", "points", "rewards"), [r.id for r in pb.mechanisms.points.rewards]),
        (("mechanisms", "tags"), [t.name for t in pb.mechanisms.tags]),
    ]
    for loc, ids in lists:
        seen: set[str] = set()
        for index, ident in enumerate(ids):
            if ident in seen:
                yield (*loc, index), f"{ident!r} is used twice; ids must be unique"
            seen.add(ident)


def _groups(pb: Playbook) -> Iterator[Finding]:
    groups = pb.structure.groups
    if groups.join_by_code_cap > groups.capacity:
        yield (
            ("structure", "groups", "join_by_code_cap"),
            (
                f"the joining-by-code cap ({groups.join_by_code_cap}) is above the group capacity "
                f"({groups.capacity})"
            ),
        )


def _group_names(pb: Playbook) -> Iterator[Finding]:
    """The names `copy.naming` makes must fit a group's name, or opening the next group
    fails (a live code, the console's *Open a group*, the first web chat group)."""
    longest = pb.replication.naming.format(name=pb.community.name, n=LAST_GROUP_NUMBER)
    if len(longest) > MAX_NAME:
        yield (("copy", "naming"),
               f"with community.name it makes group names of {len(longest)} characters (group "
               f"{LAST_GROUP_NUMBER}: {longest[:40]!r}…); a group's name holds at most "
               f"{MAX_NAME}: shorten copy.naming or community.name")  # fmt: skip


def _settings_while_off(pb: Playbook) -> Iterator[Finding]:
    """A setting written under a mechanism that is off (`check_in: {enabled: false,
    daily_summary: '21:00'}`, a moderation detector with `enabled: false` and `keywords`)
    does nothing, though it reads as if it did."""
    m = pb.mechanisms
    sections: list[tuple[Loc, BaseModel | None, frozenset[str]]] = [
        (("mechanisms", "check_in"), m.check_in, frozenset()),
        (("mechanisms", "polls"), m.polls, frozenset()),
        (("mechanisms", "signups"), m.signups, frozenset()),
        # reward items may still be given by the invite task
        (("mechanisms", "points"), m.points, frozenset({"rewards"})),
        (("mechanisms", "referrals"), m.referrals, frozenset()),
        (("mechanisms", "crisis"), m.crisis, frozenset()),
        (("calendar", "rituals", "anniversary"), pb.calendar.rituals.anniversary, frozenset()),
    ]
    violations = pb.rules.violations
    for kind in ViolationKind:
        # the invite detector reads links.allowed_domains too: kept while it runs
        shared = kind is ViolationKind.LINKS and violations.invites.enabled
        sections.append((("rules", "violations", kind.value), violations.detector(kind),
                         frozenset({"allowed_domains"}) if shared else frozenset()))  # fmt: skip
    if violations.advertising.enabled:  # off, its `learned` is one of its settings that do nothing
        learned = violations.advertising.learned
        sections.append((("rules", "violations", "advertising", "learned"), learned,
                         frozenset()))  # fmt: skip
        if learned.enabled:  # off, its `standing` is one of its settings that do nothing
            sections.append((("rules", "violations", "advertising", "learned", "standing"),
                             learned.standing, frozenset()))  # fmt: skip
    for loc, section, kept in sections:
        if section is None or getattr(section, "enabled", True):
            continue
        name = ".".join(map(str, loc))
        for field_name in sorted(section.model_fields_set - {"enabled"} - kept):
            if loc == ("mechanisms", "referrals") and field_name == "posts":
                yield (*loc, field_name), _REFERRAL_POSTS_WHILE_OFF
                continue
            yield ((*loc, field_name),
                   f"{name} is off (enabled: false), so {field_name} does nothing: "
                   "remove it, or set enabled: true")  # fmt: skip


def _check_in_points_while_off(pb: Playbook) -> Iterator[Finding]:
    """Points written for check-ins (`check_in.points: 2`, a milestone's `points`) while
    `mechanisms.points` is off give nobody anything, though they read as if they did: the
    check-in reply shows no points (as for the invite task's reward points, `_referral_rewards`).
    A check-in that is off is `_settings_while_off`'s."""
    check_in = pb.mechanisms.check_in
    if pb.mechanisms.points.enabled or not check_in.enabled:
        return
    loc = ("mechanisms", "check_in")
    if "points" in check_in.model_fields_set and check_in.points:
        yield (*loc, "points"), _POINTS_OFF
    if "milestones" in check_in.model_fields_set:
        for index, milestone in enumerate(check_in.milestones):
            if milestone.points:
                yield (*loc, "milestones", index, "points"), _POINTS_OFF


_POINTS_OFF = (
    "mechanisms.points is off (enabled: false), so these points are not given: remove them, "
    "or set mechanisms.points.enabled: true"
)


# Turned off, the invite task records no new friend, but the stay checks of those who joined
# by a link while it ran still settle, reading `posts` (docs/referrals.md says why).
_REFERRAL_POSTS_WHILE_OFF = (
    "mechanisms.referrals is off (enabled: false): no new friend is recorded, but friends who "
    "joined by an invite link while it was on are still checked when their stay is up, and "
    "posts decides it: credited (counted on the leaderboards and by a `task` threshold, with no "
    "reward while off) or revoked. Remove it once none is pending (they are then held to the "
    "default, 1), or set enabled: true"
)


def _unreachable_groups(pb: Playbook, groups: Collection[str]) -> Iterator[Finding]:
    """A post or live session goes to a group only by its exact name: a name nearly, but not
    exactly, one of the community's groups has (`groups`, as stored), one `copy.naming` makes
    (the groups Hearthkeeper opens, by hand or live code: `naming_in_use`) or one `groups:` or
    `alerts.staff_group` names is likely a slip ('深读会9群' for '深读会 9群'), and the post then
    reaches no group, silently. A group's own name is never one: an English community's
    groups opened when every default was '{name} {n}群' are so named. A name like none of them
    (a group named by hand on the carrier, not known here: 'Tea London') is left alone."""
    naming = naming_in_use(pb, groups)
    pattern = naming_pattern(naming, pb.community.name)
    known = frozenset(groups)
    named = [*pb.groups, *([pb.alerts.staff_group] if pb.alerts.staff_group else [])]
    examples = [naming.format(name=pb.community.name, n=n) for n in (1, 2)]
    sources: list[tuple[str, list[Any]]] = [
        ("posts", list(pb.calendar.posts)),
        ("live_sessions", list(pb.calendar.live_sessions)),
    ]
    for section, items in sources:
        for i, item in enumerate(items):
            for j, name in enumerate(item.groups):
                if name in named or name in known or pattern.fullmatch(name):
                    continue
                near = [naming.format(name=pb.community.name, n=int(digits[-6:]))
                        for digits in re.findall(r"\d+", name)[-1:]]  # fmt: skip
                # the same but for width, case or spaces, a group's name first; else the
                # nearest name made or named (its number is the one written), else a group's
                hint = (did_you_mean(name, [*groups, *near, *named], cutoff=1.0)
                        or did_you_mean(name, [*near, *named], cutoff=0.8)
                        or did_you_mean(name, groups, cutoff=0.8))  # fmt: skip
                if not hint:
                    continue
                listed = f"; `groups:` names {', '.join(map(repr, named))}" if named else ""
                yield (("calendar", section, i, "groups", j),
                       f"no group Hearthkeeper opens is named {name!r} (copy.naming makes "
                       f"{examples[0]!r}, {examples[1]!r}…{listed}){hint} A group is matched by "
                       "its exact name: as written, this goes only to a group created on the "
                       "carrier by that very name")  # fmt: skip


def _group_overrides(pb: Playbook) -> Iterator[Finding]:
    """A per-group override may only name scheduled posts the calendar has."""
    posts = [p.id for p in pb.calendar.posts]
    for key, override in pb.groups.items():
        for i, post in enumerate(override.calendar_posts or ()):
            if post not in posts:
                yield (("groups", key, "calendar_posts", i),
                       f"no scheduled post {post!r} in calendar.posts{did_you_mean(post, posts)}")  # fmt: skip


def _calendar(pb: Playbook) -> Iterator[Finding]:
    yield from _scheduled_polls(pb)
    anniversary = pb.calendar.rituals.anniversary
    if anniversary and anniversary.enabled and anniversary.day is None and not pb.community.founded:
        yield (
            ("calendar", "rituals", "anniversary", "day"),
            ("the anniversary needs a day: set `day`, or `community.founded` to count from it"),
        )


def _scheduled_polls(pb: Playbook) -> Iterator[Finding]:
    """A scheduled poll needs polls on (votes are read by them, the results posted), and must
    close before its next firing: one poll is open per group at a time, so a poll still open
    then would keep that firing's from opening."""
    settings = pb.mechanisms.polls
    for i, post in enumerate(pb.calendar.posts):
        if post.poll is None:
            continue
        loc: Loc = ("calendar", "posts", i, "poll")
        if not settings.enabled:
            yield (loc, "a scheduled poll needs polls on: set mechanisms.polls.enabled to true")
            continue
        lasts = post.poll.closes_after or settings.default_duration
        gap = shortest_gap(parse_schedule(post.schedule), lasts + timedelta(seconds=1))
        if gap is not None:
            field = "closes_after" if post.poll.closes_after is not None else None
            whose = "" if field else " (mechanisms.polls.default_duration)"
            yield (
                (*loc, field) if field else loc,
                f"the poll stays open {format_duration(lasts)}{whose}, but {post.schedule!r} "
                f"fires again {format_duration(gap)} later, while it would still be open: set "
                f"closes_after shorter than {format_duration(gap)}",
            )
