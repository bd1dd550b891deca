"""`hearth events`: make a priced event, list it (the playbook's salon made an event too),
record a member's fee once per receipt, check them in once, cancel; readable refusals."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from socket import gethostname
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from hearthkeeper import process
from hearthkeeper.capabilities.activities.records import Event, NewEvent, SignUp, Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.cli import main
from hearthkeeper.clock import SystemClock
from hearthkeeper.listening import LISTENING_NAME, listening_at
from hearthkeeper.store import Member, Store, database
from hearthkeeper.store.database import SQLITE_FILE
from tests.cli_sites import made_site, run, site_store
from tests.playbook_samples import MINIMAL


def signed_up(store: Store, status: Status,
              title: str = "品鉴会") -> tuple[Event, Member, SignUp]:  # fmt: skip
    """The event `title` made by the test's command, and 小美 (web chat u-1) of a new web chat
    group signed up for it with `status`."""
    community = store.list_communities()[0]
    event = next(e for e in SqlActivities.on(store).events(community.id) if e.title == title)
    group = store.add_group(community.id, "g", "webchat", "g-1")
    member = store.member_for("webchat", "u-1", "小美")
    signed = SqlActivities.on(store).put(event.id, member.id, group.id, status,
                                         SystemClock().now())  # fmt: skip
    return event, member, signed


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return made_site(tmp_path, monkeypatch, "skincare")


def test_events_from_the_command_line(site: Path) -> None:
    config = ("--config", str(site))
    soon = (SystemClock().now() + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    at = soon.strftime("%Y-%m-%d %H:%M")
    status, out = run("events", "create", "品鉴会", "--at", at, "--capacity", "8",
                      "--price", "45", *config)  # fmt: skip
    assert status == 0 and "Event" in out and "品鉴会" in out
    assert f"品鉴会 at {at} Asia/Shanghai" in out, "whose clock, named"
    assert run("events", "create", "x", "--at", "tomorrow", *config)[0] == 1

    with site_store(site) as store:
        event, member, signed = signed_up(store, Status.UNPAID)
        code = (
            SqlBilling.on(store).reference_for("webchat", "u-1", "小美", SystemClock().now()).code
        )

    status, out = run("events", "pay", str(event.id), code, "--receipt", "TB-9", *config)
    assert status == 0 and "45.00 CNY" in out and "confirmed" in out
    status, out = run("events", "pay", str(event.id), code, "--receipt", "TB-9", *config)
    assert status == 0 and "recorded already" in out
    # a second receipt for the place paid already (another staff member recording the same
    # transfer) was a second 45.00 CNY order: the fee counted twice in the revenue
    status, out = run("events", "pay", str(event.id), code, "--receipt", "TB-10", *config)
    assert status == 1 and "小美's fee for event" in out and "recorded already (order" in out
    status, out = run("billing", "list", "--orders", *config)
    assert status == 0 and "TB-9" in out and "TB-10" not in out and out.count("event fee") == 1
    status, out = run("events", "list", *config)
    assert status == 0 and "线下肤质检测沙龙" in out and "1/8 confirmed" in out
    assert out.splitlines()[0] == "Times in Asia/Shanghai (the community's time zone).", out
    status, out = run("events", "checkin", signed.code, *config)
    assert status == 0 and "In: 小美" in out
    status, out = run("events", "checkin", signed.code, *config)
    assert status == 1 and "Code used already (小美's code for 品鉴会)" in out, out
    status, out = run("events", "cancel", str(event.id), *config)
    assert status == 0 and "1 sign-up(s) told" in out
    # the fee is not given back by the cancellation: staff are told whose to give back
    said = " ".join(out.split())
    assert "1 fee(s) recorded for it, not given back by themselves" in said, out
    assert f"hearth events refund {event.id} WHO" in said and f"member:{member.id}" in said
    status, out = run("events", "cancel", "999", *config)
    assert status == 1 and "no event 999" in out
    # the event cancelled: the fee goes back, once
    status, out = run("events", "refund", str(event.id), code, *config)
    assert status == 0, out
    assert "Refunded 45.00 CNY (order 2, giving back order 1) to 小美" in out
    status, out = run("events", "refund", str(event.id), code, *config)
    said = " ".join(out.split())
    assert status == 1 and "(order 1) was refunded already (order 2)" in said
    status, out = run("billing", "list", "--orders", *config)
    assert out.count("-45.00 CNY") == 1


def test_a_fee_below_the_events_needs_a_reason_and_a_negative_one_is_refused(site: Path) -> None:
    """`--amount 5` for a 45 CNY event (a mistyped 50) confirmed the place silently, and
    `--amount -45` confirmed it too while taking 45 off the revenue: staff say why a place
    costs less, as for a membership payment below its price, and a negative fee is no fee."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    status, out = run("events", "create", "品鉴会", "--at", at, "--price", "45", *config)
    assert status == 0, out
    with site_store(site) as store:
        event, member, _ = signed_up(store, Status.UNPAID)
    who = f"member:{member.id}"

    for amount, said in (("-45", "a fee cannot be negative"),
                         ("5", "5.00 CNY was paid, below the fee of event"),
                         ("0", "0.00 CNY was paid, below the fee of event")):  # fmt: skip
        status, out = run("events", "pay", str(event.id), who, "--receipt", f"TB-{amount}",
                          "--amount", amount, *config)  # fmt: skip
        assert status == 1 and said in " ".join(out.split()), out
    status, out = run("billing", "list", "--orders", *config)
    assert "event fee" not in out, "nothing was recorded"
    status, out = run("events", "list", *config)
    assert "0/" in out and "1 unpaid" in out, "the place is still unpaid"

    status, out = run("events", "pay", str(event.id), who, "--receipt", "TB-5", "--amount", "5",
                      "--discount", "founding member", *config)  # fmt: skip
    assert status == 0 and "5.00 CNY" in out and "confirmed" in out, out


