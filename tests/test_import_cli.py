"""`hearth import FORMAT FILE --community NAME` as an operator runs it, on SQLite."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.cli import app
from hearthkeeper.clock import SystemClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store, create_engine_for, sqlite_url
from hearthkeeper.store.database import SQLITE_FILE
from tests.playbook_samples import MINIMAL

DATA = Path(__file__).parent / "data" / "import"
ANDROID = DATA / "WhatsApp Chat with Night Runners.txt"


@pytest.fixture
def url(tmp_path: Path, migrated_sqlite: Path) -> str:
    """A migrated SQLite database of the test's own."""
    found = sqlite_url(tmp_path / "data")
    shutil.copyfile(migrated_sqlite, tmp_path / "data" / SQLITE_FILE)
    return found


def hearth(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["import", *args], env={"HEARTH_DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr


def open_store(url: str) -> Store:
    return Store(create_engine_for(url), SystemClock())


def telegram_message(number: int, text: str, **times: str) -> str:
    """One of Lin's messages in a Telegram Desktop export, one line of JSON; `times` are its
    `date` and `date_unixtime` as the export writes them (strings)."""
    return json.dumps({"id": number, "type": "message", **times, "from": "Lin",
                       "from_id": "user1", "text": text})  # fmt: skip


def telegram_chat(name: str, chat_id: int, *messages: str) -> str:
    """A chat of a Telegram Desktop export: a line opening the chat, then its messages one a
    line (the importer names a bad message by its line)."""
    opening = json.dumps({"name": name, "type": "private_supergroup", "id": chat_id})
    return opening.removesuffix("}") + ', "messages": [\n' + ",\n".join(messages) + "\n]}"


def test_whatsapp_export_imported_and_imported_again(url: str) -> None:
    code, out, err = hearth(url, "whatsapp", str(ANDROID), "--community", "Night Club")
    assert code == 0, out + err
    assert "into Night Club (night-club)" in out
    assert "messages: 9 added, 0 already there" in out
    assert "joins and leaves: 6 added, 0 already there" in out
    assert "groups: 1 (Night Runners)" in out
    assert "members: 4" in out
    assert "bad rows skipped: 3" in out
    assert "note: dates read as month/day/year: 12/30/23 8:02 PM has a day above 12" in out
    assert err.splitlines() == [
        f"{ANDROID}:14: no such date '12/32/23' read as month/day/year",
        f"{ANDROID}:16: missing sender (nothing before ': ')",
        f"{ANDROID}:17: no such time 13:22 PM",
    ]
    store = open_store(url)
    community = store.get_community("night-club")
    assert community is not None and community.name == "Night Club"
    code, out, _ = hearth(url, "whatsapp", str(ANDROID), "--community", "night-club")
    assert code == 0
    assert "messages: 0 added, 9 already there" in out
    assert "joins and leaves: 0 added, 6 already there" in out
    [group] = store.list_groups(community.id)
    assert len(store.messages(group.id)) == 9


def test_only_the_first_20_bad_rows_are_printed(url: str, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    lines = ["timestamp,group,sender,text", "2024-01-01T09:00:00Z,g,ann,hello"]
    lines += [f"someday,g,ann,bad {n}" for n in range(25)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = hearth(url, "csv", str(path), "--community", "c")
    assert code == 0, "something was imported"
    assert "messages: 1 added" in out and "bad rows skipped: 25" in out
    printed = err.splitlines()
    assert printed[0].startswith(f"{path}:3: bad timestamp 'someday'")
    assert printed[19].startswith(f"{path}:22: ")
    assert printed[20:] == ["… and 5 more bad rows"]


def test_a_file_of_only_bad_rows_fails_and_creates_nothing(url: str, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("timestamp,group,sender,text\nsomeday,g,ann,hi\n", encoding="utf-8")
    code, _, err = hearth(url, "csv", str(path), "--community", "c")
    assert code == 1
    assert f"{path}:2: bad timestamp" in err
    assert "nothing could be imported" in err
    assert open_store(url).list_communities() == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["csv", "{gbk}", "--community", "c"], "looks like GBK/GB18030"),
        (["csv", "{missing}", "--community", "c"], "no such file"),
        (["telegram", str(ANDROID), "--community", "c"], "not a Telegram Desktop JSON export"),
        (["csv", str(DATA / "history.csv"), "--community", "c", "--date-order", "dmy"],
         "--date-order is for WhatsApp exports only"),
        (["csv", str(DATA / "history.csv"), "--community", "c", "--tz", "Mars/Base"],
         "--tz: unknown time zone 'Mars/Base'"),
        # the server's own zone: the same file read on another server would move every time
        (["csv", str(DATA / "history.csv"), "--community", "c", "--tz", "localtime"],
         "--tz: 'localtime' is not the time zone of a place"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_stores_nothing(
    url: str, tmp_path: Path, args: list[str], says: str
) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("timestamp,group,sender,text\n1,群,王,你好\n".encode("gbk"))
    args = [a.format(gbk=gbk, missing=tmp_path / "missing.csv") for a in args]
    code, _, err = hearth(url, *args)
    assert code == 1
    assert says in err
    assert "Traceback" not in err
    assert open_store(url).list_communities() == []


def test_naive_times_are_read_in_the_communitys_time_zone(url: str, tmp_path: Path) -> None:
    store = open_store(url)
    apply_playbook(store, parse_playbook(MINIMAL), "test")  # Europe/London
    path = tmp_path / "history.csv"
    path.write_text("timestamp,group,sender,text\n2024-07-01 09:00,g,ann,hi\n", encoding="utf-8")
    code, out, _ = hearth(url, "csv", str(path), "--community", "tea")
    assert code == 0
    assert "read in Europe/London" in out
    [group] = store.list_groups(store.get_community("tea").id)  # type: ignore[union-attr]
    [message] = store.messages(group.id)
    assert message.sent_at == datetime(2024, 7, 1, 8, 0, tzinfo=UTC), "London summer time"
    code, out, _ = hearth(url, "csv", str(path), "--community", "tea", "--tz", "Asia/Shanghai")
    assert "messages: 0 added, 1 already there" in out, "ids are made of the text as written"


def test_telegram_group_option_picks_one_chat_of_a_full_export(url: str) -> None:
    full = DATA / "telegram_full_cut.json"
    code, out, err = hearth(url, "telegram", str(full), "--community", "c", "--group",
                            "Night Runners")  # fmt: skip
    assert code == 0, out + err
    assert "messages: 2 added" in out and "groups: 1 (Night Runners)" in out
    assert "without a time zone" not in out, "every time had its date_unixtime (zoned)"


def test_the_time_zone_note_appears_only_when_a_time_had_no_zone(url: str, tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    unzoned = telegram_message(1, "no unix time", date="2024-03-01T09:00:00")
    path.write_text(telegram_chat("Club", 7, unzoned) + "\n", encoding="utf-8")
    code, out, err = hearth(url, "telegram", str(path), "--community", "Club")
    assert code == 0, out + err
    assert "note: times written without a time zone were read in UTC" in out
    zoned = tmp_path / "zoned.csv"
    zoned.write_text("timestamp,group,sender,text\n2024-07-01T09:00Z,g,ann,hi\n",
                     encoding="utf-8")  # fmt: skip
    code, out, err = hearth(url, "csv", str(zoned), "--community", "Club")
    assert code == 0, out + err
    assert "messages: 1 added" in out and "without a time zone" not in out


def test_a_telegram_date_out_of_range_skips_that_message_and_says_where(
    url: str, tmp_path: Path
) -> None:
    path = tmp_path / "result.json"
    far = telegram_message(1, "far future", date="2024-03-01T09:00:00",
                           date_unixtime="99999999999999999999")  # fmt: skip
    today = telegram_message(2, "today", date="2024-03-01T09:01:00", date_unixtime="1709254860")
    path.write_text(telegram_chat("Club", 7, far, today) + "\n", encoding="utf-8")
    code, out, err = hearth(url, "telegram", str(path), "--community", "Club")
    assert code == 0, out + err
    assert "This is a bug" not in out + err
    assert "messages: 1 added" in out and "bad rows skipped: 1" in out
    assert f"{path}:2: date_unixtime 99999999999999999999 is not a date" in err


def test_a_csv_quote_never_closed_imports_nothing_and_names_the_line(
    url: str, tmp_path: Path
) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "timestamp,group,sender,text\n"
        '2024-03-01T09:00:00Z,Club,u1,"fine"\n'
        '2024-03-01T09:01:00Z,Club,u2,"never closed\n'
        "2024-03-01T09:02:00Z,Club,u3,swallowed\n",
        encoding="utf-8",
    )
    code, _out, err = hearth(url, "csv", str(path), "--community", "Club")
    assert code == 1
    assert f"{path}:3: a quote opened on this line is never closed" in err
    assert "nothing was imported" in err
    assert open_store(url).get_community("club") is None


@pytest.mark.parametrize(("option", "name", "said"), [
    ("--group", "", "--group needs a name"), ("--group", "   ", "--group needs a name"),
    ("--group", "Night\u202eRunners", "--group: the name carries U+202E (a right-to-left "
                                       "override) at character 6"),
    ("--group", "Night\nRunners", "--group: the name carries U+000A (a line break) at "
                                   "character 6"),
    ("--group", "G" * 201, "--group: the group's name is 201 characters long; at most 200 fit"),
    ("--community", "Night\u202eRunners", "--community: the name carries U+202E (a "
                                           "right-to-left override) at character 6"),
    ("--community", "Night\nRunners", "--community: the name carries U+000A (a line break) "
                                       "at character 6"),
    ("--community", "C" * 201, "--community: the community's name is 201 characters long; "
                               "at most 200 fit"),
])  # fmt: skip
def test_a_name_that_cannot_be_one_is_refused_naming_the_option_and_nothing_imported(
    url: str, option: str, name: str, said: str
) -> None:
    """An empty `--group` imported nothing and said so as a success, blanks made a group named
    "   ", a right-to-left override or a line break was kept in the group's (or a new
    community's) name every page shows, and a long one was cut at 200 characters or failed."""
    names = {"--community": "C", option: name}
    args = [arg for flag, value in names.items() for arg in (flag, value)]
    code, out, err = hearth(url, "whatsapp", str(ANDROID), *args)
    assert code == 1, out + err
    assert said in " ".join(err.split()) and "nothing was imported" in err, err
    assert open_store(url).list_communities() == [], "not even the community is created"


def test_group_names_in_a_csv_file_are_kept_as_one_visible_line_of_bounded_length(
    url: str, tmp_path: Path
) -> None:
    """`--group` refused a name with a line break, a control or text-direction character or
    over 200 characters, but the file's own group column was kept as written: a reversed,
    multi-line or 5,000-character name in the console, the grid and the report. A name with
    a right-to-left override is kept as it shows ("srennuR" overridden reads "Runners")."""
    path = tmp_path / "history.csv"
    path.write_text(
        "timestamp,group,sender,text\n"
        "2024-07-01T09:00Z,Night \u202esrennuR\u2066,ann,hi\n"  # shows "Night Runners"
        "2024-07-01T09:01Z,\u200b\u2066\x07,ann,lost\n"
        f"2024-07-01T09:02Z,{'L' * 5000},bob,long\n"
        '2024-07-01T09:03Z,"Tea\r\nADMIN: pay here",bob,two lines\n',
        encoding="utf-8",
    )
    code, out, err = hearth(url, "csv", str(path), "--community", "Club")
    assert code == 0, out + err
    assert "messages: 3 added" in out and "bad rows skipped: 1" in out
    assert f"{path}:3: the group's name has nothing visible once its line breaks, control, " \
        "text-direction and invisible characters are taken out" in err, err  # fmt: skip
    store = open_store(url)
    names = sorted(g.name for g in store.list_groups(store.get_community("club").id))  # type: ignore[union-attr]
    assert names == ["L" * 199 + "…", "Night Runners", "Tea ADMIN: pay here"], names
    code, out, err = hearth(url, "csv", str(path), "--community", "Club", "--group",
                            "Night Runners")  # fmt: skip
    assert code == 0 and "messages: 0 added, 1 already there" in out, out + err


def test_a_telegram_chats_name_is_kept_as_one_visible_line(url: str, tmp_path: Path) -> None:
    """The chat's name in result.json was kept as written (a line break, a right-to-left
    override and all); a name with nothing visible left names the chat by its id, said
    with the file and line."""
    path = tmp_path / "result.json"
    hi = telegram_message(1, "hi", date_unixtime="1709254860")
    chats = [
        telegram_chat("Night\u202e\nRunners\u0007", 7, hi),
        telegram_chat("\u200b\u2066\n", 8, hi),
    ]
    path.write_text('{"chats": {"list": [\n' + ",\n".join(chats) + "\n]}}\n", encoding="utf-8")
    code, out, err = hearth(url, "telegram", str(path), "--community", "Club")
    assert code == 0, out + err
    assert "messages: 2 added" in out, out + err
    assert f"note: {path}:5: the group's name has nothing visible" in " ".join(out.split()), out
    assert "imported into 'Telegram chat 8'" in " ".join(out.split())
    store = open_store(url)
    names = sorted(g.name for g in store.list_groups(store.get_community("club").id))  # type: ignore[union-attr]
    assert names == ["Night Runners", "Telegram chat 8"], names
    code, out, err = hearth(url, "telegram", str(path), "--community", "Club", "--group",
                            "Night Runners")  # fmt: skip
    assert code == 0 and "messages: 0 added, 1 already there" in out, out + err


def test_a_second_row_with_an_id_the_file_gave_already_in_that_group_is_a_bad_row(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """Two rows with the same id in one group of one file: the second's text was counted as
    "already there" and silently dropped. Now it is a bad row naming both lines; the same id
    in another group is another message, and importing the file again finds both stored."""
    path = tmp_path / "history.csv"
    path.write_text(
        "timestamp,group,sender,text,id\n"
        "2024-01-01T09:00:00Z,g,ann,first words,m1\n"
        "2024-01-01T09:01:00Z,h,bo,same id in another group,m1\n"
        "2024-01-01T09:02:00Z,g,cy,other words under the same id,m1\n",
        encoding="utf-8",
    )
    code, out, err = hearth(database_url, "csv", str(path), "--community", "c")
    assert code == 0, out + err
    assert "messages: 2 added, 0 already there" in out
    assert "bad rows skipped: 1" in out
    assert err.splitlines() == [
        f"{path}:4: the id 'm1' is on line 2 already, in the group 'g': each message of a "
        "group needs an id of its own; this row was skipped"
    ]
    code, out, err = hearth(database_url, "csv", str(path), "--community", "c")
    assert code == 0 and "messages: 0 added, 2 already there" in out
    assert "bad rows skipped: 1" in out
    community = store.get_community("c")
    assert community is not None
    texts = {g.name: [m.text for m in store.messages(g.id)]
             for g in store.list_groups(community.id)}  # fmt: skip
    assert texts == {"g": ["first words"], "h": ["same id in another group"]}
