"""The console's joining pages: applications pending first, reviewed once, names escaped;
invite codes made and revoked from the page."""

from __future__ import annotations

from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.store.records import ApplicationStatus
from tests.console_setup import SCRIPT, Console


def apply(console: Console, user: str, name: str, answers: list[str]) -> int:
    application, _ = SqlApplications.on(console.store).add_application(
        console.community_id, console.group_id, "webchat", user, name, None,
        ["你的肤质是？"], answers, console.clock.now())  # fmt: skip
    return application.id


def test_staff_approve_and_refuse_applications_once_each(console: Console) -> None:
    first = apply(console, "w-1", "小鹿", ["混油皮"])
    second = apply(console, "w-2", SCRIPT, [SCRIPT])
    page = console.get("/applications")
    assert page.status_code == 200 and "Waiting for review" in page.text
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    assert page.text.index("小鹿") < page.text.index("Reviewed")

    done = console.post(f"/applications/{first}/approve", {"message": "欢迎"})
    assert done.status_code == 303 and done.headers["location"].endswith("notice=approved")
    again = console.post(f"/applications/{first}/refuse", {"message": "no"})
    assert again.headers["location"].endswith("problem=already-reviewed")
    console.post(f"/applications/{second}/refuse", {"message": "广告"})
    reviewed = console.get("/applications")
    assert "No application waits for review." in reviewed.text
    assert reviewed.text.count("console:ann") == 2 and "广告" in reviewed.text
    outbox = [console.store.outbox_statuses([f"admission:{s}:{i}"])
              for s, i in (("approved", first), ("refused", second))]  # fmt: skip
    assert all(len(found) == 1 for found in outbox)
    assert console.post("/applications/999/approve").status_code == 404


def test_staff_who_refused_by_mistake_let_the_applicant_in_after_all(console: Console) -> None:
    """A refusal was final: staff who clicked Refuse by mistake had lost the applicant for
    good (they could not apply again either)."""
    mei = apply(console, "w-3", "小美", ["干皮"])
    console.post(f"/applications/{mei}/refuse", {"message": "no"})
    page = console.get("/applications").text
    assert f'id="reconsider-{mei}"' in page and "Let in after all" in page
    assert 'data-confirm="Let 小美 in after all? The refusal is undone' in page, "it asks first"
    after_all = console.post(f"/applications/{mei}/reconsider")
    assert after_all.headers["location"].endswith("notice=approved")
    found = SqlApplications.on(console.store).get_application(mei)
    assert found is not None and found.status is ApplicationStatus.APPROVED
    assert len(console.store.outbox_statuses([f"admission:approved:{mei}"])) == 1
    assert f'id="reconsider-{mei}"' not in console.get("/applications").text
    again = console.post(f"/applications/{mei}/reconsider")  # an approval is not undone
    assert again.headers["location"].endswith("problem=already-reviewed")


def test_invite_codes_are_made_and_revoked_on_the_page(console: Console) -> None:
    made = console.post("/codes", {"label": "春季海报", "max_uses": "50", "code": "spring26"})
    assert made.status_code == 200 and "Invite code SPRING26 made." in made.text
    assert "0 / 50" in made.text and "?code=SPRING26" in made.text
    bad = console.post("/codes", {"max_uses": "many"})
    assert bad.status_code == 400 and "whole number" in bad.text
    twice = console.post("/codes", {"code": "SPRING26"})
    assert twice.status_code == 400 and "already has a code" in twice.text
    revoked = console.post("/codes/SPRING26/revoke")
    assert revoked.headers["location"].endswith("notice=code-revoked")
    assert console.post("/codes/SPRING26/revoke").headers["location"].endswith(
        "problem=already-revoked")  # fmt: skip
    assert "revoked" in console.get("/codes").text
    # a code the community never had is not found, not "revoked already"
    unknown = console.post("/codes/NOSUCH1/revoke")
    assert unknown.status_code == 404 and "There is no invite code “NOSUCH1”" in unknown.text


def test_a_refused_invite_code_form_names_the_field_and_keeps_what_was_typed(
    console: Console,
) -> None:
    bad = console.post("/codes", {"label": "春季海报", "max_uses": "many", "code": "spring26"})
    assert (
        bad.status_code == 400
        and "How many people it may let in: &#39;many&#39; is not" in bad.text
    )
    assert 'value="春季海报"' in bad.text and 'value="many"' in bad.text
    assert 'value="spring26"' in bad.text
    day = console.post("/codes", {"label": "海报", "expires": "31/12/2026"})
    assert day.status_code == 400 and "Last day it works: &#39;31/12/2026&#39; is not" in day.text
    assert 'value="31/12/2026"' in day.text


def test_a_code_form_out_of_range_speaks_of_the_forms_fields_not_cli_options(
    console: Console,
) -> None:
    none = console.post("/codes", {"label": "海报", "max_uses": "0"})
    assert none.status_code == 400 and "--max-uses" not in none.text
    assert "How many people it may let in: from 1 to 2147483647, not 0" in none.text
    past = console.post("/codes", {"label": "海报", "expires": "2020-01-01"})
    assert past.status_code == 400 and "Last day it works: 2020-01-01 has passed" in past.text
    assert 'value="2020-01-01"' in past.text and 'value="海报"' in past.text
    # "never" typed as the calendar's last day: west of UTC its end is no moment in UTC (the
    # page failed); the CLI's --expires refuses it too
    never = console.post("/codes", {"label": "海报", "expires": "9999-12-31"})
    assert never.status_code == 400, never.status_code
    assert "Last day it works: 9999-12-31 is out of range: give a day up to 9997-12-31, or " \
        "leave it empty for never" in never.text  # fmt: skip


def test_every_pending_application_can_be_reached_and_the_counts_are_true(
    console: Console,
) -> None:
    ids = [apply(console, f"w-{n}", f"申请人{n:03d}", ["混油皮"]) for n in range(230)]
    for done in ids[:3]:
        console.post(f"/applications/{done}/refuse", {"message": "no"})
    first = console.get("/applications")
    assert 'id="pending-count">227<' in first.text and 'id="reviewed-count">3<' in first.text
    assert "申请人003" in first.text and "Page 1 of 5" in first.text
    seen: set[str] = set()
    for page in range(1, 6):
        found = console.get("/applications", page=str(page)).text
        seen |= {f"申请人{n:03d}" for n in range(230) if f"申请人{n:03d}</" in found}
    assert len(seen) == 230  # every pending one on a page, the reviewed on each
    last = console.get("/applications", page="5").text
    assert f'id="approve-{ids[-1]}"' in last and "← Previous" in last
    assert "申请人229" in console.get("/applications", page="99").text  # past the end: the last
    # Reviewing on page 3 comes back to page 3, not the first.
    done = console.post(f"/applications/{ids[120]}/approve", {"message": "", "page": "3"})
    assert done.status_code == 303 and done.headers["location"].endswith("notice=approved&page=3")
    assert "Page 3 of 5" in console.get("/applications", page="3").text


def test_a_reviewed_application_names_the_group_it_was_for(console: Console) -> None:
    """The Reviewed table gave applicant, decision, by, when and message: staff could not
    tell which group someone had been approved into (or refused from)."""
    group = console.store.get_group(console.group_id)
    assert group is not None
    mei = apply(console, "w-5", "小美", ["干皮"])
    console.post(f"/applications/{mei}/approve")
    page = console.get("/applications").text
    row = page[page.index(f'<tr data-application-id="{mei}"') :]
    row = row[: row.index("</tr>")]
    assert f'<td class="group">{group.name}</td>' in row, row