def test_a_fee_that_is_no_amount_or_too_large_is_refused_saying_so(site: Path) -> None:
    """NaN was "a bug in Hearthkeeper"; 1e999 and a fee beyond what the store keeps made an
    event no database could hold."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    for fee, said in (("NaN", "is not an amount"), ("sNaN", "is not an amount"),
                      ("1e999", "is not an amount"),  # staff write no exponents
                      ("10000000000", "larger than an event's fee can be"),
                      ("4.505", "is not an amount")):  # fmt: skip
        status, out = run("events", "create", "品鉴会", "--at", at, "--price", fee, *config)
        assert status == 1 and said in out and "bug" not in out, out
    status, out = run("events", "list", *config)
    assert "品鉴会" not in out  # none was made


def test_an_event_beyond_the_dates_it_takes_names_the_option_and_its_range(site: Path) -> None:
    """Year 9999's last minute in the community's time zone was accepted (and 0001 said it
    had passed at 0001-01-01T00:01)."""
    status, out = run("events", "create", "x", "--at", "9999-12-31 23:59", "--config", str(site))
    assert status == 1
    assert "--at '9999-12-31 23:59' is out of range: give a day from 1970-01-01" in out


def test_a_payment_window_from_the_command_line_and_lapsed_places_in_the_list(site: Path) -> None:
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai"))
    when = ("--at", at.strftime("%Y-%m-%d %H:%M"))
    for window, said in (("40000d", "too long"), ("2 fortnights", "unknown time unit")):
        status, out = run("events", "create", "品鉴会", *when, "--price", "45",
                          "--pay-within", window, *config)  # fmt: skip
        assert status == 1 and said in out and "payment window" in out, out
    status, out = run("events", "create", "品鉴会", *when, "--price", "45", "--capacity", "8",
                      "--pay-within", "90m", *config)  # fmt: skip
    assert status == 0, out
    assert "45 CNY, pay within 1h30m" in out  # what was set, said back: '1s' for '1d' shows
    status, out = run("events", "create", "读书会", *when, "--pay-within", "2d", *config)
    assert status == 0 and "free: --pay-within applies to priced events only" in out, out

    with site_store(site) as store:
        event, _, _ = signed_up(store, Status.LAPSED)
    assert event.pay_within == timedelta(minutes=90)
    status, out = run("events", "list", *config)
    line = next(line for line in out.splitlines() if "品鉴会" in line)
    assert "0/8 confirmed, 0 unpaid, 0 waiting, 1 lapsed unpaid; 45 CNY, pay within 1h30m" in line


def test_a_command_meeting_a_locked_database_says_so_not_that_it_is_a_bug(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup holding the SQLite file (or a PostgreSQL restart) while staff make an event:
    the command says the database is unavailable and to try again; nothing is made."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)  # the lock is met at once
    # main() is the `hearth` script's: it marks the process as one command and leaves Ctrl-C
    # and SIGTERM ignored as it returns. pytest's process goes on: both undone after.
    monkeypatch.setattr(process._Process, "ends_with_the_command", False)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    at = (SystemClock().now() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai"))
    args = ["hearth", "events", "create", "品鉴会", "--at", at.strftime("%Y-%m-%d %H:%M"),
            "--price", "45", "--config", str(site)]  # fmt: skip
    monkeypatch.setattr(sys, "argv", args)
    other = sqlite3.connect(site.parent / "data" / SQLITE_FILE, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(SystemExit) as ended:
            main()
    finally:
        other.execute("ROLLBACK")
        other.close()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    said = capsys.readouterr().err
    assert ended.value.code == 1 and "the database is unavailable just now" in said, said
    assert "Try again in a moment" in said and "This is a bug" not in said
    assert "品鉴会" not in run("events", "list", "--config", str(site))[1]


def test_an_event_made_without_a_currency_charges_in_the_communitys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The club template's plans are in GBP: an event staff make is priced in GBP, not CNY."""
    config = ("--config", str(made_site(tmp_path, monkeypatch, "club", "club")))
    soon = (SystemClock().now() + timedelta(days=2)).astimezone(ZoneInfo("Europe/London"))
    at = soon.strftime("%Y-%m-%d %H:%M")
    status, out = run("events", "create", "Tasting", "--at", at, "--price", "45", *config)
    assert status == 0 and "45 GBP" in out, out
    status, out = run("events", "create", "Tasting", "--at", at, "--price", "45",
                      "--currency", "EUR", *config)  # fmt: skip
    assert status == 0 and "45 EUR" in out, out
    status, out = run("events", "list", *config)
    assert "CNY" not in out, "the template's own tastings and dinners charge in GBP"


