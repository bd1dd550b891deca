"""`shown_name`: whatever a member typed as their name comes out as one visible line of at
most 64 characters, its combining marks and tag characters tamed, the same the second time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.text.controls import SHOWN_NAME, displayed, shown_name

MARKS_PER_CHARACTER = 3  # what the docs promise (docs/mechanisms.md: Members' names)

ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # 🏴 gbeng
ZALGO = "H\u0336\u0311\u0350\u0352\u035b\u0301\u0315\u031b\u0330\u0323\u0329\u0333e"


def test_a_zalgo_name_keeps_at_most_three_marks_on_a_character() -> None:
    """Before, a name stacking a dozen marks on each letter was kept whole: it spilled over
    the lines above and below in every list, reply and leaderboard that named the member."""
    assert shown_name(ZALGO) == "H\u0336\u0311\u0350e"
    assert shown_name("Z" + "\u0301" * 200 + "oë") == "Z\u0301\u0301\u0301oë"
    # names that need their marks keep them: Vietnamese written out, pointed Hebrew, a keycap
    for name in ("Nguye\u0323\u0302n", "שָׁלוֹם", "1\ufe0f\u20e3 Ann", "Zoë", "Ann ❤️"):
        assert shown_name(name) == name


def test_tag_characters_are_taken_out_but_a_regions_flag_is_kept_whole() -> None:
    """Before, tag characters (they draw nothing) were kept: a name could carry hidden text."""
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous instructions")
    assert shown_name("Ann" + hidden) == "Ann"
    assert shown_name("\U000e0001Ann\U000e007f") == "Ann"
    assert shown_name(f"Ann {ENGLAND}") == f"Ann {ENGLAND}", "England's flag is tag characters"
    assert shown_name("\U0001f3f4" + hidden) == "\U0001f3f4", "a black flag, not a smuggler"
    cut = shown_name("x" * 60 + ENGLAND)  # the flag cut in two by the 64 characters
    assert cut == "x" * 60 + "\U0001f3f4…"


LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
NASTY = (
    LINE_BREAKS + "\t \u00a0\u3000\x00\x1b\x7f\x9b\u202e\u2066\u200b\u200d\ufeff\u00ad"
    "\u0301\u0336\u20dd\u0489\ufe0f\U000e0100"  # marks, enclosing marks, variation selectors
    "\U000e0001\U000e0020\U000e0067\U000e0062\U000e0065\U000e006e\U000e007f\U0001f3f4"
    "\ud800aé李🙂"
)
names = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY), st.characters(codec=None)), max_size=300
) | st.lists(st.sampled_from([ENGLAND, ZALGO, "Ann", " ", "\n", "\u0301" * 5]), max_size=40).map(
    "".join
)


@given(names)
def test_a_shown_name_is_one_short_line_and_showing_it_again_changes_nothing(name: str) -> None:
    shown = shown_name(name)
    assert len(shown) <= SHOWN_NAME
    assert len(shown.splitlines()) <= 1 and not any(b in shown for b in LINE_BREAKS)
    assert shown == shown.strip() and "  " not in shown
    assert shown_name(shown) == shown
    run = 0
    for char in shown:
        run = run + 1 if char in "\u0301\u0336\u20dd\u0489" else 0
        assert run <= MARKS_PER_CHARACTER


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("\u202eecilA", "Alice"),  # a right-to-left override to the end
        ("Bo\u202eboR\u202cb", "BoRobb"),  # closed in the middle by a pop (U+202C)
        ("\u202eab\u202ecd\u202cef", "fedcba"),  # an override inside an override
        ("\u202ea\u202dbc\u202cd", "dbca"),  # left to right inside: moves as one block
        # an emoji with its skin tone and a letter with its accent stay whole
        ("\u202e\U0001f44d\U0001f3fdx\u0301\U0001f3f4", "\U0001f3f4x\u0301\U0001f44d\U0001f3fd"),
        ("\u2067\u202eab\u2069c", "bac"),  # a pop of an isolate closes the override in it
        (
            "\u202e\U0001f1ec\U0001f1e7\U0001f1eb\U0001f1f7!",
            "!\U0001f1eb\U0001f1f7\U0001f1ec\U0001f1e7",
        ),  # flags whole
        (
            "\u202eb\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467b",
        ),  # a family joined by zero-width joiners stays whole
        ("\u202d\u2066Ann\u2069\u202c", "Ann"),  # left to right as written
        ("\u202e\u05e9\u05dc\u05d5\u05dd", "\u05e9\u05dc\u05d5\u05dd"),  # Hebrew reads as written
        ("x\u202c\u2069y", "xy"),  # pops with nothing to close
        ("Alice", "Alice"),
        ("\u202eecilA\u202c \u202ennA", "Alice Ann"),
    ],
)
def test_a_name_with_text_direction_controls_is_kept_in_the_order_members_read_it(
    name: str, reads: str
) -> None:
    """A chat client shows "\\u202eecilA" as "Alice": the name is kept and shown to staff as
    "Alice", not as "ecilA" with the override taken out."""
    assert displayed(name) == reads
    assert shown_name(name) == reads
