"""Who may start (and close) sign-up lists and polls: the roles the playbook's `started_by`
names when it is set, else the roles holding the permission."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context
from hearthkeeper.handlers.commands import PREFIXES, TEXTS, reply
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission


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


def effect(event: Event, name: str, handler: str, **extra: Any) -> Action:
    """Ask for the store work `name` on behalf of the event's sender."""
    return Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                  member=event.sender.user_id, target=event.event_id, effect=name,
                  extra=dict(extra), handler=handler, reason=name)  # fmt: skip
