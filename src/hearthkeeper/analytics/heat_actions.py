"""What to do about a cooling group, in the playbook's own terms: its calendar posts by id,
its check-in keywords, its staff roles, its rules and live sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import takewhile
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.heat_texts import counted_in, listed, said
from hearthkeeper.capabilities.calendar.firings import iter_firings
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_playbook
from hearthkeeper.playbook.output import PostMode, ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.playbook.structure import RoleKind

if TYPE_CHECKING:
    from hearthkeeper.analytics.heat import HeatInputs, SilentMember, Weeks

ENERGY_ROLES = (RoleKind.CREATOR, RoleKind.MANAGER, RoleKind.EXPERT, RoleKind.PARTNER)

# Silent key members named in a reason or an action: a community of forty groups had 65 in
# one line; the rest are counted (the report's `silent_key_members` lists them all)
KEY_NAMED = 10


def more_named(silent: Sequence[SilentMember], lang: Language = Language.EN) -> str:
    """` and 55 more` past the `KEY_NAMED` named (nothing when all are)."""
    more = len(silent) - KEY_NAMED
    return said("more", lang, more=more) if more > 0 else ""


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
    none of Monday's to Wednesday morning's), nor those staff called off (`called_off`)."""
    last = inputs.last_posted.get(post.id)
    first = last + timedelta(days=1) if last is not None else inputs.as_of - timedelta(days=6)
    if inputs.posts_from is None:
        return 0
    start = datetime.combine(max(first, inputs.posts_from), time(), tzinfo=inputs.zone)
    added = inputs.post_added.get(post.id)
    if added is not None and added > start:
        start = added
    due = _firings_between(post.schedule, inputs.zone, start, inputs.as_of)
    # a firing staff called off was meant not to go out: not a missed one
    since = start.astimezone(inputs.zone).date()
    off = sum(1 for day in inputs.called_off.get(post.id, ()) if since <= day < inputs.as_of)
    return max(0, due - off)


@lru_cache(maxsize=4096)
def _firings_between(schedule: str, zone: ZoneInfo, start: datetime, end: date) -> int:
    """How many firings of `schedule` fall from `start` up to the start of the local day
    `end`. Counted once per schedule and moments: a report asks the same of every group the
    post goes to (a pure function of its arguments, so the cache is exact)."""
    until = datetime.combine(end, time(), tzinfo=zone)
    due = takewhile(lambda instant: instant < until, iter_firings(schedule, zone, start))
    return sum(1 for _ in due)


def stopped_posts(inputs: HeatInputs, playbook: Playbook | None, quiet: int,
                  lang: Language = Language.EN) -> list[str]:  # fmt: skip
    """One action per calendar post that missed its firings."""
    found: list[str] = []
    prefix = said("no_output_for", lang, quiet=quiet) if quiet >= 3 else ""
    for post in posts_for(playbook, inputs.name, inputs.carrier_group_id):
        missed = missed_firings(post, inputs)
        if missed == 0:
            continue
        last = inputs.last_posted.get(post.id)
        since = said("since_day", lang, day=last.isoformat()) if last else said("in_a_week", lang)
        added = inputs.post_added.get(post.id)
        if added is not None and (day := added.astimezone(inputs.zone).date()) > (
            last or inputs.as_of - timedelta(days=7)
        ):
            since = said("since_added", lang, day=day.isoformat())
        if post.mode is PostMode.REMIND:
            fix = said("fix_remind", lang)
        elif post.library:
            fix = said("fix_library", lang, library=post.library)
        else:
            fix = said("fix_calendar", lang)
        found.append(said("post_stopped" if missed == 1 else "post_stopped_many", lang,
                          prefix=prefix, post=post.id, schedule=post.schedule, since=since,
                          missed=missed, fix=fix))  # fmt: skip
        prefix = ""
    return found


