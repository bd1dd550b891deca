"""Members warning each other: `网贷千万别碰`, `赌博害人`, `never take those payday loans`.

Such a message shares its topic words with the ads it warns about, so the learned scorer,
which reads words rather than intent, can score it as spam. A caution phrase (别碰, 骗子,
害人, beware, scam ...) marks it as a warning. The scanner then withholds the scorer's verdict
when nothing else in the message looks like an ad: no rule matched and it carries no link.
The rules themselves are not softened: a loan or gambling offer (无抵押, 注册送彩金), a
contact detail or a link still makes a warning-worded ad advertising.
"""

from __future__ import annotations

from hearthkeeper.text.keywords import KeywordSet
from hearthkeeper.text.normalise import MessageText

CAUTION_PHRASES: tuple[str, ...] = (
    # not 千万别 alone: 千万别错过 is an ad's own line
    "别碰", "不要碰", "千万别借", "千万别赌", "千万别玩", "千万别点", "千万不要借", "千万不要赌",
    "千万不要玩", "千万不要点", "别信", "不要信", "别上当", "不要上当", "上当",
    "骗子", "骗局", "骗人", "被骗", "被坑", "坑人", "害人", "害死", "小心", "当心", "警惕",
    "提防", "防骗", "举报", "报警", "都是假的",
    "never take", "don't take", "dont take", "stay away", "scam",
    "beware", "watch out", "avoid", "don't fall for", "dont fall for",
)  # fmt: skip

_PHRASES = KeywordSet((phrase, "caution") for phrase in CAUTION_PHRASES)


def caution(message: MessageText) -> str | None:
    """The first caution phrase in a message (as written in `CAUTION_PHRASES`), or None."""
    found = _PHRASES.find(message)
    return found[0].keyword if found else None
