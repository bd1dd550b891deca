"""Importing existing chat history: Telegram Desktop JSON, WhatsApp text, a generic CSV.

    source = open_source("csv", Path("history.csv"), ImportOptions(tz=ZoneInfo("Asia/Shanghai")))
    summary = import_source(store, source, community="skincare", name="Skincare")

`open_source` raises `ImportFileError` for a file that cannot be read at all; rows it cannot
use are skipped and listed in `summary.bad_rows` (`FILE:LINE: reason`). Importing the same
file again adds nothing.
"""

from __future__ import annotations

from pathlib import Path

from hearthkeeper.importers.base import (
    BadRow,
    ImportedMessage,
    ImportedStay,
    ImportFileError,
    ImportOptions,
    Source,
)
from hearthkeeper.importers.csvfile import CsvSource
from hearthkeeper.importers.load import CHUNK, ImportSummary, Progress, import_source
from hearthkeeper.importers.telegram import TelegramSource
from hearthkeeper.importers.whatsapp import WhatsAppSource

FORMATS: dict[str, type[Source]] = {
    "telegram": TelegramSource,
    "whatsapp": WhatsAppSource,
    "csv": CsvSource,
}


def open_source(format: str, path: Path, options: ImportOptions | None = None) -> Source:
    """The source reading `path` as `format` (telegram, whatsapp or csv)."""
    kind = FORMATS.get(format)
    if kind is None:
        raise ImportFileError(f"unknown format {format!r}; the formats are {', '.join(FORMATS)}")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    return kind(path, options or ImportOptions())


__all__ = [
    "CHUNK",
    "FORMATS",
    "BadRow",
    "CsvSource",
    "ImportFileError",
    "ImportOptions",
    "ImportSummary",
    "ImportedMessage",
    "ImportedStay",
    "Progress",
    "Source",
    "TelegramSource",
    "WhatsAppSource",
    "import_source",
    "open_source",
]
