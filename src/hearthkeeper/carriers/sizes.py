"""Sizes of files in words, one way for every carrier: in log lines, refusals members read
and the staff alert about a scheduled post's file."""

from __future__ import annotations

KiB = 1024
MiB = 1024 * 1024


def mib(size: int) -> str:
    """`size` bytes in words: "512 bytes", "64.0 KiB", "20.0 MiB" (one decimal)."""
    if size < KiB:
        return f"{size} bytes"
    if size < MiB:
        return f"{size / KiB:.1f} KiB"
    return f"{size / MiB:.1f} MiB"


def over(size: int, limit: int) -> tuple[str, str]:
    """`size` and the `limit` it is over, in words that tell them apart: in bytes when one
    decimal would show the same for both ("65,537 bytes" over "65,536 bytes")."""
    said, most = mib(size), mib(limit)
    if said == most:
        return f"{size:,} bytes", f"{limit:,} bytes"
    return said, most
