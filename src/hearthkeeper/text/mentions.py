"""Mention spam: too many @-mentions in one message, or a mention of everyone; and a
message's text without the names of the members it mentions (what the learned scorer reads)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.normalise import MessageText

# '@name' not preceded by a word character: "bob@example.com" is an address, not a mention.
_MENTION = re.compile(r"(?<![\w.+-])@[^\s@,，。!?;:]{1,32}")
_EVERYONE = frozenset({"@all", "@everyone", "@here", "@channel", "@所有人", "@全体成员"})


def without_mentions(text: str, names: Iterable[str]) -> str:
    """`text` with the names of the members it mentions taken out, each name once, as one
    mention puts it in the text: its `@name` (or `＠name`, what Chinese keyboards type), as the
    web chat's client inserts it, or else the bare name standing alone, as a Matrix pill or a
    Telegram mention of a member without a username shows it. `names` are those the carrier
    resolved to members (`Message.mentions`): other `@handle` text is left as written
    (`telegram @shop` is the advertiser's own words), and so is every further copy of a
    mentioned name (`@AD AD AD` from a member named like an ad still reads `AD AD`)."""
    wanted = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    for name in wanted:  # the longest first: "@Anna" is Anna's, not "@Ann" + "a"
        quoted = re.escape(name)
        # not inside an address: "ann@example.com" is neither a mention of ann nor of example
        at = re.compile(rf"(?<![\w.+-])[@＠]{quoted}", re.IGNORECASE)
        bare = re.compile(rf"(?<![\w@＠.+-]){quoted}(?![\w@＠])", re.IGNORECASE)
        text = at.sub(" ", text, count=1) if at.search(text) else bare.sub(" ", text, count=1)
    return text


def count_mentions(normalised: str) -> int:
    """How many '@name' mentions a normalised message holds."""
    return len(_MENTION.findall(normalised)) if "@" in normalised else 0


def mentions_everyone(normalised: str) -> str | None:
    """The mention that pings the whole group (@all, @everyone, @所有人), if any."""
    if "@" not in normalised:
        return None
    return next((m for m in _MENTION.findall(normalised) if m in _EVERYONE), None)


class MentionSpamDetector:
    """More mentions in one message than the playbook allows."""

    def __init__(self, max_mentions: int) -> None:
        self.max_mentions = max_mentions

    def __call__(self, message: MessageText, mentions: int = 0) -> list[Finding]:
        """A finding when the message mentions more members than allowed, or everyone.

        `mentions` is the carrier's own count (mentions that carry no '@' in the text); the
        larger of it and the '@name' tokens in the text counts.
        """
        everyone = mentions_everyone(message.normalised)
        if everyone is not None:
            return [
                Finding(
                    ViolationKind.MENTION_SPAM.value,
                    everyone,
                    f"'{everyone}' pings the whole group",
                )
            ]
        count = max(mentions, count_mentions(message.normalised))
        if count <= self.max_mentions:
            return []
        return [
            Finding(
                ViolationKind.MENTION_SPAM.value,
                f"{count} mentions",
                f"{count} mentions in one message (at most {self.max_mentions} allowed)",
            )
        ]
