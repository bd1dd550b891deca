"""0037: web chat messages say how their text is written; those kept before are as typed."""

from __future__ import annotations

from datetime import UTC, datetime

from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, upgrade
from tests.migrated import webchat_group_at

AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_messages_kept_before_are_shown_as_typed(database_url: str) -> None:
    with webchat_group_at(database_url, "0036", "**早安**", "post:1", AT) as (engine, group_id):
        assert upgrade(database_url, to="0037") == ["0037"]
        upgrade(database_url)  # the repository reads today's columns
        chat = SqlWebChat.on(Store(engine, FrozenClock(AT)))
        [kept] = chat.history(group_id)
        assert (kept.text, kept.format) == ("**早安**", None)
        chat.add_message(group_id, user_id=None, nickname="bot", kind="text", text="*晚安*",
                         action_key="post:2", format="markdown")  # fmt: skip
        assert [m.format for m in chat.history(group_id)] == [None, "markdown"]
