"""A readable summary of a playbook organised by ISOOC, with the gaps an operator should close."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from hearthkeeper.playbook.base import format_duration
from hearthkeeper.playbook.business import every_period
from hearthkeeper.playbook.checks import CarrierKinds, check_carriers
from hearthkeeper.playbook.group_names import naming_in_use
from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.playbook.mechanisms import ReferralReward
from hearthkeeper.playbook.model import Playbook
from hearthkeeper.playbook.positioning import CommunityType, Language
from hearthkeeper.playbook.rules import LearnedScorer, Response, ViolationKind
from hearthkeeper.playbook.schedule import parse_schedule
from hearthkeeper.playbook.structure import CarrierKind, Permission, RoleKind
from hearthkeeper.playbook.unhonoured import NOT_BUILT, unhonoured
from hearthkeeper.text.counts import counted


@dataclass(frozen=True)
class Gap:
    """Something missing, said in the operator's terms, with the seed that makes the case
    and `path`, the playbook field (or fields, "a or b") that would close it."""

    message: str
    source: str
    path: str

    @property
    def text(self) -> str:
        """The gap as shown: its field first (`calendar.live_sessions: no fixed ...`)."""
        return self.message if self.message.startswith(self.path) else (
            f"{self.path}: {self.message}")  # fmt: skip


@dataclass
class Element:
    """One ISOOC element: what the playbook says, and what it leaves out."""

    title: str
    lines: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def summarise(
    pb: Playbook,
    carriers: CarrierKinds | None = None,
    posts_with_files: Mapping[str, frozenset[str]] | None = None,
    group_names: Collection[str] = (),
) -> list[Element]:
    """Interest, Structure, Output, Operation, Copy (and Money), each with its gaps. With
    `carriers` (what the server can run), a carrier named that cannot run is a gap too; with
    `posts_with_files` (the posts whose content folder holds pictures, videos, voice or files,
    by id, with those kinds: the playbook alone cannot know), so is a carrier named that
    does not send them (`carriers.sends_files`). `group_names`: the names of the community's
    groups, where the caller knows them: the naming its next group takes (`naming_in_use`)."""
    structure = _structure(pb)
    if carriers is not None:
        for loc, message in check_carriers(pb, carriers):
            where = f"structure.carriers[{loc[2]}]"
            kind = pb.structure.carriers[int(loc[2])].kind.value
            source = "the installed carriers" if kind not in carriers.installed else "hearth.toml"
            structure.gaps.append(Gap(f"{where}: {message}", source, where))
        if carriers.configured is None:  # said beside the carriers it is about
            at = next((n + 1 for n, line in enumerate(structure.lines)
                       if line.startswith("Carriers:")), len(structure.lines))  # fmt: skip
            structure.lines[at:at] = _where_carriers_run(pb, carriers)
        kind = pb.joining.threshold.kind.value
        if carriers.thresholds is not None and kind not in carriers.thresholds:
            structure.gaps.append(Gap(
                f"joining.threshold.kind: no installed capability checks {kind!r}, so the "
                "join page and Matrix knocks refuse everyone; choose one of "
                + ", ".join(sorted(carriers.thresholds)), "the installed capabilities",
                "joining.threshold.kind"))  # fmt: skip
    output = _output(pb)
    sends = carriers.sends_files if carriers is not None else {}
    for post_id, kinds in (posts_with_files or {}).items():
        unsent = _unsent_files(pb, kinds, sends)
        if unsent:
            output.gaps.append(Gap(
                f"calendar.posts {post_id}: its content folder holds {_kinds(kinds)}, which "
                f"these carriers do not send yet: {unsent}; members there get the item's "
                "text (or title) only", NOT_BUILT, "calendar.posts"))  # fmt: skip
    copy = _copy(pb, group_names)
    elements = [_interest(pb), structure, output, _operation(pb), _money(pb), copy]
    by_word = {element.title.split()[0]: element for element in elements}
    for unused in unhonoured(pb):
        by_word[unused.element].gaps.append(Gap(unused.message, unused.source, unused.path))
    return elements


def _where_carriers_run(pb: Playbook, carriers: CarrierKinds) -> list[str]:
    """Read without a deployment's hearth.toml, which alone decides which carriers run: the
    platforms named beside the web chat, said to run only with their table there (listing
    them under Carriers would otherwise read as if their groups were served)."""
    tables = [(kind, carriers.tables.get(kind, kind)) for kind in dict.fromkeys(
        c.kind.value for c in pb.structure.carriers)
        if kind != CarrierKind.WEBCHAT.value and kind in carriers.installed]  # fmt: skip
    if not tables:
        return []
    needs = ", ".join(f"{kind} ([carriers.{table}])" for kind, table in tables)
    return [f"Run only where hearth.toml sets them up: {needs}; the web chat always runs "
            "(hearth.toml is not read here: --config FILE names any it does not set up)"]  # fmt: skip


_PLURAL = {"picture": "pictures", "video": "videos", "voice": "voice", "file": "files"}


def _kinds(kinds: frozenset[str]) -> str:
    return ", ".join(_PLURAL.get(kind, kind) for kind in _PLURAL if kind in kinds)


def _unsent_files(pb: Playbook, kinds: frozenset[str], sends: Mapping[str, frozenset[str]]) -> str:
    """The carriers the playbook names that do not send some of `kinds`, each with those
    ("webchat (videos), wecom (pictures, videos)"; "" when all send all)."""
    named = dict.fromkeys(carrier.kind.value for carrier in pb.structure.carriers)
    missing = {carrier: kinds - sends.get(carrier, frozenset()) for carrier in named}
    return ", ".join(f"{carrier} ({_kinds(left)})" for carrier, left in missing.items() if left)


def roles_with(pb: Playbook, permission: Permission) -> list[str]:
    """Ids of the roles that hold a permission."""
    return [rid for rid, role in pb.structure.roles.items() if permission in role.permissions]


def _interest(pb: Playbook) -> Element:
    c = pb.community
    el = Element("Interest (同好)")
    el.lines.append(
        f"{c.name} [{c.slug}] — {c.type.value} community, {c.language.value}, {c.timezone}"
    )
    el.lines.append(f"Purpose: {c.purpose}")
    el.lines.append(f"Common interest ({c.interest.kind.value}): {c.interest.description}")
    if c.goals:
        el.lines.append("Goals: " + "; ".join(c.goals))
    if c.values:
        el.lines.append("Values: " + "; ".join(c.values))
    if c.stage:
        el.lines.append(f"Stage: {c.stage} of 7")
    if not c.goals:
        el.gaps.append(
            Gap(
                "no goals: the purpose is what you think, goals are what you say out loud",
                "seed 001, step 2",
                "community.goals",
            )
        )
    if not c.values:
        el.gaps.append(
            Gap(
                "no values: without shared values, differences of opinion become quarrels",
                "seed 001, core point 1",
                "community.values",
            )
        )
    return el


def _learned(learned: LearnedScorer) -> str:
    """What the learned scorer's verdict does, and to whom."""
    said = f"Learned scorer: advertising from spam {learned.threshold:g}; "
    standing = learned.standing
    if standing is None or not standing.enabled:
        return said + "its guess alone strikes anyone"
    return said + (f"its guess alone only alerts staff about members in good standing "
                   f"({standing.days} days in the community, {standing.messages} messages, "
                   "no live strike)")  # fmt: skip