def _signed_up(site: Path, title: str, status: Status) -> tuple[int, str, str]:
    """The event titled `title`, and 小美 signed up to it (`status`): the event's id, her
    payment reference and her door code."""
    with site_store(site) as store:
        event, _, signed = signed_up(store, status, title)
        reference = SqlBilling.on(store).reference_for("webchat", "u-1", "小美",
                                                       SystemClock().now()).code  # fmt: skip
    return event.id, reference, signed.code


def test_a_code_checked_in_before_the_door_opens_says_when_it_opens(site: Path) -> None:
    """`hearth events checkin` answered `error: not_now: 小美` (and `unknown: ?`): staff at
    the door learn why a code is refused and, for an early one, when the door opens."""
    config = ("--config", str(site))
    zone = ZoneInfo("Asia/Shanghai")
    start = (SystemClock().now() + timedelta(hours=5)).astimezone(zone).replace(second=0,
                                                                               microsecond=0)  # fmt: skip
    status, out = run("events", "create", "品鉴会", "--at", start.strftime("%Y-%m-%d %H:%M"),
                      *config)  # fmt: skip
    assert status == 0, out
    _, _, code = _signed_up(site, "品鉴会", Status.CONFIRMED)

    status, out = run("events", "checkin", code, *config)
    said = " ".join(out.split())
    opens = (start - timedelta(hours=3)).strftime("%a %Y-%m-%d %H:%M")
    assert status == 1 and "not_now" not in said, out
    assert "Not this event's door time (小美's code for 品鉴会)" in said, out
    assert f"The door opens at {opens}, 3 hours before the start." in said, out

    status, out = run("events", "checkin", "ZZZZ-ZZZZ", *config)
    said = " ".join(out.split())
    assert status == 1 and "unknown: ?" not in said
    assert "Unknown code. No sign-up of this community has the code ZZZZ-ZZZZ" in said, out


def test_a_fee_recorded_from_the_command_line_gives_the_member_their_tickets_full_link(
    site: Path,
) -> None:
    """The member was told "Your door code: /ticket/…": a path, no link in the chat, where
    the console's *Record a fee* gives the full link from the server's public address."""
    text = site.read_text().replace('# public_url = "http://127.0.0.1:8470"',
                                    'public_url = "https://club.example.org"')  # fmt: skip
    site.write_text(text)
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai"))
    status, out = run("events", "create", "品鉴会", "--at", at.strftime("%Y-%m-%d %H:%M"),
                      "--price", "45", *config)  # fmt: skip
    assert status == 0, out
    event_id, reference, code = _signed_up(site, "品鉴会", Status.UNPAID)
    status, out = run("events", "pay", str(event_id), reference, "--receipt", "TB-1", *config)
    assert status == 0, out

    with sqlite3.connect(site.parent / "data" / "hearth.db") as db:
        said = [row[0] for row in db.execute("SELECT action FROM outbox")]
    told = next(action for action in said if "TB-1" not in action and code in action)
    assert f"https://club.example.org/ticket/{code}" in told, told


