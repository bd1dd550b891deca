"""Characters a shown text must not carry: control characters, bidirectional controls and
invisible ones. Pure. The terminal strips them from what it prints (`cli/output.py`); a
name or title staff type that members will read in chat is refused naming the first one."""

from __future__ import annotations

import re

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


def shown_name(name: str) -> str:
    """A member's name as a carrier or an import hands it over, as it is kept and shown: one
    visible line of at most `SHOWN_NAME` characters ("" when nothing visible is left: the
    caller falls back on the carrier's id)."""
    if (
        len(name) <= SHOWN_NAME
        and name.isprintable()
        and name.strip(" ") == name
        and "  " not in name
    ):
        return name  # the common case: nothing to take out (isprintable: no C* or Z* but " ")
    return one_line(_SURROGATES.sub("", name), SHOWN_NAME)


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