def _structure(pb: Playbook) -> Element:
    s, j = pb.structure, pb.joining
    el = Element("Structure (结构)")
    staff = ", ".join(f"{r.title} ({rid})" for rid, r in s.roles.items())
    el.lines.append(f"Staff: {staff or 'none'}")
    el.lines.append("Levels: " + " → ".join(level.name for level in s.levels))
    el.lines.append("Carriers: " + ", ".join(
        c.kind.value + (f" ({c.name})" if c.name else "") for c in s.carriers))  # fmt: skip
    el.lines.append(
        f"Groups: up to {s.groups.capacity} members, by code up to "
        f"{s.groups.join_by_code_cap}; small circles of {s.groups.small_circle_size}"
    )
    el.lines.append(
        f"Joining: {j.threshold.kind.value}"
        + (
            f" (plan {j.threshold.plan})"
            if j.threshold.kind is ThresholdKind.PAID and j.threshold.plan
            else ""
        )
        + (
            f", {j.threshold.invite_friends} invited friends who stayed"
            if j.threshold.kind is ThresholdKind.TASK and j.threshold.invite_friends
            else ""
        )
        + (
            f", counted in {', '.join(j.threshold.referrals_in)}"
            if j.threshold.kind is ThresholdKind.TASK and j.threshold.referrals_in
            else ""
        )
        + (
            f", level {j.threshold.min_level} or above"
            if j.threshold.kind is ThresholdKind.MIN_LEVEL and j.threshold.min_level
            else ""
        )
    )
    ladder = "; ".join(
        f"{st.at}: {'+'.join(d.value for d in st.do)}"
        + (f" {_dur(st.mute_for)}" if st.mute_for else "")
        for st in pb.rules.ladder
    )
    el.lines.append(
        f"Rules: {len(pb.rules.texts)} rule texts; ladder {ladder or 'none'}; strikes "
        + (
            f"expire after {_dur(pb.rules.strike_expiry)}"
            if pb.rules.strike_expiry
            else "never expire"
        )
        + (
            f"; members appeal with /appeal within {_dur(pb.rules.appeals.within)}"
            if pb.rules.appeals.enabled
            else "; no appeals by command"
        )
    )
    el.lines.append(_reports(pb))
    el.lines.append(weekly_report_line(pb))
    alert_only = [
        k.value
        for k in ViolationKind
        if pb.rules.violations.detector(k).enabled
        and pb.rules.violations.detector(k).response is Response.ALERT
    ]
    if alert_only:
        el.lines.append("Only staff are alerted for: " + ", ".join(alert_only))
    advertising = pb.rules.violations.advertising
    if advertising.enabled and advertising.learned.enabled:
        el.lines.append(_learned(advertising.learned))
    if not any(r.kind is RoleKind.CREATOR for r in s.roles.values()):
        el.gaps.append(
            Gap(
                "no soul figure: no role of kind creator whom members recognise",
                "seed 003, point 5; seed 000, 1.2",
                "structure.roles.<id>.kind",
            )
        )
    if j.threshold.kind is ThresholdKind.OPEN and pb.community.type is CommunityType.COMMERCIAL:
        el.gaps.append(
            Gap(
                "anyone can join: a threshold screens out conflicting values and makes "
                "members cherish the community",
                "seed 000, 1.2; seed 001, point 2",
                "joining.threshold.kind",
            )
        )
    if not pb.rules.texts:
        el.gaps.append(
            Gap(
                "no rule texts: rules are pushed to every new member",
                "seed 003, plan 2",
                "rules.texts",
            )
        )
    if len(s.levels) < 2:
        el.gaps.append(
            Gap(
                "a flat membership: no pyramid for members to climb",
                "seed 000, 1.2; seed 001, point 5",
                "structure.levels",
            )
        )
    if not pb.alerts.recipients and not roles_with(pb, Permission.RECEIVE_ALERTS):
        el.gaps.append(
            Gap(
                "staff alerts reach nobody: give a role receive_alerts",
                "seed 001, step 6 (manual response)",
                "structure.roles.<id>.permissions or alerts.recipients",
            )
        )
    return el