def test_a_ticket_link_from_the_command_line_leads_to_the_port_the_server_listens_on(
    site: Path,
) -> None:
    """With no public_url, `hearth events pay` told the member http://127.0.0.1:8470/ticket/…
    (the configured port) while `hearth serve --port 0` listened elsewhere. Now the ticket
    starts with the address the running server recorded; a record left by a server that is
    gone (killed) is not believed."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai"))
    status, out = run("events", "create", "品鉴会", "--at", at.strftime("%Y-%m-%d %H:%M"),
                      "--price", "45", *config)  # fmt: skip
    assert status == 0, out
    data = site.parent / "data"
    event_id, reference, code = _signed_up(site, "品鉴会", Status.UNPAID)
    with listening_at(data, "http://127.0.0.1:41234"):  # as `hearth serve --port 0` does
        status, out = run("events", "pay", str(event_id), reference, "--receipt", "TB-1",
                          *config)  # fmt: skip
        assert status == 0, out
    with sqlite3.connect(data / "hearth.db") as db:
        said = [row[0] for row in db.execute("SELECT action FROM outbox")]
    told = next(action for action in said if "TB-1" not in action and code in action)
    assert f"http://127.0.0.1:41234/ticket/{code}" in told, told
    assert not list((data / LISTENING_NAME).iterdir()), "the server's record goes when it stops"

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    record = {"url": "http://127.0.0.1:41235", "pid": int(gone.stdout), "host": gethostname()}
    (data / LISTENING_NAME / f"{gethostname()}-{gone.stdout.strip()}.json").write_text(
        json.dumps(record), encoding="utf-8"
    )
    status, out = run("livecodes", "create", "poster", *config)
    assert status == 0, out
    assert "http://127.0.0.1:8470/go/poster" in out and "41235" not in out
    assert "set public_url in the [server] table" in out


NODE = """
import sys
from pathlib import Path
from hearthkeeper.listening import listening_at
with listening_at(Path(sys.argv[1]), sys.argv[2]):
    print("serving", flush=True)
    sys.stdin.read()
"""


def test_web_nodes_sharing_a_data_directory_each_keep_their_address(site: Path) -> None:
    """Two web nodes on one data directory wrote the same listening.json: the second
    overwrote the first's address and, stopping, removed it, so the links of the commands
    assumed the configured port while the first node still served. Each keeps its own entry
    now: the node still running is the one the links reach, until it stops too."""
    config = ("--config", str(site))
    data = site.parent / "data"
    first = subprocess.Popen([sys.executable, "-c", NODE, str(data), "http://127.0.0.1:41236"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "serving"
        with listening_at(data, "http://127.0.0.1:41237"):  # a second node, stopped since
            pass
        status, out = run("livecodes", "create", "poster", *config)
        assert status == 0, out
        assert "http://127.0.0.1:41236/go/poster" in out and "public_url" not in out, out
    finally:
        first.communicate("", timeout=60)
    status, out = run("livecodes", "create", "flyer", *config)
    assert status == 0 and "http://127.0.0.1:8470/go/flyer" in out, out


def test_a_fee_for_someone_not_signed_up_names_them_and_the_event(site: Path) -> None:
    """Staff typed 小美's payment reference and read "member 1 has not signed up for event
    2": which member, which event? The refusal names her (as `member:ID` takes her) and the
    event's title."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai"))
    for title in ("品鉴会", "读书会"):
        status, out = run("events", "create", title, "--at", at.strftime("%Y-%m-%d %H:%M"),
                          "--price", "45", *config)  # fmt: skip
        assert status == 0, out
    event_id, reference, _ = _signed_up(site, "品鉴会", Status.UNPAID)
    with site_store(site) as store:
        community = store.list_communities()[0]
        other = next(e for e in SqlActivities.on(store).events(community.id) if e.title == "读书会")
        member = store.member_for("webchat", "u-1", "小美")
    for command in (("pay", str(other.id), reference, "--receipt", "TB-1"),
                    ("refund", str(other.id), reference)):  # fmt: skip
        status, out = run("events", *command, *config)
        said = " ".join(out.split())
        assert status == 1, out
        assert f"小美 (member:{member.id}) has not signed up for event {other.id} (读书会)" in said
    assert event_id != other.id


