"""Engine actions as OneBot v11 API calls (`api/public.md`), and answers as errors. Pure.

| action | call |
|---|---|
| REPLY, SEND, WARN | `send_group_msg` (array message: reply quote, @-mentions, text); a text over `MAX_TEXT` in several, in order |
| DELETE | `delete_msg` |
| MUTE / UNMUTE | `set_group_ban` with `duration` in seconds (QQ: 1 minute to 30 days; 0 lifts) |
| KICK / BAN | `set_group_kick`, `reject_add_request` true for a ban |
| ADMIT / DECLINE | `set_group_add_request` with the request's `flag` (a reason when declining) |
| CLOSE / REOPEN | `set_group_whole_ban` (`enable` true / false): the whole group muted, its owner and admins still speak |

A sanction with a text (the ladder's "muted for 1 hour") is also said in the group, @-ing the
member: QQ tells a member nothing privately when they are muted or removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hearthkeeper.carriers.onebot.segments import messages, outgoing
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.positioning import Language

MAX_TEXT = 4000  # characters of one message (`Capabilities.max_text`): a longer text goes in parts
MUTE_MIN = 60  # seconds: QQ's shortest mute
MUTE_MAX = 30 * 24 * 3600  # QQ's longest: 30 days (the engine lifts longer mutes itself)

# What staff read when QQ refuses to mute a group whole because the bot's account is not one
# of its admins (`engine/not_closed.py`)
NOT_ADMIN = {
    Language.EN: "the bot's QQ account is not an admin of the group",
    Language.ZH_CN: "机器人的 QQ 号不是该群的管理员",
}
_SANCTIONS = frozenset({ActionKind.MUTE, ActionKind.KICK, ActionKind.BAN})


@dataclass(frozen=True)
class Call:
    """One API call: `action` and its `params`. `sends` marks a message: sent at most once,
    even when its answer is lost with the connection (QQ has no idempotency key). `uploads`
    marks one carrying a file: its answer comes once QQ has the file, so it is waited for
    longer."""

    action: str
    params: dict[str, Any] = field(default_factory=dict)
    sends: bool = False
    uploads: bool = False


def _id(value: str | None, what: str, kind: ActionKind) -> int:
    if value is None or not value.strip().lstrip("-").isdigit():
        raise CarrierError(f"qq: {kind} needs {what} as a number, got {value!r}", retry=False)
    return int(value)


def send(group: int, message: list[dict[str, Any]], *, uploads: bool = False) -> Call:
    return Call("send_group_msg", {"group_id": group, "message": message}, sends=True,
                uploads=uploads)  # fmt: skip


def group_of(action: Action) -> int:
    """The action's QQ group number (`CarrierError` when it is none)."""
    return _id(action.group, "a group number", action.kind)


def not_again(exc: CarrierError) -> CarrierError:
    """A message whose answer never came, as the outbox should take it: not sent again."""
    return CarrierError(f"{exc}; not sent again, so the group cannot read it twice", retry=False)


def calls_for(action: Action, max_text: int = MAX_TEXT) -> list[Call]:
    """The calls that perform `action` in its group (ADMIT and DECLINE: `answer_request`); a
    text longer than `max_text` goes in several messages, in order (`segments.messages`)."""
    kind = action.kind
    group = group_of(action)
    if kind in (ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN):
        return [send(group, message) for message in messages(action, max_text)]
    if kind is ActionKind.DELETE:
        return [Call("delete_msg", {"message_id": _id(action.target, "a message id", kind)})]
    if kind in (ActionKind.CLOSE, ActionKind.REOPEN):
        # OneBot v11 cannot read whether a group was muted whole before: reopening lifts it
        return [Call("set_group_whole_ban", {"group_id": group,
                                             "enable": kind is ActionKind.CLOSE})]  # fmt: skip
    user = _id(action.member, "a QQ number", kind)
    if kind is ActionKind.UNMUTE:
        return [Call("set_group_ban", {"group_id": group, "user_id": user, "duration": 0})]
    if kind is ActionKind.UNBAN:
        raise CarrierError(
            "qq: OneBot v11 cannot lift a ban (QQ keeps the refusal `set_group_kick` asked for); "
            "a group admin removes them from the group's blocked list in QQ", retry=False)  # fmt: skip
    calls: list[Call]
    if kind is ActionKind.MUTE:
        seconds = action.duration.total_seconds() if action.duration is not None else MUTE_MAX
        duration = min(MUTE_MAX, max(MUTE_MIN, round(seconds)))
        calls = [Call("set_group_ban", {"group_id": group, "user_id": user, "duration": duration})]
    elif kind in (ActionKind.KICK, ActionKind.BAN):
        calls = [Call("set_group_kick", {"group_id": group, "user_id": user,
                                         "reject_add_request": kind is ActionKind.BAN})]  # fmt: skip
    else:
        raise CarrierError(f"qq: cannot {kind}", retry=False)
    if action.text and kind in _SANCTIONS:
        calls.append(send(group, outgoing(action)))
    return calls


def answer_request(action: Action, flag: str, sub_type: str) -> Call:
    """`set_group_add_request` for an ADMIT (approve) or DECLINE (refuse, with the reason)."""
    params: dict[str, Any] = {"flag": flag, "sub_type": sub_type,
                              "approve": action.kind is ActionKind.ADMIT}  # fmt: skip
    if action.kind is ActionKind.DECLINE:
        # staff's message as QQ shows it beside the refusal (the action's `text`, a sentence
        # for a direct message, would say the group twice)
        params["reason"] = action.reason
    return Call("set_group_add_request", params)


def refuse_request(flag: str, sub_type: str, reason: str) -> Call:
    return Call("set_group_add_request", {"flag": flag, "sub_type": sub_type, "approve": False,
                                          "reason": reason})  # fmt: skip


def approve_request(flag: str, sub_type: str) -> Call:
    return Call("set_group_add_request", {"flag": flag, "sub_type": sub_type, "approve": True})


def failure(answer: Mapping[str, Any], doing: str) -> CarrierError | None:
    """None when the call succeeded (`status` ok, or async: accepted and queued), else the
    refusal as a `CarrierError`. Refusals are final: v11 names no transient failure, and
    the usual ones (not an admin, no such message or member) do not pass by retrying."""
    status = answer.get("status")
    if status in ("ok", "async"):
        return None
    retcode = answer.get("retcode")
    said = answer.get("wording") or answer.get("message") or answer.get("msg") or ""
    detail = f" ({said})" if said else ""
    return CarrierError(f"qq: {doing} failed: retcode {retcode}{detail}", retry=False)