def _output(pb: Playbook) -> Element:
    cal = pb.calendar
    el = Element("Output (输出)")
    for post in cal.posts:
        what = "library " + post.library if post.library else "inline text"
        if post.poll is not None:
            polls = pb.mechanisms.polls
            closes = format_duration(post.poll.closes_after or polls.default_duration)
            anonymous = polls.anonymous if post.poll.anonymous is None else post.poll.anonymous
            what = (f"poll {post.poll.question!r} ({len(post.poll.options)} options, "
                    f"{'multiple' if post.poll.multiple else 'single'} choice, "
                    f"{'anonymous' if anonymous else 'named'}, closes after {closes})")  # fmt: skip
        el.lines.append(
            f"Post {post.id}: {post.schedule} (cron {parse_schedule(post.schedule)}), "
            f"{post.mode.value}, {what}"
        )
    for session in cal.live_sessions:
        el.lines.append(
            f"Live session {session.id}: {session.title} by {session.speaker}, {session.schedule}"
        )
    if cal.rituals.anniversary and cal.rituals.anniversary.enabled:
        day = cal.rituals.anniversary.day or (
            pb.community.founded.day if pb.community.founded else "?"
        )
        shorter = " (the last day of a shorter month)" if isinstance(day, int) and day > 28 else ""
        el.lines.append(f"Ritual: monthly anniversary on day {day}{shorter}")
    if not cal.posts:
        el.gaps.append(
            Gap(
                "nothing scheduled — without stable output a community decays into a dead "
                "group or an advertising group",
                "seed 001, heat death; seed 000, 1.4",
                "calendar.posts",
            )
        )
    if not cal.live_sessions:
        el.gaps.append(
            Gap(
                "no fixed discussion time: members don't know when others will be there",
                "seed 002, micro-sharing Mon/Wed/Fri/Sun",
                "calendar.live_sessions",
            )
        )
    if not (cal.rituals.anniversary and cal.rituals.anniversary.enabled):
        el.gaps.append(
            Gap(
                "no ritual: a subculture (a monthly anniversary) builds identity",
                "seed 004, subculture",
                "calendar.rituals.anniversary",
            )
        )
    return el


