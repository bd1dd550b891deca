"""Text normalisation and violation detectors: pure functions of a message's text.

Nothing here reads a store, a clock or the network: detectors are built once from the
playbook and then called per message (`Scanner`), and the time-based ones (`FloodWindow`,
`RepeatWindow`) are told the time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.lazy import exports

if TYPE_CHECKING:
    from hearthkeeper.text.contact import ContactDetector
    from hearthkeeper.text.findings import Finding
    from hearthkeeper.text.flooding import FloodWindow
    from hearthkeeper.text.invites import InviteDetector
    from hearthkeeper.text.keywords import KeywordDetector, KeywordSet
    from hearthkeeper.text.links import LinkDetector, find_links
    from hearthkeeper.text.mentions import MentionSpamDetector, count_mentions
    from hearthkeeper.text.normalise import MessageText, compact, normalise, prepare
    from hearthkeeper.text.qr import contains_qr, read_qr_codes
    from hearthkeeper.text.repeats import RepeatWindow
    from hearthkeeper.text.scan import Scanner, is_advertising

# Imported on first use: the playbook's checks need `normalise` alone, and the QR reader (Pillow)
# and the scanner only matter when messages are scanned (hearthkeeper/lazy.py).
__getattr__ = exports(
    __name__,
    {
        "ContactDetector": ".contact",
        "Finding": ".findings",
        "FloodWindow": ".flooding",
        "InviteDetector": ".invites",
        "KeywordDetector": ".keywords",
        "KeywordSet": ".keywords",
        "LinkDetector": ".links",
        "find_links": ".links",
        "MentionSpamDetector": ".mentions",
        "count_mentions": ".mentions",
        "MessageText": ".normalise",
        "compact": ".normalise",
        "normalise": ".normalise",
        "prepare": ".normalise",
        "contains_qr": ".qr",
        "read_qr_codes": ".qr",
        "RepeatWindow": ".repeats",
        "Scanner": ".scan",
        "is_advertising": ".scan",
    },
)

__all__ = [
    "ContactDetector",
    "Finding",
    "FloodWindow",
    "InviteDetector",
    "KeywordDetector",
    "KeywordSet",
    "LinkDetector",
    "MentionSpamDetector",
    "MessageText",
    "RepeatWindow",
    "Scanner",
    "compact",
    "contains_qr",
    "count_mentions",
    "find_links",
    "is_advertising",
    "normalise",
    "prepare",
    "read_qr_codes",
]
