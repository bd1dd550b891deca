"""0037: web chat messages say how their text is written; those kept before are as typed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, upgrade
from tests.migrated import group_as_kept_before

AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_messages_kept_before_are_shown_as_typed(database_url: str) -> None:
    upgrade(database_url, to="0036")
    engine = create_engine_for(database_url)
    try:
        before = Store(engine, FrozenClock(AT))
        tea = before.ensure_community("tea", "Tea Friends")
        group_id = group_as_kept_before(engine, tea.id, "Tea room", "webchat", "tea-1", AT)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO webchat_messages (group_id, user_id, nickname, kind, text, "
                "picture, reply_to, mentions, sent_at, action_key) VALUES (:g, NULL, 'bot', "
                "'text', '**早安**', NULL, NULL, '[]', :at, 'post:1')"), {"g": group_id, "at": AT})  # fmt: skip
        assert upgrade(database_url, to="0037") == ["0037"]
        upgrade(database_url)  # the repository reads today's columns
        chat = SqlWebChat.on(Store(engine, FrozenClock(AT)))
        [kept] = chat.history(group_id)
        assert (kept.text, kept.format) == ("**早安**", None)
        chat.add_message(group_id, user_id=None, nickname="bot", kind="text", text="*晚安*",
                         action_key="post:2", format="markdown")  # fmt: skip
        assert [m.format for m in chat.history(group_id)] == [None, "markdown"]
    finally:
        engine.dispose()
