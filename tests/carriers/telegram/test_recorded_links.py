"""The invite links the bot made, found again in the audit log by chat (after a restart, and
for a digest-named link's token) however many chats share a link name: a live code routing to
150 Telegram groups has 150 links named `code:poster`, and only the newest 100 entries of that
name were read, so the older chats' links were made anew and a digest-named link's newcomer
was credited to nobody."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from hearthkeeper.carriers.telegram import ChatMap, TelegramCarrier, TelegramSettings
from hearthkeeper.carriers.telegram.links import MadeLink, link_name, record_gone, record_link
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LONG = "code:spring-poster-2026-metro-line-2-north"  # over 32 characters: a digest name


def test_each_chats_link_is_found_whatever_the_number_of_chats(store: Store) -> None:
    community = store.ensure_community("tea", "Tea").id
    chats = [f"-100{n:010d}" for n in range(150)]
    for chat in chats:
        store.add_group(community, f"Tea {chat}", "telegram", chat)
    for token in ("code:poster", LONG):
        for chat in chats:
            record_link(store, community, MadeLink(chat, token, f"https://t.me/+{token}{chat}"))
    # the first chat's poster link went dead and was replaced: the newer one counts
    record_gone(store, community, MadeLink(chats[0], "code:poster", f"https://t.me/+code:poster{chats[0]}"))  # fmt: skip
    record_link(store, community, MadeLink(chats[0], "code:poster", "https://t.me/+new"))
    settings = TelegramSettings(token="1:x", mode="polling", api_base="https://api.telegram.org",
                                groups={c: c for c in chats})  # fmt: skip
    carrier = TelegramCarrier(settings, ChatMap({c: c for c in chats}), FrozenClock(AT),
                              store=store)  # fmt: skip
    reads: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "audit_log" in statement:
            reads.append(statement)

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        assert carrier._recorded_link(chats[0], "code:poster") == "https://t.me/+new"
        assert carrier._recorded_link(chats[1], "code:poster") == f"https://t.me/+code:poster{chats[1]}"  # fmt: skip
        assert carrier._recorded_link(chats[149], LONG) == f"https://t.me/+{LONG}{chats[149]}"
        # a newcomer by the oldest chat's digest-named link is credited to its live code
        assert carrier._recorded_source(chats[1], f"https://t.me/+{LONG}{chats[1]}",
                                        link_name(LONG)) == LONG  # fmt: skip
        assert carrier._recorded_source(chats[1], "https://t.me/+other", link_name(LONG)) is None
        assert carrier._recorded_link(chats[2], "code:partner") is None
    finally:
        event.remove(store.engine, "before_cursor_execute", note)
    assert len(reads) == 6  # one read a lookup
