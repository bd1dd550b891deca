"""Imported history in the store, on SQLite and PostgreSQL: messages, members, stays, replies
and rollups; importing again adds nothing; an import cut short is completed by a rerun."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from pathlib import Path

import pytest

from hearthkeeper.importers import ImportOptions, ImportSummary, import_source, open_source
from hearthkeeper.store import Group, Store

DATA = Path(__file__).parent / "data" / "import"
CST = timezone(timedelta(hours=8))


def run(store: Store, fmt: str, name: str | Path, community: str = "skincare",
        chunk_size: int = 5000, **options: object) -> ImportSummary:  # fmt: skip
    source = open_source(fmt, DATA / name, ImportOptions(**options))  # type: ignore[arg-type]
    return import_source(store, source, community=community, name="Skincare",
                         chunk_size=chunk_size)  # fmt: skip


def test_telegram_history_lands_in_the_ordinary_tables(store: Store) -> None:
    summary = run(store, "telegram", "telegram_chat.json", tz=CST)
    assert (summary.messages_added, summary.messages_already) == (11, 0)
    assert (summary.stays_added, summary.members, len(summary.bad_rows)) == (5, 5, 6)
    community = store.get_community("skincare")
    assert community is not None and community.name == "Skincare"
    [group] = store.list_groups(community.id)
    assert (group.name, group.carrier, group.carrier_group_id) == (
        "Skincare Club", "import:telegram", "skincare/1718923456")  # fmt: skip
    stored = store.messages(group.id)
    assert len(stored) == 11
    answer = next(m for m in stored if m.carrier_event_id == "tg:1718923456:5")
    question = next(m for m in stored if m.carrier_event_id == "tg:1718923456:4")
    assert answer.reply_to_id == question.id
    assert {m.kind.value for m in stored} == {"text", "link", "picture", "sticker", "voice",
                                             "video", "file"}  # fmt: skip
    lin = store.find_member("import:telegram", "user1001")
    assert lin is not None and lin.display_name == "Lin Mei"
    # Zhao Lei joined by link and was removed; Chen Jing was invited by name.
    inside = {store.get_member(s.member_id).display_name for s in store.active_members(group.id)}  # type: ignore[union-attr]
    assert inside == {"Lin Mei", "Wang Fang", "Chen Jing"}
    days = {d.day: d for d in store.group_days([group.id], date(2024, 3, 1), date(2024, 3, 3))}
    assert days[date(2024, 3, 1)].messages == 6, "rollups rebuilt after the import"
    assert days[date(2024, 3, 1)].joins == 3


def test_importing_the_same_file_twice_adds_nothing(store: Store) -> None:
    first = run(store, "whatsapp", "WhatsApp Chat with Night Runners.txt", tz=CST)
    again = run(store, "whatsapp", "WhatsApp Chat with Night Runners.txt", tz=CST)
    assert (first.messages_added, first.stays_added) == (9, 6)
    assert (again.messages_added, again.messages_already, again.stays_added) == (0, 9, 0)
    [group] = store.list_groups(store.get_community("skincare").id)  # type: ignore[union-attr]
    assert len(store.messages(group.id)) == 9
    wang = store.find_member("import:whatsapp", "skincare/Wang Fang")
    assert wang is not None
    assert len(store.membership_history(wang.id, group.id)) == 1, "the join is applied once"


def test_an_import_cut_short_is_completed_by_running_it_again(store: Store) -> None:
    source = open_source("csv", DATA / "history.csv")

    def crash(done: int, total: int) -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        import_source(store, source, community="skincare", chunk_size=3, progress=crash)
    community = store.get_community("skincare")
    assert community is not None
    kept = sum(len(store.messages(g.id)) for g in store.list_groups(community.id))
    assert kept == 3, "the first chunk was committed whole, nothing of the second"
    rerun = run(store, "csv", "history.csv", chunk_size=3)
    assert (rerun.messages_added, rerun.messages_already) == (4, 3)
    total = sum(len(store.messages(g.id)) for g in store.list_groups(community.id))
    assert total == 7
    reply = next(m for g in store.list_groups(community.id) for m in store.messages(g.id)
                 if m.carrier_event_id == "m2")  # fmt: skip
    assert reply.reply_to_id is not None


def test_telegram_members_are_one_person_across_communities_names_are_not(store: Store) -> None:
    run(store, "telegram", "telegram_chat.json", community="a")
    run(store, "telegram", "telegram_full_cut.json", community="b")
    lin = store.find_member("import:telegram", "user1001")
    assert lin is not None
    spoke = {g.community_id for g in _groups(store) if any(
        m.member_id == lin.id for m in store.messages(g.id))}  # fmt: skip
    assert len(spoke) == 2, "a Telegram user id is the same person in both communities"
    run(store, "whatsapp", "whatsapp_iso.txt", community="a")
    run(store, "whatsapp", "whatsapp_iso.txt", community="b")
    a = store.find_member("import:whatsapp", "a/Lin Mei")
    b = store.find_member("import:whatsapp", "b/Lin Mei")
    assert a is not None and b is not None and a.id != b.id, "a bare name is not an identity"


def test_a_reply_to_a_later_row_is_linked(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "replies.csv"
    path.write_text(
        "id,timestamp,group,sender,text,reply_to\n"
        "b,2024-01-01T10:05:00Z,g,u2,answer,a\n"
        "a,2024-01-01T10:00:00Z,g,u1,question?,\n",
        encoding="utf-8",
    )
    import_source(store, open_source("csv", path), community="c", chunk_size=1)
    [group] = _groups(store)
    by_id = {m.carrier_event_id: m for m in store.messages(group.id)}
    assert by_id["b"].reply_to_id == by_id["a"].id


def _groups(store: Store) -> list[Group]:
    return [g for c in store.list_communities() for g in store.list_groups(c.id)]
