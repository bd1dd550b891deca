"""Telegram Desktop's JSON export (`result.json`): one chat, or a full export of many.

A message has `id`, `type` ("message" or "service"), `date` (local time of the exporting
computer) and `date_unixtime` (exact; preferred), `from`/`from_id` ("user123"), `text` (a
string, or a list of strings and entities such as `{"type": "link", "text": …}`),
`reply_to_message_id`, and media keys (`photo`, `file`, `media_type`: "sticker",
"voice_message", "video_file", …). Service messages with the actions `create_group`,
`invite_members`, `join_group_by_link`, `join_group_by_request` and `remove_members` become
joins and leaves; members they name only by name are matched to a user id seen for that
name elsewhere in the file. A full export's personal, bot and saved-messages chats are not
imported. Member identities are Telegram user ids, so the same person is one member across
every Telegram import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hearthkeeper.importers.base import (
    INVISIBLE_GROUP,
    GroupRef,
    ImportedMessage,
    ImportedStay,
    ImportFileError,
    Item,
    SenderRef,
    Source,
    group_name,
)
from hearthkeeper.importers.telegram_json import Broken, Chat, Entry, JsonBroken, JsonWalk
from hearthkeeper.store.records import MessageKind

_DELETED = "Deleted Account"  # what Telegram shows for a sender whose account is gone
_PRIVATE = {"personal_chat", "bot_chat", "saved_messages"}
_MEDIA = {
    "sticker": MessageKind.STICKER,
    "voice_message": MessageKind.VOICE,
    "audio_file": MessageKind.VOICE,
    "video_file": MessageKind.VIDEO,
    "video_message": MessageKind.VIDEO,
    "animation": MessageKind.VIDEO,
}
_JOINS = {"create_group", "invite_members", "join_group_by_link", "join_group_by_request"}
_NAMED = re.compile(r'"(?:from|actor)": ("(?:[^"\\]|\\.)*"),\s*"(?:from|actor)_id": "([^"]+)"')


@dataclass
class TelegramSource(Source):
    format = "telegram"
    carrier = "import:telegram"
    global_members = True

    _text: str = field(default="", init=False, repr=False)
    _walk: JsonWalk | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            self._text = self.path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ImportFileError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{self.path} is not UTF-8 text (byte {exc.start})") from None
        if not self._text.lstrip().startswith("{"):
            raise ImportFileError(
                f"{self.path}: not a Telegram Desktop JSON export (result.json starts with "
                "'{'); export with Settings → Advanced → Export Telegram data, format JSON"
            )
        self._ids = _ids_by_name(self._text)

    @property
    def total(self) -> int:
        return len(self._text)

    def done(self) -> int:
        return self.total if self._walk is None else self._walk.pos

    def items(self) -> Iterator[Item]:
        walk = self._walk = JsonWalk(self._text)
        group: GroupRef | None = None
        chats = skipped = 0
        try:
            for found in walk.chats():
                if isinstance(found, Chat):
                    chats += 1
                    group = self._group(found) if self._wanted(found) else None
                    skipped += group is None and not found.top_level
                elif isinstance(found, Broken):
                    if group is not None:
                        self.bad(found.line, found.reason)
                elif group is not None:
                    yield from self._entry(group, found)
        except JsonBroken as exc:
            if chats == 0:
                raise ImportFileError(f"{self.path}:{exc.line}: {exc.reason}") from None
            self.bad(exc.line, exc.reason)
        finally:
            walk.pos = len(self._text)
        if chats == 0:
            raise ImportFileError(f"{self.path}: no chat with messages in this JSON file")
        if skipped:
            chats_were = "1 chat that is" if skipped == 1 else f"{skipped} chats that are"
            self.notes.append(f"skipped {chats_were} not a group or channel (personal, bot, "
                              "saved messages) or not the --group asked")  # fmt: skip

    def _wanted(self, chat: Chat) -> bool:
        kind = chat.meta.get("type")
        if not chat.top_level and kind in _PRIVATE:
            return False
        return self.wanted(_group(chat).name)

    def _group(self, chat: Chat) -> GroupRef:
        """The chat as a group, said in the notes when its name showed nothing."""
        group = _group(chat)
        name = chat.meta.get("name")
        if isinstance(name, str) and name.strip() and group.name == _unnamed(group.key):
            self.notes.append(f"{self.path}:{chat.line}: {INVISIBLE_GROUP}; its messages are "
                              f"imported into {group.name!r}")  # fmt: skip
        return group

    def _entry(self, group: GroupRef, entry: Entry) -> Iterator[Item]:
        message = entry.value
        if not isinstance(message, dict):
            self.bad(entry.line, "a message must be a JSON object")
            return
        problem = _problem(message)
        if problem is None:
            try:
                at = self._time(message)
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            self.bad(entry.line, problem)
            return
        if message["type"] == "service":
            yield from self._stays(group, message, at, entry.line)
            return
        name = message.get("from")
        text = _text(message.get("text", ""))
        if text is None:
            self.bad(entry.line, "text must be a string or a list of strings and entities")
            return
        reply = message.get("reply_to_message_id")
        yield ImportedMessage(
            group=group,
            event_id=f"tg:{group.key}:{message['id']}",
            sender=SenderRef(message["from_id"], name if isinstance(name, str) else _DELETED),
            kind=_kind(message),
            text=text,
            sent_at=at,
            reply_to=f"tg:{group.key}:{reply}" if isinstance(reply, int) else None,
            line=entry.line,
        )

    def _time(self, message: dict[str, Any]) -> datetime:
        unix = message.get("date_unixtime")
        if isinstance(unix, str | int) and str(unix).isdigit():
            digits = str(unix)
            try:  # an edited or corrupt file can hold any number: only real dates are taken
                return datetime.fromtimestamp(int(digits), UTC)
            except (OverflowError, OSError, ValueError):
                shown = digits if len(digits) <= 24 else f"{digits[:12]}…({len(digits)} digits)"
                raise ValueError(
                    f"date_unixtime {shown} is not a date this importer can read (it is past "
                    "the year 9999); the message is skipped"
                ) from None
        raw = message.get("date")
        try:
            local = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            local = None
        if local is None:
            raise ValueError(f"bad date {raw!r}: expected date_unixtime or an ISO date")
        return self.in_zone(local)

    def _stays(self, group: GroupRef, message: dict[str, Any], at: datetime,
               line: int) -> Iterator[ImportedStay]:  # fmt: skip
        action = message.get("action")
        if action in _JOINS or action == "remove_members":
            names = message.get("members")
            actor = message.get("actor")
            if action in ("join_group_by_link", "join_group_by_request") or not names:
                who = [(str(message.get("actor_id") or ""), actor)]
            else:
                who = [(self._ids.get(n, ""), n) for n in names if isinstance(n, str)]
            for index, (user_id, name) in enumerate(who):
                name = name if isinstance(name, str) else ""
                key = user_id or f"name:{group.key}:{name}"
                if not user_id and not name:
                    self.bad(line, f"{action} names nobody")
                    continue
                yield ImportedStay(group, f"tg:{group.key}:{message['id']}:{index}",
                                   SenderRef(key, name), action != "remove_members", at, line)  # fmt: skip


def _problem(message: dict[str, Any]) -> str | None:
    """What makes a message unusable, or None."""
    if not isinstance(message.get("id"), int):
        return "a message without a numeric id"
    if message.get("type") not in ("message", "service"):
        return f"unknown message type {message.get('type')!r}"
    if message["type"] == "message" and not isinstance(message.get("from_id"), str):
        return "no sender (from_id)"
    return None


def _group(chat: Chat) -> GroupRef:
    """The chat's group: its id as the key, its name as shown (`group_name`), else one made
    of its id."""
    chat_id = chat.meta.get("id")
    key = str(chat_id) if chat_id is not None else f"line{chat.line}"
    name = chat.meta.get("name")
    shown = group_name(name) if isinstance(name, str) else ""
    return GroupRef(key, shown or _unnamed(key))


def _unnamed(key: str) -> str:
    return f"Telegram chat {key}"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return None
    parts: list[str] = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and isinstance(part.get("text", ""), str):
            parts.append(part.get("text", ""))
        else:
            return None
    return "".join(parts)


def _kind(message: dict[str, Any]) -> MessageKind:
    if "photo" in message:
        return MessageKind.PICTURE
    media = message.get("media_type")
    if isinstance(media, str) and media in _MEDIA:
        return _MEDIA[media]
    if "file" in message:
        return MessageKind.FILE
    if any(key in message for key in ("poll", "location_information", "contact_information")):
        return MessageKind.OTHER
    parts = message.get("text")
    if isinstance(parts, list) and any(
        isinstance(p, dict) and p.get("type") in ("link", "text_link") for p in parts
    ):
        return MessageKind.LINK
    return MessageKind.TEXT


def _ids_by_name(text: str) -> dict[str, str]:
    """Each sender's or actor's name → their user id, from one pass over the raw text, so a
    member invited by name before they ever spoke is the member who speaks later."""
    found: dict[str, str] = {}
    for name, user_id in _NAMED.findall(text):
        try:
            found.setdefault(json.loads(name), user_id)
        except ValueError:
            continue
    return found
