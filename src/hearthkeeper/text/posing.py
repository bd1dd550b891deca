"""Display names that pose as the community's staff or the system speaking. Pure.

A name is read as words (look-alikes, width and case folded; digits, emoji and separators
are not words; camel case and a change of script part words too: `AdminBob` is `Admin Bob`,
`Admin小王` is `Admin 小王`). It wears a word (an `AUTHORITY` word, a staff role's title) as
a title when the word is:

- the whole name: `Admin`, `admin1`, `_admin_`, `Admin-2`, `系统通知`, `a d m i n`;
- in brackets anywhere: `[admin] bob`, `bob (mod)`, `【官方】客服`;
- at either end, set off by punctuation rather than a space: `Admin: Bob Smith`,
  `客服 | 小王`;
- at either end beside one other word, a title with a name: `Moderator Kim`, `Bob Admin`,
  `ModKim`, `管理-小王` — for a word that names a person's role (admin, mod, staff, official,
  管理 …), not one that names a service or the system (`SERVICE`: support, system, notice,
  announcement, 系统, 通知, 公告), which beside a name is an everyday word (`Support Ukraine`,
  `Notice me`, `Emotional Support`), nor a staff title, often an everyday word too
  (`Content Creator`);
- one of the words of a name made only of `AUTHORITY` words and words of a service's own
  (`SERVICE_WORDS`: team, desk, bot, message, tech, customer, 助手, 团队 …): `Support Team`,
  `Tech Support`, `Customer Support Team`, `System Message`, `系统助手`, `管理团队`.

A word inside a phrase is not a title: `System of a Down fan`, `I am not an admin`, nor is a
longer word that starts with one: `administrative assistant`, `Moderation fan`, `Supporter`,
`Modern Family`. Chinese writes no spaces, so the unmistakable Chinese words
(`STAFF_CHINESE`: 管理员, 客服, 官方 …) count anywhere in a name (`小王管理员`, `官方客服小美`);
the ones common in other words (管理 in 时间管理, 系统 in 系统学习) only as the rules above
read them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

from hearthkeeper.text.normalise import compact, normalise

# Words that make a name read as the community's staff or the system speaking, whatever the
# playbook calls its roles.
AUTHORITY = (
    "管理员", "管理", "群主", "群管", "版主", "超管", "站长", "客服", "官方", "官方客服", "系统",
    "系统通知", "系统消息", "通知", "公告", "群公告", "工作人员", "审核",
    "admin", "administrator", "moderator", "mod", "system", "official", "staff", "support",
    "notice", "announcement",
)  # fmt: skip
# Chinese words that read as staff wherever they stand in a name (Chinese has no spaces to
# set a title off); the others of `AUTHORITY` are common inside everyday words.
STAFF_CHINESE = (
    "管理员", "群主", "群管", "版主", "超管", "客服", "官方", "官方客服", "工作人员", "系统通知",
    "系统消息", "群公告",
)  # fmt: skip
# `AUTHORITY` words naming a service or the system speaking rather than a person's role:
# beside a name they are everyday words (`Support Ukraine`, `Notice me`)
SERVICE = ("system", "support", "notice", "announcement", "系统", "通知", "公告")
# Words of a service's own: a name made only of these and `AUTHORITY` words is a service's
# (`Support Team`, `Tech Support`, `System Message`, `系统助手`), none of them alone is
SERVICE_WORDS = (
    "team", "desk", "helpdesk", "bot", "service", "services", "center", "centre", "account",
    "message", "messages", "update", "updates", "alert", "alerts", "office", "department",
    "crew", "channel", "board", "assistant", "agent", "line", "hotline", "tech", "technical",
    "customer", "customers", "member", "members", "user", "users", "community", "group",
    "助手", "小助手", "团队", "中心", "服务", "消息", "提醒", "机器人", "账号", "平台",
)  # fmt: skip
_OPEN, _CLOSE = "[【［(（〔〖「『<《{〈", "]】］)）〕〗」』>》}〉"
_SET_OFF = frozenset(":：-–—|｜·•_/\\,，~～" + _OPEN + _CLOSE)
_WORD = re.compile(r"[^\W\d_]+")  # letters: digits, emoji and separators part words


def word_key(word: str) -> str:
    """How a word compares: look-alike letters, width, case, spaces and punctuation folded."""
    folded = normalise(word)
    return compact(folded) or folded


@cache
def _keys(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((key, word) for word in words if (key := word_key(word)))


def posing_as(name: str, words: Sequence[str] = AUTHORITY, *, beside: bool = True) -> str | None:
    """The word of `words` that `name` wears as a title (see the module's rules; `beside`:
    a word beside one other counts, as for `AUTHORITY`, not for staff titles), folded
    (`admin` for `ＡＤＭＩＮ`, `Аdmin` or `a d m i n`), or the word for a Chinese one found
    within a name; None if it wears none."""
    return _posing_as(name, tuple(words), beside)


def title_worn(name: str, titles: Sequence[str]) -> str | None:
    """The staff title of `titles` that `name` wears: the whole name, in brackets, or set off
    by punctuation (`院长`, `【院长】小王`, `院长-小王`, `Creator: Kim`); not `Content Creator`,
    a title being often an everyday word."""
    return _posing_as(name, tuple(titles), False)


@lru_cache(maxsize=4096)  # moderation asks about the same few names message after message
def _posing_as(name: str, words: tuple[str, ...], beside: bool) -> str | None:
    # words are cut from the name as written (normalising drops the brackets and punctuation
    # that set a title off, and the letter case that parts `AdminBob`), then each folded as
    # `word_key` folds (look-alikes, width, case)
    text = unicodedata.normalize("NFKC", name)
    keys = _keys(words)
    wanted = {key for key, _ in keys}
    services = _service_keys() if beside else frozenset()
    found = [(start, end, key, unit) for start, end, unit in _words(text)
             if (key := word_key(text[start:end]))]  # fmt: skip
    for first in range(len(found)):
        joined = ""
        for last in range(first, len(found)):
            joined += found[last][2]
            if len(joined) > 40:
                break
            if joined in wanted and _titled(text, found, first, last,
                                            beside and joined not in services):  # fmt: skip
                return joined
    # a service's name: `Support Team`, `Tech Support`, `系统助手`, `supportteam`
    served = _made_of("".join(w[2] for w in found), frozenset(wanted)) if beside else None
    if served is not None:
        return served
    whole = compact(normalise(name))
    if whole in wanted:  # spelled out letter by letter (`a d m i n`, `院 长`)
        return whole
    # the first Chinese staff word within the name, the longest there (`官方客服`, not `官方`)
    within = [(whole.find(key), -len(key), word) for key, word in keys
              if word in STAFF_CHINESE and key in whole]  # fmt: skip
    return min(within)[2] if within else None


@cache
def _service_keys() -> frozenset[str]:
    return frozenset(key for key, _ in _keys(SERVICE))


@cache
def _service_word_keys() -> frozenset[str]:
    return frozenset(key for key, _ in _keys(SERVICE_WORDS))


def _words(text: str) -> list[tuple[int, int, int]]:
    """The spans of the words of `text`: runs of letters, parted where a lower-case letter is
    followed by a capital (`AdminBob`), before the capital that starts a word after a run of
    capitals (`ADMINBob`), and where letters with case meet letters without (`Admin小王`);
    each with the run it was cut from (`GitHub` is one other word beside `Admin`)."""
    spans: list[tuple[int, int, int]] = []
    for unit, match in enumerate(_WORD.finditer(text)):
        start, run = match.start(), match.group()
        if (run.isascii() and (run.islower() or run.isupper() or run.istitle())) \
                or run.lower() == run.upper():  # fmt: skip
            spans.append((start, match.end(), unit))  # one case, or no case (Chinese)
            continue
        for at in range(match.start() + 1, match.end()):
            before, char = text[at - 1], text[at]
            after = text[at + 1] if at + 1 < match.end() else ""
            if (before.islower() and char.isupper()) \
                    or (before.isupper() and char.isupper() and after.islower()) \
                    or _cased(before) != _cased(char):  # fmt: skip
                spans.append((start, at, unit))
                start = at
        spans.append((start, match.end(), unit))
    return spans


def _cased(char: str) -> bool:
    return char.isupper() or char.islower()


def _made_of(text: str, wanted: frozenset[str]) -> str | None:
    """The first word of `wanted` in `text` when `text` is made only of words of `wanted`
    and `SERVICE_WORDS` (one of `wanted` at least), else None."""
    if not text or not any(word in text for word in wanted):
        return None  # most names: no word to wear
    starting = _by_first_letter(wanted)
    # worn[i]: for text[i:], None if it is not made of the vocabulary, else the first word of
    # `wanted` in it ("" if it has none)
    worn: list[str | None] = [None] * len(text) + [""]
    for start in range(len(text) - 1, -1, -1):
        for word in starting.get(text[start], ()):
            rest = worn[start + len(word)] if text.startswith(word, start) else None
            if rest is None:
                continue
            here = word if word in wanted else rest
            if here or worn[start] is None:
                worn[start] = here
            if here:
                break
    return worn[0] or None


@lru_cache(maxsize=16)
def _by_first_letter(wanted: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The words of `wanted` and `SERVICE_WORDS` by their first letter."""
    starting: dict[str, list[str]] = {}
    for word in sorted(wanted | _service_word_keys()):
        starting.setdefault(word[0], []).append(word)
    return {letter: tuple(words) for letter, words in starting.items()}


def _titled(text: str, found: list[tuple[int, int, str, int]], first: int, last: int,
            beside: bool) -> bool:  # fmt: skip
    """Whether words `first`..`last` of `found` (spans in `text`, the runs of letters they
    were cut from) stand as a title."""
    others = len({w[3] for at, w in enumerate(found) if not first <= at <= last})
    before = text[found[first - 1][1] if first else 0 : found[first][0]]
    after = text[found[last][1] : found[last + 1][0] if last + 1 < len(found) else len(text)]
    if others == 0:
        return True
    if any(c in _OPEN for c in before) and any(c in _CLOSE for c in after):
        return True
    if first == 0:
        return (beside and others == 1) or any(c in _SET_OFF for c in after)
    if last == len(found) - 1:
        return (beside and others == 1) or any(c in _SET_OFF for c in before)
    return False
