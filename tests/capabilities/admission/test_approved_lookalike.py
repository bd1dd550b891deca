"""An approved applicant whose nickname reads the same as a seated member's is not seated
under it: staff are told once, and the applicant's join page asks for another name, under
which they are seated (SQLite and PostgreSQL: `store`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Join
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import Store
from tests.capabilities.admission.door_setup import APPLICATION, screening
from tests.webchat_setup import build_chat, join


def test_an_approval_does_not_seat_a_name_that_reads_as_a_members(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Two applicants waited as "Ann" and "АNN" (a Cyrillic А); staff approved both, and the
    web chat seated both, so one could speak as the other: the join page refuses such a name,
    the approval skipped the check."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    ann, copy = TestClient(chat.app), TestClient(chat.app)
    for browser, name in ((ann, "Ann"), (copy, "\u0410NN")):
        applied = join(browser, chat.codes[0], name, via="ref-ann", answer_1="Lan",
                       answer_2="Oolong")  # fmt: skip
        assert applied.status_code == 202, applied.text
    for application in SqlApplications.on(store).applications(chat.community_id):
        review.approve(store, application.id, "console:li", store_clock.now())
    queue = OutboundQueue(store, {"webchat": chat.carrier}, store_clock)
    asyncio.run(queue.run_once())
    asyncio.run(queue.run_once())  # nothing is said twice

    group = chat.groups[0]
    assert [s.nickname for s in chat.carrier.platform.seated(group.id)] == ["Ann"]
    told = [a for a in store.staff_alerts(chat.community_id) if "\u0410NN" in a.text]
    assert len(told) == 1, [a.text for a in store.staff_alerts(chat.community_id)]
    assert "“Ann”" in told[0].text and "another nickname" in told[0].text
    assert group.name in told[0].text

    # Back on the join page, as the pending page told them, they read why and choose a name.
    chat.carrier.take_events()
    page = copy.get(f"/join/{chat.codes[0]}")
    assert "already called “Ann”" in page.text
    assert join(copy, chat.codes[0], "Anna").status_code == 303
    assert [s.nickname for s in chat.carrier.platform.seated(group.id)] == ["Ann", "Anna"]
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.sender.display_name, e.source) for e in joins] == [("Anna", "ref-ann")]
