"""Reading poll commands and votes, in Chinese and English.

Pure: `read_poll` reads `/poll 周末活动去哪 | 爬山 | 看展 | 桌游 [多选] [匿名] [截止 21:00]`
(or the options on lines of their own); `read_vote` reads `1`, `A`, `1 3`, `AC`, `选2`, and
`named_options` the options a reply names by their own text (an option called `A`).

The deadline is a part of its own that starts with a deadline word (`| 截止 21:00`,
`| until 21:00`), or one in brackets at the end of a part (`桌游 [截止 21:00]`). Elsewhere a
deadline word is only text unless a readable time follows it to the end of its part: an
option `周五截止` or a question `哪天截止报名` stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.lists_common.deadline import read_deadline, split_deadline
from hearthkeeper.capabilities.lists_common.reading import Problem, compact, normal

MAX_OPTIONS = 20
_SEGMENTS = re.compile(r"[|\n]")  # each part stripped after: `\s*[|\n]\s*` was quadratic
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
# Read without a regular expression, in one pass from the end: `(?:^|\s)[\[【(（]?(flag)[\]】)）]?
# \s*$` searched, and a vote's `…\s*([…]+?)\s*[。.!！]?$`, backtracked over every space (4,000
# spaces in a `/poll` took 0.2 s, 200,000 minutes).
_LONGEST_FIRST = sorted(_FLAGS, key=len, reverse=True)
_LONGEST = len(_LONGEST_FIRST[0])
_OPENING, _CLOSING = "[【(（", "]】)）"
_VOTE_PREFIXES = ("投票", "投", "选", "vote", "我选")
# the words a Chinese vote for an option by its own text starts with (`我选杭州`)
_WORDED_PREFIXES = ("我选", "我投", "投票", "投", "选")
_VOTE_CHARS = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ,，、/;；和&+"
)
_VOTE_ENDS = "。.!！"
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
    segments = [s.strip() for s in _SEGMENTS.split(normal(rest)) if s.strip()]
    settings: dict[str, bool] = {}
    when: str | None = None
    parts: list[str] = []
    setting_first = False
    for n, raw in enumerate(segments):
        body, said = split_deadline(_flags(raw, settings), now, zone, first=n == 0)
        when = said if said is not None else when
        body = _flags(body, settings)
        if body:
            parts.append(body)
        elif n == 0:
            setting_first = True
    if not parts:
        return Problem("no_question")
    deadline = read_deadline(when, now, zone, default)
    if isinstance(deadline, Problem):
        return deadline
    question, options = parts[0], [_OPTION_NUMBERING.sub("", o, count=1).strip() for o in parts[1:]]
    options = [o for o in options if o]
    if len(options) < 2:
        # `/poll 截止 21:00 | 甲 | 乙`: the question taken for an option is what went wrong
        return Problem("question_first" if setting_first else "few_options")
    if len(options) > MAX_OPTIONS:
        return Problem("many_options", str(MAX_OPTIONS))
    seen = [compact(o) for o in options]
    if len(set(seen)) < len(seen):
        return Problem("duplicate_option", next(o for o in options if seen.count(compact(o)) > 1))
    return PollSpec(question[:200], tuple(o[:100] for o in options),
                    settings.get("multiple", False), settings.get("anonymous"), deadline)  # fmt: skip


def read_vote(text: str) -> tuple[int, ...] | None:
    """The options a vote names, as 0-based indexes (`1 3` → (0, 2), `AC` → (0, 2)); None
    when the text is not a vote."""
    said = normal(text)
    if not said or len(said) > 30:
        return None
    body = _vote_body(said)
    if body is None or not body[:1].isalnum():
        return None  # `+1` is a sign-up, not a vote
    tokens: list[str] = []
    for chunk in _SEPARATORS.split(body.strip()):
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


def named_options(text: str, options: Sequence[str]) -> tuple[int, ...] | None:
    """The options a reply names by their own text, 0-based: the whole reply (`A` or `选A`
    when an option is called `A`), or each of its parts (`A C`, `AC`); None when it does not
    name options that way (then its numbers and letters are positions)."""
    names = {compact(o): i for i, o in enumerate(options)}
    body = _vote_body(text)
    for whole in (compact(text), None if body is None else compact(body)):
        if whole in names:
            return (names[whole],)
    for written in _option_texts(text):  # `我选杭州`, `选：杭州`, `投 杭州！`
        if compact(written) in names:
            return (names[compact(written)],)
    if body is None:
        return None
    found: list[int] = []
    for chunk in _SEPARATORS.split(body.strip()):
        if compact(chunk) in names:
            found.append(names[compact(chunk)])
        elif (
            chunk.isascii()
            and chunk.isalpha()
            and chunk.isupper()
            and len(chunk) <= 5
            and all(c.lower() in names for c in chunk)
        ):
            found.extend(names[c.lower()] for c in chunk)
        elif chunk:
            return None
    return tuple(dict.fromkeys(found)) or None


def names_by_text(text: str) -> bool:
    """Whether a reply may vote for an option by its own words (`我选杭州`, `选 看展`): a vote's
    word and something after it. Which option, if any, only the open poll can say."""
    said = normal(text)
    return said.startswith(_WORDED_PREFIXES) and any(_option_texts(said))


def _option_texts(text: str) -> Iterator[str]:
    """What follows a vote's word (`我选`, `选`, `投`, `投票`), without a `:` after it or a
    `。` or `！` at the end: the words an option may be named by."""
    said = normal(text)
    for prefix in _WORDED_PREFIXES:
        if said.startswith(prefix):
            written = said[len(prefix) :].strip().lstrip(":：").strip().rstrip(_VOTE_ENDS).strip()
            if written:
                yield written


def has_letters(text: str) -> bool:
    """Whether a vote names options by letter (`B`, `AC`), not only by number."""
    body = _vote_body(text)
    return body is not None and any(c.isascii() and c.isalpha() for c in body)


def _vote_body(text: str) -> str | None:
    """What a vote names, without `选`, `vote` and the like (an optional `:` after them and a
    `。` or `!` at the end); None when it is not a vote."""
    said = normal(text)
    for rest in _after_prefix(said):
        start, end, spaced = _skip_spaces(rest, 0), len(rest), 0
        if start < end and rest[start] in ":：":
            spaced = start + 1
            start = _skip_spaces(rest, spaced)
        if end > start and rest[end - 1] in _VOTE_ENDS:
            end -= 1
        if start == end and " " in rest[spaced:end]:
            return " "  # `vote  !`: only a space, which names nothing
        while end > start and rest[end - 1].isspace():
            end -= 1
        body = rest[start:end]
        if body and all(c in _VOTE_CHARS for c in body):
            return body
    return None


def _after_prefix(said: str) -> Iterator[str]:
    """`said` without each way a vote may start (`投票`, `选`, `vote for` …), longest first,
    then whole."""
    for prefix in _VOTE_PREFIXES:
        if said[: len(prefix)].lower() == prefix:
            if prefix == "vote":  # `vote for 2`
                after = _skip_spaces(said, 4)
                if after > 4 and said[after : after + 3].lower() == "for":
                    yield said[after + 3 :]
            yield said[len(prefix) :]
    yield said


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _flags(segment: str, settings: dict[str, bool]) -> str:
    """Take `多选`, `匿名`, `[multiple]` ... off the end of a segment (or the whole of it):
    each a word of its own (at the start or after a space), in brackets or not."""
    end = len(segment)
    while True:
        found = _flag_before(segment, end)
        if found is None:
            return segment[:end].strip()
        start, flag = found
        key, value = _FLAGS[flag]
        settings[key] = value
        end = start


def _flag_before(segment: str, end: int) -> tuple[int, str] | None:
    """The flag `segment[:end]` ends with (after it only a closing bracket and spaces), where
    it starts (with its opening bracket) and which; None when it ends with none."""
    stop = end
    while stop > 0 and segment[stop - 1].isspace():
        stop -= 1
    if stop > 0 and segment[stop - 1] in _CLOSING:
        stop -= 1
    tail = segment[max(stop - _LONGEST, 0) : stop].lower()
    for flag in _LONGEST_FIRST:
        if not tail.endswith(flag):
            continue
        start = stop - len(flag)
        if start > 0 and segment[start - 1] in _OPENING:
            start -= 1
        if start == 0 or segment[start - 1].isspace():
            return start, flag
    return None
