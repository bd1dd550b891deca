"""Telegram updates (aiogram's models of the Bot API's JSON) → carrier-neutral engine events.
Pure: no I/O.

Joins and leaves come from `chat_member` updates only (sent to a bot that is an
administrator and asks for them): they carry who added or removed whom and the invite link
used. The service messages Telegram also posts (`new_chat_members`, `left_chat_member`) are
skipped, so a join is never counted twice. A join request (`chat_join_request`) is not an
event: the carrier screens it at the door (`JoinAsk`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram.types import (
    ChatInviteLink,
    ChatJoinRequest,
    ChatMemberUpdated,
    Document,
    MessageEntity,
    PhotoSize,
    Sticker,
    Update,
    User,
)
from aiogram.types import (
    Message as TgMessage,
)

from hearthkeeper.carriers.pictures import MAX_BYTES
from hearthkeeper.carriers.telegram.links import source_in_name
from hearthkeeper.engine.events import (
    Attachment,
    Edit,
    Event,
    Join,
    JoinMethod,
    Leave,
    Message,
    Sender,
)

CARRIER = "telegram"
IN = frozenset({"creator", "administrator", "member"})
NO_SOURCES: Mapping[str, str] = {}


@dataclass(frozen=True, kw_only=True)
class BotIdentity:
    """Who the bot is: its user id and the @username people mention it by."""

    user_id: int
    username: str = ""


@dataclass(frozen=True, kw_only=True)
class JoinAsk:
    """Someone asking to join a group through a link that creates join requests."""

    chat_id: str
    user_id: str
    display_name: str
    bio: str
    source: str | None  # the live code's or referral's token of the link they came by
    user_chat_id: int  # the private chat the bot may write to for 5 minutes


@dataclass(frozen=True, kw_only=True)
class PrivateText:
    """Someone writing to the bot in its private chat: not a group's message (never counted
    or moderated), answered by the carrier (a banned member's appeal, `private.py`)."""

    user_id: str
    chat_id: int
    text: str
    language_code: str | None  # the language their app is set to, if it says


def name_of(user: User) -> str:
    """A person's name as Telegram shows it."""
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip()


def link_of(update: Update) -> ChatInviteLink | None:
    """The invite link a join or a join request of `update` came by, if it says."""
    if update.chat_member is not None:
        return update.chat_member.invite_link
    if update.chat_join_request is not None:
        return update.chat_join_request.invite_link
    return None


def source_of(link: ChatInviteLink | None, sources: Mapping[str, str]) -> str | None:
    """The token of the link: its name when the name is one, else the token `sources` gives
    for the name (a name too long for Telegram's 32 characters is a digest, `links.py`)."""
    name = None if link is None else link.name
    if name is None:
        return None
    return source_in_name(name) or sources.get(name)


def translate(update: Update, bot: BotIdentity, sources: Mapping[str, str] = NO_SOURCES
              ) -> Event | JoinAsk | PrivateText | None:  # fmt: skip
    """The engine event (or join request, or text written to the bot in private) of one
    update; None for what the engine does not handle (service messages, channel posts, the
    bot's own doings, other update kinds). `sources`: the token of each digest-named link
    (`links.py`) the update may name."""
    if update.message is not None and update.message.chat.type == "private":
        return _private(update.message, bot)
    if update.message is not None:
        return _message(update.message, bot)
    if update.edited_message is not None:
        return _edit(update.edited_message, bot)
    if update.chat_member is not None:
        return _membership(update.update_id, update.chat_member, bot, sources)
    if update.chat_join_request is not None:
        return _ask(update.chat_join_request, sources)
    return None


def _private(message: TgMessage, bot: BotIdentity) -> PrivateText | None:
    """What a person wrote to the bot in its private chat (a photo's caption; a sticker: no
    text, still answered)."""
    user = message.from_user
    if user is None or user.is_bot or user.id == bot.user_id:
        return None
    text = message.text if message.text is not None else (message.caption or "")
    return PrivateText(user_id=str(user.id), chat_id=message.chat.id,
                       text=strip_bot_suffix(text, bot),
                       language_code=user.language_code)  # fmt: skip


def _sender(user: User, bot: BotIdentity) -> Sender:
    return Sender(user_id=str(user.id), display_name=name_of(user), is_bot=user.id == bot.user_id)


def _at(value: datetime | int) -> datetime:
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# Media → (Message.kind, Attachment.kind)
_MEDIA = (("photo", "picture"), ("video", "video"), ("animation", "video"), ("voice", "voice"),
          ("audio", "voice"), ("document", "file"), ("sticker", "sticker"))  # fmt: skip


def _message(message: TgMessage, bot: BotIdentity) -> Event | None:
    user = message.from_user
    if user is None or user.id == bot.user_id or message.chat.type == "private":
        return None
    if message.new_chat_members or message.left_chat_member:
        return None  # the chat_member update says it, with more
    kind, attachments = "text", tuple[Attachment, ...]()
    for field, media_kind in _MEDIA:
        if getattr(message, field) is not None:
            kind = media_kind
            attachments = (Attachment(kind=media_kind),)
            if field == "photo":
                attachments = (_photo(message.photo or []),)
            elif field == "document" and message.document is not None:
                attachments = (_document(message.document),)
            elif field == "sticker" and message.sticker is not None:
                attachments = (_sticker(message.sticker),)
            break
    text = message.text if message.text is not None else (message.caption or "")
    if not text and not attachments:
        return None  # another service message (a title, a pin, a video chat ...)
    entities = message.entities or message.caption_entities or []
    mentions = mentioned(text, entities)
    text_as_sent = text  # the entities' offsets are the text's as sent
    text = strip_bot_suffix(text, bot)
    replied = message.reply_to_message
    addressed = (
        str(bot.user_id) in mentions
        or (bool(bot.username) and f"@{bot.username}".casefold() in (message.text or "").casefold())
        or (replied is not None and replied.from_user is not None
            and replied.from_user.id == bot.user_id)
    )  # fmt: skip
    return Message(
        carrier=CARRIER, group=str(message.chat.id), event_id=str(message.message_id),
        at=_at(message.date), sender=_sender(user, bot), kind=kind, text=text,
        attachments=attachments, mentions=mentions, mentions_bot=addressed,
        mention_texts=picked(text_as_sent, entities),
        reply_to=None if replied is None else str(replied.message_id),
    )  # fmt: skip


def _photo(sizes: list[PhotoSize]) -> Attachment:
    """A photo as the picture to read: its largest size within `MAX_BYTES` (a size whose
    bytes Telegram does not say counts as within), its `file_id` as `url` (what getFile takes);
    none within it: a picture without an address, which the carrier does not fetch."""
    within = [s for s in sizes if s.file_size is None or s.file_size <= MAX_BYTES]
    if not within:
        return Attachment(kind="picture")
    largest = max(within, key=lambda s: s.width * s.height)
    return Attachment(kind="picture", url=largest.file_id, size=largest.file_size,
                      mime="image/jpeg")  # fmt: skip


def _document(document: Document) -> Attachment:
    """A file, with its `file_id` as `url`: the carrier fetches it when `mime_type` says it is
    an image (a photo sent uncompressed, `pictures.wanted`), unless `file_size` is over the
    limit."""
    return Attachment(kind="file", url=document.file_id, name=document.file_name,
                      size=document.file_size, mime=document.mime_type)  # fmt: skip


# A sticker's format (the Bot API gives no media type): a still one is a WebP picture, an
# animated one Lottie (.tgs), a video one WebM; only the still one is fetched.
def _sticker(sticker: Sticker) -> Attachment:
    if sticker.is_animated:
        mime = "application/x-tgsticker"
    elif sticker.is_video:
        mime = "video/webm"
    else:
        mime = "image/webp"
    return Attachment(kind="sticker", url=sticker.file_id, size=sticker.file_size, mime=mime)


def _edit(message: TgMessage, bot: BotIdentity) -> Event | None:
    user = message.from_user
    if user is None or user.id == bot.user_id or message.chat.type == "private":
        return None
    text = message.text if message.text is not None else (message.caption or "")
    edited = message.edit_date or 0
    return Edit(carrier=CARRIER, group=str(message.chat.id),
                event_id=f"{message.message_id}.edit{edited}", at=_at(edited or message.date),
                sender=_sender(user, bot), target=str(message.message_id), text=text)  # fmt: skip


def is_in(member: object) -> bool:
    """Whether a ChatMember is in the chat (a restricted member may be, or not)."""
    status = str(getattr(member, "status", ""))
    return status in IN or (status == "restricted" and bool(getattr(member, "is_member", False)))


def _membership(update_id: int, changed: ChatMemberUpdated, bot: BotIdentity,
                sources: Mapping[str, str]) -> Event | None:  # fmt: skip
    before, after = is_in(changed.old_chat_member), is_in(changed.new_chat_member)
    if before == after:
        return None  # a restriction, a promotion: not a join or a leave
    subject = changed.new_chat_member.user
    if subject.id == bot.user_id:
        return None
    base: dict[str, Any] = {"carrier": CARRIER, "group": str(changed.chat.id), "event_id": f"u{update_id}",
            "at": _at(changed.date), "sender": _sender(subject, bot)}  # fmt: skip
    actor = changed.from_user
    if after:
        link = changed.invite_link
        source = source_of(link, sources)
        if changed.via_join_request:
            via = JoinMethod.APPLICATION
        elif link is not None:
            via = JoinMethod.LINK
        elif actor.id != subject.id:
            via = JoinMethod.INVITED
        else:
            via = JoinMethod.LINK  # a public group joined by its @username
        inviter = str(actor.id) if via is JoinMethod.INVITED else None
        return Join(**base, via=via, inviter=inviter, source=source)
    removed_by = str(actor.id) if actor.id != subject.id else None
    return Leave(**base, removed_by=removed_by)


def _ask(request: ChatJoinRequest, sources: Mapping[str, str]) -> JoinAsk:
    return JoinAsk(chat_id=str(request.chat.id), user_id=str(request.from_user.id),
                   display_name=name_of(request.from_user), bio=(request.bio or "").strip(),
                   source=source_of(request.invite_link, sources),
                   user_chat_id=request.user_chat_id)  # fmt: skip


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of `text` an entity covers (Telegram counts UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="ignore")


def mentioned(text: str, entities: list[MessageEntity]) -> tuple[str, ...]:
    """Who the message mentions: user ids (`text_mention`) and @usernames (`mention`)."""
    found: list[str] = []
    for entity in entities:
        if entity.type == "text_mention" and entity.user is not None:
            found.append(str(entity.user.id))
        elif entity.type == "mention":
            found.append(utf16_slice(text, entity.offset, entity.length))
    return tuple(dict.fromkeys(found))


def picked(text: str, entities: list[MessageEntity]) -> tuple[str, ...]:
    """The words standing for each member picked in the chat (`text_mention`: a user without
    a username, shown by their name), as the text says them."""
    return tuple(dict.fromkeys(
        utf16_slice(text, e.offset, e.length) for e in entities
        if e.type == "text_mention" and e.user is not None
    ))  # fmt: skip


def strip_bot_suffix(text: str, bot: BotIdentity) -> str:
    """`/checkin@hearth_bot args` → `/checkin args`: how groups address one bot's command."""
    if not bot.username or not text.startswith("/"):
        return text
    head, space, rest = text.partition(" ")
    suffix = f"@{bot.username}"
    if head.casefold().endswith(suffix.casefold()):
        return head[: -len(suffix)] + space + rest
    return text
