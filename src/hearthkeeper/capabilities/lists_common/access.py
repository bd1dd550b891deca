"""Who may start (and close) sign-up lists and polls: the roles the playbook's `started_by`
names when it is set, else the roles holding the permission; and the commands that start,
close or only ask for a request."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.command_book import (
    PREFIXES,
    TEXTS,
    Command,
    Invocation,
    Run,
    Takes,
    reply,
)
from hearthkeeper.capabilities.lists_common.actions import ask
from hearthkeeper.capabilities.lists_common.reading import Problem
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import Request
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission

S = TypeVar("S")


def gate(started_by: Sequence[str] | None, permission: Permission) -> Permission | None:
    """The permission the command dispatcher checks: none when `started_by` decides instead."""
    return permission if started_by is None else None


def may_start(ctx: Context, started_by: Sequence[str] | None, permission: Permission) -> bool:
    """Whether this member may start one."""
    if started_by is not None:
        return ctx.member.role is not None and ctx.member.role in started_by
    return ctx.member.may(permission)


def starter_rule(
    started_by: Sequence[str] | None, permission: Permission
) -> Callable[[Context], bool] | None:
    """For `Command.allowed`: the `started_by` rule, when the playbook sets one."""
    if started_by is None:
        return None
    return lambda ctx: may_start(ctx, started_by, permission)


def refusal(event: Event, ctx: Context, started_by: Sequence[str], command: str,
            handler: str) -> Action:  # fmt: skip
    """The polite refusal, worded like the dispatcher's."""
    lang = ctx.playbook.community.language
    roles = [ctx.playbook.structure.roles[r].title for r in started_by
             if r in ctx.playbook.structure.roles]  # fmt: skip
    joined = ("、" if lang is Language.ZH_CN else ", ").join(roles) or TEXTS.say("nobody", lang)
    text = TEXTS.say("refused", lang, nickname=event.sender.display_name or event.sender.user_id,
                     roles=joined, command=PREFIXES[0] + command)  # fmt: skip
    return reply(event, text, handler=handler, reason=f"not among {', '.join(started_by)}")


def asking(request: Request, handler: str) -> Run:
    """What a command does that only asks for `request` on behalf of who typed it."""

    def run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        return Outcome((ask(event, request, handler),))

    return run


def starting(read: Callable[[str, datetime, ZoneInfo, timedelta], S | Problem],
             default: timedelta, request_of: Callable[[S], Request],
             problem_text: Callable[[str, str, Language], str], *, handler: str,
             unreadable: str) -> Run:  # fmt: skip
    """What a start command does: read its words in the community's time zone (`default`: how
    long until the deadline when none is written), then ask for the request they make, or
    reply with what could not be read and the usage."""

    def run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        lang = ctx.playbook.community.language
        spec = read(invocation.rest, ctx.now, ZoneInfo(ctx.playbook.community.timezone), default)
        if isinstance(spec, Problem):
            return Outcome((reply(event, problem_text(spec.key, spec.detail, lang), handler=handler,
                                  reason=unreadable),))  # fmt: skip
        return Outcome((ask(event, request_of(spec), handler),))

    return run


def staff_command(name: str, aliases: tuple[str, ...], help: dict[Language, str], run: Run, *,
                  started_by: Sequence[str] | None, permission: Permission, handler: str,
                  usage: dict[Language, str] | None = None,
                  takes: Takes = Takes.NOTHING) -> Command:  # fmt: skip
    """A command only starters may use (start or close a list or poll): refused politely, with
    the roles that may, when `started_by` names roles; else the dispatcher checks `permission`."""

    def guarded(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        if started_by is not None and not may_start(ctx, started_by, permission):
            return Outcome((refusal(event, ctx, started_by, invocation.name, handler),))
        return run(event, ctx, invocation)

    return Command(name, aliases, help, guarded, gate(started_by, permission), usage or {},
                   allowed=starter_rule(started_by, permission), takes=takes)  # fmt: skip
