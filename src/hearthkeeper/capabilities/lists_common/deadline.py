"""Deadlines as people write them: `20:00`, `明天 10:00`, `周六晚上8点`, `5/3 18:00`, `2h`,
(the bot writes them back as it writes every moment, `format.when_text`: `5月2日 周六 20:00`).

Shared by sign-up lists and polls. Times are read in the community's time zone; a time of
day alone means its next occurrence; a day alone means the end of that day (23:59);
`5/3` is month/day (3 May), as in Chinese; `2026-05-03` is never ambiguous. Days gone
(`昨天`, `上周五`, `yesterday`) are read as well, so a command can say its deadline passed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.lists_common.reading import Problem
from hearthkeeper.playbook.base import parse_duration
from hearthkeeper.playbook.positioning import Language

# Words that start a deadline inside a command: `截止 20:00`, `until 20:00`.
DEADLINE_WORDS = re.compile(
    r"(?:截止时间|截止到|截止|截至|结束于|"
    r"\b(?:deadline|until|till|closes?\s+at|closes|ends?\s+at)\b)\s*[:：]?\s*",
    re.IGNORECASE,
)

_OPEN, _CLOSE = "[【(（", "]】)）"
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip
_CN_NUMBER = re.compile(r"(?<!周)(?<!期)(?<!拜)[零一二两三四五六七八九十]+")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
             "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}  # fmt: skip
# Days before today are read too (`昨天`, `上周五`), so a deadline already gone is answered
# "has passed" rather than "cannot read".
_DAY_WORDS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2,
              "昨天": -1, "昨日": -1, "yesterday": -1, "前天": -2}  # fmt: skip
_EVENING_DAYS = {"今晚": 0, "tonight": 0, "明晚": 1, "昨晚": -1, "last night": -1}

_ISO_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_SHORT_DATE = re.compile(r"(?<![\d:])(\d{1,2})\s*(?:/|月|-)\s*(\d{1,2})\s*[日号]?(?![\d:])")
_WEEKDAY = re.compile(
    r"(下下?|上上?|next\s+)?(?:周|星期|礼拜)([一二三四五六日天])|"
    r"\b(next\s+|last\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b"
)
_DAY_WORD = re.compile("|".join(sorted([*_DAY_WORDS, *_EVENING_DAYS], key=len, reverse=True)))
_PERIOD = re.compile(r"凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|晚")
_CLOCK = re.compile(
    r"(\d{1,2})\s*:\s*(\d{2})\s*(am|pm)?|"
    r"(\d{1,2})\s*(?:点|时)\s*(半|(\d{1,2})\s*分?)?|"
    r"(\d{1,2})\s*(am|pm)"
)
_FILLER = re.compile(r"(?:之前|以前|为止|前|止|的|\b(?:at|by|on|before|the)\b|,|，|。|\s)+")


def parse_deadline(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The moment `text` names, in UTC, as seen from `now`; None if it cannot be read (also
    a day at the calendar's ends, `9999-12-31`, that has no moment in UTC or a day after)."""
    try:
        return _moment(text, now, zone)
    except OverflowError:
        return None


def _moment(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    words = _cn_numbers(unicodedata.normalize("NFKC", text).strip().lower())
    if not words:
        return None
    relative = _relative(words)
    if relative is not None:
        return now + relative
    local = now.astimezone(zone)
    day, evening, rest = _day(words, local.date())
    period = _PERIOD.search(rest)
    if period is not None:
        rest = rest[: period.start()] + " " + rest[period.end() :]
    clock, rest = _clock(rest, period.group(0) if period else ("晚" if evening else None))
    spoken = clock is not None and period is None and not evening and "点" in words
    if _FILLER.sub("", rest):
        return None
    if clock is None:
        if day is None:
            return None
        clock = time(23, 59)
    when = datetime.combine(day or local.date(), clock, tzinfo=zone)
    later = when + timedelta(hours=12)
    if day is None and spoken and clock.hour < 12 and when <= local < later:
        when = later  # `8点` said at 17:00 means 20:00, as people speak
    if day is None and when <= local:
        when = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=zone)
    return when.astimezone(UTC)


