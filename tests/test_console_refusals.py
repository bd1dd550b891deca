"""Console requests refused before their page runs answer with a console page naming what was
wrong, never FastAPI's JSON: hand-crafted forms (a field too long, missing, of the wrong type),
an id in the address that is not a number, a form whose CSRF token is out of date. The REST
API keeps its JSON; the join page explains an over-long nickname on its own form."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.console_setup import BASE, Console
from tests.webchat_setup import join

LONG = "x" * 5000


@pytest.mark.parametrize(
    ("path", "data", "says"),
    [
        ("/livecodes", {"code": "spring", "label": LONG},
         "The field “label” is too long: at most 200 characters, and 5000 were sent."),
        ("/codes", {"max_uses": "1" * 40}, "The field “max_uses” is too long: at most 12"),
        ("/applications/1/approve", {"message": LONG}, "The field “message” is too long"),
        ("/events/create", {"at": "2026-06-01 10:00"}, "The field “title” is missing"),
        ("/events/pay", {"who": "Mei"}, "The field “event” is missing"),
        ("/billing/pay", {"plan": "x"}, "The field “who” is missing"),
        ("/matrix/charge", {"group_id": "one", "member_id": "2"},
         "The field “group_id” must be a whole number, not “one”."),
        # before, any action but "unassign" put the member in charge, audited as group.<it>
        ("/matrix/charge", {"group_id": "1", "member_id": "1", "action": "unasign"},
         "The field “action” must be assign or unassign, not “unasign”."),
        # opening groups from the Groups page: at most 100 at once
        ("/groups", {"count": "1000"}, "The field “count” must be at most 100, not “1000”."),
        ("/groups", {"count": "0"}, "The field “count” must be at least 1, not “0”."),
    ],
)  # fmt: skip
def test_a_refused_console_form_is_a_console_page_naming_the_field(
    console: Console, path: str, data: dict[str, str], says: str
) -> None:
    answer = console.post(path, data)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "The form was not accepted" in answer.text and says in answer.text
    assert "Nothing was changed." in answer.text
    assert f'href="{BASE}"' in answer.text  # the layout, its way back to the community


def test_an_address_whose_id_is_not_a_number_is_a_not_found_page(console: Console) -> None:
    answer = console.post("/strikes/abc/pardon")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "The address names strike “abc”, which is not a number." in answer.text


def test_an_out_of_date_form_is_a_console_page_saying_to_reload(console: Console) -> None:
    answer = console.client.post(f"{BASE}/groups", data={"csrf_token": "stale"},
                                 headers={"referer": f"http://testserver{BASE}/groups"},
                                 follow_redirects=False)  # fmt: skip
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
    assert "reload the page and try again" in answer.text
    assert f'<a href="{BASE}/groups" id="back">' in answer.text
    assert len(console.store.list_groups(console.community_id)) == 1  # nothing was opened


def test_the_api_keeps_its_json(console: Console) -> None:
    answer = console.client.post("/api/v1/strikes/abc/pardon")
    assert answer.headers["content-type"].startswith("application/json")
    assert console.client.get(f"{BASE}/nowhere").headers["content-type"].startswith("text/html")


def test_an_over_long_nickname_or_invite_code_gets_the_join_page(console: Console) -> None:
    code = console.site.web.invite_url(console.store.list_groups(console.community_id)[0])
    assert code is not None
    invite = code.rsplit("/", 1)[1]
    member = TestClient(console.client.app)
    long_link = member.get(f"/join/{invite}", params={"code": "A" * 300})
    assert long_link.status_code == 200 and 'name="nickname"' in long_link.text
    answer = join(member, invite, "美" * 2000)
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    assert 'name="nickname"' in answer.text and "32" in answer.text


def test_an_address_no_page_has_is_a_page_in_the_communitys_layout(console: Console) -> None:
    missing = console.get("/livecodes/nope/edit")
    assert (
        missing.status_code == 404 and "There is no console page at this address." in missing.text
    )
    assert 'aria-label="颜学院护肤社"' in missing.text  # its navigation, not "Communities"
    assert "Nothing was changed." not in missing.text  # nothing was asked to change
    reloaded = console.get("/events/create")  # the address a refused form was shown at
    assert reloaded.status_code == 405 and "has no page of its own" in reloaded.text


def test_an_id_beyond_any_rows_keeps_the_communitys_navigation(console: Console) -> None:
    beyond = console.get("/members/99999999999999999999999")
    assert beyond.status_code == 404 and "ids go up to" in beyond.text
    assert 'aria-label="颜学院护肤社"' in beyond.text


def test_a_form_sent_after_the_session_ended_offers_to_sign_in_and_names_no_community(
    console: Console,
) -> None:
    stranger = TestClient(console.client.app)
    answer = stranger.post(f"{BASE}/groups", data={"csrf_token": "old"},
                           headers={"referer": f"http://testserver{BASE}/groups"},
                           follow_redirects=False)  # fmt: skip
    assert answer.status_code == 403 and "session ended" in answer.text
    assert 'href="/console/sign-in?next=%2Fconsole%2Fc%2Fyan-academy-skincare%2Fgroups"' in (
        answer.text
    )
    nowhere = stranger.get(f"{BASE}/nowhere")
    for page in (answer, nowhere):
        assert "颜学院护肤社" not in page.text  # a stranger learns no community's name


def test_the_matrix_says_when_it_does_not_know_the_stage_asked_for(console: Console) -> None:
    """`/matrix?stage=Dying` (capitalised in a bookmark) or `?stage=dead` showed every group
    without a word, as if all were at that stage or the filter had worked. A stage is read
    whatever its case; an unknown one is named, with the stages there are."""
    dying = console.get("/matrix?stage=Dying")
    assert dying.status_code == 200
    assert "stage dying" in " ".join(dying.text.split())
    unknown = console.get("/matrix?stage=dead")
    said = " ".join(unknown.text.split())
    assert (
        "There is no stage “dead”: the stages are new, growing, mature, declining, dying "
        "and closed. Every group is shown."
    ) in said