def _check_in_line(keywords: list[str]) -> str:
    """What a check-in is: once a day, for all its keywords together."""
    return "Check-ins: daily, once a member a day for " + (
        f"all of {', '.join(keywords)} together" if len(keywords) > 1 else ", ".join(keywords)
    )


def _sounds_weekly(keyword: str) -> bool:
    """A check-in keyword that names a week (`周复盘`, `周报`, `weekly review`)."""
    folded = keyword.casefold()
    return "周" in folded or "week" in folded


def _operation(pb: Playbook) -> Element:
    m, j = pb.mechanisms, pb.joining
    el = Element("Operation (运营): ceremony, participation, organisation, belonging")
    el.lines.append(
        f"Ceremony: welcome {'custom' if j.ceremony.welcome else 'built-in'}, "
        f"rules {'to accept' if j.ceremony.accept_rules else 'shown'}, nickname "
        f"{j.ceremony.nickname_format or 'free'}"
    )
    el.lines.append(
        f"FAQ: {counted(len(m.faq.entries), 'entry', 'entries')}; check-ins "
        f"{'on' if m.check_in.enabled else 'off'}; polls {'on' if m.polls.enabled else 'off'}; "
        f"sign-ups {'on' if m.signups.enabled else 'off'}; points {'on' if m.points.enabled else 'off'}, "
        f"{counted(len(m.points.rewards), 'reward')}"
    )
    if m.check_in.enabled:
        el.lines.append(_check_in_line(m.check_in.keywords))
        weekly = [k for k in m.check_in.keywords if _sounds_weekly(k)]
        if weekly:
            el.gaps.append(
                Gap(
                    f"weekly check-ins are not supported yet: {', '.join(weekly)} shares the one "
                    "daily check-in with the other keywords (sent on a day the member already "
                    "checked in, it is answered 'already checked in today'), it has no weekly "
                    "streak of its own",
                    NOT_BUILT,
                    "mechanisms.check_in.keywords",
                )
            )
    if m.titles:
        el.lines.append("Titles: " + ", ".join(t.name for t in m.titles))
    if m.tags:
        el.lines.append("Tags: " + ", ".join(t.name for t in m.tags))
    for act in pb.activities:
        when = f", {act.when:%Y-%m-%d %H:%M}" if act.when else (
            f", {act.schedule}" if act.schedule else "")  # fmt: skip
        if not act.sign_up:  # nobody takes a place: its places and fee are words in /events
            shown = [f"{act.capacity} places"] if act.capacity else []
            shown += [f"{act.price:f} {act.currency}"] if act.price else []
            el.lines.append(
                f"Offline: {act.name}{when}, no sign-up (members just come)"
                + (f": {' and '.join(shown)} are only shown in /events, no place is held "
                   "and no fee taken" if shown else "")
            )  # fmt: skip
            continue
        held = ""
        if act.price:
            window = format_duration(act.pay_within) if act.pay_within else "until paid"
            held = f", {act.price:f} {act.currency}, unpaid places held {window}"
        el.lines.append(
            f"Offline: {act.name}{when}"
            + (f", {act.capacity} places" if act.capacity else "")
            + held
        )
    if not m.faq.entries:
        el.gaps.append(
            Gap(
                "no automatic answers: staff will answer the same questions every day",
                "seed 001, step 6",
                "mechanisms.faq.entries",
            )
        )
    if not j.ceremony.accept_rules and not j.ceremony.welcome:
        el.gaps.append(
            Gap(
                "little ceremony on joining: apply, accept the rules, be welcomed",
                "seed 000, four senses",
                "joining.ceremony.accept_rules or joining.ceremony.welcome",
            )
        )
    if not pb.activities:
        el.gaps.append(
            Gap(
                "no offline activities: belonging grows face to face",
                "seed 004, activities; seed 001, point 4",
                "activities",
            )
        )
    if not m.titles and not m.tags:
        el.gaps.append(
            Gap(
                "no titles or tags: members who play a role, and experts who are @-ed, stay active",
                "seed 002, 'interesting' and 'love'",
                "mechanisms.titles or mechanisms.tags",
            )
        )
    _referrals(pb, el)
    return el