def split_deadline(part: str, now: datetime, zone: ZoneInfo, *,
                   first: bool) -> tuple[str, str | None]:  # fmt: skip
    """A part of a sign-up or poll command: its text and the deadline it gives (None: none).

    The one rule both follow: a part that starts with a deadline word (`截止 21:00`,
    `[until 21:00]`), or ends with one in brackets (`桌游 [截止 21:00]`), gives the deadline
    even when it is unreadable (so the command is refused, saying so), unless it is the
    `first` part (the title or question: `截止时间定在哪天`), where only a readable one counts;
    a deadline word inside other text gives one only when a readable time follows it to the
    end of the part (`周六夜跑 截止 20:00`). Anywhere else the word is text (`周五截止`)."""
    whole = _whole_deadline(part)
    if whole is not None:
        said = whole.strip(" " + _OPEN + _CLOSE)
        if not first or parse_deadline(said, now, zone) is not None:
            return "", said
    bracketed = _bracketed_deadline(part)
    if bracketed is not None:
        return part[: bracketed[0]].strip(), bracketed[1].strip()
    inside = DEADLINE_WORDS.search(part)
    if inside is not None:
        said = part[inside.end() :].strip()
        if said and parse_deadline(said, now, zone) is not None:
            return part[: inside.start()].strip(), said
    return part, None


# The part's own deadline is found in one pass, without a regular expression around the
# deadline words: `^[(]?\s*(?:words)(.*?)\s*[)]?$` and `\s*[(]\s*(?:words)([^()]*?)\s*[)]\s*$`
# backtracked over every space (a part of 3,000 spaces took 0.7 s, 200,000 an hour).


def _whole_deadline(part: str) -> str | None:
    """What follows the deadline word a part starts with (`截止 21:00`, `[until 21:00]`),
    without the closing bracket and spaces at its end; None when it starts with none."""
    at = _skip_spaces(part, 1 if part[:1] in _OPEN and part else 0)
    words = DEADLINE_WORDS.match(part, at)
    if words is None:
        return None
    end = len(part) - (1 if part.endswith("\n") else 0)  # `$` is also before a last line break
    end -= 1 if part[words.end() : end].endswith(tuple(_CLOSE)) else 0
    return part[words.end() : end].rstrip()


def _bracketed_deadline(part: str) -> tuple[int, str] | None:
    """Where a deadline in brackets at the end of a part starts (`桌游 [截止 21:00]`) and
    what follows its word; None when the part does not end with one."""
    close = len(part)
    while close > 0 and part[close - 1].isspace():
        close -= 1
    close -= 1
    if close < 0 or part[close] not in _CLOSE:
        return None
    opening = max(part.rfind(c, 0, close) for c in _OPEN)
    if opening < 0 or any(c in _CLOSE for c in part[opening + 1 : close]):
        return None
    words = DEADLINE_WORDS.match(part, _skip_spaces(part, opening + 1), close)
    if words is None:
        return None
    return opening, part[words.end() : close].rstrip()


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def read_deadline(said: str | None, now: datetime, zone: ZoneInfo,
                  default: timedelta) -> datetime | Problem:  # fmt: skip
    """The deadline a command gave (`split_deadline`), or `default` from now when it gave
    none; a `Problem` (`bad_deadline`, `past_deadline`: see `DEADLINE_TEXTS`) when it cannot
    be read or has passed."""
    if said is None:
        return now + default
    deadline = parse_deadline(said, now, zone) if said else None
    if deadline is None:
        return Problem("bad_deadline", said)
    if deadline <= now:
        return Problem("past_deadline", said)
    return deadline