def test_event_commands_find_the_events_community_by_its_id(site: Path) -> None:
    """With a second community on the server, `events pay EVENT WHO`, `refund`, `cancel` and
    `checkin CODE` said "say which community with --community", though an event's id (and a
    door code's sign-up) names one."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    status, out = run("events", "create", "品鉴会", "--at", at.strftime("%Y-%m-%d %H:%M"),
                      "--price", "45", *config)  # fmt: skip
    assert status == 0, out
    with site_store(site) as store:
        event, member, signed = signed_up(store, Status.UNPAID)
        store.ensure_community("book-club", "Book club")
    who = f"member:{member.id}"
    status, out = run("events", "pay", str(event.id), who, "--receipt", "TB-9", *config)
    assert status == 0 and "45.00 CNY" in out and "confirmed" in out, out
    status, out = run("events", "checkin", signed.code, *config)
    assert status == 0 and "In: 小美" in out, out
    status, out = run("events", "checkin", "ZZZZ-ZZZZ", *config)
    said = " ".join(out.split())
    assert status == 1 and "Unknown code: no sign-up on this server has the door code" in said
    assert "unknown:" not in said, out
    status, out = run("events", "cancel", str(event.id), "--community", "book-club", *config)
    assert status == 1 and "no event" in out, out  # --community still decides
    status, out = run("events", "cancel", str(event.id), *config)
    assert status == 0 and "1 sign-up(s) told" in out, out
    status, out = run("events", "refund", str(event.id), who, *config)
    assert status == 0 and "Refunded 45.00 CNY" in out, out
    status, out = run("events", "cancel", "999", *config)
    assert status == 1 and "there is no event 999 on this server" in out, out


def test_events_create_and_list_find_the_community_when_only_one_can_be_meant(site: Path) -> None:
    """A second community on the server, with no events and no activities: `events create`
    and `events list` said "say which community with --community", though only the skincare
    community has activities. Once both have events, a group names one; else the refusal
    names the choices."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    with site_store(site) as store:
        other = store.ensure_community("book-club", "Book club")
        store.add_group(other.id, "Reading room", "webchat", "r-1")
    status, out = run("events", "create", "品鉴会", "--at", at.strftime("%Y-%m-%d %H:%M"),
                      *config)  # fmt: skip
    assert status == 0 and "品鉴会" in out, out
    status, out = run("events", "list", *config)
    assert status == 0 and "品鉴会" in out, out

    with site_store(site) as store:
        SqlActivities.on(store).create(other.id, NewEvent(None, "Book swap", None, at), "cli",
                                       SystemClock().now())  # fmt: skip
    status, out = run("events", "list", *config)
    said = " ".join(out.split())
    assert status == 1, out
    # each named as `slug (name)`, as every other refusal lists communities
    assert "book-club (Book club)" in said.split(" have events or activities")[0], said
    assert "yan-academy-skincare (" in said.split(" have events or activities")[0], said
    assert said.count("book-club (Book club)") == 2, said  # and among all of them
    status, out = run("events", "list", "--group", "Reading room", *config)
    assert status == 0 and "Book swap" in out and "品鉴会" not in out, out
    status, out = run("events", "list", "--group", "Nowhere", *config)
    assert status == 1 and "no community on this server has a group 'Nowhere'" in out, out
    with site_store(site) as store:
        skincare = next(c for c in store.list_communities() if c.id != other.id)
        store.add_group(skincare.id, "Reading room", "webchat", "r-2")
    status, out = run("events", "list", "--group", "Reading room", *config)
    said = " ".join(out.split())
    assert status == 1 and "several communities have a group 'Reading room' (" in said, out
    assert "book-club (Book club)" in said and f"{skincare.slug} ({skincare.name})" in said, out


def test_the_payment_reference_alone_finds_the_members_unpaid_place(site: Path) -> None:
    """`hearth events pay DMW3-D5RN` (the reference the member was given, all staff had) said
    "Invalid value for 'EVENT_ID': 'DMW3-D5RN' is not a whole number"."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert run("events", "create", "品鉴会", "--at", at, "--price", "45", *config)[0] == 0
    with site_store(site) as store:
        signed_up(store, Status.UNPAID)
        code = (
            SqlBilling.on(store).reference_for("webchat", "u-1", "小美", SystemClock().now()).code
        )
    status, out = run("events", "pay", code.lower(), "--receipt", "TB-1", *config)
    assert status == 0 and "45.00 CNY" in out and "小美 is confirmed" in out, out
    status, out = run("events", "pay", code, "--receipt", "TB-2", *config)
    said = " ".join(out.split())
    # the place is paid: said so with its order and receipt (it said "no unpaid place")
    assert status == 1 and f"{code}'s fee is recorded already for event 1 (品鉴会): order 1, " \
        "receipt TB-1: nothing was recorded; if they paid twice, refund" in said, out  # fmt: skip
    with site_store(site) as store:
        [community] = store.list_communities()
        assert len(SqlBilling.on(store).orders(community.id)) == 1
    with site_store(site) as store:  # someone given a reference who never signed up
        other = SqlBilling.on(store).reference_for("webchat", "u-2", "小红", SystemClock().now())
    status, out = run("events", "pay", other.code, "--receipt", "TB-2", *config)
    said = " ".join(out.split())
    assert status == 1 and f"{other.code} has no unpaid place in an event" in said, out
    assert f"`hearth events list` gives the event numbers: hearth events pay EVENT_ID " \
           f"{other.code}" in said  # fmt: skip
    status, out = run("events", "pay", "salon", "--receipt", "TB-3", *config)
    assert status == 2 and "'salon' is neither an event number" in " ".join(out.split()), out


def test_the_payment_reference_alone_run_again_with_its_receipt_says_recorded_already(
    site: Path,
) -> None:
    """`hearth events pay DMW3-D5RN --receipt TB-1` run a second time (a dropped connection,
    a shell retried; or two staff at once) said "DMW3-D5RN has no unpaid place in an event"
    and exited 1, as if nothing had been recorded, where `hearth events pay 1 DMW3-D5RN
    --receipt TB-1` says the order was recorded already: it now says the same, once."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert run("events", "create", "品鉴会", "--at", at, "--price", "45", *config)[0] == 0
    with site_store(site) as store:
        signed_up(store, Status.UNPAID)
        code = (
            SqlBilling.on(store).reference_for("webchat", "u-1", "小美", SystemClock().now()).code
        )
    status, out = run("events", "pay", code, "--receipt", "TB-1", *config)
    assert status == 0 and "Order 1 recorded" in out, out
    status, out = run("events", "pay", code, "--receipt", " TB-1 ", *config)
    said = " ".join(out.split())
    assert status == 0 and "Order 1 was recorded already: 45.00 CNY; 小美 is confirmed" in said, out
    with site_store(site) as store:
        [community] = store.list_communities()
        assert len(SqlBilling.on(store).orders(community.id)) == 1
    # Another receipt for the place paid with TB-1: recorded already, naming the order.
    status, out = run("events", "pay", code, "--receipt", "TB-9", *config)
    said = " ".join(out.split())
    assert status == 1 and "recorded already for event 1 (品鉴会): order 1, receipt TB-1" in said


