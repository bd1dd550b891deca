"""What `carriers/parts.py` keeps of a long text's parts sent, and where a retry resumes: from
where the last part kept ended (however the text is cut now), or, for parts kept by the
version before positions (ids alone), after as many parts; a text rendered otherwise since is
refused for good rather than resumed at a position that points into another text."""

from __future__ import annotations

import pytest

from hearthkeeper.carriers.onebot.files import MAYBE, NOFILE, first_known
from hearthkeeper.carriers.parts import OUT, Went, entry, fingerprint, ids, read, resume
from hearthkeeper.engine.carrier import CarrierError

TEXT = "第一段。\n\n第二段。"
OF = fingerprint(TEXT)


def test_an_entry_keeps_the_id_where_the_part_ended_and_the_text_s_fingerprint() -> None:
    assert read(entry("1001", "4", OF)) == Went("1001", "4", OF)
    assert read(entry("", "4", OF)) == Went("", "4", OF)  # an answer without its id
    assert read(entry("-5", "1-2+30", OF)) == Went("-5", "1-2+30", OF)


def test_ids_and_marks_kept_before_positions_read_as_they_were() -> None:
    for kept in ("1001", "", OUT, MAYBE, NOFILE):
        assert read(kept) == Went(kept)
    assert ids(["-", entry("", "4", OF), entry("1002", "9", OF), OUT]) == ["-", "", "1002", OUT]
    assert first_known(ids([MAYBE, entry("", "4", OF), entry("1002", "9", OF)])) == "1002"


def test_a_retry_resumes_from_the_last_position_or_counts_the_parts_kept_before() -> None:
    assert resume([], OF, "qq") == 0
    assert resume(["1001", "1002"], OF, "qq") == 2  # kept before positions: counted
    assert resume(["1001", entry("1002", "9", OF)], OF, "qq") == "9"  # resumed across the upgrade


def test_a_text_rendered_otherwise_since_is_not_resumed() -> None:
    with pytest.raises(CarrierError, match="rendered otherwise") as refused:
        resume([entry("1001", "4", OF)], fingerprint(TEXT + "！"), "telegram")
    assert refused.value.retry is False
