"""What staff's decisions by hand reach, decided without a database; and how the CLI prints
strikes and sanctions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.moderation import staff_actions
from hearthkeeper.capabilities.moderation.decisions import sanction_line, strike_line
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, Message, MessageKind, Sanction, SanctionKind, Strike

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def group(id_: int, community: int = 1) -> Group:
    return Group(id=id_, community_id=community, carrier="fake", carrier_group_id=f"g{id_}",
                 name=f"Group {id_}", capacity=None, created_at=NOW)  # fmt: skip


def sanction(id_: int, kind: SanctionKind, community: int | None = 1, **more: object) -> Sanction:
    values: dict[str, object] = {
        "id": id_, "kind": kind, "member_id": 7, "community_id": community, "group_id": None,
        "reason": "advertising", "at": NOW, "until": None, "lifted_at": None,
        "lifted_by": None, "lift_event_key": None,
    }  # fmt: skip
    values.update(more)
    return Sanction(**values)  # type: ignore[arg-type]


def test_a_ban_reaches_the_messages_group_and_every_group_the_sender_is_in() -> None:
    every = [group(1), group(2), group(3)]
    assert [g.id for g in staff_actions.ban_reach(every[0], every, {3})] == [1, 3]
    assert [g.id for g in staff_actions.ban_reach(every[1], every, set())] == [2]


def test_lifting_a_blacklisting_lifts_the_bans_of_its_community_only() -> None:
    bans = [sanction(2, SanctionKind.BAN, 1), sanction(3, SanctionKind.BAN, 2)]
    ours = staff_actions.lifted_along(sanction(1, SanctionKind.BLACKLIST, 1), bans)
    assert [b.id for b in ours] == [2]
    everywhere = staff_actions.lifted_along(sanction(1, SanctionKind.BLACKLIST, None), bans)
    assert [b.id for b in everywhere] == [2, 3]
    assert staff_actions.lifted_along(sanction(1, SanctionKind.MUTE), bans) == []


def test_only_a_members_message_removed_by_staff_teaches_spam() -> None:
    assert staff_actions.teaches_spam(7, None)
    assert not staff_actions.teaches_spam(7, "manager")
    assert not staff_actions.teaches_spam(None, None)


def test_the_carrier_is_told_a_moderator_decided_and_staff_see_who() -> None:
    message = Message(id=5, group_id=1, member_id=7, carrier_event_id="e5",
                      kind=MessageKind.TEXT, text="加我微信", sent_at=NOW, recorded_at=NOW,
                      reply_to_id=None, reply_to_event_id=None, mentions=())  # fmt: skip
    deletion = staff_actions.deletion(message, group(1), "spam", "console:mei")
    assert (deletion.kind, deletion.target, deletion.group) == (ActionKind.DELETE, "e5", "g1")
    assert (
        deletion.reason == "removed by a moderator" and deletion.detail == "deleted by console:mei"
    )
    shown = staff_actions.notice("banned", Language.EN)
    ban = staff_actions.ban(group(2), "spam", "banned by mei for message 5", shown)
    assert (ban.kind, ban.reason, ban.detail) == (
        ActionKind.BAN, "banned by a moderator", "banned by mei for message 5")  # fmt: skip
    removed = staff_actions.deletion(message, group(1), "spam", "console:mei", Language.ZH_CN)
    assert removed.reason == "已被管理员撤回"
    unmute = staff_actions.undo(sanction(1, SanctionKind.MUTE), group(1), "spam", "cli")
    unban = staff_actions.undo(sanction(2, SanctionKind.BLACKLIST), group(1), "spam", "cli")
    assert (unmute.kind, unban.kind, unmute.reason) == (
        ActionKind.UNMUTE, ActionKind.UNBAN, "lifted by cli")  # fmt: skip


def test_the_cli_lines_say_where_a_strike_stands_and_where_a_sanction_applies() -> None:
    strike = Strike(id=3, community_id=1, member_id=7, group_id=1, event_id=None,
                    violation="advertising", explanation="matched 加微信", at=NOW,
                    expires_at=NOW + timedelta(days=30), pardoned_at=None, pardoned_by=None)  # fmt: skip
    assert strike_line(strike, NOW) == (
        "#3  member 7  advertising  2026-03-01 12:00  expires 2026-03-31  live — matched 加微信"
    )
    assert strike_line(strike, NOW + timedelta(days=31)).endswith("expired — matched 加微信")
    pardoned = replace(strike, pardoned_at=NOW, pardoned_by="mei")
    assert "pardoned by mei" in strike_line(pardoned, NOW)
    mute = sanction(4, SanctionKind.MUTE, group_id=2, until=NOW + timedelta(hours=1))
    assert sanction_line(mute) == (
        "#4  mute  member 7  group 2  since 2026-03-01 12:00 until 2026-03-01 13:00 — advertising"
    )
    assert "all communities" in sanction_line(sanction(5, SanctionKind.BLACKLIST, None))
    kick = sanction(6, SanctionKind.KICK, group_id=2, until=NOW + timedelta(minutes=10))
    assert sanction_line(kick).startswith(
        "#6  kick  member 7  group 2  since 2026-03-01 12:00 until 2026-03-01 12:10 "
        "or until they join again"
    ), "a kick listed after the member is back must not look like it still holds them"


def test_a_line_of_a_list_whose_rows_are_in_several_zones_names_its_zone_after_each_time() -> None:
    """`hearth strikes list` over communities in different zones: each time says whose clock."""
    strike = Strike(id=3, community_id=1, member_id=7, group_id=1, event_id=None,
                    violation="advertising", explanation="x", at=NOW,
                    expires_at=NOW + timedelta(days=30), pardoned_at=None, pardoned_by=None)  # fmt: skip
    shanghai = ZoneInfo("Asia/Shanghai")
    assert "  2026-03-01 20:00 Asia/Shanghai  expires 2026-03-31 Asia/Shanghai  " in strike_line(
        strike, NOW, zone=shanghai, named=True)  # fmt: skip
    mute = sanction(4, SanctionKind.MUTE, group_id=2, until=NOW + timedelta(hours=1))
    assert ("since 2026-03-01 20:00 Asia/Shanghai until 2026-03-01 21:00 Asia/Shanghai"
            in sanction_line(mute, zone=shanghai, named=True))  # fmt: skip


def test_the_message_an_alert_is_about_is_read_from_its_key() -> None:
    """The engine keys an event's actions `<carrier>:<group>:<event id>:<index>`; ids with
    colons of their own (a Matrix room and event) are read whole."""
    room = replace(group(1), carrier="matrix", carrier_group_id="!abc:example.org")
    assert staff_actions.alerted_event("fake:g1:ev-7:0", group(1)) == "ev-7"
    assert staff_actions.alerted_event("fake:g1:ev-7:12", group(1)) == "ev-7"
    key = "matrix:!abc:example.org:$ev:example.org:1"
    assert staff_actions.alerted_event(key, room) == "$ev:example.org"
    # keyed otherwise: a nickname's alert, another group's, scheduled work's
    assert staff_actions.alerted_event("nickname:1:2:abc", group(1)) is None
    assert staff_actions.alerted_event("fake:g2:ev-7:0", group(1)) is None
    assert staff_actions.alerted_event("fake:g1:ev-7:asset", group(1)) is None
    assert staff_actions.alerted_event("fake:g1:0", group(1)) is None
