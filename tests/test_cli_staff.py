"""`hearth staff`: a staff role given from the command line reaches the running engine,
which then never punishes that member automatically."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Member, Store
from tests.engine_setup import RULES, community
from tests.playbook_samples import MINIMAL
from tests.sql_plans import statements_run

AD = "加我微信 abc12345 低价出货"


def test_giving_a_staff_role_reaches_the_running_engine(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    apply_playbook(store, parse_playbook(MINIMAL + RULES), "test")
    c.engine.process([c.events.message("mei", "hello")])
    store.join(c.member_id("mei"), store.group_for_carrier("fake", "g1").id)  # type: ignore[union-attr]
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    refused = runner.invoke(app, ["staff", "set", "fake:mei", "boss"], env=env)
    assert refused.exit_code == 1 and "manager" in refused.stderr
    given = runner.invoke(app, ["staff", "set", "fake:mei", "manager", "--as", "owner"], env=env)
    assert given.exit_code == 0, given.output
    listed = runner.invoke(app, ["staff", "list"], env=env)
    # with the id `hearth staff set` takes, to take the role away again
    assert "mei (fake:mei) — manager in g1" in listed.stdout, listed.stdout
    store_clock.advance(timedelta(minutes=2))
    c.events.now = store_clock.now()
    [result] = c.engine.process([c.events.message("mei", AD)])
    assert ActionKind.STRIKE not in [a.kind for a in result.actions], "staff are not punished"


def test_staff_joining_another_group_of_the_matrix_hold_their_role_there(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An operator made the monitor staff (in 1群, where she was), then sent her to look after
    2群: there she was an ordinary member, her moderation commands refused and her messages
    moderated, while the matrix showed her in charge of it."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    apply_playbook(store, parse_playbook(MINIMAL + RULES), "test")
    c.engine.process([c.events.join("mei"), c.events.join("bob")])
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    given = runner.invoke(app, ["staff", "set", "fake:mei", "manager"], env=env)
    assert given.exit_code == 0 and "in 1 group(s)" in given.stdout, given.output
    store_clock.advance(timedelta(minutes=2))
    c.events.now = store_clock.now()
    c.engine.process([c.events.join("mei", group="g2"), c.events.join("bob", group="g2")])
    listed = runner.invoke(app, ["staff", "list"], env=env).stdout
    assert "mei (fake:mei) — manager in 2 groups (g1, g2)" in listed, listed
    assert "bob" not in listed  # an ordinary member joining stays one
    [result] = c.engine.process([c.events.message("mei", AD, group="g2")])
    assert ActionKind.STRIKE not in [a.kind for a in result.actions], "staff are not punished"
    [result] = c.engine.process([c.events.message("bob", AD, group="g2")])
    assert ActionKind.STRIKE in [a.kind for a in result.actions]


def test_a_monitor_of_forty_groups_is_one_line_read_in_as_many_queries_as_for_two(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A monitor in 40 groups printed 40 lines ('1群: Mei (fake:mei) — manager', …), each
    group read with a query of its own: now one line per person and role, the groups named
    as the calendar page names them."""
    monkeypatch.chdir(tmp_path)
    community_id = apply_playbook(store, parse_playbook(MINIMAL + RULES), "test").community.id
    groups = [store.add_group(community_id, f"{n}群", "fake", f"g{n}", 30) for n in range(1, 41)]
    mei = store.member_for("fake", "mei", "Mei")
    bob = store.member_for("fake", "bob", "Bob")
    store.set_role(bob.id, groups[0].id, "manager")
    env = {"HEARTH_DATABASE_URL": database_url}
    counted = []
    for group in groups[:2], groups[2:]:
        for each in group:
            store.set_role(mei.id, each.id, "manager")
        with statements_run(Engine) as seen:
            listed = CliRunner().invoke(app, ["staff", "list"], env=env)
        assert listed.exit_code == 0, listed.output
        counted.append(len(seen))
    assert listed.stdout.splitlines() == [
        "Bob (fake:bob) — manager in 1群",
        "Mei (fake:mei) — manager in 40 groups (1群, 2群, 3群, 4群, 5群 and 35 more)",
    ], listed.stdout
    assert counted[0] == counted[1], counted