def _money(pb: Playbook) -> Element:
    el = Element("Monetisation (变现)")
    for plan in pb.monetisation.plans:
        el.lines.append(
            f"Plan {plan.name}: {plan.price} {plan.currency} {every_period(plan.period)}"
            + (f", trial {_dur(plan.trial)}" if plan.trial else "")
            + (f", refunds within {_dur(plan.refund_window)}" if plan.refund_window else "")
            + (f", reminder {_dur(plan.renewal_reminder)} before the end"
               if plan.renewal_reminder else ", no renewal reminder")
            + f", removal {_dur(plan.grace) + ' after' if plan.grace else 'at'} an unpaid end"
        )  # fmt: skip
    threshold = pb.joining.threshold
    gated = next((p for p in pb.monetisation.plans if p.id == threshold.plan), None)
    if threshold.kind is ThresholdKind.PAID and gated is not None and not gated.renewal_reminder:
        el.gaps.append(
            Gap(
                f"plan {gated.id}: members are never reminded to renew (renewal_reminder: "
                "none), so repurchase waits on their memory",
                "seed 002 (purchase and repurchase rate)",
                f"monetisation.plans[{pb.monetisation.plans.index(gated)}].renewal_reminder",
            )
        )
    direct = [c.kind.value for c in pb.structure.carriers if c.kind is not CarrierKind.WEBCHAT]
    if threshold.kind is ThresholdKind.PAID and gated is not None and direct:
        # a direct join reaches no door there: the engine does at the join what it would have
        stay = threshold.unpaid_stay
        unpaid = (f"told to pay and removed {_dur(stay)} later unless they paid" if stay
                  else "removed at once (unpaid_stay: none)")  # fmt: skip
        el.lines.append(
            f"Joining without asking ({', '.join(sorted(set(direct)))}: a link that does not "
            f"ask to join, added by a member): "
            + (f"a newcomer starts the {_dur(gated.trial)} trial, anyone else is " if gated.trial
               else "")
            + unpaid + "; staff and members there before the threshold are not asked"
        )  # fmt: skip
    if not pb.monetisation.plans:
        el.lines.append("No membership plans.")
        if pb.community.type is CommunityType.COMMERCIAL:
            el.gaps.append(
                Gap(
                    "a commercial community with no way to earn: add a membership plan",
                    "seed 001, step 7",
                    "monetisation.plans",
                )
            )
    return el


