"""A bot text longer than one message of its platform, cut into the parts it is sent in. Pure.

Every carrier cuts here, at the limit it declares (`Capabilities.max_text`, counted as its
platform counts: characters for the web chat and QQ, UTF-16 units for Telegram, the event's
bytes too for Matrix). Each part is as long as fits and ends at the best place before the
limit: a paragraph's end (a blank line), then a line's end, a sentence's end (`。！？`, or
`.!?` before a space, closing quotes kept with their sentence), a word's end (a space, or
Chinese `，、；：`), sought in that order first in the second half of what fits (a part is not
a tenth of a message for a paragraph's sake), then anywhere in it; else the last place between
two grapheme clusters, so an emoji with its skin tone, a flag, a family joined by ZWJ or a
letter with its accents is never torn (Python's text has no surrogates to split; a measure in
UTF-16 units counts a pair as two). Only the whitespace at a cut is dropped (the next line's
indentation is kept): joined with it, the parts are the text. In Markdown the places inside a
fenced code block are used last.

A single grapheme cluster longer than a whole message (hundreds of combining marks) is the
one thing cut inside, between code points: a message the platform refuses would lose it all.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

# Where a part best ends, most wanted first. A match's `start` ends the part (for a sentence:
# its end, the mark kept); what lies between it and the next part's text is whitespace.
_PARAGRAPH = re.compile(r"[^\S\n]*\n[^\S\n]*\n\s*")
_LINE = re.compile(r"[^\S\n]*\n\s*")
# A run of `.!?` is tried from its first mark only: tried from each (a line of dots, "......"),
# every try ran to the run's end to fail at the space it wants, the time the square of its length
_SENTENCE = re.compile(
    r"(?:[。！？｡]+[”’」』）》〉】)\]\"']*|(?<![.!?])[.!?]+[)\]\"'”’]*(?=\s))\s*"
)  # fmt: skip
_WORD = re.compile(r"\s+|(?<=[，、；：])\s*")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)

ZWJ = "\u200d"
_PREPEND = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2")


def cut(text: str, limit: int, length: Callable[[str], int] = len, *,
        markdown: bool = False) -> list[str]:  # fmt: skip
    """`text` in parts of at most `limit` as `length` counts (a measure counting every
    character at least once: characters, UTF-16 units, UTF-8 bytes), in order; the text
    itself, alone, when it fits."""
    return cut_fitting(text, lambda part: length(part) <= limit, limit, markdown=markdown)


def cut_fitting(text: str, fits: Callable[[str], bool], most: int, *,
                markdown: bool = False) -> list[str]:  # fmt: skip
    """`text` in parts that each `fits`, none over `most` characters, in order (the text
    alone when it fits). `fits` must hold for a part's beginnings when it holds for the part
    (the longest part that fits is found by halving); `most` is at least 1."""
    return [text[start:end] for start, end in spans(text, fits, most, markdown=markdown)]


def spans(text: str, fits: Callable[[str], bool], most: int, *, markdown: bool = False,
          start: int = 0) -> list[tuple[int, int]]:  # fmt: skip
    """Where the parts `cut_fitting` cuts `text[start:]` into begin and end in `text`, in
    order: a part is `text[begin:end]`. Given the `end` of a part sent before, `start =
    resumed(text, end)` gives the parts of the rest, however the text was cut then."""
    rest = text[start:]
    if start and not rest.strip():
        return []  # nothing left to say
    if len(rest) <= most and fits(rest):
        return [(start, len(text))]
    found: list[tuple[int, int]] = []
    at_rest = start  # where `rest` begins in `text`
    while rest and not (len(rest) <= most and fits(rest)):
        end = _fitting(rest, fits, min(most, len(rest))) or _cluster_end(rest)
        if not rest[:end].strip():  # only whitespace before the limit: nothing to say there
            kept = rest[end:].lstrip()
            at_rest += len(rest) - len(kept)
            rest = kept
            continue
        first = len(rest) - len(rest.lstrip())  # the part starts with its text
        if first and end < len(rest) and not between_clusters(rest, end) and \
                last_boundary(rest, end, first) == end:  # fmt: skip
            # its first cluster fits only without the whitespace before it (an emoji family
            # after an indentation): that is dropped, as at a cut, rather than the emoji torn
            at_rest += first
            rest = rest[first:]
            continue
        while True:
            at, resume = _place(rest, end, first, markdown)
            part = rest[:at].rstrip()
            if at - 1 <= first or fits(part):
                break
            end = at - 1  # a measure counting more for a shorter text (Markdown's HTML)
        found.append((at_rest, at_rest + len(part)))
        rest = rest[resume:]
        at_rest += resume
    if rest.strip() or not found:
        found.append((at_rest, at_rest + len(rest)))
    return found


def resumed(text: str, end: int) -> int:
    """Where the part after one ending at `end` of `text` begins: past the whitespace of the
    cut, the next line's indentation kept (as `cut` leaves it)."""
    end = max(0, min(end, len(text)))
    return end + _blank(text, end)