def test_a_member_named_instead_of_their_id_is_told_the_id_to_write(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A new operator types the nickname they saw in the chat (`webchat:Bob`); the error gives
    Bob's carrier id to write instead, or says where the console shows one."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    apply_playbook(store, parse_playbook(MINIMAL + RULES), "test")
    c.engine.process([c.events.message("w-5e1f", "hello", name="Bob")])
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    named = runner.invoke(app, ["staff", "set", "fake:bob", "manager"], env=env)
    assert named.exit_code == 1
    # it said "no member 'bob' is known", then that bob is fake:w-5e1f
    assert "'bob' is a member's name, not their id on 'fake': write fake:w-5e1f" in named.stderr
    assert "no member" not in named.stderr, named.stderr
    unknown = runner.invoke(app, ["staff", "set", "fake:Zed", "manager"], env=env)
    assert unknown.exit_code == 1
    assert "no member 'Zed' is known on 'fake'" in unknown.stderr
    assert "the console's member page shows it under Identities" in unknown.stderr


def bob_in_a_group(store: Store, store_clock: FrozenClock) -> Member:
    """Bob (`fake:w-5e1f`), who said hello in the community's group and is its member."""
    c = community(store, store_clock)
    apply_playbook(store, parse_playbook(MINIMAL + RULES), "test")
    c.engine.process([c.events.message("w-5e1f", "hello", name="Bob")])
    bob, group = store.find_member("fake", "w-5e1f"), store.group_for_carrier("fake", "g1")
    assert bob is not None and group is not None
    store.join(bob.id, group.id)
    return bob


def test_a_member_named_by_their_number_or_the_carrier_in_another_case_is_found(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`hearth staff set member:7 manager`, the member as `hearth events` and `hearth billing`
    print and take them, said "no member '7' is known on 'member'"; `FAKE:w-5e1f` said the
    member was not known."""
    monkeypatch.chdir(tmp_path)
    bob = bob_in_a_group(store, store_clock)
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    # spaces around the colon, as `hearth events pay 'webchat: w-1'` takes them: it said
    # "no member ' w-5e1f' is known on 'fake'"
    for who, role in ((f"member:{bob.id}", "manager"), (f"Member: {bob.id}", "none"),
                      ("fake: w-5e1f", "manager"), ("Fake : w-5e1f ", "none"),
                      ("FAKE:w-5e1f", "manager")):  # fmt: skip
        done = runner.invoke(app, ["staff", "set", who, role], env=env)
        assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["staff", "list"], env=env)
    assert "Bob (fake:w-5e1f) — manager" in listed.stdout, listed.stdout
    unknown = runner.invoke(app, ["staff", "set", "member:99999", "manager"], env=env)
    assert unknown.exit_code == 1
    assert "MEMBER 'member:99999': there is no member '99999'" in unknown.stderr, unknown.stderr


def test_a_member_typed_on_a_chinese_keyboard_or_past_the_ids_is_read_as_meant(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A Chinese keyboard types the colon and digits full-width (`member：７`, `fake：w-5e1f`):
    they said "write CARRIER:USER_ID" and "there is no member '７'" of a member who is there;
    a number past the ids' range said "too large for the database (Python int too large to
    convert to SQLite INTEGER)", and a long text typed for the member was said back whole."""
    monkeypatch.chdir(tmp_path)
    bob = bob_in_a_group(store, store_clock)
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    wide = str(bob.id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    arabic = str(bob.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for who, role in ((f"member：{bob.id}", "manager"), (f"member:{wide}", "none"),
                      (f"Member：{arabic}", "manager"), ("fake：w-5e1f", "none")):  # fmt: skip
        done = runner.invoke(app, ["staff", "set", who, role], env=env)
        assert done.exit_code == 0, (who, done.output)
    listed = runner.invoke(app, ["staff", "list"], env=env)
    assert "Bob (fake:w-5e1f)" not in listed.stdout, listed.stdout  # given, then taken back
    for number in ("9223372036854775808", "9" * 19):
        past = runner.invoke(app, ["staff", "set", f"member:{number}", "manager"], env=env)
        assert past.exit_code == 1
        assert past.stderr == (f"error: MEMBER 'member:{number}': there is no member "
                               f"'{number}' (member:ID is a member's number, beside their name "
                               "in `hearth billing list` and on the console's member pages)\n")  # fmt: skip
    long = runner.invoke(app, ["staff", "set", "x" * 5000, "manager"], env=env)
    assert long.exit_code == 1
    assert f"error: MEMBER '{'x' * 40}…': write CARRIER:USER_ID" in long.stderr, long.stderr


def test_a_nickname_typed_alone_is_answered_with_the_id_to_write(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A new operator types the name they saw in the chat, with no carrier (`hearth staff set
    小王 host`): the error named an option `--member` the command does not have and only asked
    for CARRIER:USER_ID; it now names the MEMBER argument and gives 小王's id to write."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    apply_playbook(store, parse_playbook(MINIMAL + RULES), "test")
    c.engine.process([c.events.message("w-5e1f", "hello", name="小王")])
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    named = runner.invoke(app, ["staff", "set", "小王", "manager"], env=env)
    assert named.exit_code == 1
    assert "MEMBER '小王' is a member's name; write their CARRIER:USER_ID: fake:w-5e1f" in (
        named.stderr
    ), named.stderr
    assert "--member" not in named.stderr
    unknown = runner.invoke(app, ["staff", "set", "Zed", "manager"], env=env)
    assert unknown.exit_code == 1
    assert "MEMBER 'Zed': write CARRIER:USER_ID" in unknown.stderr, unknown.stderr
    assert "the console's member page shows it under Identities" in unknown.stderr
    assert "--member" not in unknown.stderr


def test_a_role_is_given_by_the_title_members_read_as_well_as_by_its_id(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`hearth staff set … 班长` was refused: only the id (monitor) was taken, and the refusal
    listed the ids without the titles the operator knows them by."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    roles = ("structure:\n  roles:\n    monitor:\n      title: 班长\n      kind: manager\n"
             "      permissions: [moderate]\n")  # fmt: skip
    apply_playbook(store, parse_playbook(MINIMAL + RULES + roles), "test")
    c.engine.process([c.events.join("mei")])
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    refused = runner.invoke(app, ["staff", "set", "fake:mei", "班主任"], env=env)
    assert refused.exit_code == 1
    assert "role '班主任' is not in the playbook's structure.roles (defined: monitor (班长))" in (
        refused.stderr
    )
    given = runner.invoke(app, ["staff", "set", "fake:mei", "班长"], env=env)
    assert given.exit_code == 0, given.output
    assert "fake:mei is now monitor (班长) in 1 group(s)" in given.stdout
    listed = runner.invoke(app, ["staff", "list"], env=env)
    assert "mei (fake:mei) — monitor in g1" in listed.stdout, listed.stdout


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
@pytest.mark.parametrize("language, typed, shown", [
    ("zh-CN", "Growth", "acquisition (拉新专员)"),
    ("zh-CN", "manager", "manager (管理员)"),
    ("zh-CN", "creator", "creator (创始人)"),
    ("zh-CN", "Partner", "partner (合伙人)"),
    ("en", "拉新专员", "acquisition (Growth)"),
])  # fmt: skip
def test_an_english_default_title_names_the_role_in_a_chinese_community(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, language: str, typed: str, shown: str,
) -> None:  # fmt: skip
    """`hearth staff set … Growth` in a zh-CN community was refused once the default titles
    became 创始人/管理员/拉新专员/合伙人: a default title in the other language names the same
    default role."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    text = MINIMAL.replace("language: en", f"language: {language}")
    apply_playbook(store, parse_playbook(text + RULES), "test")
    c.engine.process([c.events.join("mei")])
    env = {"HEARTH_DATABASE_URL": database_url}
    given = CliRunner().invoke(app, ["staff", "set", "fake:mei", typed], env=env)
    assert given.exit_code == 0, given.output
    assert f"fake:mei is now {shown} in 1 group(s)" in given.stdout


def test_a_renamed_default_role_is_not_named_by_the_old_english_title(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The alias holds only while the role keeps a default title: a community that renamed
    acquisition to 推广大使 means something else by 'Growth', and is told the roles."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    roles = ("structure:\n  roles:\n    acquisition:\n      title: 推广大使\n"
             "      kind: acquisition\n")  # fmt: skip
    text = MINIMAL.replace("language: en", "language: zh-CN")
    apply_playbook(store, parse_playbook(text + RULES + roles), "test")
    c.engine.process([c.events.join("mei")])
    env = {"HEARTH_DATABASE_URL": database_url}
    refused = CliRunner().invoke(app, ["staff", "set", "fake:mei", "Growth"], env=env)
    assert refused.exit_code == 1
    assert "role 'Growth' is not in the playbook's structure.roles (defined: acquisition " \
           "(推广大使))" in refused.stderr  # fmt: skip


def test_staff_set_names_the_titles_the_running_release_shows_not_an_older_stored_copy(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A zh-CN community applied while the default titles were English keeps them in the
    normalised copy stored at apply until a new version is stored, while the upgraded server
    (which parses the stored text) shows members 管理员 from its start: `hearth staff set`
    read the old copy and said 'now manager (Manager)'. It reads the titles members see."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    text = MINIMAL.replace("language: en", "language: zh-CN") + RULES
    applied = apply_playbook(store, parse_playbook(text), "test")
    content = applied.version.content
    english = dict(zip(("creator", "manager", "acquisition", "partner"),
                       ("Creator", "Manager", "Growth", "Partner"), strict=True))  # fmt: skip
    for role_id, title in english.items():
        content["structure"]["roles"][role_id]["title"] = title
    with store.transaction() as tx:  # as an older release stored it
        tx.add_playbook_version(applied.community.id, text + "# v2\n", content, applied_by="old")
    c.engine.process([c.events.join("mei")])
    env = {"HEARTH_DATABASE_URL": database_url}
    given = CliRunner().invoke(app, ["staff", "set", "fake:mei", "manager"], env=env)
    assert given.exit_code == 0, given.output
    assert "fake:mei is now manager (管理员) in 1 group(s)" in given.stdout
