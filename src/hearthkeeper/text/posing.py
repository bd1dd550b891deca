"""Display names that pose as the community's staff or the system speaking. Pure.

A name wears a word (an `AUTHORITY` word, a staff role's title) as a title when the word,
matched on whole words (look-alikes, width and case folded; digits, emoji and separators
are not words), is:

- the whole name: `Admin`, `admin1`, `_admin_`, `Admin-2`, `系统通知`, `a d m i n`;
- in brackets anywhere: `[admin] bob`, `bob (mod)`, `【官方】客服`;
- at either end beside one other word, a title with a name: `Moderator Kim`, `Bob Admin`,
  `管理-小王` (not for a staff title, often an everyday word: `Content Creator`);
- at either end, set off by punctuation rather than a space: `Admin: Bob Smith`,
  `客服 | 小王`.

A word inside a phrase is not a title: `System of a Down fan`, `I am not an admin`, nor is a
longer word that starts with one: `administrative assistant`, `Moderation fan`. Chinese
writes no spaces, so the unmistakable Chinese words (`STAFF_CHINESE`: 管理员, 客服, 官方 …)
count anywhere in a name (`小王管理员`, `官方客服小美`); the ones common in other words
(管理 in 时间管理, 系统 in 系统学习) only as the rules above read them."""

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
    # that set a title off), then each folded as `word_key` folds (look-alikes, width, case)
    text = unicodedata.normalize("NFKC", name).casefold()
    keys = _keys(words)
    wanted = {key for key, _ in keys}
    found = [
        (m.start(), m.end(), key) for m in _WORD.finditer(text) if (key := word_key(m.group()))
    ]
    for first in range(len(found)):
        joined = ""
        for last in range(first, len(found)):
            joined += found[last][2]
            if len(joined) > 40:
                break
            if joined in wanted and _titled(text, found, first, last, beside):
                return joined
    whole = compact(normalise(name))
    if whole in wanted:  # spelled out letter by letter (`a d m i n`, `院 长`)
        return whole
    # the first Chinese staff word within the name, the longest there (`官方客服`, not `官方`)
    within = [(whole.find(key), -len(key), word) for key, word in keys
              if word in STAFF_CHINESE and key in whole]  # fmt: skip
    return min(within)[2] if within else None


def _titled(text: str, found: list[tuple[int, int, str]], first: int, last: int,
            beside: bool) -> bool:  # fmt: skip
    """Whether words `first`..`last` of `found` (spans in `text`) stand as a title."""
    others = len(found) - (last - first + 1)
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