def staff_roles(playbook: Playbook | None, lang: Language = Language.EN) -> str:
    """`creator (Creator), manager (Manager)`: the roles whose output is the energy input."""
    if playbook is None:
        return said("the_staff", lang)
    roles = [said("role", lang, role=rid, title=role.title)
             for rid, role in playbook.structure.roles.items()
             if role.kind in ENERGY_ROLES]  # fmt: skip
    return listed(roles, lang) if roles else said("the_staff", lang)


def actions_for(inputs: HeatInputs, playbook: Playbook | None, *, quiet: int, energy: bool,
                decay: bool, check_ins: Weeks, violations: Weeks,
                lang: Language = Language.EN) -> list[str]:  # fmt: skip
    """The actions for the signals that hold, most urgent first, said in `lang`."""
    group = inputs.name
    actions = stopped_posts(inputs, playbook, quiet, lang)
    # A group an import registered gets no scheduled post whatever the playbook says: adding
    # one would change nothing there (staff posting by hand, below, would)
    if (
        energy
        and inputs.posts_from is not None
        and not posts_for(playbook, group, inputs.carrier_group_id)
    ):
        where = "no_post" if playbook is not None else "no_playbook_post"
        actions.append(said(where, lang, group=group))
    if energy:
        actions.append(said("ask_staff", lang, roles=staff_roles(playbook, lang), group=group))
    if inputs.silent_key:
        first = min(m.last_active for m in inputs.silent_key)
        names = listed([m.name for m in inputs.silent_key[:KEY_NAMED]], lang) + more_named(
            inputs.silent_key, lang
        )
        actions.append(said("key_action", lang, first=first.isoformat(), names=names,
                            who=counted_in(len(inputs.silent_key), "key_member", lang),
                            group=group))  # fmt: skip
    if playbook is not None:
        actions += _check_in_actions(inputs, playbook, check_ins, lang)
        actions += _rule_actions(playbook, violations, lang)
    if decay:
        actions.append(_restart(playbook, group, lang))
    return actions


def _check_in_actions(inputs: HeatInputs, playbook: Playbook, check_ins: Weeks,
                      lang: Language) -> list[str]:  # fmt: skip
    check_in = playbook.mechanisms.check_in
    if not check_in.enabled or inputs.posts_from is None:  # no bot takes check-ins in an import
        return []
    words = listed(check_in.keywords[:3], lang)
    if check_ins.this == 0:
        before = (said("check_ins_before", lang, before=f"{check_ins.before:g}") if check_ins.before
                  else said("no_check_ins_before", lang))  # fmt: skip
        return [said("no_check_ins", lang, before=before, words=words, group=inputs.name)]
    if check_ins.ratio is not None and check_ins.ratio < 0.5:
        return [said("check_ins_fell", lang, this=f"{check_ins.this:g}",
                     before=f"{check_ins.before:g}", group=inputs.name, words=words)]  # fmt: skip
    return []


def _rule_actions(playbook: Playbook, violations: Weeks, lang: Language) -> list[str]:
    rose = violations.this >= 3 and violations.this > 2 * violations.before
    if not rose:
        return []
    found = playbook.rules.violations
    off = [f"rules.violations.{k.value}" for k in ViolationKind if not found.detector(k).enabled]
    threshold = playbook.joining.threshold.kind.value
    tighten = (said("detectors_off", lang, off=", ".join(off)) if off
               else said("shorten_ladder", lang))  # fmt: skip
    return [said("violations_rose", lang, this=f"{violations.this:g}",
                 before=f"{violations.before:g}", tighten=tighten, threshold=threshold)]  # fmt: skip


def _restart(playbook: Playbook | None, group: str, lang: Language) -> str:
    found = playbook.calendar.live_sessions if playbook is not None else []
    sessions: Sequence[str] = [said("session", lang, id=s.id, title=s.title) for s in found
                               if not s.groups or group in s.groups]  # fmt: skip
    if sessions:
        return said("restart_session", lang, group=group, session=sessions[0])
    return said("restart", lang, group=group)
