"""Pictures a platform only points at, fetched so that moderation can read them for QR codes.

The web chat keeps what members upload and hands moderation the bytes (`Attachment.data`);
Matrix, Telegram and QQ hand over where a picture is. What is fetched (`wanted`): a picture,
and a file or a sticker the platform says is an image (on Matrix and Telegram, a photo sent
uncompressed as a file, a still sticker); a file of another type (a PDF) is never downloaded.
Those carriers fetch a batch's pictures while they translate it, before the engine sees it,
within limits: `MAX_BYTES` a picture (Telegram's own download limit), `AT_ONCE` fetched
together, `FETCH_SECONDS` for one and `BATCH_SECONDS` for all of a batch's, `BATCH_BYTES`
held for one batch. What is kept must pass the check every carrier makes (`picture_check.py`,
the web chat's uploads' too: PNG, JPEG, GIF or WebP, at most `MAX_SIDE` pixels a side, `DECODE_PIXELS` pixels unless a
JPEG), read from its header off the event loop. A picture past a limit, of another format, or
whose download fails, is not read: the message is handled all the same (one log line says
why), and a newcomer on probation who posts such a picture (not a file or a sticker) is
treated as posting a link, as for any picture the bot cannot read.
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


# how the log names what was not read
_WHAT = {"picture": "picture", "file": "image file", "sticker": "sticker"}


class PictureUnread(Exception):
    """Why a picture was not fetched, in words for the log."""


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
    than `limit` (nothing past the limit is read)."""
    if declared is not None and declared > limit:
        said, most = over(declared, limit)
        raise PictureUnread(f"{said} is over the limit of {most}")
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise PictureUnread(f"over the limit of {mib(limit)}")
        parts.append(chunk)
    return b"".join(parts)


def is_image(mime: str | None) -> bool:
    """Whether a declared media type is a picture's (`image/...`)."""
    return mime is not None and mime.strip().lower().startswith("image/")


def wanted(attachment: Attachment) -> bool:
    """Whether `attachment` is a picture still to fetch: a picture, a file the platform says
    is an image (an uncompressed photo), or a sticker that is one (a sticker without a media
    type is: Matrix's are images); a file of any other type (a PDF) is never downloaded."""
    if attachment.data is not None:
        return False
    if attachment.kind == "picture":
        return True
    if attachment.kind == "sticker" and attachment.mime is None:
        return attachment.url is not None
    return attachment.kind in ("file", "sticker") and is_image(attachment.mime)


async def with_pictures(events: Sequence[Event], fetch: Fetch, carrier: str,
                        limits: PictureLimits = LIMITS) -> list[Event]:  # fmt: skip
    """`events` with the bytes of each picture fetched within `limits`; a picture that could
    not be is left as it was (its message is handled without them), said once in the log."""
    jobs = [
        (n, k, attachment)
        for n, event in enumerate(events) if isinstance(event, Message)
        for k, attachment in enumerate(event.attachments) if wanted(attachment)
    ]  # fmt: skip
    if not jobs:
        return list(events)
    gate = asyncio.Semaphore(limits.at_once)
    held = 0

    async def one(n: int, k: int, attachment: Attachment) -> bytes | None:
        nonlocal held
        what = _WHAT.get(attachment.kind, "picture")
        where = f"{carrier}: the {what} in {events[n].event_id[:200]}"
        try:
            async with gate:
                # what a download may take is set aside before it starts, the rest given back
                budget = min(limits.max_bytes, limits.batch_bytes - held)
                if budget <= 0:
                    raise PictureUnread(f"this batch's pictures reached {mib(held)}")
                held += budget
                data = b""
                try:
                    async with asyncio.timeout(limits.fetch_seconds):
                        data = await fetch(attachment, budget)
                finally:
                    held -= budget - len(data)
            await asyncio.to_thread(check_picture, data, limits.max_bytes)
        except PictureRefused as refused:
            log.warning("%s is not read for QR codes: %s", where, refused.message)
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
        return data

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
    found: dict[tuple[int, int], bytes] = {}
    for (n, k, _), task in zip(jobs, tasks, strict=True):
        data = task.result() if task in done else None
        if data is not None:
            found[(n, k)] = data
    return [_filled(n, event, found) for n, event in enumerate(events)]


def _filled(n: int, event: Event, found: dict[tuple[int, int], bytes]) -> Event:
    if not isinstance(event, Message) or not any((n, k) in found
                                                  for k in range(len(event.attachments))):  # fmt: skip
        return event
    attachments = tuple(
        dataclasses.replace(a, data=found[(n, k)], size=len(found[(n, k)]))
        if (n, k) in found else a
        for k, a in enumerate(event.attachments)
    )  # fmt: skip
    return dataclasses.replace(event, attachments=attachments)
