"""Who hears a staff alert, where, and when. Pure: the store and the clock are read elsewhere.

Recipients are the community's staff holding a role listed in `alerts.recipients` (else a role
with the `receive_alerts` permission). Each alert goes to the staff channel (the group named
by `alerts.staff_group`), mentioning the recipients who are on that channel's carrier, and, with
`alerts.direct`, to each recipient by direct message on every carrier they are known on (a
carrier without direct messages passes over it). During `alerts.quiet_hours` a non-urgent
alert waits; those held go out together as one message when the quiet hours end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.alerts.texts import TEXTS
from hearthkeeper.engine.actions import OPTIONAL, Action, ActionKind
from hearthkeeper.engine.registry import Delivery
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Group

HANDLER = "alerts"
URGENT = "urgent"  # `Action.extra` flag: the alert's source marks it urgent (passes quiet hours)
_KEY_ROOM = 150  # longer alert keys are hashed, so that derived keys fit the outbox's 200


@dataclass(frozen=True)
class StaffMember:
    """A member holding a staff role in some group of the community, and how carriers name them."""

    member_id: int
    name: str
    roles: frozenset[str]
    users: Mapping[str, str] = field(default_factory=dict)  # carrier → the carrier's user id


def recipient_roles(pb: Playbook) -> frozenset[str]:
    """The roles that receive alerts: `alerts.recipients`, else those with `receive_alerts`."""
    if pb.alerts.recipients is not None:
        return frozenset(pb.alerts.recipients)
    return frozenset(
        rid for rid, role in pb.structure.roles.items()
        if Permission.RECEIVE_ALERTS in role.permissions
    )  # fmt: skip


def recipients(staff: Sequence[StaffMember], pb: Playbook) -> list[StaffMember]:
    """The staff who receive the community's alerts, in the order given."""
    wanted = recipient_roles(pb)
    return [s for s in staff if s.roles & wanted]


def is_urgent(action: Action, pb: Playbook) -> bool:
    """Whether an alert passes quiet hours: its source marked it urgent, or its violation or
    source (handler) is listed in `alerts.urgent`."""
    if action.extra.get(URGENT) is True:
        return True
    listed = set(pb.alerts.urgent)
    return bool({action.violation, action.handler} & listed)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, quiet: str | None, zone: tzinfo) -> datetime | None:
    """When the quiet hours `now` falls in end (an aware time), or None outside them.
    `quiet` is `HH:MM-HH:MM` in the community's time; a span crossing midnight ends the next
    day; equal ends mean no quiet hours."""
    if not quiet:
        return None
    start_text, end_text = quiet.split("-")
    start, end = _clock(start_text), _clock(end_text)
    if start == end:
        return None
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None, second=0, microsecond=0)
    today = local.date()
    if start < end:
        return _at(today, end, zone) if start <= t < end else None
    if t >= start:
        return _at(today + timedelta(days=1), end, zone)
    if t < end:
        return _at(today, end, zone)
    return None


def _at(day: date, when: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, when, tzinfo=zone)


def zone_of(pb: Playbook) -> tzinfo:
    """The community's time zone."""
    return ZoneInfo(pb.community.timezone)


def staff_channel(groups: Sequence[Group], pb: Playbook) -> Group | None:
    """The group `alerts.staff_group` names (by name or carrier id), if the community has it."""
    wanted = pb.alerts.staff_group
    if not wanted:
        return None
    by_name = [g for g in groups if g.name == wanted]
    found = by_name or [g for g in groups if g.carrier_group_id == wanted]
    return found[0] if found else None


def only_inbox(pb: Playbook, groups: Sequence[Group], direct: Collection[str],
               running: Collection[str]) -> str | None:  # fmt: skip
    """Why the community's staff alerts reach nobody outside the console's Inbox (no staff
    channel, and no carrier of it sends direct messages: a web chat only community), or None
    when they do reach staff somewhere. `direct`: the carrier kinds that send direct messages;
    `running`: the carrier kinds this server runs (the others are said not to run here, not
    to lack direct messages)."""
    if staff_channel(groups, pb) is not None:
        return None
    kinds = {g.carrier for g in groups} | {c.kind.value for c in pb.structure.carriers}
    if pb.alerts.direct and kinds & set(direct):
        return None
    wanted = pb.alerts.staff_group
    channel = (f"alerts.staff_group names {wanted!r}, which no group of it is called" if wanted
               else "no staff channel (alerts.staff_group: a group's name)")  # fmt: skip
    if not pb.alerts.direct:
        return f"{channel}, and direct messages are off (alerts.direct)"
    here, idle = sorted(kinds & set(running)), sorted(kinds - set(running))
    away = f"{', '.join(idle)} {'is' if len(idle) == 1 else 'are'} not running here"
    if not here:
        return f"{channel}, and {away if idle else 'its carriers send no direct messages'}"
    dms = f"{', '.join(here)} send{'s' if len(here) == 1 else ''} no direct messages"
    return f"{channel}, and {dms}" + (f" ({away})" if idle else "")


