"""Characters a shown text must not carry: control characters, bidirectional controls and
invisible ones. Pure. The terminal strips them from what it prints (`cli/output.py`); a
name or title staff type that members will read in chat is refused naming the first one."""

from __future__ import annotations

import math
import re
import unicodedata

# Control characters (ESC starts terminal escape sequences, C1 has CSI): none of them belongs
# in a shown text; tabs and line breaks stay. Then the bidirectional controls (embeddings,
# overrides, isolates, the marks): a name "\u202egnp.exe" reverses the rest of the line, so it
# reads as what it is not; and the invisible characters that draw nothing (zero-width space,
# word joiner, invisible operators, BOM, soft hyphen): they can only hide a difference. The
# zero-width joiner and non-joiner stay: emoji sequences and Persian or Indic spelling need
# them.
CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and line feed, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks and controls
    "\u00ad\u180e\u200b\u2060-\u2064\ufeff]"  # invisible characters
)


def without_controls(text: str) -> str:
    """`text` without control, bidirectional or invisible characters."""
    return CONTROLS.sub("", text)


ECHOED_INPUT = 40
"""The most characters of a value someone gave that an error message repeats."""


def shown_input(value: object) -> str:
    """A value someone gave (in a playbook, a form, a request), as an error message repeats it:
    whole when short, else its first `ECHOED_INPUT` characters and "…" (a number of thousands
    of digits is not said back whole; Python would not even write one over 4,300)."""
    size = abs(value) if isinstance(value, int) and not isinstance(value, bool) else 0
    guess = math.floor(math.log10(size)) + 1 if size else 1  # its digits, give or take one
    if guess > ECHOED_INPUT + 1:
        start = next(s for d in (guess - 1, guess, guess + 1)
                     if len(str(s := size // 10 ** (d - ECHOED_INPUT))) == ECHOED_INPUT)  # fmt: skip
        return f"{'-' if isinstance(value, int) and value < 0 else ''}{start}…"
    text = str(value)
    return text if len(text) <= ECHOED_INPUT else text[:ECHOED_INPUT] + "…"


def quoted(value: object) -> str:
    """`value` as `{value!r}` writes it (a text in quotes), cut as `shown_input` cuts:
    `'9999…'`."""
    if isinstance(value, str):
        return repr(shown_input(value))
    return shown_input(value if isinstance(value, int) else repr(value))


# The most characters of a member's name that replies, lists, alerts and pages show: carriers
# hand over names of any length (a Matrix display name has no limit), and a name is a label.
SHOWN_NAME = 64
# A lone surrogate (JSON's "\ud800", which chat payloads can carry) is no character at all:
# nothing can encode it to send it back.
_SURROGATES = re.compile("[\ud800-\udfff]")


def one_line(text: str, limit: int) -> str:
    """`text` as one visible line of at most `limit` characters: without control,
    text-direction or invisible characters, every run of spaces and line breaks one space,
    cut with "…"."""
    flat = " ".join(without_controls(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# Combining marks kept on one base character: Vietnamese stacks two (ệ written out), pointed
# Hebrew and Thai three; "Zalgo" text stacks dozens, which spill over the lines above and
# below in every list that shows the name.
MARKS_PER_CHARACTER = 3
# Tag characters (U+E0000-E007F) draw nothing: they can only carry hidden text, except in the
# emoji flags of a country's part, 🏴 with its tagged code and the cancel tag (England:
# 🏴 g b e n g, cancel). Those are kept whole; every other tag character is taken out.
_TAGS = re.compile("[\U000e0000-\U000e007f]")
_TAG_FLAG = re.compile("\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,6}\U000e007f")
_MARK = frozenset({"Mn", "Me"})


def shown_name(name: str) -> str:
    """A member's name as a carrier or an import hands it over, as it is kept and shown: one
    visible line of at most `SHOWN_NAME` characters, at most `MARKS_PER_CHARACTER`
    combining marks on a character and no tag characters but a flag's ("" when nothing
    visible is left: the caller falls back on the carrier's id)."""
    if (
        len(name) <= SHOWN_NAME
        and name.isprintable()
        and name.strip(" ") == name
        and "  " not in name
        and (name.isascii() or not _overmarked(name))
    ):
        return name  # the common case: nothing to take out (isprintable: no C* or Z* but " ")
    return shown_line(name, SHOWN_NAME)


def shown_line(text: str, limit: int) -> str:
    """`text` (a name someone typed: a member's, a group's in an export) as one visible line
    of at most `limit` characters, its marks and tag characters tamed as in `shown_name`."""
    tamed = _tamed(without_controls(_SURROGATES.sub("", text)))
    # Tamed again after the cut: a flag cut in two leaves tags that no longer make a flag.
    return _tamed(one_line(tamed, limit))


def _overmarked(text: str) -> bool:
    """Whether a character of `text` carries more than `MARKS_PER_CHARACTER` marks."""
    run = 0
    for char in text:
        if unicodedata.category(char) in _MARK:
            run += 1
            if run > MARKS_PER_CHARACTER:
                return True
        else:
            run = 0
    return False


def _tamed(text: str) -> str:
    """`text` with at most `MARKS_PER_CHARACTER` marks on a character and without tag
    characters outside a whole flag."""
    if text.isascii():
        return text
    kept: list[str] = []
    run = at = 0
    while at < len(text):
        char = text[at]
        flag = _TAG_FLAG.match(text, at) if char == "\U0001f3f4" else None
        if flag is not None:
            kept.append(flag.group())
            run, at = 0, flag.end()
            continue
        at += 1
        if _TAGS.match(char):
            continue
        if unicodedata.category(char) in _MARK:
            run += 1
            if run > MARKS_PER_CHARACTER:
                continue
        else:
            run = 0
        kept.append(char)
    return "".join(kept)


def hidden_character(text: str) -> str | None:
    """Where `text` first carries a control, bidirectional or invisible character, said for
    a refusal (`U+202E (a right-to-left override) at character 4`); None: it carries none.
    Line breaks count here too: a name or title is one line."""
    found = CONTROLS.search(text) or re.search("[\t\n]", text)
    if found is None:
        return None
    return describe(found.group(), found.start())


def describe(char: str, index: int) -> str:
    """`char`, found at `index` of a text, said for a person (`U+202E (a right-to-left
    override) at character 4`)."""
    return f"U+{ord(char):04X} ({_KINDS.get(char, _kind(char))}) at character {index + 1}"


_KINDS = {"\u202e": "a right-to-left override", "\u202d": "a left-to-right override",
          "\u200b": "a zero-width space", "\ufeff": "a byte order mark",
          "\t": "a tab", "\n": "a line break"}  # fmt: skip


def _kind(char: str) -> str:
    if char <= "\x1f" or "\x7f" <= char <= "\x9f":
        return "a control character"
    if char in "\u061c\u200e\u200f" or "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return "a text-direction control"
    return "an invisible character"
