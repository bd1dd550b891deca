"""Reading the three export formats: samples written from each format's documentation,
malformed rows included, give exact messages, joins/leaves and bad-row line numbers."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.importers import (
    ImportedMessage,
    ImportedStay,
    ImportFileError,
    ImportOptions,
    Source,
    open_source,
)
from hearthkeeper.importers.base import group_name
from hearthkeeper.importers.csvfile import unclosed_quote_line
from hearthkeeper.importers.whatsapp_lines import header

DATA = Path(__file__).parent / "data" / "import"
CST = timezone(timedelta(hours=8))


def read(fmt: str, name: str | Path, **options: object) -> tuple[Source, list[object]]:
    source = open_source(fmt, DATA / name, ImportOptions(**options))  # type: ignore[arg-type]
    return source, list(source.items())


def messages(items: list[object]) -> list[ImportedMessage]:
    return [item for item in items if isinstance(item, ImportedMessage)]


def stays(items: list[object]) -> list[tuple[str, bool, int]]:
    return [(i.member.name, i.joined, i.line) for i in items if isinstance(i, ImportedStay)]


def bad(source: Source) -> list[tuple[int, str]]:
    return [(row.line, row.reason) for row in source.bad_rows]


# --- Telegram Desktop JSON ----------------------------------------------------------------


def test_telegram_chat_gives_messages_kinds_replies_and_stays() -> None:
    source, items = read("telegram", "telegram_chat.json", tz=CST)
    got = messages(items)
    assert [(m.line, m.sender.name, m.kind.value) for m in got] == [
        (22, "Lin Mei", "text"), (49, "Zhao Lei", "link"), (74, "Wang Fang", "text"),
        (90, "Lin Mei", "picture"), (108, "Zhao Lei", "sticker"), (124, "Wang Fang", "voice"),
        (152, "Chen Jing", "text"), (215, "Deleted Account", "text"),
        (244, "Wang Fang", "text"), (258, "Chen Jing", "video"), (277, "Lin Mei", "file"),
    ]  # fmt: skip
    assert got[1].text == "Hi! Is this serum fine for sensitive skin? https://example.com/serum"
    assert got[2].event_id == "tg:1718923456:5" and got[2].reply_to == "tg:1718923456:4"
    assert got[0].sent_at == datetime(2024, 3, 1, 1, 5, tzinfo=UTC), "date_unixtime is exact"
    assert got[8].sent_at == datetime(2024, 3, 3, 12, 30, tzinfo=CST), "no unixtime: local date"
    assert got[0].sender.key == "user1001"
    # create_group (2 named members), a link join, an invite by name, a removal by name.
    assert stays(items) == [("Lin Mei", True, 6), ("Wang Fang", True, 6), ("Zhao Lei", True, 37),
                            ("Chen Jing", True, 138), ("Zhao Lei", False, 230)]  # fmt: skip
    invited = next(i for i in items if isinstance(i, ImportedStay) and i.line == 138)
    assert invited.member.key == "user1004", "a name is matched to the id it speaks with later"
    assert [line for line, _ in bad(source)] == [167, 175, 183, 191, 200, 206]
    reasons = dict(bad(source))
    assert reasons[167] == "a message without a numeric id"
    assert reasons[175].startswith("bad date 'yesterday'")
    assert reasons[183] == "no sender (from_id)"
    assert reasons[200] == "unknown message type 'unsupported'"
    assert reasons[206].startswith("broken JSON in this message: Invalid control character")
    assert source.done() == source.total


def test_telegram_full_export_skips_personal_chats_and_keeps_what_precedes_a_cut() -> None:
    source, items = read("telegram", "telegram_full_cut.json")
    got = messages(items)
    assert [(m.group.name, m.text) for m in got] == [
        ("Night Runners", "Run at 21:00 tonight?"), ("Night Runners", "I'm in"),
        ("Old Buyers Group", "+1 for the group-buy"), ("Old Buyers Group", "+1"),
    ]  # fmt: skip
    assert got[1].reply_to == "tg:4455:1"
    [(line, reason)] = bad(source)
    assert line == 128 and "is the file cut off?" in reason
    assert any("skipped 1 chat that is not a group or channel" in note for note in source.notes)


def test_telegram_group_option_imports_one_chat() -> None:
    _, items = read("telegram", "telegram_full_cut.json", group="Old Buyers Group")
    assert {m.group.name for m in messages(items)} == {"Old Buyers Group"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not a Telegram Desktop JSON export"),
        ("[1, 2]", "not a Telegram Desktop JSON export"),
        ('{"about": "x", "chats": {"list": [] } }', "no chat with messages"),
        ('{"about": "x", "chats": {"list": [ {"name": ', "ends too early"),
    ],
)
def test_telegram_file_that_cannot_be_read_at_all(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFileError, match=says):
        list(open_source("telegram", path).items())


def test_telegram_chat_cut_in_its_first_message(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "x", "id": 1, "messages": [\n {"id": 1', encoding="utf-8")
    source = open_source("telegram", path)
    assert list(source.items()) == []
    [(line, reason)] = bad(source)
    assert line == 2 and "is the file cut off?" in reason


# --- WhatsApp text ------------------------------------------------------------------------

ANDROID = "WhatsApp Chat with Night Runners.txt"


def test_whatsapp_android_us_style() -> None:
    source, items = read("whatsapp", ANDROID, tz=CST)
    got = messages(items)
    assert [(m.line, m.sender.name, m.kind.value) for m in got] == [
        (4, "Lin Mei", "text"), (8, "Wang Fang", "text"), (9, "Wang Fang", "text"),
        (11, "Chen Jing", "text"), (12, "Zhao Lei", "other"), (13, "Zhao Lei", "link"),
        (18, "Wang Fang", "text"), (20, "Lin Mei", "text"), (22, "Wang Fang", "text"),
    ]  # fmt: skip
    assert got[0].text == (
        "Welcome! We run every Tuesday and Saturday.\nMeet at the north gate at 9.\n\nBring water!"
    )
    assert got[0].group.name == "Night Runners", "named after the file"
    assert got[1].event_id != got[2].event_id, "two identical 👍 in one minute stay two"
    assert got[0].sent_at == datetime(2023, 12, 30, 20, 5, tzinfo=CST)
    assert got[3].sent_at == datetime(2023, 12, 31, 7, 16, tzinfo=CST), "narrow no-break space"
    assert got[7].sent_at == datetime(2024, 1, 1, 0, 0, tzinfo=CST), "12:00 AM is midnight"
    assert stays(items) == [
        ("Lin Mei", True, 2), ("Wang Fang", True, 3), ("Zhao Lei", True, 3),
        ("Chen Jing", True, 10), ("Zhao Lei", False, 19), ("Chen Jing", False, 21),
    ]  # fmt: skip
    assert bad(source) == [
        (14, "no such date '12/32/23' read as month/day/year"),
        (16, "missing sender (nothing before ': ')"),
        (17, "no such time 13:22 PM"),
    ]
    assert "dates read as month/day/year: 12/30/23 8:02 PM has a day above 12" in source.notes
    assert "skipped 1 system lines (encryption notice, subject, …)" in source.notes


def test_whatsapp_iphone_style_with_seconds_marks_and_crlf() -> None:
    source, items = read("whatsapp", "_chat.txt", group="Skincare Club")
    got = messages(items)
    assert [(m.line, m.sender.name, m.kind.value) for m in got] == [
        (4, "Lin Mei", "text"), (5, "Wang Fang", "picture"), (6, "Wang Fang", "text"),
        (7, "Lin Mei", "text"), (10, "Zhao Lei", "sticker"), (11, "Zhao Lei", "voice"),
        (12, "Zhao Lei", "file"),
    ]  # fmt: skip
    assert got[3].text.endswith("sunscreen.\nPatch test new products on your wrist first.")
    assert got[1].text == "image omitted"
    assert got[0].sent_at == datetime(2023, 12, 31, 21, 42, 10, tzinfo=UTC)
    assert {m.group.name for m in got} == {"Skincare Club"}
    assert stays(items) == [
        ("Lin Mei", True, 2), ("Wang Fang", True, 3), ("Zhao Lei", True, 9),
        ("Wang Fang", False, 15),
    ]  # fmt: skip
    assert bad(source) == [(14, "no such time '25:00:00'")]
    assert any(n.startswith("dates read as day/month/year") for n in source.notes)


def test_whatsapp_year_first() -> None:
    source, items = read("whatsapp", "whatsapp_iso.txt", group="Runners")
    assert [m.sent_at for m in messages(items)] == [
        datetime(2023, 12, 31, 21, 41, tzinfo=UTC), datetime(2023, 12, 31, 21, 45, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 1, tzinfo=UTC),
    ]  # fmt: skip
    assert any(n.startswith("dates read as year-month-day") for n in source.notes)


def test_whatsapp_day_month_order_inferred_from_time_order_or_given() -> None:
    source, items = read("whatsapp", "whatsapp_ambiguous.txt")
    assert [m.sent_at.date().isoformat() for m in messages(items)] == [
        "2024-02-01", "2024-02-05", "2024-02-09", "2024-03-02"]  # fmt: skip
    assert ("dates read as day/month/year: only read this way do the messages come in time "
            "order") in source.notes  # fmt: skip
    _, items = read("whatsapp", "whatsapp_ambiguous.txt", date_order="mdy")
    assert [m.sent_at.date().isoformat() for m in messages(items)] == [
        "2024-01-02", "2024-05-02", "2024-09-02", "2024-02-03"]  # fmt: skip


def test_whatsapp_file_without_any_message_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nnothing here looks like a chat\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="no line looks like a WhatsApp message"):
        open_source("whatsapp", path)


def test_a_whatsapp_group_named_after_its_file_is_one_visible_line(tmp_path: Path) -> None:
    """The file's name became the group's as written: a right-to-left override and all (the
    name is kept as it reads: "srennuR" overridden right to left reads "Runners")."""
    path = tmp_path / "WhatsApp Chat with Night \u202esrennuR\u200b.txt"
    path.write_text("31/12/2023, 21:41 - Ann: hi\n", encoding="utf-8")
    [message] = messages(list(open_source("whatsapp", path).items()))
    assert message.group.name == "Night Runners"
    blank = tmp_path / "WhatsApp Chat with \u200b\u2066.txt"
    blank.write_text("31/12/2023, 21:41 - Ann: hi\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"has nothing visible .*name it with --group"):
        open_source("whatsapp", blank)


def test_whatsapp_lines_before_the_first_message_are_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("garbage first\n\n31/12/2023, 21:41 - Ann: hi\n", encoding="utf-8")
    source = open_source("whatsapp", path)
    assert len(messages(list(source.items()))) == 1
    assert bad(source) == [(1, "not a WhatsApp message line (no date and time at its start)")]


# --- generic CSV --------------------------------------------------------------------------


def test_csv_sample_with_every_kind_of_bad_row() -> None:
    source, items = read("csv", "history.csv", tz=ZoneInfo("Asia/Shanghai"))
    got = messages(items)
    assert [(m.line, m.event_id[:2], m.sender.name, m.kind.value) for m in got] == [
        (2, "m1", "Lin Mei", "text"), (3, "m2", "Wang Fang", "text"),
        (4, "m3", "Zhao Lei", "picture"), (5, "m4", "Wang Fang", "text"),
        (13, "m1", "Chen Jing", "link"), (14, "h:", "Zhao Lei", "text"),
        (15, "h:", "Zhao Lei", "text"),
    ]  # fmt: skip
    assert got[1].reply_to == "m1"
    assert got[1].sent_at == datetime(2024, 3, 1, 1, 5, tzinfo=UTC)
    assert got[2].sent_at == datetime(2024, 3, 1, 1, 10, tzinfo=UTC), "Unix seconds"
    assert got[3].sent_at == datetime(2024, 3, 1, 9, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert got[3].text == "A message\nover two lines, with a comma"
    assert got[5].event_id != got[6].event_id
    assert [line for line, _ in bad(source)] == [8, 9, 10, 11, 12, 16]
    reasons = dict(bad(source))
    assert reasons[8].startswith("bad timestamp 'not-a-date'")
    assert reasons[9] == "missing sender"
    assert reasons[10].startswith("unknown kind 'gif'")
    assert reasons[11] == "10 fields where the header has 9: quote a field that holds commas"
    assert reasons[12].startswith("2 fields where the header has 9")
    assert reasons[16] == "missing group"
    assert source.notes == [f"{DATA / 'history.csv'}:1: ignored the columns mood"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"time,group,sender,text\n1,a,b,c\n", "the header lacks timestamp"),
        (b"timestamp,group,group,sender,text\n", "column 'group' appears twice"),
        # Telegram's result.json given as a CSV: the format to use, not a missing header
        (
            b'{\n "name": "Tea",\n "messages": []\n}\n',
            r":1: this is JSON, not CSV: a Telegram Desktop export is read by `hearth import telegram",
        ),
        # Excel in much of Europe saves "CSV" with semicolons; say so rather than only
        # that the header lacks every column
        (
            b"timestamp;group;sender;text\n1;a;b;c\n",
            r":1: the columns are separated by ';', not commas: save it as comma-separated",
        ),
        (
            b"timestamp\tgroup\tsender\ttext\n1\ta\tb\tc\n",
            r":1: the columns are separated by tabs, not commas: save it as comma-separated",
        ),
        ("timestamp,group,sender,text\n1,群,王,你好\n".encode("gbk"), "not UTF-8 text"),
    ],
)
def test_csv_that_cannot_be_read_at_all(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "history.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=says):
        open_source("csv", path)


ROWS = "timestamp,group,sender,text\n1,读书会,小明,你好\n2,读书会,小红,大家早上好\n"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        # Chinese Windows and Excel save GBK: where the first unreadable byte is, and the fix
        (ROWS.encode("gbk"), r":2: not UTF-8 text \(byte 31\); it looks like GBK/GB18030"),
        # Excel's "Unicode Text" is UTF-16 with a byte-order mark
        (ROWS.encode("utf-16"), r":1: not UTF-8 text \(byte 1\); it is UTF-16"),
        ("timestamp,group,sender,text\n1,café,Zoë,à bientôt\n".encode("cp1252"),
         r":2: not UTF-8 text \(byte 34\); save it as UTF-8"),
    ],
)  # fmt: skip
def test_a_file_in_another_encoding_says_which_line_and_what_it_looks_like(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "history.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=says) as raised:
        open_source("csv", path)
    assert str(raised.value).startswith(f"{path}:")
    assert "iconv" in str(raised.value) and "nothing was imported" in str(raised.value)


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        open_source("csv", tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="unknown format 'slack'"):
        open_source("slack", DATA / "history.csv")


texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"),
                max_size=40)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(texts, texts.filter(str.strip), texts), min_size=1, max_size=8))
def test_csv_written_by_a_csv_writer_reads_back(tmp_path_factory: pytest.TempPathFactory,
                                                rows: list[tuple[str, str, str]]) -> None:  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["timestamp", "group", "sender", "text"])
    groups = [group if group_name(group) else "g" for group, _, _ in rows]
    for i, (group, (_, sender, text)) in enumerate(zip(groups, rows, strict=True)):
        writer.writerow([f"2024-01-01T00:00:{i:02d}Z", group, sender, text])
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    source = open_source("csv", path)
    got = messages(list(source.items()))
    wanted = [(g.strip(), group_name(g), s.strip(), t)
              for g, (_, s, t) in zip(groups, rows, strict=True)]  # fmt: skip
    # the group as written is its key (the same group again); its name is one visible line
    assert [(m.group.key, m.group.name, m.sender.key, m.text) for m in got] == wanted
    assert source.bad_rows == []


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(texts.filter(lambda t: "\n" not in t), min_size=1, max_size=5))
def test_whatsapp_message_text_reads_back(tmp_path_factory: pytest.TempPathFactory,
                                          lines: list[str]) -> None:  # fmt: skip
    body = "\n".join(lines)
    path = tmp_path_factory.mktemp("wa") / "chat.txt"
    path.write_text(f"31/12/2023, 21:41 - Ann: first\n31/12/2023, 21:42 - Bob: {body}\n",
                    encoding="utf-8")  # fmt: skip
    got = messages(list(open_source("whatsapp", path).items()))
    if any(header(line) is not None for line in lines[1:]):
        return  # a continuation line that looks like a header starts a message: by design
    assert got[-1].sender.name == "Bob"
    assert got[-1].text == body.strip("\u200e\u200f\ufeff").rstrip("\n ")


# --- dates and quotes that used to slip through ------------------------------------------------


def _telegram_chat(dates: list[object]) -> str:
    entries = [
        {"id": n, "type": "message", "date": "2024-03-01T09:00:00", "date_unixtime": date,
         "from": "Lin Mei", "from_id": "user1001", "text": f"message {n}"}
        for n, date in enumerate(dates, start=1)
    ]  # fmt: skip
    return json.dumps({"name": "Club", "type": "private_supergroup", "id": 7,
                       "messages": entries}, indent=1)  # fmt: skip


def test_telegram_date_beyond_any_calendar_is_a_located_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    huge = ["1709255100", "99999999999999999999", 10**30, "253402300800", "9" * 5000, 1709255200]
    path.write_text(_telegram_chat(huge), encoding="utf-8")
    source = open_source("telegram", path)
    got = messages(list(source.items()))
    assert [m.text for m in got] == ["message 1", "message 6"]
    assert len(bad(source)) == 4
    for line, reason in bad(source):
        assert line > 1 and "is not a date this importer can read" in reason
    assert "(5000 digits)" in bad(source)[3][1], "a huge number is not printed whole"


def test_a_csv_time_with_no_moment_in_utc_is_a_located_bad_row(tmp_path: Path) -> None:
    """A time at the calendar's end whose offset moves it past the year 9999 (or before the
    year 1) refused the whole import as 'a number too large for the database … ids' with
    no line named; now only its row is skipped, saying why."""
    path = tmp_path / "history.csv"
    path.write_text(
        "timestamp,group,sender,text\n"
        "2024-03-01T09:00:00Z,Club,u1,first\n"
        "9999-12-31T23:59:59-14:00,Club,u2,after the calendar\n"
        "0001-01-01T00:00:00+14:00,Club,u3,before the calendar\n"
        "0001-01-01T00:30:00,Club,u4,naive before the calendar in +08:00\n"
        "2024-03-01T09:05:00Z,Club,u5,last\n",
        encoding="utf-8",
    )  # fmt: skip
    source = open_source("csv", path, ImportOptions(tz=CST))
    assert [m.text for m in messages(list(source.items()))] == ["first", "last"]
    assert [line for line, _ in bad(source)] == [3, 4, 5]
    for _, reason in bad(source):
        assert "out of range" in reason and "years 1 to 9999" in reason


def test_csv_with_a_quote_never_closed_names_its_line_and_reads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        'timestamp,group,sender,text\n'
        '2024-03-01T09:00:00Z,Club,u1,"fine, quoted"\n'
        '2024-03-01T09:01:00Z,Club,u2,"she said ""hi"" and left\n'
        '2024-03-01T09:02:00Z,Club,u3,swallowed\n'
        '2024-03-01T09:03:00Z,Club,u4,also swallowed\n',
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(ImportFileError, match=r"history\.csv:3: a quote opened on this line is "
                       "never closed"):  # fmt: skip
        open_source("csv", path)


def test_stray_quotes_inside_unquoted_fields_are_text(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text('timestamp,group,sender,text\n2024-03-01T09:00:00Z,Club,u1,a 27" screen\n'
                    '2024-03-01T09:01:00Z,Club,u2,"closed"\n', encoding="utf-8")  # fmt: skip
    _source, items = read("csv", path)
    assert [m.text for m in messages(items)] == ['a 27" screen', "closed"]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(["a", ",", '"', "\n", "\r"]), max_size=16), st.integers(1, 5))
def test_an_unclosed_quote_is_found_where_the_csv_module_reads_to_the_end(
    text: str, size: int
) -> None:
    try:
        list(csv.reader(io.StringIO(text, newline=""), strict=True))
        runs_off = False
    except csv.Error as exc:
        runs_off = "unexpected end of data" in str(exc)
        if not runs_off:
            return  # another strictness complaint: the lenient reader the importer uses copes
    chunks = [text[i : i + size] for i in range(0, len(text), size)]
    assert (unclosed_quote_line(chunks) is not None) == runs_off
