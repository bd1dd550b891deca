"""The Groups page says how many places of a group are promised beyond its members
(applications waiting for staff): live codes count them as taken, so an operator saw a group
"0 / 4" that newcomers were no longer sent to, and could not tell why."""

from __future__ import annotations

from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from tests.console_setup import Console


def test_applications_waiting_are_shown_as_places_on_the_way(console: Console) -> None:
    applications = SqlApplications.on(console.store)
    for n in range(3):
        applications.add_application(console.community_id, console.group_id, "webchat",
                                     f"w-{n}", f"guest {n}", None, ["Why?"], ["wine"],
                                     console.clock.now())  # fmt: skip
    page = console.get("/groups").text
    row = page[page.index(f'data-group-id="{console.group_id}"') :]
    row = row[: row.index("</tr>")]
    assert "+3 on the way (applications waiting, places held by live codes)" in row
