"""Small formatting helpers shared by handlers."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.controls import one_line

ECHOED = 40  # the most of what someone typed that a reply repeats


_ZH_WEEKDAYS = "一二三四五六日"
_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# not strftime's %a and %b: they follow the server's locale, which members do not read in
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when_text(moment: datetime, zone: tzinfo, language: Language) -> str:
    """A moment as members read it, the one way every capability writes one (a poll's or a
    sign-up list's deadline, an event's start, a payment's deadline, a ritual's next session,
    a mute's end): `12月9日 周三 20:00` or `Wed 9 Dec 20:00`, on the community's clock.
    No brackets around the weekday: texts put the whole in their own (`「品鉴会」（{when}）`)."""
    local = moment.astimezone(zone)
    if language is Language.ZH_CN:
        return f"{local.month}月{local.day}日 周{_ZH_WEEKDAYS[local.weekday()]} {local:%H:%M}"
    return (f"{_EN_WEEKDAYS[local.weekday()]} {local.day} {_EN_MONTHS[local.month - 1]} "
            f"{local:%H:%M}")  # fmt: skip


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


# How a currency reads after an amount in a Chinese sentence (`299 元 / 1 年`, `费用 39 元`):
# members of a Chinese community read 元, not the ISO code; a currency not listed keeps its code
_CURRENCY_ZH = {"CNY": "元", "USD": "美元", "HKD": "港元", "TWD": "新台币", "MOP": "澳门元",
                "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "SGD": "新加坡元", "AUD": "澳元",
                "CAD": "加元"}  # fmt: skip


def currency_words(code: str, language: Language) -> str:
    """A currency code as members read it after an amount: `元` for CNY in Chinese, the
    code in English (`299 CNY`)."""
    return _CURRENCY_ZH.get(code.upper(), code) if language is Language.ZH_CN else code


def excerpt(text: str, limit: int = 60) -> str:
    """The start of a text for alerts, logs and replies: one line, without the control,
    text-direction or invisible characters that would reorder or hide what is read."""
    return one_line(text, limit)


def echoed(text: str) -> str:
    """What someone typed, as a reply repeats it ("there is no reward '…'"): one line of
    visible text, at most `ECHOED` characters (a member cannot make the bot post a reversed
    line, or 5,000 characters of theirs)."""
    return excerpt(text, ECHOED)
