"""Checks of the playbook's keyword lists: keywords are literal text, matched after folding.

Moderation keywords are found with Aho-Corasick on the *compact* normalised form of a
message (`hearthkeeper.text`): spaces and punctuation are folded away, look-alikes folded
together. So a keyword written as a regular expression does not do what its author meant:
`(a+)+$` compacts to `a`, which then deletes every message with the word "a" in it. Such
keywords are errors; a keyword of one Latin letter or digit, or of nothing that can match,
too. Two Latin letters match as a word of their own ("sb"), which is sometimes meant, so
they are only a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from hearthkeeper.playbook.model import Playbook
from hearthkeeper.text.controls import quoted
from hearthkeeper.text.normalise import compact, normalise

Loc = tuple[str | int, ...]

_MODERATED = ("advertising", "contact", "invites", "insults")

# What gives a regular expression away, and how to say it; each sign is one a literal word
# or a chat phrase practically never has ("c++", "+1", "[红包]", "t.me/joinchat" pass).
_REGEX_SIGNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\\[dDwWsSbB]"), r"\d, \w, \s and \b are regular-expression classes"),
    (re.compile(r"\\[.()\[\]{}|+*?^$/\\-]"), "a backslash escape is regular-expression syntax"),
    (re.compile(r"\[\^|\[[^\]]*\w-\w[^\]]*\]"), "[a-z] and [^…] are regular-expression classes"),
    (re.compile(r"\)[+*?{]"), "a group followed by +, *, ? or {n} is a regular-expression repeat"),
    (re.compile(r"\.[*+]"), ".* and .+ are regular-expression wildcards"),
    (re.compile(r"\{\d+(?:,\d*)?\}"), "{n} and {n,m} are regular-expression repeats"),
    (re.compile(r"\S\|\S"), "| separates regular-expression alternatives"),
    (re.compile(r"^\^[\w(\[\\]|[)+*?\]}]\$$"), "^ and $ are regular-expression anchors"),
)


@dataclass(frozen=True)
class KeywordFinding:
    """A keyword that is wrong (`warning` False) or suspicious, where, and why."""

    loc: Loc
    message: str
    warning: bool = False


# What a Chinese input method types between the words of a list: `[退款，退费]` is a list of
# one keyword, 退款，退费, which matches only a message saying 退款退费 (punctuation folded away)
_WIDE_SEPARATORS = re.compile("[，、；]")


def check_keywords(pb: Playbook) -> list[KeywordFinding]:
    """Every keyword of every literal keyword list that is a mistake or looks like one."""
    found = [
        finding
        for loc, keywords, whole in _keyword_lists(pb)
        for index, keyword in enumerate(keywords)
        if (
            finding := _joined((*loc, index), keyword)
            or _check((*loc, index), keyword, whole=whole)
        )
        is not None
    ]
    signups = pb.mechanisms.signups
    for field, keywords in (("join_keywords", signups.join_keywords),
                            ("cancel_keywords", signups.cancel_keywords)):  # fmt: skip
        for index, keyword in enumerate(keywords):
            finding = _joined(("mechanisms", "signups", field, index), keyword)
            if finding is not None:
                found.append(finding)
    return found


def _joined(loc: Loc, keyword: str) -> KeywordFinding | None:
    """A keyword that is several written with a Chinese comma between them."""
    if not _WIDE_SEPARATORS.search(keyword):
        return None
    parts = [p.strip() for p in _WIDE_SEPARATORS.split(keyword) if p.strip()]
    if len(parts) < 2:
        return None
    separator = _WIDE_SEPARATORS.search(keyword)
    assert separator is not None
    return KeywordFinding(
        loc,
        f"keyword {quoted(keyword)} is several words joined by {quoted(separator.group())}: in a "
        "YAML list only the ASCII comma ',' separates items, so this is one keyword, matched "
        "only where a message says all of it; write each as a keyword of its own: "
        f"[{', '.join(parts)}]",
    )


def _keyword_lists(pb: Playbook) -> Iterator[tuple[Loc, list[str], bool]]:
    """The keyword lists matched as literal text, and whether a keyword is read as a whole
    word at the start of a message (check-ins: `1` there is a complete check-in, so only the
    regular-expression check applies). Sign-up replies (`+1`, `接龙`) are left out: they
    are compared with a whole reply."""
    violations = pb.rules.violations
    for kind in _MODERATED:
        detector = getattr(violations, kind)
        loc: Loc = ("rules", "violations", kind)
        yield (*loc, "keywords"), detector.keywords, False
        yield (*loc, "extra_keywords"), detector.extra_keywords, False
    for index, entry in enumerate(pb.mechanisms.faq.entries):
        yield ("mechanisms", "faq", "entries", index, "keywords"), entry.keywords, False
    yield ("mechanisms", "check_in", "keywords"), pb.mechanisms.check_in.keywords, True
    for index, tags in enumerate(pb.mechanisms.tags):
        for value, words in tags.expert_topics.items():
            yield ("mechanisms", "tags", index, "expert_topics", value), words, False


def _check(loc: Loc, keyword: str, *, whole: bool) -> KeywordFinding | None:
    key = compact(normalise(keyword))
    for pattern, why in _REGEX_SIGNS:
        if pattern.search(keyword):
            return KeywordFinding(loc, _regex_message(keyword, key, why))
    if whole:
        return None
    if not key:
        return KeywordFinding(
            loc,
            f"keyword {quoted(keyword)} has no letters or digits, so it can never match (spaces "
            "and punctuation are ignored when keywords are matched): write a word or remove it",
        )
    if len(key) == 1 and key.isascii() and key.isalnum():
        return KeywordFinding(
            loc,
            f"keyword {quoted(keyword)} is the single character {quoted(key)}: it would match every "
            f"message where {quoted(key)} stands on its own, ordinary sentences included; write the "
            "whole word or phrase you mean",
        )
    if len(key) == 2 and key.isascii() and key.isalnum() and any(c.isalpha() for c in key):
        return KeywordFinding(
            loc,
            f"keyword {quoted(keyword)} is only two Latin characters: it matches wherever {quoted(key)} "
            "stands as a word of its own (also written with dots or spaces between); make "
            "sure ordinary messages do not say it, or write a longer keyword",
            warning=True,
        )
    return None


def _regex_message(keyword: str, key: str, why: str) -> str:
    shown = f"{quoted(key)}" if key else "nothing"
    advice = "write the words themselves, one keyword for each wording"
    if "|" in keyword and not any(c in keyword for c in "\\[]()*+?{}^$"):
        parts = ", ".join(repr(p.strip()) for p in keyword.split("|") if p.strip())
        advice = f"list each alternative as a keyword of its own: {parts}"
    elif re.search(r"\\d|\[0-9\]", keyword):
        advice += " (phone numbers are found by rules.violations.contact.phone_numbers)"
    return (
        f"keyword {quoted(keyword)} looks like a regular expression ({why}), but keywords are "
        f"literal text: with spaces and punctuation ignored it matches {shown}; {advice}"
    )
