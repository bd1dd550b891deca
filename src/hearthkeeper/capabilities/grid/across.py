"""One action across many groups of the matrix: start a poll, push a check-in prompt (打卡), or
skip a scheduled post's firing, in every group chosen — all of them, some by name, or those at
a stage or whose name or carrier id holds a text, the Matrix page's own narrowing — from
`hearth grid poll|checkin|skip` and the Matrix page's "Across the chosen groups" form.

A poll and a check-in prompt become scheduled work in each group reached, due now: the engine
runs it as the group's own work (where the group's votes are decided) and what it says goes
through the outbound queue, within each carrier's quotas, once (its key). The work is keyed
by the group, the community's day and what was asked, so asking again the same day — a
retry after an error, a second click, a restart — reaches no group twice. A skip claims the
firing in `posts` as called off, as `/skip` does in one group; nothing is sent.

A group left out is named with why: closed, imported history, the staff channel, a poll
open there, asked already today, a post that does not go there or was sent or skipped."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import iter_firings
from hearthkeeper.capabilities.calendar.posts import applies, find_post, firing_key, next_post
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.series import keep_in
from hearthkeeper.capabilities.checkin.requests import CheckInPrompt
from hearthkeeper.capabilities.grid.decide import holds
from hearthkeeper.capabilities.grid.load import load_matrix
from hearthkeeper.capabilities.grid.stage import Stage
from hearthkeeper.capabilities.lists_common.reading import Problem
from hearthkeeper.capabilities.polls.parse import read_poll
from hearthkeeper.capabilities.polls.render import problem_text
from hearthkeeper.capabilities.polls.repository import SqlPolls
from hearthkeeper.capabilities.polls.requests import PollStart
from hearthkeeper.engine.effects import Request
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_playbook, is_staff_channel
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, Store
from hearthkeeper.text.controls import without_controls

MAX_PROMPT = 500  # characters an operator's check-in prompt may hold
MAX_POLL = 2000  # characters of a poll as typed (question, options and settings)
_SECOND = timedelta(seconds=1)


class AcrossError(Exception):
    """Nothing was done: what was wrong with what was asked, and how to put it right."""


@dataclass(frozen=True)
class Choice:
    """Which groups: `every` one; else those named (`names`: name, carrier id or number;
    `ids`: the Matrix page's checked rows), and those at `stage` whose name or carrier id
    holds `find` (either alone narrows on its own)."""

    every: bool = False
    names: tuple[str, ...] = ()
    ids: tuple[int, ...] = ()
    stage: Stage | None = None
    find: str = ""

    @property
    def narrows(self) -> bool:
        return self.stage is not None or bool(self.find.strip())


@dataclass(frozen=True)
class Missed:
    """A chosen group the action did not reach, and why, in an operator's words."""

    group: Group
    why: str


@dataclass(frozen=True)
class Reach:
    """What one action across groups did: the groups reached, the ones it did not, and for a
    skip the instants called off (the same in every group but for overrides)."""

    what: str
    reached: list[Group]
    missed: list[Missed]
    instants: list[datetime] = field(default_factory=list)


def choose(store: Store, community_id: int, playbook: Playbook | None, choice: Choice,
           now: datetime) -> list[Group]:  # fmt: skip
    """The community's groups `choice` picks, in the order they were opened; `AcrossError`
    naming what picks none (an unknown name, a stage or text no group matches)."""
    groups = store.list_groups(community_id)
    if choice.every:
        if choice.names or choice.ids or choice.narrows:
            raise AcrossError("--all picks every group: leave out --group, --find and --stage")
        return groups
    if not (choice.names or choice.ids or choice.narrows):
        raise AcrossError("say which groups: --all, --group NAME (repeatable), --find TEXT or "
                          "--stage STAGE")  # fmt: skip
    picked: set[int] = set()
    by_id = {g.id: g for g in groups}
    for wanted in choice.ids:
        if wanted not in by_id:
            raise AcrossError(f"there is no group {wanted} in this community")
        picked.add(wanted)
    unknown = []
    for name in choice.names:
        found = next((g for g in groups if name in (g.name, g.carrier_group_id, str(g.id))), None)
        if found is None:
            unknown.append(name)
        else:
            picked.add(found.id)
    if unknown:
        known = ", ".join(g.name for g in groups[:10]) or "none yet"
        raise AcrossError(f"no group {', '.join(repr(n) for n in unknown)} (by name, carrier id "
                          f"or number); the groups include: {known}. Nothing was done.")  # fmt: skip
    if choice.narrows:
        staged = None
        if choice.stage is not None:
            zone = ZoneInfo(playbook.community.timezone) if playbook else ZoneInfo("UTC")
            lines = load_matrix(store, community_id, playbook, zone, now).lines
            staged = {line.group_id for line in lines if line.stage is choice.stage}
        matched = [g.id for g in groups if (staged is None or g.id in staged)
                   and holds(choice.find.strip(), g.name, g.carrier_group_id)]  # fmt: skip
        if not matched:
            asked = [f"stage {choice.stage.value}"] if choice.stage is not None else []
            asked += (
                [f"{choice.find.strip()!r} in the name or carrier id"]
                if choice.find.strip()
                else []
            )
            raise AcrossError(f"no group matches {' and '.join(asked)}. Nothing was done.")
        picked.update(matched)
    return [g for g in groups if g.id in picked]


def unreachable(group: Group, playbook: Playbook) -> str | None:
    """Why no bot message can reach `group` (None: one can): closed, imported history, or the
    staff channel."""
    if group.imported:
        return "imported history: no carrier serves it"
    if group.closed:
        return "closed"
    if is_staff_channel(playbook, group.name, group.carrier_group_id):
        return "the staff channel"
    return None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def _day(playbook: Playbook, now: datetime) -> date:
    return now.astimezone(ZoneInfo(playbook.community.timezone)).date()


# --- a poll in many groups -----------------------------------------------------------------


def read_poll_asked(playbook: Playbook, text: str, now: datetime) -> PollStart:
    """The poll as an operator typed it — `question | option | option [多选] [截止 21:00]`,
    as after `/poll` in a group — read in the community's time zone with the playbook's
    defaults; `AcrossError` saying what could not be read."""
    settings = playbook.mechanisms.polls
    if not settings.enabled:
        raise AcrossError("polls are off in this community's playbook (mechanisms.polls."
                          "enabled: false): no group can take one. Nothing was done.")  # fmt: skip
    if len(text) > MAX_POLL:
        raise AcrossError(f"the poll is {len(text)} characters long; at most {MAX_POLL}")
    zone = ZoneInfo(playbook.community.timezone)
    spec = read_poll(without_controls(text), now, zone, settings.default_duration)
    if isinstance(spec, Problem):
        said = problem_text(spec.key, spec.detail, Language.EN)
        raise AcrossError(said.replace("/poll ", "", 1) + " Nothing was done.")
    anonymous = settings.anonymous if spec.anonymous is None else spec.anonymous
    return PollStart(question=spec.question, options=spec.options, multiple=spec.multiple,
                     anonymous=anonymous, deadline=spec.deadline, across=True)  # fmt: skip


def poll_key(group: Group, playbook: Playbook, poll: PollStart, now: datetime) -> str:
    """The scheduled work of `poll` in `group` today: the same poll asked again today is it."""
    asked = _digest(poll.question, *poll.options, poll.multiple, poll.anonymous)
    return f"grid:poll:{group.id}:{_day(playbook, now).isoformat()}:{asked}"


def plan_polls(store: Store, playbook: Playbook, groups: Sequence[Group], poll: PollStart,
               now: datetime) -> Reach:  # fmt: skip
    """Where `poll` would start: the groups reachable with no poll open, not asked today."""
    polls, reached, missed = SqlPolls.on(store), [], []
    for group in groups:
        why = unreachable(group, playbook)
        if why is None:
            current = polls.current(group.id)
            if current is not None:
                why = f"a poll is open there: {current.question!r}"
            elif store.scheduled(poll_key(group, playbook, poll, now)) is not None:
                why = "this poll was started there today already"
        (reached.append(group) if why is None else missed.append(Missed(group, why)))
    return Reach(f"poll {poll.question!r}", reached, missed)


def start_polls(store: Store, playbook: Playbook, groups: Sequence[Group], poll: PollStart,
                by: str, now: datetime) -> Reach:  # fmt: skip
    """Start `poll` in the reachable `groups` (scheduled work due now, one transaction,
    written in the audit log as by `by`); what it reached and what not."""
    return _schedule(store, playbook, groups, poll, by, now, "grid.poll",
                     lambda tx, group: plan_polls(tx, playbook, [group], poll, now),
                     lambda group: poll_key(group, playbook, poll, now))  # fmt: skip


# --- a check-in prompt in many groups ------------------------------------------------------


def prompt_asked(playbook: Playbook, text: str, now: datetime) -> CheckInPrompt:
    """The check-in prompt as written (empty: the default call); `AcrossError` when check-ins
    are off or it is too long."""
    if not playbook.mechanisms.check_in.enabled:
        raise AcrossError("check-ins are off in this community's playbook (mechanisms.check_in."
                          "enabled: false): no group can take a check-in prompt. Nothing was "
                          "done.")  # fmt: skip
    said = without_controls(text).strip()
    if len(said) > MAX_PROMPT:
        raise AcrossError(f"the prompt is {len(said)} characters long; at most {MAX_PROMPT}. "
                          "Nothing was done.")  # fmt: skip
    return CheckInPrompt(text=said, day=_day(playbook, now))


def prompt_key(group: Group, playbook: Playbook, prompt: CheckInPrompt, now: datetime) -> str:
    """The scheduled work of `prompt` in `group` today."""
    return f"grid:checkin:{group.id}:{_day(playbook, now).isoformat()}:{_digest(prompt.text)}"


def plan_prompts(store: Store, playbook: Playbook, groups: Sequence[Group],
                 prompt: CheckInPrompt, now: datetime) -> Reach:  # fmt: skip
    """Where `prompt` would go: the reachable groups it was not pushed to today."""
    reached, missed = [], []
    for group in groups:
        why = unreachable(group, playbook)
        if why is None and store.scheduled(prompt_key(group, playbook, prompt, now)) is not None:
            why = "this prompt was pushed there today already"
        (reached.append(group) if why is None else missed.append(Missed(group, why)))
    return Reach("check-in prompt", reached, missed)


def push_prompts(store: Store, playbook: Playbook, groups: Sequence[Group],
                 prompt: CheckInPrompt, by: str, now: datetime) -> Reach:  # fmt: skip
    """Push `prompt` to the reachable `groups` (scheduled work due now, one transaction)."""
    return _schedule(store, playbook, groups, prompt, by, now, "grid.checkin",
                     lambda tx, group: plan_prompts(tx, playbook, [group], prompt, now),
                     lambda group: prompt_key(group, playbook, prompt, now))  # fmt: skip


def _schedule(store: Store, playbook: Playbook, groups: Sequence[Group], request: Request,
              by: str, now: datetime, action: str, plan: Callable[[Store, Group], Reach],
              key: Callable[[Group], str]) -> Reach:  # fmt: skip
    """Schedule `request` now in each group `plan` (read in the transaction) reaches, under
    `key`; one audit entry `action` for them all."""
    reached: list[Group] = []
    missed: list[Missed] = []
    what = ""
    with store.transaction() as tx:
        if groups:  # two operators asking at once: the second sees the first's work
            tx.lock_community(groups[0].community_id)
        for group in groups:
            planned: Reach = plan(tx, group)
            what = planned.what
            if planned.missed:
                missed += planned.missed
                continue
            tx.schedule(key(group), group.community_id, request.effect, request.to_payload(),
                        now, group_id=group.id)  # fmt: skip
            reached.append(group)
        if reached:
            tx.audit(by, action, reached[0].community_id, target=what,
                     detail={"groups": len(reached), "missed": len(missed)})  # fmt: skip
    return Reach(what, reached, missed)


# --- skipping a post's firing in many groups ------------------------------------------------


def _firings(playbook: Playbook, post_id: str, group: Group, on: date | None,
             now: datetime) -> list[datetime] | str:  # fmt: skip
    """The firings of the post to call off in `group` (its next; or those on the local day
    `on` still to come), or why there are none."""
    own = group_playbook(playbook, group.name, group.carrier_group_id)
    post, zone = find_post(own, post_id), ZoneInfo(own.community.timezone)
    if post is None or not applies(post, group.name):
        return "the post does not go there"
    if on is None:
        at = next(iter_firings(post.schedule, zone, now), None)
        return [at] if at is not None else "it does not fire again"
    start = max(now, datetime.combine(on, time(0), zone))
    end = datetime.combine(on + timedelta(days=1), time(0), zone)
    found = []
    for at in iter_firings(post.schedule, zone, start):
        if at >= end:
            break
        found.append(at)
    return found or f"it does not fire on {on.isoformat()} from now on"


def skip_posts(store: Store, playbook: Playbook, groups: Sequence[Group], post_id: str,
               on: date | None, by: str, by_name: str, now: datetime) -> Reach:  # fmt: skip
    """Call off the post's next firing (or its firings on the day `on`) in each of `groups`,
    as `/skip` does in one: claimed as cancelled by `by`, its scheduled work called off and
    the one after it planned, each written in the audit log. One transaction."""
    if find_post(playbook, post_id) is None:
        ids = ", ".join(p.id for p in playbook.calendar.posts) or "none"
        raise AcrossError(f"there is no scheduled post {post_id!r} (calendar.posts ids: "
                          f"{ids}). Nothing was done.")  # fmt: skip
    reached: list[Group] = []
    missed: list[Missed] = []
    instants: set[datetime] = set()
    with store.transaction() as tx:
        posts = SqlPosts.on(tx)
        for group in groups:
            why = unreachable(group, playbook)
            firings = _firings(playbook, post_id, group, on, now) if why is None else why
            if isinstance(firings, str):
                missed.append(Missed(group, firings))
                continue
            own = group_playbook(playbook, group.name, group.carrier_group_id)
            post, zone = find_post(own, post_id), ZoneInfo(own.community.timezone)
            assert post is not None
            done = []
            for at in firings:
                ref = posts.cancel_post(group.community_id, group.id, post.id, at, by=by,
                                        by_name=by_name, mode=post.mode.value,
                                        content_kind=post.content_kind)  # fmt: skip
                if ref is None:
                    continue
                done.append(at)
                if tx.cancel_scheduled(firing_key(group.id, post.id, at)):
                    keep_in(tx, group.community_id, group.id, next_post(group.id, post, zone,
                                                                        at + _SECOND))  # fmt: skip
                tx.audit(by, "calendar.skip", group.community_id, target=f"post {post.id}",
                         detail={"group": group.name, "at": at.isoformat(), "ref": ref})  # fmt: skip
            if not done:
                record = posts.firing(group.id, post.id, firings[0])
                skipped = record is not None and record.status == "cancelled"
                by_whom = (
                    (record.cancelled_by_name or record.cancelled_by or "staff") if record else ""
                )
                missed.append(Missed(group, f"skipped already (by {by_whom})" if skipped
                                     else "sent already"))  # fmt: skip
                continue
            instants.update(done)
            reached.append(group)
    return Reach(f"post {post_id!r}", reached, missed, sorted(instants))
