"""A full-size welcome: the skincare template with every text the welcome quotes at its
largest (a welcome of 8,000 characters quoting the purpose, 1,000, five times and the rules,
8,000 together), about 20,000 characters in all (68 KB in UTF-8: more than one Matrix event
holds), for each carrier's test that it arrives whole and in order. Its sentences are
numbered and hold emoji, one with a skin tone, so a part torn inside a sentence or an emoji
shows."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from hearthkeeper.capabilities.texts import say
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.templates import template_text

SENTENCE_ENDS = "。！？"


def _sentences(tag: str, count: int, per: int) -> str:
    """`count` numbered sentences of `per` characters, `tag` telling where they come from."""
    out = []
    for n in range(count):
        head = f"{tag}{n:03d}：涂防晒👍🏽"
        out.append((head + "护💧🌿" * per)[: per - 1] + SENTENCE_ENDS[n % 3])
    return "".join(out)


PURPOSE = _sentences("宗旨", 20, 50)  # 1,000 characters, one line
# two rules, 7,920 characters: the first, one line, is longer than a QQ or Telegram message
RULES = [_sentences("第1条", 80, 60), _sentences("第2条", 52, 60)]
PARAGRAPHS = ["\n".join(_sentences(f"欢迎{p}段{n}行", 10, 48) for n in range(5))
              for p in range(3)]  # fmt: skip
WELCOME = (
    "欢迎 {nickname} 加入{community}！💧\n我们在这里：{purpose}\n\n"
    + "\n\n".join(PARAGRAPHS)
    + "\n\n先花一分钟看群规：\n{rules}\n\n再说一遍我们为什么在这里：{purpose}\n"
    + "再说一遍：{purpose}\n还有一遍：{purpose}\n最后一遍：{purpose}"
)


def long_welcome_playbook(text: str | None = None) -> str:
    """The playbook `text` (the skincare template) with the full-size welcome."""
    loaded: dict[str, Any] = yaml.safe_load(text or template_text("skincare"))
    loaded["community"]["purpose"] = PURPOSE
    loaded["rules"]["texts"] = RULES
    loaded["joining"]["ceremony"]["welcome"] = WELCOME
    # open: a paid door would tell a joiner who came in unasked how to pay, after the welcome
    loaded["joining"]["threshold"] = {"kind": "open"}
    return yaml.safe_dump(loaded, allow_unicode=True, sort_keys=False, width=1_000_000)


def expected_welcome(nickname: str, community: str = "颜学院护肤社") -> str:
    """The welcome's own text (without the prompts the ceremony adds after it)."""
    rules = "\n".join(f"{i}. {rule}" for i, rule in enumerate(RULES, start=1))
    rules = say("rules_header", Language.ZH_CN) + "\n" + rules
    return WELCOME.format(nickname=nickname, community=community, purpose=PURPOSE, rules=rules)


def assert_arrived_whole(said: Sequence[str], nickname: str, limit: int,
                         length: Callable[[str], int] = len) -> None:  # fmt: skip
    """`said`, the bot's messages in the group in order, are the whole welcome: more than one,
    none over `limit` (as `length` counts), each but the last ending a sentence or a line of
    the welcome, and together the welcome, in order, once, then the ceremony's prompts."""
    welcome = expected_welcome(nickname)
    assert len(welcome) > 19_000
    assert len(said) > 1, "sent as one message"
    assert [length(part) for part in said if length(part) > limit] == []
    joined = re.sub(r"\s", "", "".join(said))
    whole = re.sub(r"\s", "", welcome)
    assert joined.startswith(whole), "a part is missing, out of order or sent twice"
    after = joined[len(whole) :]
    assert "请回复「同意」表示接受群规" in after and len(after) < 400, after
    at = 0
    for part in said[:-1]:
        found = welcome.find(part.strip(), at)
        assert found >= 0, f"not a piece of the welcome: {part[:20]!r}…"
        at = found + len(part.strip())
        ends_line = welcome[at : at + 1] in ("\n", "")
        assert part.rstrip()[-1] in SENTENCE_ENDS or ends_line, f"torn: …{part[-20:]!r}"
