"""A live code of a community whose newcomers apply: a pending application keeps its place in
the group it applied to, on SQLite and PostgreSQL, through the real web chat."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.store import Store
from tests.capabilities.livecodes.livecode_setup import Codes, build_codes, playbook_text
from tests.webchat_setup import join

APPLICATION = "joining:\n  threshold: {kind: application, questions: [Why tea?]}\n"


def apply_by_code(codes: Codes, name: str, address: str) -> str:
    """A newcomer on an address of their own opens the poster and applies where it sends
    them; the name of that group."""
    browser = TestClient(codes.app, client=(address, 4000))
    sent = browser.get("/go/poster", follow_redirects=False)
    assert sent.status_code == 303, sent.text
    asked = codes.follow(browser, sent, name)
    assert asked.status_code == 403 and "Why tea?" in asked.text
    code = sent.headers["location"].split("?")[0].removeprefix("/join/")
    applied = join(browser, code, name, via="code:poster", answer_1="Oolong")
    assert applied.status_code == 202 and "waiting for review" in applied.text
    group = codes.carrier.group_for_code(code)
    assert group is not None
    return group.name


def test_pending_applications_keep_their_seats_past_the_hold(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """A seat was held for 15 minutes only: an applicant waiting longer for staff no longer
    counted, the live code sent more applicants to the same group, and on approval the group
    had more people than seats. Now a pending application counts against its group's room
    (and the applicant's held seat passes to it, so nobody counts twice)."""
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2) + APPLICATION)
    codes.carrier.admission = Admission(store, store_clock, codes.engine.runtimes.get)
    with TestClient(codes.app) as portal:
        first = apply_by_code(codes, "Ann", "198.51.100.1")
        # while Ann's seat would still be held, her application is not a second seat
        assert apply_by_code(codes, "Bo", "198.51.100.2") == first
        store_clock.advance(timedelta(hours=2))  # staff have not reviewed yet
        assert apply_by_code(codes, "Cy", "198.51.100.3") != first, "group 1 is spoken for"
        for application in SqlApplications.on(store).applications(codes.community_id):
            review.approve(store, application.id, "console:li", store_clock.now())
        codes.engine_round(portal)
    assert codes.seated() == {
        "Tea Friends #1": ["Ann", "Bo"],
        "Tea Friends #2": ["Cy"],
    }


def flood(codes: Codes, count: int, address: str, name: str = "Bot") -> None:
    """`count` newcomers, each a fresh browser on `address` (`{n}` in it: the nth's), apply
    through the poster, one every 30 seconds (within the join page's limit per address)."""
    for n in range(1, count + 1):
        apply_by_code(codes, f"{name}{n}", address.format(n=n))
        codes.clock.advance(timedelta(seconds=30))


@pytest.mark.parametrize("address", ["203.0.113.9", "2001:db8:1:2::{n}"])
def test_one_networks_applications_do_not_open_groups(
    store: Store, store_clock: FrozenClock, tmp_path: Path, address: str
) -> None:
    """Twelve applications with any answers from one address held twelve seats for two
    weeks, so the poster opened a second group of 10 for nobody. Now one network's pending
    applications hold `PENDING_SEATS_PER_NETWORK` seats of the community at most; the rest
    still wait for staff, holding none, and the poster keeps sending newcomers to group 1.
    An IPv6 client is its /64, whichever addresses in it it applies from."""
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=10) + APPLICATION)
    codes.carrier.admission = Admission(store, store_clock, codes.engine.runtimes.get)
    with TestClient(codes.app):
        flood(codes, 12, address)
        assert [g.name for g in codes.groups()] == ["Tea Friends #1"]
        assert apply_by_code(codes, "Ann", "198.51.100.1") == "Tea Friends #1"
    pending = SqlApplications.on(store).applications(codes.community_id, pending=True)
    assert len(pending) == 13, "staff still see every application"
    assert [g.name for g in codes.groups()] == ["Tea Friends #1"]


def test_applicants_from_different_networks_hold_their_seats(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Three applicants sharing one address (a café's Wi-Fi) and one from elsewhere fill a
    group of 4, as before: the next applicant is sent to a new group."""
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=4) + APPLICATION)
    codes.carrier.admission = Admission(store, store_clock, codes.engine.runtimes.get)
    with TestClient(codes.app):
        flood(codes, 3, "203.0.113.9", "Cafe")
        assert apply_by_code(codes, "Ann", "198.51.100.1") == "Tea Friends #1"
        assert apply_by_code(codes, "Bo", "198.51.100.2") == "Tea Friends #2"
