"""In-chat commands: parsing, permissions by role, help in the community's language."""

from __future__ import annotations

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.handlers.commands import parse
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
