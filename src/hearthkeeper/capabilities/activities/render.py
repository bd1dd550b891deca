"""How events read in chat, pure: one line per event (its date written as every date members
read, `format.when_text`), and the list of names in a reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from decimal import Decimal

from hearthkeeper.capabilities.activities.decide import left
from hearthkeeper.capabilities.activities.records import Event, SignUp
from hearthkeeper.capabilities.activities.texts import TEXTS
from hearthkeeper.capabilities.format import currency_words, when_text
from hearthkeeper.playbook.positioning import Language


def amount_text(amount: Decimal) -> str:
    """`45` for 45.00, `45.50` otherwise."""
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def place_text(event: Event, lang: Language) -> str:
    return "" if not event.place else TEXTS.say("at_place", lang, place=event.place)


def event_line(event: Event, signups: Sequence[SignUp], zone: tzinfo, lang: Language) -> str:
    """`#3 线下肤质检测沙龙 · 12月12日（周六）14:00，地点：…，余 5/20 位`."""
    parts = [f"#{event.id} {event.title} · {when_text(event.starts_at, zone, lang)}",
             place_text(event, lang)]  # fmt: skip
    if event.priced:
        parts.append(
            TEXTS.say(
                "fee",
                lang,
                price=amount_text(event.price or Decimal(0)),
                currency=currency_words(event.currency, lang),
            )
        )
    free = left(event, signups)
    if event.capacity is not None and free is not None:
        parts.append(TEXTS.say("places", lang, left=free, capacity=event.capacity) if free
                     else TEXTS.say("full", lang))  # fmt: skip
    return "".join(parts)


def listing(events: Sequence[tuple[Event, Sequence[SignUp]]], zone: tzinfo,
            lang: Language) -> str:  # fmt: skip
    """The events coming up, one a line."""
    return "\n".join(event_line(e, s, zone, lang) for e, s in events)


def names(signups: Sequence[SignUp], lang: Language) -> str:
    """`Ann、Bo` / `Ann, Bo`."""
    glue = "、" if lang is Language.ZH_CN else ", "
    return glue.join(s.display_name or f"#{s.member_id}" for s in signups)