_OPENS_GROUPS = {"webchat", "matrix"}  # carriers whose next group a live code can open
# carriers whose joins say which link brought the newcomer (Matrix: by the join page's invitation)
_ATTRIBUTES = {"webchat", "telegram", "matrix"}


_PLATFORM_NAMES = {"qq": "QQ", "wecom": "WeCom"}  # as the platforms spell themselves


def _copy(pb: Playbook, group_names: Collection[str]) -> Element:
    r = pb.replication
    el = Element("Copy (复制)")
    groups = pb.structure.groups
    by_code = min(groups.capacity, groups.join_by_code_cap)
    opens_at = math.ceil(r.open_new_group_at * by_code)  # as live codes count it
    naming = naming_in_use(pb, group_names)
    if naming != r.naming:  # groups opened under the former default: their series goes on
        naming += (", the series its groups are in (opened before the default followed the "
                   f"language: write copy.naming '{r.naming}' to name new ones so instead)")  # fmt: skip
    el.lines.append(
        f"Group names: {naming}; a manager looks after up to "
        f"{r.max_groups_per_manager} groups; next group opens at {opens_at} members "
        f"({round(r.open_new_group_at * 100)}% of the {by_code} who may join by code)"
    )
    if pb.groups:
        el.lines.append(f"Per-group overrides: {', '.join(pb.groups)}")
    for kind in sorted({c.kind.value for c in pb.structure.carriers} - {"webchat"}):
        # Matrix opens the next room itself; Telegram's joins carry the live code's channel
        # (an invite link per channel), but it opens no group.
        name = _PLATFORM_NAMES.get(kind, kind.capitalize())
        if kind in _OPENS_GROUPS:
            message = "" if kind in _ATTRIBUTES else (
                f"live codes cannot tell which channel brought {name} newcomers")  # fmt: skip
        else:
            message = (f"opening new {name} groups: live codes send {kind} newcomers only to "
                       "existing groups")  # fmt: skip
            if kind not in _ATTRIBUTES:
                message += ", and cannot tell which channel brought them"
        if message:
            el.gaps.append(
                Gap(message, "seed 003, live QR codes; docs/livecodes.md", "structure.carriers")
            )
    if pb.community.language is Language.EN and "群" in r.naming:
        example = r.naming.format(name=pb.community.name, n=1)
        el.gaps.append(Gap(f"groups will be named '{example}' ({r.naming}) in an "
                           "English-speaking community: set your own, e.g. '{name} #{n}'",
                           "docs/playbook.md, copy", "copy.naming"))  # fmt: skip
    if pb.structure.groups.small_circle_size > 50:
        el.gaps.append(
            Gap(
                "small circles above 50: 90% of users are active in groups under 20",
                "seed 000, 1.5",
                "structure.groups.small_circle_size",
            )
        )
    return el


def _dur(value: object) -> str:
    return format_duration(value) if isinstance(value, timedelta) else str(value)


def _prize(reward: ReferralReward) -> str:
    """What the invite task gives, as ' with …' ('' for nothing named)."""
    parts = [f"{reward.points} points"] if reward.points else []
    parts += [f"the title {reward.title}"] if reward.title else []
    parts += [f"the reward item {reward.reward}"] if reward.reward else []
    days = reward.membership_days
    parts += [f"{days} day{'' if days == 1 else 's'} of membership"] if days else []
    return f" with {', '.join(parts)}" if parts else ""


