"""What to do about a cooling group, in the playbook's own terms: its calendar posts by id,
its check-in keywords, its staff roles, its rules and live sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import takewhile
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import iter_firings
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_playbook
from hearthkeeper.playbook.output import PostMode, ScheduledPost
from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.playbook.structure import RoleKind
from hearthkeeper.text.counts import counted

if TYPE_CHECKING:
    from hearthkeeper.analytics.heat import HeatInputs, SilentMember, Weeks

ENERGY_ROLES = (RoleKind.CREATOR, RoleKind.MANAGER, RoleKind.EXPERT, RoleKind.PARTNER)

# Silent key members named in a reason or an action: a community of forty groups had 65 in
# one line; the rest are counted (the report's `silent_key_members` lists them all)
KEY_NAMED = 10


def more_named(silent: Sequence[SilentMember]) -> str:
    """` and 55 more` past the `KEY_NAMED` named (nothing when all are)."""
    more = len(silent) - KEY_NAMED
    return f" and {more} more" if more > 0 else ""


def posts_for(
    playbook: Playbook | None, group: str, carrier_group_id: str | None = None
) -> list[ScheduledPost]:
    """The calendar posts that go to `group` (a post with no groups goes to every group); with
    its `carrier_group_id`, as the engine sends them: its `groups:` override's
    `calendar_posts` instead, none to the staff channel."""
    if playbook is None:
        return []
    if carrier_group_id is not None:
        playbook = group_playbook(playbook, group, carrier_group_id)
    return [p for p in playbook.calendar.posts if not p.groups or group in p.groups]


def missed_firings(post: ScheduledPost, inputs: HeatInputs) -> int:
    """How many firings were due on fully elapsed days since the post's last
    posting in the group — or over the last 7 days when it never posted — counting none
    before posts could reach it (`posts_from`: a group opened two days ago missed two) nor
    before the playbook had the post (`post_added`: one added on Wednesday at noon missed
    none of Monday's to Wednesday morning's)."""
    last = inputs.last_posted.get(post.id)
    first = last + timedelta(days=1) if last is not None else inputs.as_of - timedelta(days=6)
    if inputs.posts_from is None:
        return 0
    start = datetime.combine(max(first, inputs.posts_from), time(), tzinfo=inputs.zone)
    added = inputs.post_added.get(post.id)
    if added is not None and added > start:
        start = added
    return _firings_between(post.schedule, inputs.zone, start, inputs.as_of)


@lru_cache(maxsize=4096)
def _firings_between(schedule: str, zone: ZoneInfo, start: datetime, end: date) -> int:
    """How many firings of `schedule` fall from `start` up to the start of the local day
    `end`. Counted once per schedule and moments: a report asks the same of every group the
    post goes to (a pure function of its arguments, so the cache is exact)."""
    until = datetime.combine(end, time(), tzinfo=zone)
    due = takewhile(lambda instant: instant < until, iter_firings(schedule, zone, start))
    return sum(1 for _ in due)


def stopped_posts(inputs: HeatInputs, playbook: Playbook | None, quiet: int) -> list[str]:
    """One action per calendar post that missed its firings."""
    said: list[str] = []
    prefix = f"No output for {quiet} days: " if quiet >= 3 else ""
    for post in posts_for(playbook, inputs.name, inputs.carrier_group_id):
        missed = missed_firings(post, inputs)
        if missed == 0:
            continue
        last = inputs.last_posted.get(post.id)
        since = f"since {last.isoformat()}" if last else "in the last 7 days"
        added = inputs.post_added.get(post.id)
        if added is not None and (day := added.astimezone(inputs.zone).date()) > (
            last or inputs.as_of - timedelta(days=7)
        ):
            since = f"since it was added on {day.isoformat()}"
        if post.mode is PostMode.REMIND:
            fix = ("it waits for staff to confirm (mode: remind) — confirm it when reminded, or "
                   "switch it to mode: auto")  # fmt: skip
        elif post.content.library:
            fix = (f"check its content library `{post.content.library}` (it may have run out: "
                   "the console's Calendar page shows what each group has left) and the "
                   "calendar (`hearth posts`)")  # fmt: skip
        else:
            fix = "check the calendar (`hearth posts`) and that the server is running"
        said.append(f"{prefix}the calendar post `{post.id}` ({post.schedule}) has not posted "
                    f"{since} ({missed} firing{'' if missed == 1 else 's'} missed) — {fix}.")  # fmt: skip
        prefix = ""
    return said


def staff_roles(playbook: Playbook | None) -> str:
    """`creator (Creator), manager (Manager)`: the roles whose output is the energy input."""
    if playbook is None:
        return "the staff"
    roles = [f"{rid} ({role.title})" for rid, role in playbook.structure.roles.items()
             if role.kind in ENERGY_ROLES]  # fmt: skip
    return ", ".join(roles) if roles else "the staff"


def actions_for(inputs: HeatInputs, playbook: Playbook | None, *, quiet: int, energy: bool,
                decay: bool, check_ins: Weeks, violations: Weeks) -> list[str]:  # fmt: skip
    """The actions for the signals that hold, most urgent first."""
    group = inputs.name
    actions = stopped_posts(inputs, playbook, quiet)
    # A group an import registered gets no scheduled post whatever the playbook says: adding
    # one would change nothing there (staff posting by hand, below, would)
    if (
        energy
        and inputs.posts_from is not None
        and not posts_for(playbook, group, inputs.carrier_group_id)
    ):
        where = "The playbook has no" if playbook is not None else "There is no playbook, so no"
        actions.append(f"{where} scheduled post for {group}: add a daily knowledge pack under "
                       "`calendar.posts` (a two-minute pack every morning).")  # fmt: skip
    if energy:
        actions.append(f"Ask {staff_roles(playbook)} to post in {group}: staff output is the "
                       "group's energy input.")  # fmt: skip
    if inputs.silent_key:
        first = min(m.last_active for m in inputs.silent_key)
        names = ", ".join(m.name for m in inputs.silent_key[:KEY_NAMED]) + more_named(
            inputs.silent_key
        )
        key = counted(len(inputs.silent_key), "key member")
        actions.append(f"{key} silent since {first.isoformat()} "
                       f"({names}): @-mention them in {group} with a question in their field, "
                       "or write to them directly.")  # fmt: skip
    if playbook is not None:
        actions += _check_in_actions(inputs, playbook, check_ins)
        actions += _rule_actions(playbook, violations)
    if decay:
        actions.append(_restart(playbook, group))
    return actions


def _check_in_actions(inputs: HeatInputs, playbook: Playbook, check_ins: Weeks) -> list[str]:
    check_in = playbook.mechanisms.check_in
    if not check_in.enabled or inputs.posts_from is None:  # no bot takes check-ins in an import
        return []
    words = ", ".join(check_in.keywords[:3])
    if check_ins.this == 0:
        before = (f"{check_ins.before:g}/week before" if check_ins.before
                  else "none in the four weeks before either")  # fmt: skip
        return [f"No check-ins for a week ({before}): the check-in mechanism is on (keywords: "
                f"{words}) — announce it in {inputs.name}."]  # fmt: skip
    if check_ins.ratio is not None and check_ins.ratio < 0.5:
        return [f"Check-ins fell: {check_ins.this:g} this week vs {check_ins.before:g}/week "
                f"before — remind {inputs.name} of the daily check-in ({words})."]  # fmt: skip
    return []


def _rule_actions(playbook: Playbook, violations: Weeks) -> list[str]:
    rose = violations.this >= 3 and violations.this > 2 * violations.before
    if not rose:
        return []
    found = playbook.rules.violations
    off = [f"rules.violations.{k.value}" for k in ViolationKind if not found.detector(k).enabled]
    threshold = playbook.joining.threshold.kind.value
    tighten = (f"turn on the detectors that are off ({', '.join(off)})" if off
               else "shorten the ladder (`rules.ladder`)")  # fmt: skip
    return [f"Violations rose: {violations.this:g} this week vs {violations.before:g}/week "
            f"before (advertising groups are one way a community dies) — tighten rules: "
            f"{tighten}, and consider a stricter joining threshold (now: {threshold})."]  # fmt: skip


def _restart(playbook: Playbook | None, group: str) -> str:
    found = playbook.calendar.live_sessions if playbook is not None else []
    sessions: Sequence[str] = [f"`{s.id}` ({s.title})" for s in found
                               if not s.groups or group in s.groups]  # fmt: skip
    if sessions:
        return (f"Restart the conversation in {group}: promote the live session "
                f"{sessions[0]} and bring a hot topic.")  # fmt: skip
    return (f"Restart the conversation in {group}: bring a hot topic, start a poll, or plan a "
            "live sharing session under `calendar.live_sessions`.")  # fmt: skip