# What a sign-up or poll command with a deadline it cannot use is answered (`{detail}`: the
# deadline as written), the same for both.
DEADLINE_TEXTS: dict[str, dict[Language, str]] = {
    "bad_deadline": {
        Language.ZH_CN: "看不懂截止时间「{detail}」。截止时间单独写一段，以「截止」开头，例如 "
        "| 截止 21:00、| 截止 明天 10:00、| 截止 周六晚上8点、| 截止 2h；其他各段不要以「截止」开头。",
        Language.EN: "I can't read the deadline '{detail}'. The deadline is a part of its own "
        "starting with 'until', e.g. | until 21:00, | until tomorrow 10:00, | until sat 8pm or "
        "| until 2h; no other part may start with 'until'.",
    },
    "past_deadline": {Language.ZH_CN: "截止时间「{detail}」已经过了。",
                      Language.EN: "The deadline '{detail}' has already passed."},
}  # fmt: skip


def _relative(words: str) -> timedelta | None:
    text = re.sub(r"^(?:in|after)\s+|\s*(?:以后|之后|后|later|from now)$", "", words)
    try:
        return parse_duration(text)
    except ValueError:
        return None


def _cn_numbers(text: str) -> str:
    """`八点半` → `8点半`, `十二点` → `12点` (the numbers people write before 点)."""

    def value(match: re.Match[str]) -> str:
        word = match.group(0)
        if "十" not in word:
            return "".join(str(_CN_DIGITS[c]) for c in word) if len(word) <= 2 else word
        tens, _, ones = word.partition("十")
        number = (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (
            _CN_DIGITS.get(ones, 0) if ones else 0
        )
        return str(number)

    return _CN_NUMBER.sub(lambda m: value(m) if _before_clock(text, m) else m.group(0), text)


def _before_clock(text: str, match: re.Match[str]) -> bool:
    return text[match.end() : match.end() + 1] in ("点", "时", "号", "日", "月")


def _day(words: str, today: date) -> tuple[date | None, bool, str]:
    """The day named in `words` (if any), whether it said evening, and the words left."""
    for pattern, reader in ((_ISO_DATE, _iso), (_SHORT_DATE, _short), (_WEEKDAY, _weekday),
                            (_DAY_WORD, _word)):  # fmt: skip
        found = pattern.search(words)
        if found is None:
            continue
        day = reader(found, today)
        if day is None:
            return None, False, words + " ?"  # a date that does not exist: unreadable
        rest = words[: found.start()] + " " + words[found.end() :]
        return day, found.group(0) in _EVENING_DAYS, rest
    return None, False, words


def _iso(found: re.Match[str], today: date) -> date | None:
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _short(found: re.Match[str], today: date) -> date | None:
    month, day = int(found.group(1)), int(found.group(2))
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _weekday(found: re.Match[str], today: date) -> date:
    if found.group(2):
        target, which = _WEEKDAYS[found.group(2)], found.group(1) or ""
        weeks = len(which) if which.startswith("下") else -len(which) if which else 0
        weeks = 1 if which.startswith("next") else weeks
    else:
        which = found.group(3) or ""
        target = _WEEKDAYS[found.group(4)]
        weeks = 1 if which.startswith("next") else -1 if which else 0
    if weeks:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * weeks + target)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _word(found: re.Match[str], today: date) -> date:
    word = found.group(0)
    return today + timedelta(days=_DAY_WORDS.get(word, _EVENING_DAYS.get(word, 0)))


def _clock(words: str, period: str | None) -> tuple[time | None, str]:
    found = _CLOCK.search(words)
    if found is None:
        if period == "中午":
            return time(12, 0), words
        return None, words
    rest = words[: found.start()] + " " + words[found.end() :]
    if found.group(1) is not None:
        hour, minute, suffix = int(found.group(1)), int(found.group(2)), found.group(3)
    elif found.group(4) is not None:
        half, minutes = found.group(5) or "", found.group(6)
        hour, minute, suffix = int(found.group(4)), 30 if half == "半" else int(minutes or 0), None
    else:
        hour, minute, suffix = int(found.group(7)), 0, found.group(8)
    if (
        suffix == "pm"
        or (period in ("下午", "傍晚", "晚上", "夜里", "晚") and hour < 12)
        or (period == "中午" and hour < 6)
    ):
        hour += 12 if hour < 12 else 0
    elif suffix == "am" and hour == 12:
        hour = 0
    if hour > 24 or minute > 59:
        return None, words + " ?"
    return (time(23, 59) if hour == 24 else time(hour, minute)), rest