def test_the_payment_reference_alone_finds_the_community_as_typed_anywhere(site: Path) -> None:
    """`--community` beside a payment reference alone is found as every command finds it: its
    name in another case pays the place, a misspelt one is named as no community (it said the
    member 'has no unpaid place in an event', as if the member had paid or never signed up)."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert run("events", "create", "品鉴会", "--at", at, "--price", "45", *config)[0] == 0
    with site_store(site) as store:
        signed_up(store, Status.UNPAID)
        [community] = store.list_communities()
        code = (
            SqlBilling.on(store).reference_for("webchat", "u-1", "小美", SystemClock().now()).code
        )
    status, out = run("events", "pay", code, "--receipt", "TB-1",
                      "--community", f"{community.slug}x", *config)  # fmt: skip
    said = " ".join(out.split())
    assert status == 1 and f"no community '{community.slug}x'" in said, out
    assert "no unpaid place" not in said, out
    status, out = run("events", "pay", code, "--receipt", "TB-1",
                      "--community", f" {community.slug.upper()} ", *config)  # fmt: skip
    assert status == 0 and "45.00 CNY" in out and "小美 is confirmed" in out, out


def test_who_paid_alone_finds_their_one_unpaid_place_or_gives_the_command_for_each(
    site: Path,
) -> None:
    """`hearth events pay member:7 --receipt …` (or CARRIER:USER_ID, as staff know a member
    from the console) said "'member:7' is neither an event number nor a payment reference":
    only the reference found the place by itself. Any way of naming who paid now does; with
    places in two events it gives the command that pays each, with its event."""
    config = ("--config", str(site))
    now = SystemClock().now()
    for title, days, price in (("品鉴会", 3, "45"), ("读书会", 5, "30")):
        at = (now + timedelta(days=days)).strftime("%Y-%m-%d %H:%M")
        assert run("events", "create", title, "--at", at, "--price", price, *config)[0] == 0
    with site_store(site) as store:
        tasting, member, signed = signed_up(store, Status.UNPAID)
        reading = next(e for e in SqlActivities.on(store).events(tasting.community_id)
                       if e.title == "读书会")  # fmt: skip
        SqlActivities.on(store).put(reading.id, member.id, signed.group_id, Status.UNPAID, now)
    status, out = run("events", "pay", "webchat:u-1", "--receipt", "TB-1", *config)
    said = " ".join(out.split())
    assert status == 1 and "webchat:u-1 has unpaid places in 2 events; say which, one of:" in said
    for event, fee in ((tasting, "45 CNY"), (reading, "30 CNY")):
        start = f"{event.starts_at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M}"
        assert (f"hearth events pay {event.id} webchat:u-1 --receipt TB-1 ({event.title}, "
                f"{start} Asia/Shanghai, {fee})") in said, said  # fmt: skip
    status, out = run("events", "pay", str(tasting.id), "webchat:u-1", "--receipt", "TB-1",
                      *config)  # fmt: skip
    assert status == 0 and "45.00 CNY" in out, out
    status, out = run("events", "pay", f"member:{member.id}", "--receipt", "TB-2", *config)
    assert status == 0 and "30.00 CNY" in out and "小美 is confirmed" in out, out
    status, out = run("events", "pay", f"member:{member.id}", "--receipt", "TB-3", *config)
    said = " ".join(out.split())
    # both places paid: each named with its order and receipt (it said "no unpaid place")
    assert status == 1 and f"member:{member.id}'s fee is recorded already for event " \
        f"{tasting.id} ({tasting.title}): order 1, receipt TB-1; event" in said, out  # fmt: skip
    assert ": order 2, receipt TB-2: nothing was recorded" in said, out


def test_who_paid_with_its_prefix_in_another_case_is_the_same_member(site: Path) -> None:
    """`hearth events pay MEMBER:7 --receipt …` said "no member is known as '7' on 'MEMBER'",
    and `WebChat:u-1` "no member is known as 'u-1' on 'WebChat'", of a member who is there:
    the prefix is read in any case."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert run("events", "create", "品鉴会", "--at", at, "--price", "45", *config)[0] == 0
    with site_store(site) as store:
        _, member, _ = signed_up(store, Status.UNPAID)
    status, out = run("events", "pay", f"MEMBER:{member.id}", "--receipt", "TB-1", *config)
    assert status == 0 and "45.00 CNY" in out and "小美 is confirmed" in out, out
    for who in (f"Member: {member.id}", "WebChat:u-1"):
        status, out = run("events", "pay", who, "--receipt", "TB-1", *config)
        assert status == 0 and "was recorded already" in out, (who, out)