def _fitting(text: str, fits: Callable[[str], bool], most: int) -> int:
    """The longest beginning of `text`, at most `most` characters, that fits (0: none)."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def _place(text: str, end: int, first: int, markdown: bool) -> tuple[int, int]:
    """Where the part of `text` that may go up to `end` ends (after `first`, its first
    character that is not whitespace), and where the next part starts: the best boundary of
    `text[:end]` (see the module)."""
    fences = _fenced(text) if markdown else []
    half = first + (end - first) // 2
    for outside in (fences, []) if fences else ([],):
        for after in (half, first):
            for boundary in (_PARAGRAPH, _LINE, _SENTENCE, _WORD):
                found = _last(boundary, text, end, after, outside)
                if found is not None:
                    return found, found + _blank(text, found)
    at = last_boundary(text, end, first)
    return at, at + _blank(text, at)


def _last(boundary: re.Pattern[str], text: str, end: int, after: int,
          fences: list[tuple[int, int]]) -> int | None:  # fmt: skip
    """Where the last `boundary` of `text[:end]` past `after` ends a part, outside `fences`."""
    found = None
    begin = after + 1
    while boundary is _SENTENCE and 0 < begin <= len(text) and text[begin - 1] in ".!?":
        begin -= 1  # a run of marks begun before `after` ends a sentence after it all the same
    for match in boundary.finditer(text, begin, end + 1):
        # a sentence ends after its mark; the other boundaries are whitespace, or nothing
        # after a Chinese comma, and the part ends before them
        at = match.start() + len(match[0].rstrip()) if boundary is _SENTENCE else match.start()
        if after < at <= end and not any(start < at < stop for start, stop in fences):
            found = at
    return found


def _blank(text: str, at: int) -> int:
    """How much of the whitespace at `at` goes with the cut: all of it, up to the next line's
    indentation when it holds a line break."""
    stop = at
    while stop < len(text) and text[stop].isspace():
        stop += 1
    newline = text.rfind("\n", at, stop)
    return (newline + 1 if newline >= 0 else stop) - at


def _fenced(text: str) -> list[tuple[int, int]]:
    """The spans of the fenced code blocks of a Markdown text (one left open runs to its end)."""
    spans: list[tuple[int, int]] = []
    opened: re.Match[str] | None = None
    for fence in _FENCE.finditer(text):
        if opened is None:
            opened = fence
        elif fence[1][0] == opened[1][0] and len(fence[1]) >= len(opened[1]):
            spans.append((opened.start(), fence.end()))
            opened = None
    if opened is not None:
        spans.append((opened.start(), len(text)))
    return spans


def last_boundary(text: str, end: int, after: int = 0) -> int:
    """The last place between two grapheme clusters of `text` past `after` and at most `end`;
    `end` itself when one cluster runs over all of them."""
    for at in range(min(end, len(text)), after, -1):
        if at == len(text) or between_clusters(text, at):
            return at
    return end


def _cluster_end(text: str) -> int:
    """Where the first grapheme cluster of `text` ends (one too long for any part goes alone)."""
    return next((at for at in range(1, len(text)) if between_clusters(text, at)), len(text))


def between_clusters(text: str, at: int) -> bool:
    """Whether `text[:at]` and `text[at:]` part between two grapheme clusters (Unicode's
    UAX #29 rules, for the cases chat text holds: CR LF, accents and other marks, variation
    selectors, emoji modifiers and tags, ZWJ sequences, flags, Hangul syllables, Indic
    conjuncts)."""
    before, after = text[at - 1], text[at]
    if before == "\r" and after == "\n":
        return False
    if before in "\r\n" or after in "\r\n":
        return True
    if _extends(after) or before in _PREPEND or before == ZWJ:
        return False
    if _regional(before) and _regional(after):
        start = at - 1
        while start > 0 and _regional(text[start - 1]):
            start -= 1
        return (at - start) % 2 == 0  # a flag is a pair
    if _hangul_joins(_jamo(before), _jamo(after)):
        return False
    # a virama joins the consonant after it (Devanagari क्ष)
    return not (unicodedata.combining(before) == 9 and unicodedata.category(after)[0] == "L")


def _extends(char: str) -> bool:
    point = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char in (ZWJ, "\u200c", "\uff9e", "\uff9f")
        or 0x1F3FB <= point <= 0x1F3FF  # skin tones
        or 0xE0020 <= point <= 0xE007F  # tags (a region's flag)
    )  # fmt: skip


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _jamo(char: str) -> str:
    point = ord(char)
    if 0x1100 <= point <= 0x115F or 0xA960 <= point <= 0xA97C:
        return "L"
    if 0x1160 <= point <= 0x11A7 or 0xD7B0 <= point <= 0xD7C6:
        return "V"
    if 0x11A8 <= point <= 0x11FF or 0xD7CB <= point <= 0xD7FB:
        return "T"
    if 0xAC00 <= point <= 0xD7A3:
        return "LV" if (point - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _hangul_joins(before: str, after: str) -> bool:
    return (
        (before == "L" and after in ("L", "V", "LV", "LVT"))
        or (before in ("LV", "V") and after in ("V", "T"))
        or (before in ("LVT", "T") and after == "T")
    )  # fmt: skip


def part_key(key: str, index: int, most: int = 200) -> str:
    """The idempotency key of a text's part `index` sent under the outbox key `key`: the key
    itself for the first part (a text that needs one message is sent as always), then
    `key:part2`, … — at most `most` characters (the outbox key's column)."""
    if index == 0:
        return key
    suffix = f":part{index + 1}"
    if len(key) + len(suffix) <= most:
        return key + suffix
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return key[: most - len(suffix) - len(digest)] + digest + suffix
