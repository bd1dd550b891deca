"""In-chat commands: parsing, permissions by role, help in the community's language."""

from __future__ import annotations

from hearthkeeper.capabilities.command_book import parse
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.engine_setup import community


def test_commands_are_recognised_with_any_of_the_usual_prefixes() -> None:
    for text in ("/help", "#help", "＃帮助", "／帮助", "  /HELP  "):
        invocation = parse(text)
        assert invocation is not None and invocation.name in ("help", "帮助")
    poll = parse("/poll 周末去哪 | 爬山 | 看展")
    assert poll is not None and poll.name == "poll" and poll.rest == "周末去哪 | 爬山 | 看展"
    for text in ("", "/", "# ", "hello /help", "##tag", "3/4 of us"):
        assert parse(text) is None


def test_help_lists_what_the_member_may_use(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    [result] = c.engine.process([c.events.message("u1", "/help")])
    [answer] = [a for a in result.actions if a.kind is ActionKind.REPLY]
    assert (answer.text or "").startswith("Commands you can use:")
    assert "/help" in (answer.text or "")


def test_an_unknown_command_is_left_to_other_handlers(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    [result] = c.engine.process([c.events.message("u1", "/nosuchcommand")])
    assert "commands" not in result.handlers


def test_help_hides_commands_the_playbook_reserves_for_named_roles(
    store: Store, store_clock: FrozenClock
) -> None:
    from tests.engine_setup import playbook

    pb = playbook("mechanisms:\n  signups: {started_by: [manager]}\n")
    c = community(store, store_clock, pb)
    [member] = c.engine.process([c.events.message("u1", "/help")])
    member_help = next(a.text or "" for a in member.actions if a.kind is ActionKind.REPLY)
    assert "/signup" not in member_help and "/list" in member_help
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.set_role(c.member_id("u1"), group.id, "manager")
    c.restart()
    [staff] = c.engine.process([c.events.message("u1", "/help")])
    staff_help = next(a.text or "" for a in staff.actions if a.kind is ActionKind.REPLY)
    assert "/signup" in staff_help


def test_help_shows_tag_and_title_examples_from_the_playbook(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/help` showed `/tag skin_type oily` and `/claim Cellar Keeper` in every community: a
    member of a community without those who copied the example was refused."""
    from tests.engine_setup import playbook

    pb = playbook(
        "mechanisms:\n"
        "  tags:\n"
        "    - {name: level, values: [pro], self_service: false}\n"
        "    - {name: specialty, values: [charts, colour]}\n"
        "  titles:\n"
        "    - {name: Font Keeper, duty: share a font}\n"
    )
    c = community(store, store_clock, pb)
    [result] = c.engine.process([c.events.message("u1", "/help")])
    text = next(a.text or "" for a in result.actions if a.kind is ActionKind.REPLY)
    assert "(/tag specialty charts)" in text and "(/untag specialty)" in text
    assert "/claim Font Keeper" in text
    assert "skin_type" not in text and "Cellar Keeper" not in text
