"""Recorded conversations: reading event and message lines for `hearth replay` and `moderate`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.engine.events import Event, Join, JoinMethod, Leave, Message, Sender

CARRIER = "replay"
DEFAULT_GROUP = "group-1"
EVENT_TYPES = ("message", "join", "leave")
# Between two lines, scheduled work that falls due is run day by day: a longer leap is a typo.
MAX_GAP = timedelta(days=366)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Recorded:
    """One event read from a line, with the staff role the line gave its sender, if any."""

    line: int
    event: Event
    role: str | None = None


def read_events(
    lines: Iterable[str], zone: ZoneInfo, start: datetime, *, carrier: str = CARRIER
) -> Iterator[Recorded | BadLine]:
    """JSON lines of events (`type`, `group`, `sender`, `ts`, `text`, ...); bad lines reported.

    A sender keeps the last `name` given on an earlier line, as carriers report names."""
    last = start
    leaps = Leaps()
    names: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            data = _json(text)
            sender = data.get("sender")
            if isinstance(sender, str) and isinstance(data.get("name"), str):
                names[sender] = data["name"]
            elif isinstance(sender, str) and sender in names:
                data["name"] = names[sender]
            recorded = _event(data, number, zone, last, carrier)
            leaps.check(data, recorded)
        except (ValueError, TypeError) as exc:
            yield BadLine(number, str(exc))
            continue
        last = recorded.event.at
        yield recorded


def read_messages(
    lines: Iterable[str], zone: ZoneInfo, start: datetime
) -> Iterator[Recorded | BadLine]:
    """Plain text (one message per line) or JSON lines with `text` and optional fields."""
    last = start
    leaps = Leaps()
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        if text.lstrip().startswith("{"):
            try:
                data = _json(text)
                if not isinstance(data.get("text"), str):
                    raise ValueError("a message line needs a `text` string")
                data.setdefault("type", "message")
                recorded = _event(data, number, zone, last)
                leaps.check(data, recorded)
            except (ValueError, TypeError) as exc:
                yield BadLine(number, str(exc))
                continue
        else:
            recorded = Recorded(number, Message(
                carrier=CARRIER, group=DEFAULT_GROUP, event_id=f"line-{number}",
                at=last + timedelta(seconds=1), sender=Sender(user_id="anonymous"), text=text,
            ))  # fmt: skip
        last = recorded.event.at
        yield recorded


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError('expected a JSON object, e.g. {"type": "message", "text": "hi"}')
    return data


def _event(
    data: dict[str, Any], number: int, zone: ZoneInfo, last: datetime, carrier: str = CARRIER
) -> Recorded:
    kind = data.get("type", "message")
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown type {kind!r}: use {', '.join(EVENT_TYPES)}")
    sender = _text(data, "sender", "anonymous")
    name = _text(data, "name", "")
    common: dict[str, Any] = {
        "carrier": carrier, "group": _text(data, "group", DEFAULT_GROUP),
        "event_id": _text(data, "id", f"line-{number}"),
        "at": _time(data.get("ts"), zone, last),
        "sender": Sender(user_id=sender, display_name=name),
    }  # fmt: skip
    role = data.get("role")
    if role is not None and not isinstance(role, str):
        raise ValueError("`role` must be a string (a structure.roles id)")
    if kind == "join":
        via = data.get("via", "unknown")
        if via not in {m.value for m in JoinMethod}:
            raise ValueError(f"unknown join method {via!r}")
        return Recorded(
            number, Join(**common, via=JoinMethod(via), inviter=data.get("inviter")), role
        )
    if kind == "leave":
        return Recorded(number, Leave(**common), role)
    mentions = data.get("mentions", [])
    if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
        raise ValueError("`mentions` must be a list of sender ids")
    message = Message(**common, text=_text(data, "text", ""), kind=_text(data, "kind", "text"),
                      mentions=tuple(mentions))  # fmt: skip
    return Recorded(number, message, role)


def _text(data: dict[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"`{key}` must be a string")
    return value


def _time(value: Any, zone: ZoneInfo, last: datetime) -> datetime:
    if value is None:
        return last + timedelta(seconds=1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return _within(datetime.fromtimestamp(float(value), tz=UTC), value)
        except (OverflowError, OSError, ValueError):
            return _within(None, value)
    if not isinstance(value, str):
        raise ValueError("`ts` must be ISO 8601 text or a Unix timestamp")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"`ts` {value!r} is not ISO 8601 (e.g. 2026-10-01T08:00:00+08:00)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return _within(parsed.astimezone(UTC), value)
    except OverflowError:
        return _within(None, value)


def _within(at: datetime | None, value: Any) -> datetime:
    """A time the engine can count on from (a mute, a deadline): not before 1970, not past
    2199 — a Unix timestamp in milliseconds, say, lands thousands of years on. `None`: a
    time Python cannot even hold."""
    if at is None or not EARLIEST <= at < LATEST:
        raise ValueError(
            f"`ts` {value!r} is not between {EARLIEST.year} and {LATEST.year - 1} "
            "(a Unix timestamp is in seconds, e.g. 1790000000)"
        )
    return at


class Leaps:
    """The time of the last line that gave one: a line leaping far past it is surely a typo
    (replaying every scheduled firing up to the year 9999 would never end)."""

    def __init__(self) -> None:
        self.dated: datetime | None = None

    def check(self, data: dict[str, Any], recorded: Recorded) -> None:
        if data.get("ts") is None:
            return
        at = recorded.event.at
        if self.dated is not None and at - self.dated > MAX_GAP:
            raise ValueError(
                f"`ts` {data['ts']!r} is {(at - self.dated).days} days after the line before "
                f"that gave a time; a recording may leap at most {MAX_GAP.days} days"
            )
        self.dated = max(self.dated or at, at)
