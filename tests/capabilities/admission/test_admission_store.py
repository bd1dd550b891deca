"""Invite codes and applications in the store (SQLite and PostgreSQL): a use counted once
per person, one application per person and community, the first review stands."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, StoreError
from hearthkeeper.store.records import ApplicationStatus


def test_a_code_counts_each_person_once_and_is_revoked_once(
    store: Store, store_clock: FrozenClock
) -> None:
    community = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(community.id, "Tea room", "webchat", "g1")
    now = store_clock.now()
    codes = SqlInviteCodes.on(store)
    made = codes.add_code(community.id, "SPRING", "poster", 2, now + timedelta(days=3), "cli", now)
    with pytest.raises(StoreError, match="already has a code 'SPRING'"):
        codes.add_code(community.id, "SPRING", "again", None, None, "cli", now)
    assert codes.use_code(made.id, "webchat", "w-mei", group.id, now)
    assert not codes.use_code(made.id, "webchat", "w-mei", group.id, now), "asked twice"
    assert codes.use_code(made.id, "matrix", "w-mei", group.id, now), "another carrier's person"
    found = codes.code_named(community.id, "SPRING", lock=True)
    assert found is not None and found.uses == 2 and found.state(now) == "used up"
    assert codes.used(made.id, "webchat", "w-mei") and not codes.used(made.id, "webchat", "w-lan")
    assert codes.revoke_code(made.id, now).state(now) == "revoked"
    with pytest.raises(StoreError, match="revoked already"):
        codes.revoke_code(made.id, now)
    assert [c.code for c in codes.codes(community.id)] == ["SPRING"]
    assert codes.code_named(store.ensure_community("other", "Other").id, "SPRING") is None


def test_one_application_per_person_and_the_first_review_stands(
    store: Store, store_clock: FrozenClock
) -> None:
    community = store.ensure_community("club", "Club")
    group = store.add_group(community.id, "Salon", "webchat", "g1")
    now = store_clock.now()
    applications = SqlApplications.on(store)
    first, created = applications.add_application(
        community.id, group.id, "webchat", "w-mei", "Mei", None, ["Why?"], ["Wine"], now
    )
    again, created_again = applications.add_application(
        community.id, group.id, "webchat", "w-mei", "Mei", None, ["Why?"], ["Art"], now
    )
    assert created and not created_again and again == first and again.answers == ("Wine",)
    lan, _ = applications.add_application(community.id, group.id, "webchat", "w-lan", "Lan",
                                          None, ["Why?"], ["Art"], now + timedelta(1))  # fmt: skip
    approved = applications.review(first.id, ApplicationStatus.APPROVED, "console:li", "Welcome",
                                   now + timedelta(2))  # fmt: skip
    assert (approved.status, approved.reviewed_by, approved.message) == (
        ApplicationStatus.APPROVED,
        "console:li",
        "Welcome",
    )
    with pytest.raises(StoreError, match="approved already by console:li"):
        applications.review(first.id, ApplicationStatus.REFUSED, "console:ann", None, now)
    assert [a.id for a in applications.applications(community.id)] == [lan.id, first.id]
    assert applications.application_of(community.id, "webchat", "w-mei") == approved
    assert applications.get_application(999) is None


def test_the_store_reads_applications_by_the_statuses_admission_writes(
    store: Store, store_clock: FrozenClock
) -> None:
    """The store's readers (an approved applicant waiting for room, a pending application
    holding a seat) matched the strings "approved" and "pending" while admission kept its own
    enum: one `ApplicationStatus` (store/records.py) now serves both, so a status renamed in
    one place cannot leave an approved applicant unseen by the other."""
    from hearthkeeper.capabilities.admission import records
    from hearthkeeper.store import records as store_records
    from hearthkeeper.store.rooms import SqlRooms
    from hearthkeeper.store.waiting_admissions import SqlWaitingAdmissions

    assert records.ApplicationStatus is store_records.ApplicationStatus
    community = store.ensure_community("club", "Club")
    group = store.add_group(community.id, "Salon", "webchat", "g1", capacity=2)
    now = store_clock.now()
    applications = SqlApplications.on(store)
    for user in ("w-mei", "w-lan"):
        applications.add_application(community.id, group.id, "webchat", user, user, None,
                                     ["Why?"], ["Wine"], now)  # fmt: skip
    [load] = SqlRooms.on(store).loads(community.id, "webchat", now)
    assert (load.pending, load.has_room) == (2, False)
    mei = next(a for a in applications.applications(community.id) if a.user_id == "w-mei")
    applications.review(mei.id, ApplicationStatus.APPROVED, "console:li", None, now)
    waiting = SqlWaitingAdmissions.on(store)
    assert waiting.approved(community.id, "webchat", "w-mei")
    assert not waiting.approved(community.id, "webchat", "w-lan")
    [load] = SqlRooms.on(store).loads(community.id, "webchat", now)
    assert (load.pending, load.has_room) == (1, True)