# Which of this Hearthkeeper's carriers send direct messages (their `Capabilities.can` holds
# DIRECT: tests/capabilities/alerts/test_alerts_show.py checks the two agree), and their names
# in a sentence: `hearth alerts show` reads no hearth.toml and starts no carrier.
DIRECT_MESSAGES: Mapping[str, bool] = {"matrix": True, "telegram": True, "webchat": False,
                                       "qq": False}  # fmt: skip
CARRIER_NAMES: Mapping[str, str] = {"webchat": "the web chat", "matrix": "Matrix",
                                    "telegram": "Telegram", "qq": "QQ"}  # fmt: skip


def direct_note(on: bool, kinds: Collection[str]) -> str:
    """What `alerts.direct` does on the community's carriers `kinds` (its groups' and its
    playbook's): on which they are sent, which have none, which this Hearthkeeper lacks."""
    if not on:
        return "off (alerts.direct)"

    def listed(found: Collection[str]) -> str:
        return ", ".join(CARRIER_NAMES.get(k, k) for k in sorted(found))

    sent = [k for k in kinds if DIRECT_MESSAGES.get(k) is True]
    none = [k for k in kinds if DIRECT_MESSAGES.get(k) is False]
    unknown = [k for k in kinds if k not in DIRECT_MESSAGES]
    said = []
    if none:
        said.append(f"{listed(none)} {'has' if len(none) == 1 else 'have'} none")
    if unknown:
        said.append(f"{listed(unknown)}: not a carrier this Hearthkeeper has")
    if not sent:
        return ("on, but none is sent" + (f": {'; '.join(said)}" if said else "")
                + " (staff read alerts in the staff channel and the console's Inbox)")  # fmt: skip
    return f"on, sent on {listed(sent)}" + (f" ({'; '.join(said)})" if said else "")


def derived(key: str, suffix: str) -> str:
    """The outbox key of one delivery of the alert queued under `key` (stable, < 200)."""
    if len(key) > _KEY_ROOM:
        key = "alert#" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"{key}>{suffix}"


def alert_text(text: str, pb: Playbook) -> str:
    """One alert as staff read it outside the console."""
    return TEXTS.say("alert", pb.community.language, text=text)


def deliveries(key: str, said: str, pb: Playbook, who: Sequence[StaffMember],
               channel: Group | None, *, about: Action | None = None) -> list[Delivery]:  # fmt: skip
    """What goes out for one alert (or one digest) queued under `key`, saying `said`: a post
    in the staff channel mentioning the recipients on its carrier, and direct messages, which
    mention the member the alert is about (not their reader)."""
    out: list[Delivery] = []
    if channel is not None:
        on_channel = [s for s in who if channel.carrier in s.users]
        mentions = " ".join(f"@{s.name}" for s in on_channel)
        # each recipient is mentioned by the name the text has for them (a carrier that links
        # a name finds that one, though it may know them by another by the time it sends)
        post = Action(kind=ActionKind.SEND, carrier=channel.carrier,
                      group=channel.carrier_group_id, text=f"{mentions}\n{said}".strip(),
                      reason=_reason(about), handler=HANDLER,
                      extra={"mentions": [s.users[channel.carrier] for s in on_channel],
                             "mention_names": {s.users[channel.carrier]: s.name
                                               for s in on_channel}})  # fmt: skip
        out.append(Delivery(derived(key, "staff"), post, channel.id))
    if pb.alerts.direct:
        for person in who:
            for carrier, user in sorted(person.users.items()):
                extra: dict[str, object] = {OPTIONAL: True}
                subject = _subject(about, carrier)
                if subject is not None and subject != user:
                    extra["mentions"] = [subject]
                dm = Action(kind=ActionKind.DIRECT, carrier=carrier, member=user, text=said,
                            reason=_reason(about), handler=HANDLER, extra=extra)  # fmt: skip
                out.append(Delivery(derived(key, f"dm:{carrier}:{person.member_id}"), dm, None))
    return out


def _subject(about: Action | None, carrier: str) -> str | None:
    """The user id on `carrier` of the member the alert `about` is about, if it has one there
    (a direct message names them: the staff member reading it can open them)."""
    if about is None or about.carrier != carrier or not about.member:
        return None
    return about.member


def _reason(about: Action | None) -> str:
    if about is None:
        return "staff alerts held during quiet hours"
    return f"staff alert from {about.handler or 'the engine'}"


def digest(texts: Sequence[str], pb: Playbook) -> str:
    """The one message for the alerts held during quiet hours, oldest first."""
    head = TEXTS.say("held", pb.community.language, count=len(texts),
                     quiet=pb.alerts.quiet_hours or "")  # fmt: skip
    lines = [f"{n}. {t}" for n, t in enumerate(texts, 1)]
    return "\n".join([head, *lines])