def test_who_paid_typed_on_a_chinese_keyboard_is_the_same_member(site: Path) -> None:
    """`hearth events pay member：７` (the colon and digits a Chinese keyboard types full-width)
    said "is not a payment reference" and "names no member" of a member who is there."""
    config = ("--config", str(site))
    at = (SystemClock().now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert run("events", "create", "品鉴会", "--at", at, "--price", "45", *config)[0] == 0
    with site_store(site) as store:
        _, member, _ = signed_up(store, Status.UNPAID)
    wide = str(member.id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    status, out = run("events", "pay", f"member：{wide}", "--receipt", "TB-1", *config)
    assert status == 0 and "45.00 CNY" in out and "小美 is confirmed" in out, out
    for who in (f"member:{wide}", "WebChat：u-1"):
        status, out = run("events", "pay", who, "--receipt", "TB-1", *config)
        assert status == 0 and "was recorded already" in out, (who, out)
    status, out = run("events", "pay", "member:9223372036854775808", "--receipt", "TB-1", *config)
    assert status == 1 and "there is no member 9223372036854775808" in out, out
    # an event's number of 5,000 digits was "ValueError: Exceeds the limit (4300 digits) … a
    # bug in Hearthkeeper"
    status, out = run("events", "pay", "9" * 5000, "--receipt", "TB-1", *config)
    assert status == 2 and f"there is no event {'9' * 40}…" in out, out
    status, out = run("events", "pay", "9" * 5000, f"member:{member.id}", "--receipt", "TB-1",
                      *config)  # fmt: skip
    assert status == 2 and f"there is no event {'9' * 40}…" in out, out


def test_an_all_digit_payment_reference_typed_without_its_dash_is_not_taken_for_an_event(
    site: Path,
) -> None:
    """One payment reference in ~10,000 is all digits: `hearth events pay 00417394` (web chat
    user u-10200's 0041-7394, typed without the dash) read as event 417394 and said "say who
    paid". Now the number is the reference when someone was given it and there is no such
    event; when both exist, nothing is recorded and staff are asked which they meant."""
    config = ("--config", str(site))
    now = SystemClock().now()
    with site_store(site) as store:
        [community] = store.list_communities()
        repo = SqlActivities.on(store)
        first = repo.create(community.id, NewEvent(None, "品鉴会", None, now + timedelta(days=3),
                                                   price=Decimal(45)), "t", now)  # fmt: skip
        group = store.add_group(community.id, "g", "webchat", "g-1")
        member = store.member_for("webchat", "u-10200", "小美")
        repo.put(first.id, member.id, group.id, Status.UNPAID, now)
        code = SqlBilling.on(store).reference_for("webchat", "u-10200", "小美", now).code
    assert code == "0041-7394", "the test's member has an all-digit reference"

    status, out = run("events", "pay", "00417394", "--receipt", "TB-1", *config)
    assert status == 0 and "45.00 CNY" in out and "小美 is confirmed" in out, out

    # now an event 417394 exists too, where 小美 holds an unpaid place
    with site_store(site) as store:
        run_ = SqlActivities.on(store).create(community.id, NewEvent(
            None, "Night run", None, now + timedelta(days=4), price=Decimal(45)), "t", now)  # fmt: skip
        with store.engine.begin() as connection:  # numbered as the reference's digits read
            connection.execute(text("UPDATE activity_events SET id = 417394 WHERE id = :id"),
                               {"id": run_.id})  # fmt: skip
        SqlActivities.on(store).put(417394, member.id, group.id, Status.UNPAID, now)
    status, out = run("events", "pay", "00417394", "--receipt", "TB-2", *config)
    said = " ".join(out.split())
    assert status == 1, out
    assert ("00417394 is both event 417394 (Night run) and the payment reference 0041-7394 "
            "given to 小美: for that member's unpaid place write the reference with its dash, "
            "hearth events pay 0041-7394; for event 417394, say who paid: hearth events pay "
            "417394 WHO") in said  # fmt: skip
    status, out = run("billing", "list", "--orders", *config)
    assert "TB-2" not in out, "nothing recorded while it was unclear"
    status, out = run("events", "pay", "0041-7394", "--receipt", "TB-2", *config)
    assert status == 0 and "小美 is confirmed" in out, out
    status, out = run("events", "pay", "00417394", "--receipt", "TB-3", *config)
    assert status == 1 and "is both event 417394" in " ".join(out.split()), out


def test_applying_a_playbook_that_moves_an_event_already_made_names_it_and_how_to_cancel(
    site: Path,
) -> None:
    """An operator who fixed `community.timezone` (or a salon's `when`) after members had
    listed the salon stored the version without a word: the salon made an event before kept
    its time and its sign-ups, and members then listed two salons, one at 04:00."""
    config = ("--config", str(site))
    start = (SystemClock().now() + timedelta(days=10)).strftime("%Y-%m-%d 19:00")
    written = site.parent / "tea.yaml"
    salon = f"activities:\n  - id: salon\n    name: Winter salon\n    when: {start}\n"
    written.write_text(MINIMAL + salon)
    assert run("apply", str(written), *config)[0] == 0
    status, out = run("events", "list", "--community", "tea", *config)
    assert status == 0 and "Winter salon" in out, out
    with site_store(site) as store:
        tea = store.get_community("tea")
        assert tea is not None
        [event] = SqlActivities.on(store).events(tea.id)
    written.write_text(MINIMAL.replace("Europe/London", "Asia/Tokyo") + salon)
    status, out = run("apply", str(written), *config)
    said = " ".join(out.split())
    assert status == 0
    local = event.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (f"warning: event {event.id} (Winter salon, {local:%Y-%m-%d %H:%M} Asia/Tokyo) was "
            "made before this change and keeps its time; activities[id=salon] no longer "
            "starts then") in said, said  # fmt: skip
    assert f"cancel it: hearth events cancel {event.id}" in said
    # back as it was: the event is the salon's occurrence again, nothing to say
    written.write_text(MINIMAL + salon)
    status, out = run("apply", str(written), *config)
    assert status == 0 and "warning" not in out, out


def test_applying_a_playbook_that_changes_an_event_already_made_says_what_it_keeps(
    site: Path,
) -> None:
    """An operator who raised the salon's places from 3 to 5 after members had filled it (and
    one waited) stored the version without a word: the event made before kept its 3 places,
    the member waiting stayed waiting, and nothing said why or what to do."""
    config = ("--config", str(site))
    start = (SystemClock().now() + timedelta(days=10)).strftime("%Y-%m-%d 19:00")
    written = site.parent / "tea.yaml"
    salon = f"activities:\n  - id: salon\n    name: Winter salon\n    when: {start}\n"
    written.write_text(MINIMAL + salon + "    capacity: 3\n")
    assert run("apply", str(written), *config)[0] == 0
    status, out = run("events", "list", "--community", "tea", *config)
    assert status == 0 and "Winter salon" in out, out
    with site_store(site) as store:
        tea = store.get_community("tea")
        assert tea is not None
        [event] = SqlActivities.on(store).events(tea.id)
        group = store.add_group(tea.id, "g", "webchat", "g-1")
        for n, status_ in enumerate([*[Status.CONFIRMED] * 3, Status.WAITLISTED]):
            member = store.member_for("webchat", f"u-{n}", f"m{n}")
            SqlActivities.on(store).put(event.id, member.id, group.id, status_,
                                        SystemClock().now())  # fmt: skip
    written.write_text(MINIMAL + salon + "    capacity: 5\n    price: 45\n")
    status, out = run("apply", str(written), *config)
    said = " ".join(out.split())
    assert status == 0
    assert (f"warning: event {event.id} (Winter salon, ") in said, said
    assert (
        "keeps its 3 places (activities[id=salon].capacity is now 5 places) and its fee, "
        "free (activities[id=salon].price is now 45 CNY). It has 4 sign-ups."
    ) in said, said
    assert f"cancel it (hearth events cancel {event.id}" in said
    status, out = run("events", "list", "--community", "tea", *config)
    assert "3/3 confirmed" in out and "1 waiting" in out, "the event kept its places, as said"
    # back as it was: nothing to say
    written.write_text(MINIMAL + salon + "    capacity: 3\n")
    status, out = run("apply", str(written), *config)
    assert status == 0 and "warning" not in out, out
