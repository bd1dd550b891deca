"""Small formatting helpers shared by handlers."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.controls import one_line

ECHOED = 40  # the most of what someone typed that a reply repeats


def human_duration(delta: timedelta, language: Language) -> str:
    """`1h` → `1 小时` / `1 hour`; days, hours and minutes only."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if language is Language.ZH_CN:
        parts = [f"{days} 天" if days else "", f"{hours} 小时" if hours else "",
                 f"{minutes} 分钟" if minutes else ""]  # fmt: skip
        return " ".join(p for p in parts if p) or "不到 1 分钟"
    words = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    parts = [f"{n} {w}{'s' if n != 1 else ''}" for n, w in words if n]
    return " ".join(parts) or "less than a minute"


def excerpt(text: str, limit: int = 60) -> str:
    """The start of a text for alerts, logs and replies: one line, without the control,
    text-direction or invisible characters that would reorder or hide what is read."""
    return one_line(text, limit)


def echoed(text: str) -> str:
    """What someone typed, as a reply repeats it ("there is no reward '…'"): one line of
    visible text, at most `ECHOED` characters (a member cannot make the bot post a reversed
    line, or 5,000 characters of theirs)."""
    return excerpt(text, ECHOED)