def _referrals(pb: Playbook, el: Element) -> None:
    """The invite task, and what of it this deployment cannot honour."""
    r, threshold = pb.mechanisms.referrals, pb.joining.threshold
    if r.enabled:
        posting = f" and post {r.posts}" if r.posts else ""
        el.lines.append(
            f"Referrals: invite {r.invites} who stay {_dur(r.stay)}{posting}, once rewarded"
            f"{_prize(r.reward)}"
        )
        landing = (CarrierKind.WEBCHAT, CarrierKind.TELEGRAM, CarrierKind.MATRIX)  # joins
        if not any(c.kind in landing for c in pb.structure.carriers):  # that name their link
            el.gaps.append(Gap(
                "members' invite links open web chat, Telegram and Matrix groups only: with "
                "none of these carriers, nobody a link brings is counted",
                "the referrals capability (docs/referrals.md)", "structure.carriers",
            ))  # fmt: skip
        plan = next((p for p in pb.monetisation.plans if p.id == threshold.plan), None)
        trial = None if threshold.kind is not ThresholdKind.PAID or plan is None else plan.trial
        if plan is not None and trial is not None and r.stay < trial:  # still on the trial
            el.gaps.append(Gap(
                f"a friend is counted after {_dur(r.stay)}, while still on the {_dur(trial)} "
                f"free trial of “{plan.name}” (monetisation.plans[id={plan.id}].trial), so the "
                "task rewards friends who may never pay; make mechanisms.referrals.stay longer "
                f"than {_dur(trial)} to count only friends who paid to stay",
                "the referrals capability (docs/referrals.md)", "mechanisms.referrals.stay",
            ))  # fmt: skip
    if threshold.kind is ThresholdKind.TASK and not threshold.referrals_in:
        el.gaps.append(Gap(
            "the task threshold counts this community's own referrals, so the friends members "
            "invite are refused at the door: name the community they recruit in with "
            "joining.threshold.referrals_in", "the referrals capability (docs/referrals.md)",
            "joining.threshold.referrals_in",
        ))  # fmt: skip


def _reports(pb: Playbook) -> str:
    """What members' `/report` does, in one line."""
    reports = pb.rules.reports
    if not reports.enabled:
        return "Reports: off (members cannot report a message with /report)"
    hide = (
        f"{reports.hide_after} members in good standing hide it until staff look"
        if reports.hide_after is not None
        else "reports never hide it"
    )
    return (f"Reports: members reply /report (/举报) to a message to flag it to staff "
            f"(one inbox alert per message); {hide}; at most {reports.per_day} a member a day; "
            "staff's messages are never hidden")  # fmt: skip


def weekly_report_line(pb: Playbook) -> str:
    """What `alerts.weekly_report` sends staff, and when, in one line."""
    weekly = pb.alerts.weekly_report
    if not weekly.enabled:
        return ("Weekly report: off (alerts.weekly_report.enabled: false); staff see the week "
                "in `hearth report` and the console's Health page")  # fmt: skip
    where = ["the console's inbox"]
    if pb.alerts.staff_group:
        where.append(f"the staff channel {pb.alerts.staff_group}")
    if pb.alerts.direct:
        where.append("direct messages to the alert recipients")
    money = "money, " if pb.monetisation.plans else ""
    return (f"Weekly report: every {weekly.day.capitalize()} at {weekly.at} "
            f"({pb.community.timezone}), the seven days before against the week before them: "
            "messages, active members, joins and leaves, newcomers who spoke, moderation, "
            f"{money}scheduled posts sent and missed, heat-death warnings; to "
            f"{', '.join(where[:-1])} and {where[-1]}" if len(where) > 1 else where[0])  # fmt: skip
