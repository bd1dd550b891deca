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
    visible line of at most `SHOWN_NAME` characters in the order it reads (`displayed`), at most `MARKS_PER_CHARACTER`
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
    of at most `limit` characters in the order it reads, its marks and tag characters tamed as in `shown_name`."""
    tamed = _tamed(without_controls(displayed(_SURROGATES.sub("", text))))
    # Tamed again after the cut: a flag cut in two leaves tags that no longer make a flag.
    return _tamed(one_line(tamed, limit))


_OPENERS = frozenset("\u202a\u202b\u202d\u202e\u2066\u2067\u2068")
_ISOLATES = frozenset("\u2066\u2067\u2068")
_OVERRIDE_RTL = "\u202e"
_POP_EMBEDDING, _POP_ISOLATE = "\u202c", "\u2069"
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")  # what `displayed` applies
# Where a paragraph ends every embedding, override and isolate is closed.
_PARAGRAPH_ENDS = frozenset("\n\r\x1c\x1d\x1e\x85\u2029")
_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})


def displayed(text: str) -> str:
    """`text` with its explicit text-direction controls applied: the characters in the order
    a chat client shows them, so that taking the controls out leaves what members read.
    "\u202eecilA" (a right-to-left override) shows as "Alice", and "Bo\u202eboR\u202cb" as
    "BoRobb". Handled: the overrides, embeddings and isolates (U+202A-U+202E,
    U+2066-U+2068), each closed by its pop (U+202C, U+2069), a line's end or the text's end.
    A right-to-left override shows its run backwards, grapheme cluster by cluster (an accent
    stays on its letter, an emoji sequence whole), a nested run moving as one block; every
    other run (left-to-right overrides, embeddings, isolates) shows as it is written, as
    does an overridden run holding right-to-left letters or Arabic digits (they already
    read right to left). This is not the full Unicode Bidirectional Algorithm (UAX #9):
    how a client orders mixed left-to-right and right-to-left letters, digits and
    punctuation without overrides is left as it is written."""
    if _DIRECTION_CONTROLS.search(text) is None:  # nearly every name: one scan in C
        return text
    # The runs still open, innermost last: the control that opened each and its pieces (a
    # grapheme cluster or the text of a closed inner run, which moves as one block).
    runs: list[tuple[str, list[str]]] = [("", [])]
    start = 0

    def cluster_ends(at: int) -> None:
        nonlocal start
        if at > start:
            runs[-1][1].append(text[start:at])
        start = at

    def close() -> None:
        opener, pieces = runs.pop()
        reverse = opener == _OVERRIDE_RTL and not any(
            unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for piece in pieces for char in piece
        )
        runs[-1][1].append("".join(reversed(pieces) if reverse else pieces))

    for at, char in enumerate(text):
        if char in _OPENERS or char in (_POP_EMBEDDING, _POP_ISOLATE) or char in _PARAGRAPH_ENDS:
            cluster_ends(at)
            start = at + (char not in _PARAGRAPH_ENDS)
            if char in _OPENERS:
                runs.append((char, []))
            elif char == _POP_EMBEDDING and len(runs) > 1 and runs[-1][0] not in _ISOLATES:
                close()
            elif char == _POP_ISOLATE and any(opener in _ISOLATES for opener, _ in runs):
                while runs[-1][0] not in _ISOLATES:
                    close()  # a pop of an isolate closes the embeddings inside it too
                close()
            elif char in _PARAGRAPH_ENDS:
                while len(runs) > 1:
                    close()
        elif at > start and _starts_cluster(text, at):
            cluster_ends(at)
    cluster_ends(len(text))
    while len(runs) > 1:
        close()
    return "".join(runs[0][1])


def _starts_cluster(text: str, at: int) -> bool:
    """Whether `text[at]` starts a character as people see it, for the cases names hold: not
    a mark, a variation selector, a skin tone, a tag, a joiner or what a joiner joins, nor
    the second half of a flag's pair of regional letters."""
    char, before = text[at], text[at - 1]
    if before == "\u200d" or char == "\u200d" or unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return False
    if "\U0001f3fb" <= char <= "\U0001f3ff" or "\U000e0020" <= char <= "\U000e007f":
        return False
    if _REGIONAL <= char <= "\U0001f1ff":
        pairs = at
        while pairs > 0 and _REGIONAL <= text[pairs - 1] <= "\U0001f1ff":
            pairs -= 1
        return (at - pairs) % 2 == 0
    return True


_REGIONAL = "\U0001f1e6"


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
