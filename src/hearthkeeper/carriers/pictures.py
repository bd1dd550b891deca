"""Pictures a platform only points at, fetched so that moderation can read them for QR codes.

The web chat keeps what members upload and hands moderation the bytes (`Attachment.data`);
Matrix, Telegram and QQ hand over where a picture is. What is fetched (`wanted`): a picture,
a file or a sticker the platform says is an image (on Matrix and Telegram, a photo sent
uncompressed as a file, a still sticker), and a file that does not say what it is (no media
type, or `application/octet-stream`: a photo sent with a wrong type) and is within the limit
of one picture, kept only if its first bytes are a PNG, JPEG, GIF or WebP picture's (the
download stops at the first chunk when not); a file of another type (a PDF) is never
downloaded. Those carriers fetch a batch's pictures while they translate it, before the
engine sees it, within limits: `MAX_BYTES` a picture (Telegram's own download limit),
`AT_ONCE` fetched together, `FETCH_SECONDS` for one and `BATCH_SECONDS` for all of a batch's,
`BATCH_BYTES` held for one batch. What is kept must pass the check every carrier makes
(`picture_check.py`, the web chat's uploads' too: PNG, JPEG, GIF or WebP, at most `MAX_SIDE`
pixels a side, `DECODE_PIXELS` pixels unless a JPEG), read from its header off the event
loop. A picture past a limit, of another format, or whose download fails, is not read: the
message is handled all the same (one log line says why). A file found by its first bytes to
be a picture says so (its `mime` becomes the picture's type), read or not. A newcomer on
probation who posts a picture the bot could not read — as a picture, a file or a sticker
(`Attachment.is_picture`) — is treated as posting a link (`moderation/decide.py`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from hearthkeeper.carriers.picture_check import PictureRefused, check_picture
from hearthkeeper.carriers.sizes import MiB, mib, over
from hearthkeeper.engine.events import Attachment, Event, Message

log = logging.getLogger(__name__)

MAX_BYTES = 20 * MiB  # one picture, at most (what the Telegram Bot API lets a bot download)
BATCH_BYTES = 100 * MiB  # one batch's pictures together, at most
AT_ONCE = 4  # downloads under way together
FETCH_SECONDS = 10.0  # one picture's download, at most
BATCH_SECONDS = 20.0  # a batch's downloads together, at most
CHUNK = 64 * 1024
HEAD = 12  # the first bytes, which tell a PNG, JPEG, GIF or WebP picture
NO_PICTURE = "its first bytes are no PNG, JPEG, GIF or WebP picture's"
# Media types that say nothing of what a file is: its first bytes are looked at instead.
UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})


# how the log names what was not read
_WHAT = {"picture": "picture", "file": "image file", "sticker": "sticker"}


class PictureUnread(Exception):
    """Why a picture was not fetched, in words for the log."""


class NotAPicture(PictureUnread):
    """A download whose first bytes are no PNG, JPEG, GIF or WebP picture's."""


# A carrier's download: the attachment and the byte limit → the bytes, or PictureUnread
# (any other exception is taken as a failed download too).
Fetch = Callable[[Attachment, int], Awaitable[bytes]]


@dataclass(frozen=True)
class PictureLimits:
    """How much a carrier fetches for one batch (tests make them small)."""

    max_bytes: int = MAX_BYTES
    batch_bytes: int = BATCH_BYTES
    at_once: int = AT_ONCE
    fetch_seconds: float = FETCH_SECONDS
    batch_seconds: float = BATCH_SECONDS


LIMITS = PictureLimits()


async def read_within(chunks: AsyncIterator[bytes], limit: int, declared: int | None) -> bytes:
    """The bytes of a download, or PictureUnread as soon as it says or proves it is larger
    than `limit`, or NotAPicture as soon as its first bytes are no picture's (nothing past
    the limit, or past the first chunk of what is no picture, is read)."""
    if declared is not None and declared > limit:
        said, most = over(declared, limit)
        raise PictureUnread(f"{said} is over the limit of {most}")
    parts: list[bytes] = []
    size = 0
    looked = False
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise PictureUnread(f"over the limit of {mib(limit)}")
        parts.append(chunk)
        if not looked and size >= HEAD:
            looked = True
            if sniffed(b"".join(parts)[:HEAD]) is None:
                raise NotAPicture(NO_PICTURE)
    data = b"".join(parts)
    if not looked and sniffed(data) is None:
        raise NotAPicture(NO_PICTURE)
    return data


