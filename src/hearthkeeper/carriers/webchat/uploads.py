"""Pictures members upload: checked by what they are (not by their names) and stored once.

A picture is accepted when Pillow recognises it as PNG, JPEG, GIF or WebP, it passes
`Image.verify()`, neither side exceeds `MAX_SIDE` pixels and — unless it is a JPEG, which is
decoded at a reduced scale — it has at most `DECODE_PIXELS` pixels, so that moderation can
look for QR codes in every picture it lets through (`text/qr.py`). All of this is read from
the header: no pixel is decoded. It is stored as `<sha256>.<ext>`, so the same picture
uploaded twice is one file, and names served back can be checked against a strict pattern.
A stored picture no message uses is deleted by `sweep_unused` once it is old enough.

A scheduled post's picture is checked and kept the same way; its video, voice or other file
is kept beside them as `<sha256>.<ext>` (`store_file`, `FILE_TYPES`) and only ever served as
a download (`routes.py`: `Content-Disposition: attachment`, nosniff, a sandbox CSP).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.qr import DECODE_PIXELS

MAX_SIDE = 8000
FORMATS = {  # Pillow's format name → (file extension, Content-Type)
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
MEDIA_TYPES = dict(FORMATS.values())
NAME = re.compile(r"[0-9a-f]{64}\.(?:png|jpg|gif|webp)")
# Files scheduled posts carry (videos, voice, documents): kept beside the pictures under a
# name of this form and served as downloads only (`file_path`, `file_type`), never shown.
FILE_TYPES = {
    "mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
    "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg", "mp3": "audio/mpeg",
    "m4a": "audio/mp4", "wav": "audio/wav", "amr": "audio/amr",
    "pdf": "application/pdf", "epub": "application/epub+zip", "zip": "application/zip",
    "txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "bin": "application/octet-stream",
}  # fmt: skip
FILE_NAME = re.compile(r"[0-9a-f]{64}\.(?:" + "|".join(FILE_TYPES) + ")")


class PictureRefused(Exception):
    """An upload that is not accepted; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Picture:
    """A stored picture."""

    name: str
    mime: str
    size: int
    width: int
    height: int


def too_large(size: int, limit: int, language: Language = Language.EN) -> PictureRefused:
    """The refusal for a picture of `size` bytes over `limit`."""
    return PictureRefused(
        413, say("picture_too_large", language, size=_mib(size), limit=_mib(limit))
    )


def check_picture(
    data: bytes, limit: int, language: Language = Language.EN
) -> tuple[str, str, int, int]:
    """The extension, Content-Type, width and height of an acceptable picture; else
    PictureRefused (413 too large, 415 not a picture we take, 422 too many pixels)."""
    if len(data) > limit:
        raise too_large(len(data), limit, language)
    if not data:
        raise PictureRefused(415, say("picture_empty", language))
    try:
        # Pillow warns above ~89 M pixels and refuses above twice that; either is far over
        # MAX_SIDE², which is refused below before any pixel is decoded.
        with Image.open(io.BytesIO(data)) as image:
            found, (width, height) = image.format, image.size
            if found not in FORMATS:
                what = say("an_image_of", language, format=found)
                raise PictureRefused(415, say("picture_kind", language, what=what))
            if width > MAX_SIDE or height > MAX_SIDE:
                raise PictureRefused(422, say("picture_sides", language, width=width,
                                              height=height, most=MAX_SIDE))  # fmt: skip
            if found != "JPEG" and width * height > DECODE_PIXELS:
                raise PictureRefused(422, say(
                    "picture_pixels", language, width=width, height=height,
                    mega=_mega(width * height), format=found, most=_mega(DECODE_PIXELS),
                    side=MAX_SIDE,
                ))  # fmt: skip
            image.verify()
    except PictureRefused:
        raise
    except Image.DecompressionBombError:
        raise PictureRefused(422, say("picture_bomb", language, most=MAX_SIDE)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        what = say("not_a_picture", language)
        raise PictureRefused(415, say("picture_kind", language, what=what)) from None
    extension, mime = FORMATS[found]
    return extension, mime, width, height


def store_picture(
    directory: Path, data: bytes, limit: int, language: Language = Language.EN
) -> Picture:
    """Check `data` and keep it under `directory` (written whole, then renamed into place)."""
    extension, mime, width, height = check_picture(data, limit, language)
    name = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    _keep(directory, name, data)
    return Picture(name=name, mime=mime, size=len(data), width=width, height=height)


def store_file(directory: Path, data: bytes, suffix: str) -> str:
    """Keep a scheduled post's file (a video, voice, a document) under `directory`; its
    stored name, `<sha256>.<ext>` (`bin` for a suffix not in `FILE_TYPES`)."""
    extension = suffix.lower().removeprefix(".")
    name = f"{hashlib.sha256(data).hexdigest()}.{extension if extension in FILE_TYPES else 'bin'}"
    _keep(directory, name, data)
    return name


def _keep(directory: Path, name: str, data: bytes) -> None:
    """Write `data` as `directory/name` (whole, then renamed into place)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.exists():
        os.utime(target)  # uploaded again: as young as a new upload for `sweep_unused`
        return
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sweep_unused(
    directory: Path, in_use: Callable[[Sequence[str]], set[str]], before: datetime
) -> list[str]:
    """Delete the pictures last uploaded before `before` that no message uses (`in_use` says
    which are used), and upload leftovers of a crash; returns the names of those deleted."""
    if not directory.is_dir():
        return []
    cutoff = before.timestamp()
    old: list[Path] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                old.append(Path(entry.path))
    leftovers = [path for path in old if path.name.startswith(".upload-")]
    pictures = [path for path in old if NAME.fullmatch(path.name) or FILE_NAME.fullmatch(path.name)]
    used = in_use([path.name for path in pictures])
    deleted: list[str] = []
    for path in [*leftovers, *pictures]:
        if path.name in used:
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:  # not uploaded again meanwhile
                path.unlink()
                deleted.append(path.name)
    return deleted


def picture_path(directory: Path, name: str) -> Path | None:
    """The stored file called `name`, if the name is well-formed and the file exists."""
    if NAME.fullmatch(name) is None:
        return None
    path = directory / name
    return path if path.is_file() else None


def file_path(directory: Path, name: str) -> Path | None:
    """The stored scheduled post's file called `name`, if well-formed and there."""
    if FILE_NAME.fullmatch(name) is None:
        return None
    path = directory / name
    return path if path.is_file() else None


def file_type(name: str) -> str:
    """The Content-Type of a stored file, from its (validated) name."""
    return FILE_TYPES[name.rsplit(".", 1)[1]]


def media_type(name: str) -> str:
    """The Content-Type of a stored picture, from its (validated) name."""
    return MEDIA_TYPES[name.rsplit(".", 1)[1]]


def _mega(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f} megapixels"


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"
