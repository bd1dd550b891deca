"""0051: a web chat message may be for one member's eyes; those kept before stay the group's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, upgrade
from tests.migrated import group_as_kept_before

AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_messages_kept_before_stay_visible_to_everyone(database_url: str) -> None:
    upgrade(database_url, to="0050")
    engine = create_engine_for(database_url)
    try:
        before = Store(engine, FrozenClock(AT))
        tea = before.ensure_community("tea", "Tea Friends")
        group_id = group_as_kept_before(engine, tea.id, "Tea room", "webchat", "tea-1", AT)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO webchat_messages (group_id, user_id, nickname, kind, text, "
                "picture, reply_to, mentions, sent_at, action_key) VALUES (:g, NULL, 'bot', "
                "'text', 'ann 报名成功', NULL, NULL, '[]', :at, 'reply:1')"), {"g": group_id, "at": AT})  # fmt: skip
        assert upgrade(database_url, to="0051") == ["0051"]
        chat = SqlWebChat.on(Store(engine, FrozenClock(AT)))
        chat.add_message(group_id, user_id=None, nickname="bot", kind="text", text="ann 的入场码",
                         action_key="reply:2", visible_to="u-ann")  # fmt: skip
        assert [m.text for m in chat.history(group_id, viewer="u-bo")] == ["ann 报名成功"]
        assert [m.text for m in chat.history(group_id, viewer="u-ann")] == [
            "ann 报名成功",
            "ann 的入场码",
        ]
    finally:
        engine.dispose()
