"""What handlers decide: carrier-neutral actions, performed by the engine, never by handlers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hearthkeeper.engine.effects import Request


class ActionKind(StrEnum):
    """Everything a handler can ask for."""

    # performed on the carrier, through the outbound queue
    REPLY = "reply"  # a message in the group, replying to the event
    SEND = "send"  # a message in the group
    DELETE = "delete"  # delete a message
    RESTORE = "restore"  # show a message the bot deleted again (where the carrier can: OPTIONAL)
    WARN = "warn"  # a warning to the member, in the group
    MUTE = "mute"  # mute for `duration` (persisted; lifted on time, even after a restart)
    UNMUTE = "unmute"
    KICK = "kick"
    BAN = "ban"  # kick and refuse re-entry to this group
    UNBAN = "unban"
    ALERT_STAFF = "alert_staff"  # tell the staff who receive alerts; also lands in the staff inbox
    ADMIT = "admit"  # let `member` in who asked to join (an approved application): invite, seat
    DECLINE = "decline"  # turn down `member`'s request to join (`reason` may be shown to them)
    DIRECT = "direct"  # a private message to `member` (a staff alert), on carriers that have them
    # the group was closed (`hearth groups close`): its members can no longer post, its staff
    # and the bot still can; REOPEN gives members back what CLOSE took (carriers.closing)
    CLOSE = "close"
    REOPEN = "reopen"
    # recorded in the store, in the same transaction as the event
    STRIKE = "strike"  # a strike for `violation`, expiring after the playbook's window
    BLACKLIST = "blacklist"  # refused in every group of the blacklist scope
    TAG = "tag"
    AWARD_POINTS = "award_points"
    CANCEL = "cancel"  # cancel a pending delayed action by its `key`
    EFFECT = "effect"  # store work a capability performs (`request` holds its typed arguments,
    # `effect` its name); it may answer with further actions (a reply with the list, a streak ...)


OUTBOUND = frozenset(
    {
        ActionKind.REPLY, ActionKind.SEND, ActionKind.DELETE, ActionKind.WARN, ActionKind.MUTE,
        ActionKind.UNMUTE, ActionKind.KICK, ActionKind.BAN, ActionKind.UNBAN, ActionKind.ALERT_STAFF,
        ActionKind.ADMIT, ActionKind.DECLINE, ActionKind.DIRECT, ActionKind.CLOSE,
        ActionKind.REOPEN, ActionKind.RESTORE,
    }
)  # fmt: skip

# Actions that are the engine's bookkeeping rather than decisions a person would notice:
# an effect shows through the actions it answers with; a cancel through what does not happen.
BOOKKEEPING = frozenset({ActionKind.EFFECT, ActionKind.CANCEL})

# Lower goes first: sanctions before warnings and alerts, before ordinary replies, before welcomes.
PRIORITY: dict[ActionKind, int] = {
    ActionKind.DELETE: 0, ActionKind.BAN: 0, ActionKind.KICK: 0, ActionKind.MUTE: 0,
    ActionKind.UNMUTE: 1, ActionKind.UNBAN: 1, ActionKind.RESTORE: 1, ActionKind.WARN: 1,
    ActionKind.ALERT_STAFF: 1, ActionKind.ADMIT: 1, ActionKind.DECLINE: 1, ActionKind.DIRECT: 1, ActionKind.REPLY: 2,
    ActionKind.SEND: 3,
}  # fmt: skip

# `extra` flag: a carrier that cannot perform the action passes over it (the outbound queue
# settles it as done, performing nothing): a staff alert's direct message on a carrier
# without direct messages, whose staff read the alert in the staff channel and the inbox.
OPTIONAL = "optional"

# `extra` flag on an ALERT_STAFF: the staff inbox keeps it, nobody is pushed (no staff
# channel post, no direct message): reports by members whose reports do not count (new,
# struck, muted) until one that counts arrives, when the same alert (its key) is raised
# again without the flag and goes out then.
INBOX_ONLY = "inbox_only"

# `extra` flag on a KICK: the same decision also bans the member (a ladder rung of kick and
# ban or blacklist), so a carrier that tells the member why they were removed says they are
# banned and offers no way back (the web chat's removal notice); what the room is told is as
# for any kick.
BAN_FOLLOWS = "ban_follows"

# `extra` on the action whose text tells a member they are banned (a ladder's banning rung):
# how to appeal to the bot in a private chat, `{bot}` standing for the bot's name. A carrier
# where a banned member can still write to its bot (Telegram) ends the text with it, the
# name filled; the others leave it out (`capabilities/appeals/private.py`).
PRIVATE_APPEAL = "private_appeal"

# `extra` on a DIRECT to someone who may never have opened a private chat with the bot (a
# banned member's notice: `capabilities/appeals/private.py`): a carrier that may not write to
# them (Telegram, until they press Start) drops it; not said is no failure.
UNLESS_UNREACHABLE = "unless_unreachable"

# `extra` on a REPLY or SEND meant for `member` alone (a door code, a payment reference): what
# the group may read instead. A carrier that shows a message to one member of a group
# (`Capabilities.private_replies`: the web chat) shows `text` to them only; on any other the
# outbound queue says this text in the group in its place (the secret left out).
IN_GROUP = "in_group"


# `extra` on a REPLY or SEND: a text said after the action's own where the carrier has no
# private replies — a private action's in-group text folded into the message before it
# (`folded`), so the group reads one message where it would read two (Telegram's and QQ's
# per-group quotas count each).
IN_GROUP_AFTER = "in_group_after"


# `extra` on a private SEND (`privately(..., replying=…)`): the carrier's id of the member's
# message it answers, where a carrier without private replies says it in the group as a reply
# to that message (so the group sees whom it answers). Where the member alone reads it, it is
# no reply: the message it answers is gone from the group (a `/report` the gate took out),
# and the web chat would quote it as "an earlier message".
IN_GROUP_REPLYING = "in_group_replying"


def privately(action: Action, in_group: str, *, replying: str | None = None) -> Action:
    """`action` (a REPLY or SEND naming its `member`) for that member's eyes only, where the
    carrier can; `in_group` is said in the group where it cannot (`IN_GROUP`; empty: nothing
    is said there), as a reply to the message `replying` when given (`IN_GROUP_REPLYING`)."""
    extra = {**action.extra, IN_GROUP: in_group}
    if replying:
        extra[IN_GROUP_REPLYING] = replying
    return replace(action, extra=extra)


def folded(first: Action, private: Action) -> tuple[Action, Action]:
    """`private` (made by `privately`) said with `first` where the carrier has no private
    replies: `first` carries its in-group text after its own (`IN_GROUP_AFTER`), and `private`
    says nothing there. Where the carrier has them, both are performed as they were."""
    said = str(private.extra.get(IN_GROUP, ""))
    if not said:
        return first, private
    return (replace(first, extra={**first.extra, IN_GROUP_AFTER: said}),
            privately(private, ""))  # fmt: skip


def for_the_group(action: Action) -> Action:
    """A private action as a carrier without private replies says it: `IN_GROUP`'s text, and
    the text folded into it said after (`IN_GROUP_AFTER`); a reply to the member's message
    where it is `IN_GROUP_REPLYING`."""
    if IN_GROUP not in action.extra and IN_GROUP_AFTER not in action.extra:
        return action
    extra = dict(action.extra)
    said = extra.pop(IN_GROUP, None)
    text = action.text if said is None else str(said)
    after = extra.pop(IN_GROUP_AFTER, None)
    if after:
        text = f"{text}\n{after}" if text else str(after)
    replying = extra.pop(IN_GROUP_REPLYING, None)
    if replying:
        return replace(action, kind=ActionKind.REPLY, target=str(replying), text=text,
                       extra=extra)  # fmt: skip
    return replace(action, text=text, extra=extra)


def group_text_differs(action: Action) -> bool:
    """Whether a carrier without private replies says something else than `action.text`."""
    return IN_GROUP in action.extra or IN_GROUP_AFTER in action.extra


@dataclass(frozen=True, kw_only=True)
class Action:
    """One thing to do. Fields that do not apply to a kind stay None.

    `group` and `member` are carrier ids (the carrier's group id and user id); `target`
    is the carrier event id of the message acted on; `reason` explains the decision and
    goes to the audit log. Carriers may show `reason` to the member a deletion, mute or ban
    is about, so a decision whose full explanation says what matched (a keyword, a
    spelling around one) keeps that in `detail`, for staff only: the executor writes
    `detail` (else `reason`) into strikes, sanctions and the audit log.
    """

    kind: ActionKind
    carrier: str
    group: str | None = None
    member: str | None = None
    text: str | None = None
    target: str | None = None
    duration: timedelta | None = None
    violation: str | None = None
    tag: str | None = None
    points: int | None = None
    reason: str = ""
    detail: str | None = None  # the full explanation for staff; never shown to members
    handler: str = ""
    welcome: bool = False  # a welcome message: the first to be dropped or merged in a raid
    effect: str | None = None  # for EFFECT: the registered effect's name, e.g. "signup.join"
    key: str | None = None  # a stable name: the same key is performed once, and can be cancelled
    not_before: datetime | None = None  # a delayed action (a reminder)
    extra: dict[str, Any] = field(default_factory=dict)
    request: Request | None = None  # for EFFECT: the effect's typed arguments (never stored)

    @property
    def outbound(self) -> bool:
        """Whether the carrier performs this action (otherwise the store records it)."""
        return self.kind in OUTBOUND

    @property
    def explained(self) -> str:
        """The explanation staff read: `detail` when there is one, else `reason`."""
        return self.detail or self.reason

    @property
    def priority(self) -> int:
        """Queue order: sanctions first, welcomes last."""
        return PRIORITY.get(self.kind, 2) + (1 if self.welcome else 0)

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict, as the outbox stores it."""
        # the fields as they are (all plain values) unless `extra` holds some structure to copy
        data = asdict(self) if self.extra else {name: getattr(self, name) for name in _FIELDS}
        data.pop("request", None)  # effects run in the transaction that decided them
        data["kind"] = self.kind.value
        data["duration"] = self.duration.total_seconds() if self.duration is not None else None
        data["not_before"] = self.not_before.isoformat() if self.not_before is not None else None
        return {k: v for k, v in data.items() if v not in (None, "", {}, False)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        """The inverse of `to_json`."""
        values = dict(data)
        values["kind"] = ActionKind(values["kind"])
        if values.get("duration") is not None:
            values["duration"] = timedelta(seconds=float(values["duration"]))
        if values.get("not_before") is not None:
            values["not_before"] = datetime.fromisoformat(values["not_before"])
        return cls(**values)


_FIELDS = tuple(f.name for f in fields(Action))


def mentioning(named: Iterable[tuple[str | None, str]]) -> dict[str, Any]:
    """The `extra` of a message that mentions members its text names: `mentions`, their user
    ids on its carrier (each once, in order; one without an id there left out), and
    `mention_names`, by user id, the name the text calls them (a carrier finds that name where
    the text has it and makes it the mention, so nobody is named twice even if their name has
    changed by the time it is sent: `carriers/named.py`); nobody: empty."""
    names: dict[str, str] = {}
    for user, name in named:
        if user and user not in names:
            names[user] = name
    if not names:
        return {}
    return {"mentions": list(names), "mention_names": names}
