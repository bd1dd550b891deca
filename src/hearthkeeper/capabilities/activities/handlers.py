"""Members' in-chat commands for offline events: `/活动` (`/events`), `/报名` (`/rsvp`),
`/不去了` (`/unrsvp`), `/入场码` (`/ticket`). Each only asks for its effect."""

from __future__ import annotations

from hearthkeeper.capabilities.activities import catalogue, effects, holds, moments
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.requests import (
    EventPayLapse,
    EventPayRemind,
    EventRemind,
    EventRound,
    EventSignUp,
    EventsList,
    EventTicket,
    EventWithdraw,
)
from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Takes,
    ask,
    whole,
)
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook.positioning import Language

ZH, EN = Language.ZH_CN, Language.EN
NAME = "activities"


def _list(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, EventsList(), handler=NAME),))


def _sign_up(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, EventSignUp(words=invocation.rest), handler=NAME),))


def _withdraw(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, EventWithdraw(words=invocation.rest), handler=NAME),))


def _names_an_event(words: str, ctx: Context) -> bool:
    """Whether `/rsvp`'s or `/unrsvp`'s words name one of the community's events (one in the
    store, or a playbook activity not dated there yet); without the store, assume they do."""
    if ctx.reads is None:
        return True
    events = SqlActivities.on(ctx.reads).events(ctx.group.community_id)
    return catalogue.names_one(events, ctx.playbook.activities, words)


def _ticket(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, EventTicket(), handler=NAME),))


COMMANDS = (
    Command("events", ("活动", "活动列表"), {
        ZH: "查看近期线下活动和剩余名额", EN: "the offline events coming up, with places left",
    }, _list, takes=Takes.NOTHING),
    Command("rsvp", ("报名", "报名活动"), {
        ZH: "报名线下活动（满了自动候补）", EN: "sign up for an offline event (full: the waitlist)",
    }, _sign_up, usage={ZH: "/报名 夜跑", EN: "/rsvp night-run"}, own=whole(_names_an_event)),
    Command("unrsvp", ("不去了", "取消活动报名"), {
        ZH: "取消线下活动报名（候补第一位自动递补）",
        EN: "give up your place (the first on the waitlist moves up)",
    }, _withdraw, own=whole(_names_an_event)),
    Command("ticket", ("入场码", "门票"), {
        ZH: "查看你的入场码（到场出示二维码签到）",
        EN: "your door code (show its QR code at the door)",
    }, _ticket, takes=Takes.NOTHING),
)  # fmt: skip


def register(registry: Registry, book: CommandBook) -> None:
    """Add the commands and the effects (the scheduled ones too)."""
    registry.add_effect(EventsList, effects.list_events)
    registry.add_effect(EventSignUp, effects.sign_up)
    registry.add_effect(EventWithdraw, effects.withdraw)
    registry.add_effect(EventTicket, effects.ticket)
    registry.add_effect(EventRemind, moments.remind)
    registry.add_effect(EventRound, moments.round_up)
    registry.add_effect(EventPayRemind, holds.remind_to_pay)
    registry.add_effect(EventPayLapse, holds.lapse)
    for command in COMMANDS:
        book.add(command)
