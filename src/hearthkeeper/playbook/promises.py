"""The mutes a playbook's texts promise in words ("第二次禁言 1 小时", "muted for 30 minutes",
"a 2-hour mute"), read so `checks` can compare them with the ladder's `mute_for`: an operator
who changes the ladder and not the rules text would have members read one penalty and get
another. Only a duration written right after a word for muting counts; anything else in a
text ("打卡 7 天", "for an hour") is not a promise about mutes, nor is a number of more than six
digits ("muted for 99999999999 minutes": more than any mute, and more than a date can hold)."""

from __future__ import annotations

import re
from datetime import timedelta

_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip
_ZH_UNITS = {"分钟": 60, "分": 60, "小时": 3600, "钟头": 3600, "天": 86400, "日": 86400,
             "周": 604800, "星期": 604800}  # fmt: skip
_ZH = re.compile(
    r"禁言\s*(\d{1,6}|[零一二两三四五六七八九十]+|半)\s*个?\s*(分钟|小时|钟头|天|日|周|星期|分)"
)
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15,
               "twenty": 20, "twenty-four": 24, "thirty": 30, "forty-eight": 48}  # fmt: skip
_EN_UNITS = {"minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800}
_EN_NUMBER = r"(\d{1,6}|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True)) + ")"
_EN_UNIT = r"(minute|min|hour|hr|day|week)s?"
_EN = (
    # "muted for 30 minutes", "mutes you for a day", "mute them for half an hour"
    re.compile(r"\bmut(?:e|es|ed|ing)\b(?:\s+(?:you|them|him|her|the\s+member|members?))?"
               rf"\s+for\s+(?:(half)\s+an\s+hour|{_EN_NUMBER}\s*-?\s*{_EN_UNIT})\b", re.I),
    # "a 2-hour mute", "a one day mute"
    re.compile(rf"\b{_EN_NUMBER}[\s-]{_EN_UNIT}\s+mute\b", re.I),
)  # fmt: skip


def promised_mutes(text: str) -> list[tuple[str, timedelta]]:
    """Each mute `text` promises: the words that say it, and how long."""
    found: list[tuple[str, timedelta]] = []
    for match in _ZH.finditer(text):
        number, unit = match.groups()
        seconds = _ZH_UNITS[unit] // 2 if number == "半" else _zh_number(number) * _ZH_UNITS[unit]
        if seconds:
            found.append((match.group(), timedelta(seconds=seconds)))
    for pattern in _EN:
        for match in pattern.finditer(text):
            groups = [g for g in match.groups() if g is not None]
            if groups == ["half"]:
                found.append((match.group(), timedelta(minutes=30)))
                continue
            number, unit = groups[-2], groups[-1].lower()
            count = int(number) if number.isdigit() else _EN_NUMBERS[number.lower()]
            if count:
                found.append((match.group(), timedelta(seconds=count * _EN_UNITS[unit])))
    return found


def _zh_number(written: str) -> int:
    """`24`, `二十四`, `十`, `两` …: the number (0 when it is none we read)."""
    if written.isdigit():
        return int(written)
    if "十" in written:
        tens, _, ones = written.partition("十")
        return _ZH_DIGITS.get(tens, 1 if not tens else 0) * 10 + _ZH_DIGITS.get(ones, 0)
    return _ZH_DIGITS.get(written, 0) if len(written) == 1 else 0


def in_words(delta: timedelta) -> str:
    """`2 hours`, `30 minutes`, `24 hours`, `3 days`: how the warning names a duration."""
    seconds = int(delta.total_seconds())
    if seconds % 604800 == 0:
        count, unit = seconds // 604800, "week"
    elif seconds % 86400 == 0 and seconds >= 172800:
        count, unit = seconds // 86400, "day"
    elif seconds % 3600 == 0:
        count, unit = seconds // 3600, "hour"
    else:
        count, unit = max(seconds // 60, 1), "minute"
    return f"{count} {unit}{'s' if count != 1 else ''}"
