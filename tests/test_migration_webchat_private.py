"""0051: a web chat message may be for one member's eyes; those kept before stay the group's."""

from __future__ import annotations

from datetime import UTC, datetime

from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, upgrade
from tests.migrated import webchat_group_at

AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_messages_kept_before_stay_visible_to_everyone(database_url: str) -> None:
    with webchat_group_at(database_url, "0050", "ann 报名成功", "reply:1", AT) as (engine, group):
        assert upgrade(database_url, to="0051") == ["0051"]
        chat = SqlWebChat.on(Store(engine, FrozenClock(AT)))
        chat.add_message(group, user_id=None, nickname="bot", kind="text", text="ann 的入场码",
                         action_key="reply:2", visible_to="u-ann")  # fmt: skip
        assert [m.text for m in chat.history(group, viewer="u-bo")] == ["ann 报名成功"]
        assert [m.text for m in chat.history(group, viewer="u-ann")] == [
            "ann 报名成功",
            "ann 的入场码",
        ]
