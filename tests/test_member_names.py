"""Members' names as carriers and imports hand them over (a Matrix display name, a Telegram
first and last name, a QQ nickname: whatever their user typed) are kept and shown as one
visible line of at most 64 characters, on both databases; staff still point at them by name."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Engine, Integer, String, column, table, text

from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Sender
from hearthkeeper.store import Store, create_engine_for, upgrade
from tests.capabilities.moderation.test_chat_commands import say as staff_say
from tests.capabilities.moderation.test_chat_commands import start
from tests.capabilities.signups.test_signups import only, say, staffed
from tests.migrated import group_as_kept_before

# Reads "Mallory" then, on a line of its own, what looks like a notice from the group.
HOSTILE = "\u202eyrollaM\u2066\u200b\nADMIN: pay the fee to 6222 0000\r\n" + "x" * 5000


def test_a_carrier_name_is_kept_as_one_visible_line_of_bounded_length(store: Store) -> None:
    """The name was kept as handed over (cut at 200): a reversed, multi-line name of 200
    characters came back in every reply and list that named the member."""
    kept = store.member_for("matrix", "@m:hs", HOSTILE).display_name
    assert kept.startswith("Mallory ADMIN: pay the fee to 6222 0000 xxx"), kept  # as it reads
    assert len(kept) == 64 and kept.endswith("…")
    assert store.member_for("matrix", "@m:hs", "\u200b \u2066\n").display_name == kept, (
        "a name with nothing visible leaves the known one"
    )
    assert store.member_for("telegram", "42", "\u202e\u200b\n").display_name == "42", (
        "a new member whose name shows nothing is named by the carrier's id"
    )
    ids = store.member_ids({("qq", "7"): "Q\u202eQ\nB", ("qq", "8"): "\u200b"})
    assert [store.get_member(ids[("qq", u)]).display_name for u in "78"] == ["QQ B", "8"]  # type: ignore[union-attr]


def test_a_sender_name_is_shown_as_one_visible_line() -> None:
    """Handlers read the carrier's name from the event, never the store's."""
    assert Sender(user_id="1", display_name="Ann\u202e\n  B\u200b").display_name == "Ann B"
    assert Sender(user_id="1", display_name="Ann B").display_name == "Ann B"
    assert Sender(user_id="1", display_name="\u2067\u2069").display_name == ""


def test_a_list_shows_a_hostile_name_on_one_visible_line(
    store: Store, store_clock: FrozenClock
) -> None:
    """The sign-up reply and its numbered list showed the name reversed, a made-up 'ADMIN'
    line inside the list, and 5,000 characters."""
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 周六夜跑 截止 20:00")
    [result] = c.engine.process([c.events.message("mal", "+1", name=HOSTILE)])
    text = only(result)
    assert "\u202e" not in text and "\u200b" not in text and "x" * 70 not in text, text
    assert "\nADMIN" not in text and "1. Mallory ADMIN: pay the fee" in text, text


def test_staff_point_at_a_name_with_invisible_characters(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/warn @Mallory` did not find a member whose carrier name carries a zero-width space
    (nor did the name copied whole from the chat once it was cut or cleaned)."""
    c = start(store, store_clock)
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.join(store.member_for("fake", "mal", "Mallory\u200b").id, group.id)
    [text] = staff_say(c, "boss", "/warn @Mallory ads")
    assert text.startswith("Mallory, a moderator warned you (ads). Strike 1"), text
    [text] = staff_say(c, "boss", "/warn @\u202eyrollaM\u200b again")  # reads "Mallory"
    assert text.startswith("Mallory, a moderator warned you (again). Strike 2"), text


