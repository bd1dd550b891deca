"""What to tell an operator whose export is not UTF-8: where, and what it looks like instead.

Chinese Windows and Excel save CSV in GBK (GB18030 is its superset), Excel's "Unicode Text"
in UTF-16 with a byte-order mark; both are common for files operators make by hand."""

from __future__ import annotations

from pathlib import Path

_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def not_utf8(path: Path, head: bytes, error: UnicodeDecodeError) -> str:
    """The error for `path` whose first bytes `head` failed to decode as UTF-8 with `error`."""
    line = head.count(b"\n", 0, error.start) + 1
    where = f"{path}:{line}: not UTF-8 text (byte {error.start + 1})"
    if head.startswith(_UTF16_MARKS):
        return (f"{where}; it is UTF-16 (as Excel's 'Unicode Text' saves): save it as "
                f"'CSV UTF-8' or convert it (`iconv -f UTF-16 -t UTF-8 {path.name}`) and "
                "import again; nothing was imported")  # fmt: skip
    if _reads_as_gb18030(head):
        return (f"{where}; it looks like GBK/GB18030, as Chinese Windows and Excel save: save "
                f"it as 'CSV UTF-8' or convert it (`iconv -f GB18030 -t UTF-8 {path.name}`) "
                "and import again; nothing was imported")  # fmt: skip
    return (f"{where}; save it as UTF-8 (e.g. `iconv -f WINDOWS-1252 -t UTF-8 {path.name}` "
            "for Western European text) and import again; nothing was imported")  # fmt: skip


def _reads_as_gb18030(head: bytes) -> bool:
    """Whether the bytes read as GB18030 with Chinese in them (a cut character at the end
    of the prefix is fine)."""
    try:
        text = head.decode("gb18030")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("gb18030")
    return any("\u4e00" <= char <= "\u9fff" for char in text)
