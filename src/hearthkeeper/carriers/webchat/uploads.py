"""Pictures members upload: checked by what they are (not by their names) and stored once.

A picture is accepted when it passes the check every carrier makes (`picture_check.py`: PNG,
JPEG, GIF or WebP, at most `MAX_SIDE` pixels a side and, unless a JPEG, `DECODE_PIXELS`
pixels, read from its header). It is stored as `<sha256>.<ext>`, so the same picture
uploaded twice is one file, and names served back can be checked against a strict pattern.
A stored picture no message uses is deleted by `sweep_unused` once it is old enough.

A scheduled post's picture is checked and kept the same way; its video, voice or other file
is kept beside them as `<sha256>.<ext>` (`store_file`, `FILE_TYPES`) and only ever served as
a download (`routes.py`: `Content-Disposition: attachment`, nosniff, a sandbox CSP).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hearthkeeper.carriers.picture_check import FORMATS, check_picture
from hearthkeeper.playbook.positioning import Language

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


@dataclass(frozen=True)
class Picture:
    """A stored picture."""

    name: str
    mime: str
    size: int
    width: int
    height: int


def store_picture(
    directory: Path, data: bytes, limit: int, language: Language = Language.EN
) -> Picture:
    """Check `data` and keep it under `directory` (written whole, then renamed into place)."""
    facts = check_picture(data, limit, language)
    name = f"{hashlib.sha256(data).hexdigest()}.{facts.extension}"
    _keep(directory, name, data)
    return Picture(name=name, mime=facts.mime, size=len(data), width=facts.width,
                   height=facts.height)  # fmt: skip


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
