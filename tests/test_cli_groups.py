"""`hearth groups open`: many web chat groups of a community opened at once, on SQLite and
PostgreSQL, named by `copy.naming` as the console's Groups page names them, running the
playbook like a group opened there; a second run continues the numbering, a failure says how
many were opened and keeps them, and a carrier that cannot open groups is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.webchat.groups import ensure_webchat_group
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL
from tests.serve_setup import served_community

PLAYBOOK = (
    MINIMAL
    + RULES
    + """\
joining:
  ceremony:
    welcome: "Welcome {nickname} to {group}! {rules}"
groups:
  "Tea Friends #3":
    welcome: "Hello {nickname}, this is the oolong table."
"""
)


@pytest.fixture
def community_id(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Tea Friends with its playbook applied and its first web chat group, as served."""
    monkeypatch.chdir(tmp_path)
    return served_community(store, PLAYBOOK)


def _open(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["groups", "open", "tea", *args],
                              env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip


def _names(store: Store, community_id: int) -> list[str]:
    return [g.name for g in store.list_groups(community_id)]


def test_opening_three_then_two_more_continues_the_numbering(
    store: Store, community_id: int, database_url: str
) -> None:
    first = _open(database_url, "--count", "3", "--as", "ops")
    assert first.exit_code == 0, first.output
    assert _names(store, community_id) == [f"Tea Friends #{n}" for n in range(1, 5)]
    assert "Opened 3 webchat group(s) of tea" in first.stdout
    assert "opened Tea Friends #4 (webchat tea-4, capacity 500)" in first.stdout
    opened = [e for e in store.audit_log(community_id, limit=20) if e.action == "group.open"]
    assert len(opened) == 3 and {e.actor for e in opened} == {"ops"}
    again = _open(database_url, "-n", "2")
    assert again.exit_code == 0, again.output
    names = _names(store, community_id)
    assert names == [f"Tea Friends #{n}" for n in range(1, 7)]
    assert len(set(names)) == len(names)


def test_groups_opened_here_run_the_playbook_welcome_rules_and_overrides(
    store: Store, store_clock: FrozenClock, community_id: int, database_url: str
) -> None:
    assert _open(database_url, "--count", "2").exit_code == 0
    playbook = parse_playbook(PLAYBOOK).playbook
    engine = Engine(store, store_clock, [runtime_for(store, playbook)],
                    {"webchat": FakeCarrier("webchat")}, adopt_groups_into=community_id)  # fmt: skip
    events = EventBuilder(store_clock.now(), carrier="webchat")
    welcomes = {}
    for user, group in (("amy", "tea-2"), ("bo", "tea-3")):
        [result] = engine.process([events.join(user, name=user.title(), group=group)])
        welcomes[group] = [a.text for a in result.actions
                           if a.kind is ActionKind.SEND and a.welcome]  # fmt: skip
    two = welcomes["tea-2"][0]
    assert two is not None and two.startswith("Welcome Amy to Tea Friends #2!")
    assert "1. No advertising." in two and "2. Be kind." in two
    three = welcomes["tea-3"][0]
    assert three is not None and three.startswith("Hello Bo, this is the oolong table.")


def test_a_failed_run_says_how_many_it_opened_and_keeps_them(
    store: Store, community_id: int, database_url: str
) -> None:
    for n in range(4, 54):  # the names after 3, taken by groups on another carrier
        store.add_group(community_id, f"Tea Friends #{n}", "telegram", f"-100{n}")
    failed = _open(database_url, "--count", "5")
    assert failed.exit_code == 1
    said = " ".join(failed.stderr.split())
    assert "opened 2 of 5 groups of tea; group 3 failed" in said
    assert "between 4 and 53" in said and "run the command again" in said
    assert "Web chat Tea Friends #3: http" in failed.stdout  # the groups kept, with their links
    names = _names(store, community_id)
    assert names.count("Tea Friends #2") == 1 and names.count("Tea Friends #3") == 1
    assert len(set(names)) == len(names) == 53


@pytest.mark.parametrize("args, said", [
    (("--carrier", "matrix"), "matrix groups cannot be opened by this command"),
    (("--carrier", "telegram"), "a Telegram bot cannot create groups"),
    (("--carrier", "signal"), "no carrier 'signal'; installed: matrix, qq, telegram, webchat"),
    (("--count", "0"), "--count 0: open between 1 and 1000 groups"),
    (("--count", "1001"), "--count 1001: open between 1 and 1000 groups"),
])  # fmt: skip
def test_a_carrier_that_cannot_open_groups_or_a_bad_count_opens_nothing(
    store: Store, community_id: int, database_url: str, args: tuple[str, ...], said: str
) -> None:
    refused = _open(database_url, *args)
    assert refused.exit_code == 1
    assert said in " ".join(refused.stderr.split())
    assert _names(store, community_id) == ["Tea Friends #1"]


def test_an_unknown_community_is_refused(
    store: Store, community_id: int, database_url: str
) -> None:
    unknown = CliRunner().invoke(app, ["groups", "open", "coffee"],
                                 env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert unknown.exit_code == 1
    assert "no community 'coffee' (there are: tea (Tea Friends))" in " ".join(
        unknown.stderr.split()
    )


def test_a_community_is_named_by_its_slug_or_its_name(
    store: Store, community_id: int, database_url: str
) -> None:
    """`hearth grid show --community 棉里衣橱` takes a name: `hearth groups open 棉里衣橱`
    said "no community '棉里衣橱' … `hearth apply` its playbook first" of a community whose
    playbook was applied."""
    by_name = CliRunner().invoke(app, ["groups", "open", "Tea Friends"],
                                 env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert by_name.exit_code == 0, by_name.output
    assert "opened Tea Friends #2" in by_name.stdout
    assert _names(store, community_id) == ["Tea Friends #1", "Tea Friends #2"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
@pytest.mark.parametrize("language, name, naming, opened", [
    ("en", "Tea Friends", "", ["Tea Friends #1", "Tea Friends #2"]),
    ("zh-CN", "茶友", "", ["茶友 1群", "茶友 2群"]),
    ("en", "Tea Friends", "{name} {n}群", ["Tea Friends 1群", "Tea Friends 2群"]),
    ("zh-CN", "茶友", "{name} Table {n}", ["茶友 Table 1", "茶友 Table 2"]),
])  # fmt: skip
def test_the_default_naming_follows_the_communitys_language_and_a_written_one_is_kept(
    store: Store,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    name: str,
    naming: str,
    opened: list[str],
) -> None:
    """An English community's groups were named 'Tea Friends 1群' by the default
    `copy.naming`, 群 (group) being Chinese: the default is now the community's language's
    ('Tea Friends #1', '茶友 1群'), and a naming the playbook writes is used as written."""
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace("language: en", f"language: {language}").replace(
        "name: Tea Friends", f"name: {name}"
    )
    if naming:
        text += f'copy:\n  naming: "{naming}"\n'
    community = served_community(store, text)
    result = _open(database_url)
    assert result.exit_code == 0, result.output
    assert f"opened {opened[1]} " in result.stdout
    assert _names(store, community) == opened


def test_a_group_opened_under_a_name_with_a_capacity_override_holds_that_many_at_once(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`groups: {"Tea Friends #2": {capacity: 3}}`: the group was opened with the playbook's
    500 ("capacity 500" printed, the matrix 0/500) and got 3 only from the next hourly watch,
    while its seats took up to 500 newcomers."""
    monkeypatch.chdir(tmp_path)
    loaded = parse_playbook(PLAYBOOK + '  "Tea Friends #2":\n    capacity: 3\n')
    applied = apply_playbook(store, loaded, "test")
    ensure_webchat_group(store, applied.community.id, loaded.playbook)
    opened = _open(database_url)
    assert opened.exit_code == 0, opened.output
    assert "opened Tea Friends #2 (webchat tea-2, capacity 3)" in opened.stdout
    second = next(
        g for g in store.list_groups(applied.community.id) if g.carrier_group_id == "tea-2"
    )
    assert second.capacity == 3
    shown = CliRunner().invoke(app, ["grid", "show"], env={"HEARTH_DATABASE_URL": database_url})
    assert "Tea Friends #2: 0/3" in shown.stdout, shown.output


def test_apply_notes_an_override_naming_no_group_and_the_name_it_is_near(
    store: Store, community_id: int, database_url: str, tmp_path: Path
) -> None:
    """Among hundreds of groups a typo in a `groups:` key ("Tea Friends #01") was applied
    without a word: the override silently changed nothing. `hearth apply` notes it, with the
    group it is near; a key for a group not opened yet is noted without a guess."""
    file = tmp_path / "tea.yaml"
    file.write_text(PLAYBOOK + '  "Tea Friends #01":\n    faq_cooldown: 2h\n  tea-1:\n'
                    '    capacity: 40\n  "Night Owls":\n    faq_cooldown: 1h\n', encoding="utf-8")  # fmt: skip
    applied = CliRunner().invoke(app, ["apply", str(file)],
                                 env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert applied.exit_code == 0, applied.output
    notes = [" ".join(line.split()) for line in applied.stdout.split("note: ")[1:]]
    assert notes == [
        "groups: “Tea Friends #3” names no group yet (by name or carrier id); it applies to "
        "a group opened later under that name.",
        "groups: “Tea Friends #01” names no group yet (by name or carrier id); it applies to "
        "a group opened later under that name. Did you mean “Tea Friends #1”?",
        "groups: “Night Owls” names no group yet (by name or carrier id); it applies to a "
        "group opened later under that name.",
    ]


def test_apply_notes_an_override_with_a_long_run_of_digits_instead_of_failing(
    store: Store, community_id: int, database_url: str, tmp_path: Path
) -> None:
    """A `groups:` key with 5,000 digits in it (a pasted id, a stuck key): `hearth apply`
    stored the version, then ended "ValueError: Exceeds the limit (4300 digits) … This is a
    bug in Hearthkeeper" while reading the key for its hint. It is noted like any other key;
    the same key with its leading zeros is still recognised as the group it would name."""
    digits = "7" * 5000
    file = tmp_path / "tea.yaml"
    file.write_text(PLAYBOOK + f'  ? "Tea Friends #{digits}"\n  : {{faq_cooldown: 2h}}\n'
                    '  "Tea Friends #0001":\n    faq_cooldown: 1h\n', encoding="utf-8")  # fmt: skip
    applied = CliRunner().invoke(app, ["apply", str(file)],
                                 env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert applied.exit_code == 0, applied.output
    notes = [" ".join(line.split()) for line in applied.stdout.split("note: ")[1:]]
    assert f"groups: “Tea Friends #{digits}” names no group yet" in notes[-2]
    assert "Did you mean" not in notes[-2]
    assert notes[-1].endswith("Did you mean “Tea Friends #1”?")


def test_each_new_group_is_printed_with_its_web_chat_invite_link(
    store: Store, community_id: int, database_url: str, tmp_path: Path
) -> None:
    """The command used to point at the console's Groups page for the links: an operator
    opening groups for a poster copies each link from its output instead."""
    from hearthkeeper.carriers.webchat.repository import SqlWebChat

    (tmp_path / "hearth.toml").write_text('[server]\npublic_url = "https://tea.example.org/"\n')
    opened = _open(database_url, "-n", "2")
    assert opened.exit_code == 0, opened.output
    chat = SqlWebChat.on(store)
    for name in ("Tea Friends #2", "Tea Friends #3"):
        [group] = store.groups_called(community_id, name)
        code = chat.invite_code(group.id, "not-made-here")  # made by the command already
        assert f"Web chat {name}: https://tea.example.org/join/{code}" in opened.stdout
    assert "note: links start with" not in opened.stderr


def test_links_without_a_public_url_or_a_running_server_say_what_they_assume(
    store: Store, community_id: int, database_url: str
) -> None:
    opened = _open(database_url)
    assert opened.exit_code == 0, opened.output
    assert "Web chat Tea Friends #2: http://" in opened.stdout
    assert "/join/" in opened.stdout
    assert "note: links start with" in " ".join(opened.stderr.split())
