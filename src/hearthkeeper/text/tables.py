"""Character tables for normalisation: invisible characters, look-alike letters, digit forms.

The look-alikes follow Unicode's confusables data (UTS #39) for the scripts spammers borrow
from most: Cyrillic, Greek, Armenian, Latin small capitals and letter-like symbols that NFKC
leaves alone. Everything here is data; `normalise.py` decides the order it is applied in.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width, bidi controls, soft hyphen, fillers, variation selectors, tags, and C0/C1
# controls other than whitespace: they render as nothing and split keywords invisibly.
# Lone surrogates (a Python str may hold them) are removed too: they are not text.
INVISIBLE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ud800-\udfff"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
    "]+"
)

# Combining marks stacked on letters ("zalgo", accents used to dodge keyword lists).
COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

# Lower-case look-alikes (input is already case-folded) → ASCII.
_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "г": "r",
    "е": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "п": "n",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ь": "b",
    "ѕ": "s",
    "і": "i",
    "ј": "j",
    "һ": "h",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ӏ": "l",
    "ү": "y",
    "ҫ": "c",
    "ѵ": "v",
    # Greek
    "α": "a",
    "β": "b",
    "γ": "y",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "μ": "u",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "ϲ": "c",
    "ϳ": "j",
    # Armenian
    "օ": "o",
    "ս": "u",
    "հ": "h",
    "ո": "n",
    "ց": "g",
    # Latin letters that are not ASCII but read as ASCII
    "ı": "i",
    "ȷ": "j",
    "ɡ": "g",
    "ɑ": "a",
    "ɩ": "i",
    "ʏ": "y",
    "ʀ": "r",
    "ʙ": "b",
    "ʜ": "h",
    "ʟ": "l",
    "ɢ": "g",
    "ɪ": "i",
    "ɴ": "n",
    "ǫ": "q",
    "ᴀ": "a",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ᴊ": "j",
    "ᴋ": "k",
    "ᴍ": "m",
    "ᴏ": "o",
    "ᴘ": "p",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ᴢ": "z",
    "ꜰ": "f",
    "ꜱ": "s",
    "ғ": "f",
}

# Capitals that look like a Latin capital but whose small letter does not (Μ/μ, Η/η, Ν/ν):
# mapped before case folding.
_CAPITALS: dict[str, str] = {
    "Α": "a",
    "Β": "b",
    "Ε": "e",
    "Ζ": "z",
    "Η": "h",
    "Ι": "i",
    "Κ": "k",
    "Μ": "m",
    "Ν": "n",
    "Ο": "o",
    "Ρ": "p",
    "Τ": "t",
    "Υ": "y",
    "Χ": "x",
    "А": "a",
    "В": "b",
    "Е": "e",
    "К": "k",
    "М": "m",
    "Н": "h",
    "О": "o",
    "Р": "p",
    "С": "c",
    "Т": "t",
    "Х": "x",
    "У": "y",
    "Ѕ": "s",
    "І": "i",
    "Ј": "j",
}

# Digits written as Chinese numerals (lower-case and financial forms, and 幺, the "one" read
# out in phone numbers): a phone number or an id spelled out (一三八…, 幺三八) reads as digits.
# They are also words (二手, 一口价, 一起): the words form keeps them (`normalise.py`).
_CHINESE_DIGITS: dict[str, str] = {
    "零": "0",
    "〇": "0",
    "一": "1",
    "幺": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
    "壹": "1",
    "贰": "2",
    "貳": "2",
    "叁": "3",
    "叄": "3",
    "肆": "4",
    "伍": "5",
    "陆": "6",
    "陸": "6",
    "柒": "7",
    "捌": "8",
    "玖": "9",
}
# the numerals above, for patterns over the words form (where they stay as written)
CHINESE_NUMERALS = "".join(_CHINESE_DIGITS)
# circled forms NFKC does not decompose
_CIRCLED_DIGITS: dict[str, str] = {
    "⓿": "0",
    "\U0001f10b": "0",
    "\U0001f10c": "0",
}


def _circled_runs() -> dict[str, str]:
    """Dingbat and double-circled digits: ❶..❿, ➀..➉, ➊..➓, ⓵..⓾ (1-10), ⓫..⓴ (11-20)."""
    table: dict[str, str] = {}
    for start in (0x2776, 0x2780, 0x278A, 0x24F5):
        for offset in range(10):
            table[chr(start + offset)] = str(offset + 1)
    for offset in range(10):
        table[chr(0x24EB + offset)] = str(offset + 11)
    return table


def _letter_symbols() -> dict[str, str]:
    """Negative circled/squared letters (🅐, 🅰) and regional indicators (🇦) → a..z."""
    table: dict[str, str] = {}
    for start in (0x1F150, 0x1F170, 0x1F1E6):
        for offset in range(26):
            table[chr(start + offset)] = chr(ord("a") + offset)
    return table


def _accented() -> dict[str, str]:
    """Latin, Greek and Cyrillic letters with diacritics → their ASCII base (é→e, ё→e, ά→a)."""
    table: dict[str, str] = {}
    ranges = [(0x00C0, 0x0250), (0x0370, 0x0530), (0x1E00, 0x2000)]
    for low, high in ranges:
        for code in range(low, high):
            char = chr(code)
            folded = char.casefold()
            if folded != char:
                continue  # only case-folded letters reach the table
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            base = _LOOKALIKES.get(base, base)
            if base != char and base.isascii() and base.isalpha():
                table[char] = base
    return table


def capitals_table() -> dict[int, str]:
    """The `str.translate` table for Greek and Cyrillic capitals, applied before case folding."""
    return {ord(char): ascii_ for char, ascii_ in _CAPITALS.items()}


def translation_table(*, chinese_digits: bool = True) -> dict[int, str]:
    """The `str.translate` table mapping look-alikes, accented letters and digit forms to ASCII
    (with `chinese_digits` false, Chinese numerals are left as they are written)."""
    digits = {**_CIRCLED_DIGITS, **(_CHINESE_DIGITS if chinese_digits else {})}
    merged = {**_accented(), **_LOOKALIKES, **_letter_symbols(), **_circled_runs(), **digits}
    return {ord(char): ascii_ for char, ascii_ in merged.items()}
