"""Crisis watch reads every message as the plain computation does: the markers looked up by
their first character (and English endings from a table) find the same markers, in the same
order, as trying each one; VADER left unasked for a text with no word of its lexicon gives the
same score as asking it. So the same messages count as alarming, with the same scores."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.bench.synthetic import stream
from hearthkeeper.capabilities.crisis.signal import _LATIN, _SUFFIXES, Markers, Reading, Signal
from hearthkeeper.text.normalise import normalise


@cache
def signal() -> Signal:
    return Signal.shipped()


def plain_markers(markers: Markers, text: str) -> tuple[str, ...]:
    """Every marker tried, every ending tried, in order."""
    hits = [w for w in markers.zh if w in text]
    hits += [p for p in markers.en_phrases if p in text]
    for word in _LATIN.findall(text):
        if word in markers.en_words:
            hits.append(word)
            continue
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and word[: -len(suffix)] in markers.en_words:
                hits.append(word[: -len(suffix)])
                break
    return tuple(dict.fromkeys(hits))


def plain_reading(text: str) -> Reading:
    """`Signal.read` with every marker tried and VADER always asked."""
    s = signal()
    reading = s.read(text)  # language and shouting are read as before
    markers = plain_markers(s.markers, text)
    if reading.language == "en":
        compound = float(s.english.polarity_scores(text)["compound"])
        return Reading("en", (compound + 1.0) / 2.0, markers, reading.shouting)
    return Reading("zh", s.chinese.score(text), markers, reading.shouting)


def assert_same(raw: str) -> None:
    text = normalise(raw)
    s = signal()
    assert s.read(text) == plain_reading(text), raw


def test_the_synthetic_chat_and_the_markers_themselves_read_the_same() -> None:
    markers = signal().markers
    texts = [m.text for m in stream(3000, start=datetime(2026, 6, 1, tzinfo=UTC))]
    texts += [*markers.zh, *markers.en_phrases, *markers.en_words]
    texts += [f"so many {w}s and {w}ed, {w}ing!!!" for w in sorted(markers.en_words)]
    texts += ["I love it :)", "this is bad :(", "great 😀", "not good at all", "NO WAY",
              "kind of sad", "the refill was a scam", "side effects?", "我要投诉！！！", "😀",
              "💔 💔", ":(", "(:)", "..."]  # fmt: skip
    for text in dict.fromkeys(texts):
        assert_same(text)


def test_english_markers_with_endings_are_the_markers() -> None:
    markers = signal().markers
    for word in sorted(markers.en_words):
        for suffix in _SUFFIXES:
            text = normalise(f"a {word}{suffix} here")
            assert markers.found(text) == plain_markers(markers, text), text


@cache
def _words() -> list[str]:
    s = signal()
    lexicon = sorted(s.english.lexicon)[::97]  # a spread of VADER's words
    markers = [*s.markers.zh, *s.markers.en_words, *s.markers.en_phrases]
    return [*lexicon, *markers, "no", "not", "but", "very", "kind", "of", "😀", "💔", ":)"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_words()),
            st.sampled_from(_words()).map(lambda w: w + st_suffix(w)),
            st.text(alphabet="abcdeilnorst!?.,'-:)( 投诉过敏", max_size=10),
            st.text(max_size=4),
        ),
        max_size=8,
    ).map(" ".join)
)
def test_any_text_reads_the_same(text: str) -> None:
    assert_same(text)


def st_suffix(word: str) -> str:
    return _SUFFIXES[len(word) % len(_SUFFIXES)]
