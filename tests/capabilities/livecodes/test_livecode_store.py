"""The live-code repository on SQLite and PostgreSQL: channels, held seats, arrivals."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, StoreError

HOUR = timedelta(hours=1)


def test_channels_are_made_listed_and_retired(store: Store, store_clock: FrozenClock) -> None:
    tea = store.ensure_community("tea", "Tea")
    repo = SqlLiveCodes.on(store)
    now = store_clock.now()
    made = repo.add_channel(tea.id, "poster", "Spring poster", ChannelKind.POSTER, notes="A3",
                            carrier="webchat", by="cli", at=now)  # fmt: skip
    assert made.source == "code:poster" and not made.retired
    with pytest.raises(StoreError, match="exists already"):
        repo.add_channel(tea.id, "poster", "again", ChannelKind.OTHER, notes="",
                         carrier="webchat", by="cli", at=now)  # fmt: skip
    repo.add_channel(tea.id, "zhihu", "Zhihu", ChannelKind.SELF_MEDIA, notes="",
                     carrier="webchat", by="cli", at=now)  # fmt: skip
    first = repo.retire("poster", now)
    later = repo.retire("poster", now + HOUR)
    assert first is not None and later is not None and later.retired_at == first.retired_at
    assert repo.retire("nothing", now) is None
    assert [c.slug for c in repo.channels(tea.id)] == ["poster", "zhihu"]
    assert [c.slug for c in repo.channels(tea.id, retired=False)] == ["zhihu"]


def test_held_seats_count_until_they_expire_or_the_newcomer_arrives(
    store: Store, store_clock: FrozenClock
) -> None:
    tea = store.ensure_community("tea", "Tea")
    g1 = store.add_group(tea.id, "Tea 1", "webchat", "tea-1", capacity=5)
    store.add_group(tea.id, "Tea on Matrix", "matrix", "!tea:x")
    repo = SqlLiveCodes.on(store)
    now = store_clock.now()
    poster = repo.add_channel(tea.id, "poster", "Poster", ChannelKind.POSTER, notes="",
                              carrier="webchat", by="cli", at=now)  # fmt: skip
    mei = store.member_for("webchat", "w-mei", "Mei").id
    store.join(mei, g1.id, at=now)
    repo.hold(poster.id, g1.id, "h1", "10.0.0.1", at=now, until=now + HOUR)
    repo.hold(poster.id, g1.id, "h2", "10.0.0.1", at=now - 2 * HOUR, until=now - HOUR)
    [load] = repo.loads(tea.id, "webchat", now, now - 3 * HOUR)
    assert (load.members, load.held, load.today, load.capacity) == (1, 1, 1, 5)
    assert repo.held("h1", poster.id, now) == g1.id and repo.held("h2", poster.id, now) is None
    assert repo.holds_of("10.0.0.1", now) == 1 and repo.holds_of("10.0.0.2", now) == 0

    lan = store.member_for("webchat", "w-lan", "Lan").id
    store.join(lan, g1.id, at=now)
    event_id, _ = store.record_event(g1.id, "join-lan", "join", lan, now)
    assert repo.arrive(poster.id, g1.id, lan, event_id, now)
    assert not repo.arrive(poster.id, g1.id, lan, event_id, now), "once per join event"
    [load] = repo.loads(tea.id, "webchat", now, now - 3 * HOUR)
    assert (load.members, load.held, load.today) == (2, 0, 1)  # the arrival took its seat
    assert repo.loads(tea.id, "webchat", now, now + HOUR)[0].today == 0  # tomorrow
    assert len(repo.arrivals([poster.id])) == 1


def test_a_matrix_newcomer_counts_once_for_the_day_whichever_way_they_join(
    store: Store, store_clock: FrozenClock
) -> None:
    """On Matrix a join carries the live code's token (the join page's invitation) or none
    (the matrix.to link): either way the newcomer it sent counts once toward the day's cap."""
    tea = store.ensure_community("tea", "Tea")
    room = store.add_group(tea.id, "Tea on Matrix", "matrix", "!tea:x", capacity=50)
    repo = SqlLiveCodes.on(store)
    now = store_clock.now()
    poster = repo.add_channel(tea.id, "poster", "Poster", ChannelKind.POSTER, notes="",
                              carrier="matrix", by="cli", at=now)  # fmt: skip
    repo.hold(poster.id, room.id, "h1", "10.0.0.1", at=now, until=now + HOUR)
    repo.hold(poster.id, room.id, "h2", "10.0.0.2", at=now, until=now + HOUR)
    mei = store.member_for("matrix", "@mei:x", "Mei").id
    store.join(mei, room.id, at=now)
    event_id, _ = store.record_event(room.id, "$join-mei", "join", mei, now)
    assert repo.arrive(poster.id, room.id, mei, event_id, now)  # invited: her join says poster
    lan = store.member_for("matrix", "@lan:x", "Lan").id
    store.join(lan, room.id, at=now)
    assert repo.take_seat(room.id, now)  # opened the matrix.to link: her join says nothing
    [load] = repo.loads(tea.id, "matrix", now, now - HOUR)
    assert (load.members, load.held, load.today) == (2, 0, 2)


def test_applications_waiting_for_staff_count_against_their_group_for_two_weeks(
    store: Store, store_clock: FrozenClock
) -> None:
    from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
    from hearthkeeper.store.records import ApplicationStatus

    tea = store.ensure_community("tea", "Tea")
    g1 = store.add_group(tea.id, "Tea 1", "webchat", "tea-1", capacity=5)
    repo, applications = SqlLiveCodes.on(store), SqlApplications.on(store)
    now = store_clock.now()
    poster = repo.add_channel(tea.id, "poster", "Poster", ChannelKind.POSTER, notes="",
                              carrier="webchat", by="cli", at=now)  # fmt: skip
    repo.hold(poster.id, g1.id, "h1", "10.0.0.1", at=now, until=now + HOUR)

    def apply(user: str, at: datetime) -> int:
        made, _ = applications.add_application(tea.id, g1.id, "webchat", user, user, None,
                                               ["Why?"], ["Tea"], at)  # fmt: skip
        return made.id

    apply("w-old", now - timedelta(days=15))  # left by staff past two weeks
    approved = apply("w-yes", now - HOUR)
    applications.review(approved, ApplicationStatus.APPROVED, "li", None, now)
    apply("w-ann", now)
    assert repo.seat_to_application("poster", g1.id, now), "Ann's held seat passes on"
    assert not repo.seat_to_application("poster", g1.id, now), "only one was held"
    assert not repo.seat_to_application("nothing", g1.id, now)
    [load] = repo.loads(tea.id, "webchat", now, now - HOUR)
    assert (load.members, load.held, load.pending, load.size) == (0, 0, 1, 1)
