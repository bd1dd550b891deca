"""A group closed in Hearthkeeper whose carrier could not stop its members posting.

Closing a group (`carriers/closing.py`) queues a CLOSE action that its carrier performs with
the bot's rights on the platform (Telegram's chat permissions, Matrix power levels, QQ's
whole-group mute); reopening queues REOPEN. When the bot lacks the right, the platform
refuses. **Decided:** the group stays closed in Hearthkeeper (it takes no newcomers, hears
no scheduled posts, refuses join requests: what closing decided holds whatever the
platform did), and staff are told, once per CLOSE, in the console's alerts and the audit
log, in words they can act on: what the bot lacks, that members can still post, and how
to close it there once the bot has the right. The outbox item fails for good with it, in
one transaction: trying again cannot help until someone changes the bot's rights; then
`hearth groups close` on the group asks the platform again (`carriers/closing.py`)."""

from __future__ import annotations

import shlex
from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import NewStaffAlert, OutboxItem, Store

FAILED = {ActionKind.CLOSE: "group.close.failed", ActionKind.REOPEN: "group.reopen.failed"}
ACTOR = "hearthkeeper"
PLATFORMS = {"telegram": "Telegram", "matrix": "Matrix", "qq": "QQ", "webchat": "the web chat"}

_SAID: dict[str, dict[Language, str]] = {
    "close": {
        Language.EN: "Hearthkeeper could not close {group} on {platform}: {why}. Members can "
                     "still post. It stays closed in Hearthkeeper (no newcomers, no scheduled "
                     "posts); once the bot has that right, close it again ({command}) to ask "
                     "{platform} again to stop members posting.",
        Language.ZH_CN: "Hearthkeeper 未能在 {platform} 上关闭「{group}」：{why}。成员仍可发言。"
                        "它在 Hearthkeeper 中仍为已关闭（不收新成员、不发定时内容）；给机器人"
                        "该权限后，再关闭一次（{command}），即可再请 {platform} 禁止成员发言。",
    },
    "reopen": {
        Language.EN: "Hearthkeeper could not reopen {group} on {platform}: {why}. Members "
                     "still cannot post there. Give the bot that right and let members post "
                     "again in {platform} itself.",
        Language.ZH_CN: "Hearthkeeper 未能在 {platform} 上重新开放「{group}」：{why}。成员仍无法"
                        "发言。请给机器人该权限，并在 {platform} 中让成员恢复发言。",
    },
}  # fmt: skip


def not_closed(store: Store, item: OutboxItem, action: Action, error: CarrierError,
               now: datetime) -> None:  # fmt: skip
    """A CLOSE or REOPEN its carrier refused for good: the item failed, staff's alert (once:
    keyed by the outbox item) and an audit entry, in one transaction."""
    language = _language(action)
    with store.transaction() as tx:
        tx.mark_failed(item, str(error), now, retry_at=None)
        group = tx.group_for_carrier(action.carrier, action.group or "")
        if group is None:
            return
        platform = PLATFORMS.get(action.carrier, action.carrier)
        why = error.lacks.get(language) if error.lacks else None
        said = "close" if action.kind is ActionKind.CLOSE else "reopen"
        communities = tx.list_communities()
        owner = next((c for c in communities if c.id == group.community_id), None)
        shared = any(tx.groups_called(c.id, group.name) for c in communities if c is not owner)
        command = close_command(group.name, owner.slug if shared and owner else None)
        text = _SAID[said][language].format(group=group.name, platform=platform,
                                            why=why or str(error), command=command)  # fmt: skip
        reason = f"{platform}: {'not closed' if said == 'close' else 'not reopened'}"
        tx.add_staff_alerts([NewStaffAlert(f"{item.key}:failed", group.community_id, group.id,
                                           None, None, "groups", text, reason, now)])  # fmt: skip
        tx.audit(ACTOR, FAILED[action.kind], group.community_id, target=f"group {group.id}",
                 detail={"name": group.name, "carrier": action.carrier, "said": text,
                         "error": str(error)})  # fmt: skip


def close_command(name: str, community: str | None = None) -> str:
    """The command that closes the group called `name` again, as a shell takes it (a name
    that starts with "-", such as a Telegram chat id, after "--"); with `--community` when
    another community has a group of that name too (the command would ask which)."""
    among = f"--community {shlex.quote(community)} " if community else ""
    return f"hearth groups close {among}{'-- ' if name.startswith('-') else ''}{shlex.quote(name)}"


def _language(action: Action) -> Language:
    """The community's language, which closing put on the action; else English."""
    said = action.extra.get("language")
    return Language(said) if said in set(Language) else Language.EN