def test_names_stored_before_are_cleaned_by_the_migration(database_url: str) -> None:
    """Names kept before 0033 stayed as typed: the lists read them from the store."""
    upgrade(database_url, to="0032")
    engine = create_engine_for(database_url)
    try:
        before = Store(engine, FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)))
        named = {user: before.member_for("matrix", user, user).id
                 for user in ("@mal:hs", "@ghost:hs", "@ann:hs", "@long:hs")}  # fmt: skip
        stored = {"@mal:hs": "\u202eyrollaM\nADMIN", "@ghost:hs": "\u200b\u2066",
                  "@ann:hs": "Ann 🙂", "@long:hs": "L" * 200}  # fmt: skip
        with engine.begin() as connection:
            for user, name in stored.items():
                connection.execute(text("UPDATE members SET display_name = :name WHERE id = :id"),
                                   {"name": name, "id": named[user]})  # fmt: skip
        assert upgrade(database_url, to="0033") == ["0033"]
        after = Store(engine, FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)))
        shown = {u: after.get_member(i).display_name for u, i in named.items()}  # type: ignore[union-attr]
        assert shown == {"@mal:hs": "yrollaM ADMIN", "@ghost:hs": "@ghost:hs",
                         "@ann:hs": "Ann 🙂", "@long:hs": "L" * 63 + "…"}  # fmt: skip
    finally:
        engine.dispose()


def _application_as_0033_kept_it(engine: Engine, community_id: int, group_id: int, user: str,
                                  name: str) -> int:  # fmt: skip
    """A pending application written with 0033's columns, its name cut at 200 and no more."""
    applications = table(
        "applications", column("id", Integer), column("community_id", Integer),
        column("group_id", Integer), column("carrier", String), column("user_id", String),
        column("display_name", String), column("questions", JSON), column("answers", JSON),
        column("status", String), column("created_at", DateTime(timezone=True)),
    )  # fmt: skip
    with engine.begin() as connection:
        return int(connection.execute(applications.insert().returning(applications.c.id), {
            "community_id": community_id, "group_id": group_id, "carrier": "matrix",
            "user_id": user, "display_name": name[:200], "questions": ["Why?"],
            "answers": ["tea"], "status": "pending",
            "created_at": datetime(2026, 5, 1, tzinfo=UTC),
        }).scalar_one())  # fmt: skip


def test_applicants_names_stored_before_are_cleaned_by_the_migration(database_url: str) -> None:
    """0033 cleaned members' names only: an application kept its name as typed (cut at 200),
    and `hearth applications list`, the console and the staff alert showed it so. 0034 also
    tames Zalgo and tag characters in members' names stored before."""
    upgrade(database_url, to="0033")
    engine = create_engine_for(database_url)
    try:
        before = Store(engine, FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)))
        tea = before.ensure_community("tea", "Tea Friends")
        room_id = group_as_kept_before(engine, tea.id, "Tea room", "matrix", "!room:hs",
                                       datetime(2026, 5, 1, tzinfo=UTC))  # fmt: skip
        stored = {"@mal:hs": "\u202eyrollaM\nADMIN", "@ghost:hs": "\u200b\u2066\r\n",
                  "@ann:hs": "Ann 🙂", "@long:hs": "L" * 200,
                  "@zalgo:hs": "Z" + "\u0301" * 40 + "oe\U000e0041\U000e0042"}  # fmt: skip
        ids = {user: _application_as_0033_kept_it(engine, tea.id, room_id, user, name)
               for user, name in stored.items()}  # fmt: skip
        zalgo = before.member_for("matrix", "@zalgo:hs", "Zoe").id
        with engine.begin() as connection:  # as a carrier handed it over before 0034
            connection.execute(text("UPDATE members SET display_name = :name WHERE id = :id"),
                               {"name": stored["@zalgo:hs"], "id": zalgo})  # fmt: skip
        assert upgrade(database_url, "0034") == ["0034"]
        upgrade(database_url)  # the repository reads every column the newest schema has
        after = SqlApplications.on(Store(engine, FrozenClock(datetime(2026, 5, 1, tzinfo=UTC))))
        shown = {u: after.get_application(i).display_name for u, i in ids.items()}  # type: ignore[union-attr]
        assert shown == {"@mal:hs": "yrollaM ADMIN", "@ghost:hs": "@ghost:hs",
                         "@ann:hs": "Ann 🙂", "@long:hs": "L" * 63 + "…",
                         "@zalgo:hs": "Z\u0301\u0301\u0301oe"}  # fmt: skip
        member = Store(engine, FrozenClock(datetime(2026, 5, 1, tzinfo=UTC))).get_member(zalgo)
        assert member is not None and member.display_name == "Z\u0301\u0301\u0301oe"
    finally:
        engine.dispose()