def sniffed(head: bytes) -> str | None:
    """The media type a file's first bytes say it has, if a PNG, JPEG, GIF or WebP picture's
    (the signatures by which Pillow knows those formats)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def untyped(mime: str | None) -> bool:
    """Whether a declared media type says nothing of what a file is."""
    return mime is None or mime.split(";")[0].strip().lower() in UNTYPED


def wanted(attachment: Attachment, limit: int = MAX_BYTES) -> bool:
    """Whether `attachment` is a picture still to fetch: a picture, a file the platform says
    is an image (an uncompressed photo), a sticker that is one (a sticker without a media
    type is: Matrix's are images), or a file that does not say what it is, of at most
    `limit` bytes when its size is said (its first bytes tell); a file of another type (a
    PDF) is never downloaded."""
    if attachment.data is not None:
        return False
    if attachment.kind == "sticker" and attachment.mime is None:
        return attachment.url is not None
    if attachment.is_picture:
        return True
    small = attachment.size is None or attachment.size <= limit
    return attachment.kind == "file" and untyped(attachment.mime) and small


async def with_pictures(events: Sequence[Event], fetch: Fetch, carrier: str,
                        limits: PictureLimits = LIMITS) -> list[Event]:  # fmt: skip
    """`events` with the bytes of each picture fetched within `limits`; a picture that could
    not be is left as it was (its message is handled without them), said once in the log."""
    jobs = [
        (n, k, attachment)
        for n, event in enumerate(events) if isinstance(event, Message)
        for k, attachment in enumerate(event.attachments) if wanted(attachment, limits.max_bytes)
    ]  # fmt: skip
    if not jobs:
        return list(events)
    gate = asyncio.Semaphore(limits.at_once)
    held = 0

    async def one(n: int, k: int, attachment: Attachment) -> Attachment | None:
        nonlocal held
        # a file that does not say what it is: looked at, and quietly left when no picture
        looked = not attachment.is_picture
        what = "file" if looked else _WHAT.get(attachment.kind, "picture")
        where = f"{carrier}: the {what} in {events[n].event_id[:200]}"
        data = b""
        try:
            async with gate:
                # what a download may take is set aside before it starts, the rest given back
                budget = min(limits.max_bytes, limits.batch_bytes - held)
                if budget <= 0:
                    raise PictureUnread(f"this batch's pictures reached {mib(held)}")
                held += budget
                try:
                    async with asyncio.timeout(limits.fetch_seconds):
                        data = await fetch(attachment, budget)
                finally:
                    held -= budget - len(data)
            facts = await asyncio.to_thread(check_picture, data, limits.max_bytes)
        except PictureRefused as refused:
            log.warning("%s is not read for QR codes: %s", where, refused.message)
            found = sniffed(data[:HEAD]) if looked else None
            return dataclasses.replace(attachment, mime=found) if found else None
        except NotAPicture as unread:
            (log.debug if looked else log.warning)("%s is not read for QR codes: %s", where,
                                                   unread)  # fmt: skip
            return None
        except PictureUnread as unread:
            log.warning("%s is not read for QR codes: %s", where, unread)
            return None
        except TimeoutError:
            log.warning("%s is not read for QR codes: its download took over %g s", where,
                        limits.fetch_seconds)  # fmt: skip
            return None
        except Exception as exc:  # a download that failed must never stop the carrier
            log.warning("%s is not read for QR codes: its download failed (%s)", where,
                        str(exc)[:200] or type(exc).__name__)  # fmt: skip
            return None
        mime = facts.mime if looked else attachment.mime
        return dataclasses.replace(attachment, data=data, size=len(data), mime=mime)

    tasks = [asyncio.create_task(one(*job)) for job in jobs]
    try:
        done, pending = await asyncio.wait(tasks, timeout=limits.batch_seconds)
    finally:  # past the time, or the carrier stopping: no download outlives the batch
        for task in tasks:
            task.cancel()
    if pending:
        await asyncio.wait(pending)
        log.warning("%s: %d picture(s) of a batch are not read for QR codes: their downloads "
                    "took over %g s together", carrier, len(pending),
                    limits.batch_seconds)  # fmt: skip
    found: dict[tuple[int, int], Attachment] = {}
    for (n, k, _), task in zip(jobs, tasks, strict=True):
        filled = task.result() if task in done else None
        if filled is not None:
            found[(n, k)] = filled
    return [_filled(n, event, found) for n, event in enumerate(events)]


def _filled(n: int, event: Event, found: dict[tuple[int, int], Attachment]) -> Event:
    if not isinstance(event, Message) or not any((n, k) in found
                                                  for k in range(len(event.attachments))):  # fmt: skip
        return event
    attachments = tuple(found.get((n, k), a) for k, a in enumerate(event.attachments))
    return dataclasses.replace(event, attachments=attachments)
