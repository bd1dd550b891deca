"""Join requests waiting for staff: QQ answers one only with its `flag`, which arrives once, in
the request event. An application held for review may be approved days later, after restarts,
so the flags are kept in a small JSON file under the data directory (`requests_file`).

A request can be answered once. Staff who let a refused applicant in after all find the
request turned down already, and a QQ bot cannot invite anyone: `ask_again` tells staff (the
console inbox) to have the person ask to join again; the door lets them in at once then, their
application being approved."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.carriers.assets import alert_language
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import NewStaffAlert

if TYPE_CHECKING:
    from hearthkeeper.engine.actions import Action
    from hearthkeeper.store import Store

TEXTS = Phrasebook({
    "ask_again": {
        Language.EN: "{who} was let into {group} after all, but QQ has already "
                     "answered their join request{refused}, and a QQ bot cannot invite anyone. "
                     "Ask them to ask to join {group} again: the bot lets them in at once.",
        Language.ZH_CN: "已同意 {who} 加入「{group}」，但其入群申请在 QQ 上已被处理过"
                        "{refused}，QQ 机器人也无法邀请入群。请让对方重新申请加入「{group}」，"
                        "机器人会立即通过。",
    },
})  # fmt: skip


@dataclass(frozen=True)
class Waiting:
    """A request's handle: what `set_group_add_request` needs."""

    flag: str
    sub_type: str = "add"


class PendingRequests:
    """Group and QQ number → the request's handle; written through on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._waiting: dict[str, Waiting] = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                if isinstance(value, dict) and isinstance(value.get("flag"), str):
                    self._waiting[key] = Waiting(value["flag"], str(value.get("sub_type", "add")))

    @staticmethod
    def _key(group: str, user: str) -> str:
        return f"{group}:{user}"

    def put(self, group: str, user: str, waiting: Waiting) -> None:
        """Remember the newest request of `user` for `group`."""
        with self._lock:
            self._waiting[self._key(group, user)] = waiting
            self._save()

    def get(self, group: str, user: str) -> Waiting | None:
        with self._lock:
            return self._waiting.get(self._key(group, user))

    def drop(self, group: str, user: str) -> None:
        """Forget the request (answered)."""
        with self._lock:
            if self._waiting.pop(self._key(group, user), None) is not None:
                self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        data = {k: {"flag": w.flag, "sub_type": w.sub_type} for k, w in self._waiting.items()}
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)


def ask_again(store: Store, action: Action, key: str, refused: str | None, at: datetime) -> None:
    """The staff inbox's alert (once per outbox `key`) that the person staff approved must ask
    to join again (store work: call it off the event loop)."""
    group = store.group_for_carrier("qq", action.group or "")
    if group is None:
        return
    member = action.member or ""
    language = alert_language(action)
    name = str(action.extra.get("applicant") or member)
    who = f"QQ {member}" if name == member else f"{name} (QQ {member})"
    text = TEXTS.say("ask_again", language, who=who, group=group.name,
                     refused=f" ({refused})" if refused else "")  # fmt: skip
    store.add_staff_alerts([NewStaffAlert(f"{key}:ask-again", group.community_id, group.id, None,
                                          None, "admission", text,
                                          "approved: the person must ask to join again", at)])  # fmt: skip
