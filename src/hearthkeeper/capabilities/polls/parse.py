"""Reading poll commands and votes, in Chinese and English.

Pure: `read_poll` reads `/poll 周末活动去哪 | 爬山 | 看展 | 桌游 [多选] [匿名] [截止 21:00]`
(or the options on lines of their own); `read_vote` reads `1`, `A`, `1 3`, `AC`, `选2`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.lists_common.deadline import parse_deadline, split_deadline
from hearthkeeper.capabilities.lists_common.reading import Problem, compact, normal

MAX_OPTIONS = 20
_SEGMENTS = re.compile(r"\s*[|\n]\s*")
_OPTION_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}|[A-Za-z])\s*[.、)]\s*|^\s*[(（【\[]\s*(?:\d{1,2}|[A-Za-z])\s*[)）】\]]\s*"
)
_FLAGS: dict[str, tuple[str, bool]] = {
    "多选": ("multiple", True), "可多选": ("multiple", True), "multiple": ("multiple", True),
    "multi": ("multiple", True), "multiple choice": ("multiple", True),
    "单选": ("multiple", False), "single": ("multiple", False), "single choice": ("multiple", False),
    "匿名": ("anonymous", True), "anonymous": ("anonymous", True), "anon": ("anonymous", True),
    "实名": ("anonymous", False), "公开": ("anonymous", False), "named": ("anonymous", False),
    "public": ("anonymous", False),
}  # fmt: skip
_FLAG_AT_END = re.compile(
    r"(?:^|\s)[\[【(（]?(" + "|".join(sorted(map(re.escape, _FLAGS), key=len, reverse=True))
    + r")[\]】)）]?\s*$",
    re.IGNORECASE,
)  # fmt: skip
_VOTE = re.compile(
    r"^(?:投票?|选|vote(?:\s+for)?|我选)?\s*[:：]?\s*([0-9A-Za-z ,，、/;；和&+]+?)\s*[。.!！]?$",
    re.I,
)
_TOKEN = re.compile(r"\d{1,2}|[A-Za-z]")
_SEPARATORS = re.compile(r"[\s,，、/;；和&+]+")


@dataclass(frozen=True)
class PollSpec:
    """A new poll, as written; None for a setting not given (the playbook's default applies)."""

    question: str
    options: tuple[str, ...]
    multiple: bool
    anonymous: bool | None
    deadline: datetime


def read_poll(rest: str, now: datetime, zone: ZoneInfo, default: timedelta) -> PollSpec | Problem:
    """Read a poll command's arguments; a `Problem` says what could not be read."""
    segments = [s for s in _SEGMENTS.split(normal(rest)) if s.strip()]
    settings: dict[str, bool] = {}
    when: str | None = None
    parts: list[str] = []
    for raw in segments:
        body, said = split_deadline(raw)
        when = said if said is not None else when
        body = _flags(body, settings)
        if body:
            parts.append(body)
    if not parts:
        return Problem("no_question")
    question, options = parts[0], [_OPTION_NUMBERING.sub("", o, count=1).strip() for o in parts[1:]]
    options = [o for o in options if o]
    if len(options) < 2:
        return Problem("few_options")
    if len(options) > MAX_OPTIONS:
        return Problem("many_options", str(MAX_OPTIONS))
    seen = [compact(o) for o in options]
    if len(set(seen)) < len(seen):
        return Problem("duplicate_option", next(o for o in options if seen.count(compact(o)) > 1))
    if when is None:
        deadline: datetime | None = now + default
    else:
        deadline = parse_deadline(when, now, zone) if when else None
        if deadline is None:
            return Problem("bad_deadline", when)
        if deadline <= now:
            return Problem("past_deadline", when)
    assert deadline is not None
    return PollSpec(question[:200], tuple(o[:100] for o in options),
                    settings.get("multiple", False), settings.get("anonymous"), deadline)  # fmt: skip


def read_vote(text: str) -> tuple[int, ...] | None:
    """The options a vote names, as 0-based indexes (`1 3` → (0, 2), `AC` → (0, 2)); None
    when the text is not a vote."""
    said = normal(text)
    if not said or len(said) > 30:
        return None
    found = _VOTE.match(said)
    if found is None or not found.group(1)[:1].isalnum():
        return None  # `+1` is a sign-up, not a vote
    tokens: list[str] = []
    for chunk in _SEPARATORS.split(found.group(1).strip()):
        if _TOKEN.fullmatch(chunk):
            tokens.append(chunk)
        elif chunk.isascii() and chunk.isalpha() and chunk.isupper() and len(chunk) <= 5:
            tokens.extend(chunk)  # `AC`
        elif chunk:
            return None  # something besides option numbers and letters
    indexes = [int(t) - 1 if t.isdigit() else ord(t.upper()) - ord("A") for t in tokens]
    if not indexes or any(i < 0 for i in indexes):
        return None
    return tuple(dict.fromkeys(indexes))


def _flags(segment: str, settings: dict[str, bool]) -> str:
    """Take `多选`, `匿名`, `[multiple]` ... off the end of a segment (or the whole of it)."""
    while True:
        found = _FLAG_AT_END.search(segment)
        if found is None:
            return segment.strip()
        key, value = _FLAGS[found.group(1).lower()]
        settings[key] = value
        segment = segment[: found.start()]
