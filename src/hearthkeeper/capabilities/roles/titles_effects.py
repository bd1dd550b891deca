"""The store work behind titles: claims (serialised, so the last place goes to one member),
stepping down, the list, and the duty reminder (scheduled work that schedules the next one).
Each effect loads, decides (`titles.py`, no store) and writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hearthkeeper.capabilities.command_book import CommandBook, answer
from hearthkeeper.capabilities.roles.repository import ClaimOutcome, SqlTitles, Titles
from hearthkeeper.capabilities.roles.requests import (
    TitlesClaim,
    TitlesList,
    TitlesRelease,
    TitlesRemind,
)
from hearthkeeper.capabilities.roles.titles import (
    add_commands,
    already_text,
    claimed_text,
    find_title,
    full_text,
    list_text,
    next_reminder,
    on_schedule,
    released_text,
    reminder_key,
    reminder_text,
    to_release,
)
from hearthkeeper.engine.actions import Action, ActionKind, mentioning
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.mechanisms import Title
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.scope import StoreBase


def plan_reminder(scope: StoreBase, ctx: EffectContext, title: Title) -> None:
    """Schedule the title's next duty reminder in this group (once per time, however often asked)."""
    if title.reminder is None:
        return
    due = next_reminder(title.reminder, ctx.now, ctx.playbook.community.timezone)
    schedule_request(scope, reminder_key(ctx.group.id, title.name, due), ctx.group.community_id,
                     TitlesRemind(title=title.name, at=due), due, group_id=ctx.group.id)  # fmt: skip


def plan_reminders(scope: StoreBase, community_id: int, playbook: Playbook,
                   now: datetime) -> None:  # fmt: skip
    """Plan each held title's next duty reminder in every group it has holders in, at start
    or after a new playbook version: a reminder moved to another time is said at the new
    time from its next occurrence (the one planned at the old time then says nothing).
    One query when no title with a reminder is held; then one per group and held title."""
    timed = {t.name: t for t in playbook.mechanisms.titles if t.reminder is not None}
    titles = SqlTitles.on(scope)
    held = {h.title for h in titles.title_holders(community_id)} & timed.keys()
    if not held:
        return
    zone = playbook.community.timezone
    for group in CommunityQueries.on(scope).list_groups(community_id):
        for name in sorted(held):
            title = timed[name]
            if title.reminder is None or not titles.title_holders(community_id, name,
                                                                  group_id=group.id):  # fmt: skip
                continue
            due = next_reminder(title.reminder, now, zone)
            schedule_request(scope, reminder_key(group.id, name, due), community_id,
                             TitlesRemind(title=name, at=due), due, group_id=group.id)  # fmt: skip


def claim(scope: StoreBase, request: TitlesClaim, ctx: EffectContext) -> Sequence[Action]:
    """Claim a title if a place is free; the reminder is planned with it."""
    assert ctx.member is not None
    pb, lang = ctx.playbook, ctx.playbook.community.language
    title = find_title(pb.mechanisms.titles, request.title)
    if title is None:
        return []
    nickname = ctx.member.display_name or ctx.member.user_id
    titles: Titles = SqlTitles.on(scope)
    done = titles.claim_title(ctx.group.community_id, ctx.member.id, title.name, ctx.now,
                              holders=title.holders)  # fmt: skip
    if done.outcome is ClaimOutcome.ALREADY:
        return [answer(ctx.trigger, already_text(nickname, title, lang))]
    if done.outcome is ClaimOutcome.FULL:
        everyone = titles.title_holders(ctx.group.community_id)
        text = full_text(title, done.holders, pb.mechanisms.titles, everyone, lang)
        return [answer(ctx.trigger, text)]
    plan_reminder(scope, ctx, title)
    return [answer(ctx.trigger, claimed_text(nickname, title, lang))]


def release(scope: StoreBase, request: TitlesRelease, ctx: EffectContext) -> Sequence[Action]:
    """Step down from a title (the only one held, when none is named)."""
    assert ctx.member is not None
    lang, community = ctx.playbook.community.language, ctx.group.community_id
    nickname = ctx.member.display_name or ctx.member.user_id
    titles: Titles = SqlTitles.on(scope)
    name, refused = to_release(titles.titles_of(community, ctx.member.id), request.title,
                               nickname, lang)  # fmt: skip
    if name is None:
        return [answer(ctx.trigger, refused or "")]
    done = titles.release_title(community, ctx.member.id, name, ctx.now)
    return [answer(ctx.trigger, released_text(nickname, name, done, lang))]


def list_titles(scope: StoreBase, request: TitlesList, ctx: EffectContext) -> Sequence[Action]:
    """Every title with its holders and duty."""
    holders = SqlTitles.on(scope).title_holders(ctx.group.community_id)
    text = list_text(ctx.playbook.mechanisms.titles, holders, ctx.playbook.community.language)
    return [answer(ctx.trigger, text)]


def remind(scope: StoreBase, request: TitlesRemind, ctx: EffectContext) -> Sequence[Action]:
    """Scheduled: @-mention the title's holders in this group with their duty; plan the next.
    With no holder left here the chain ends; the next claim starts it again."""
    pb, group = ctx.playbook, ctx.group
    title = find_title(pb.mechanisms.titles, request.title)
    if title is None or title.reminder is None:
        return []
    holders = SqlTitles.on(scope).title_holders(group.community_id, title.name, group_id=group.id)
    if not holders:
        return []
    plan_reminder(scope, ctx, title)
    if request.at is not None and not on_schedule(title.reminder, request.at,
                                                  pb.community.timezone):  # fmt: skip
        # planned before `hearth apply` moved the reminder: not at the old time as well as at
        # the new one; the chain goes on at the new time
        return []
    users = PointingQueries.on(scope).user_ids([h.member_id for h in holders], group.carrier)
    text = reminder_text(title, holders, pb.community.language)
    return [Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                   text=text, handler="titles", reason=f"duty reminder for {title.name}",
                   extra=mentioning((users.get(h.member_id), h.display_name) for h in holders))]  # fmt: skip


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add `/claim`, `/release`, `/titles` and the duty reminders."""
    if not playbook.mechanisms.titles:
        return
    registry.add_effect(TitlesClaim, claim)
    registry.add_effect(TitlesRelease, release)
    registry.add_effect(TitlesList, list_titles)
    registry.add_effect(TitlesRemind, remind)
    add_commands(commands, playbook.mechanisms.titles[0].name)
