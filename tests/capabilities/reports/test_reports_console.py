"""Staff find a reported message in the console's inbox, with its reports (escaped), and
delete it striking its author on one of the playbook's rules, or dismiss the reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hearthkeeper.capabilities.reports.repository import SqlReports
from tests.console_setup import BASE, IMG, SCRIPT, SLUG, Console


def post(console: Console, user: str, text: str, event_id: str, reply_to: str | None = None,
         name: str | None = None) -> None:  # fmt: skip
    console.clock.advance(timedelta(minutes=1))
    console.events.now = console.clock.now()
    event = replace(console.events.message(user, text, name=name, event_id=event_id),
                    reply_to=reply_to)  # fmt: skip
    console.engine.process([event])


def test_a_report_is_upheld_from_the_inbox_once(console: Console) -> None:
    cid = console.community_id
    post(console, "mei", "你们这个群的老师都是骗子", "m-mei", name="美美")
    post(console, "angry", f"/举报 她在骂人 {SCRIPT}", "r-angry", reply_to="m-mei", name=IMG)
    [reported] = SqlReports.on(console.store).waiting(cid)
    mei = console.member_id("mei")
    waiting = table(console.get(f"/members/{mei}").text, "reports-against")
    assert f'<a href="{BASE}/inbox">waiting in the inbox</a>' in waiting
    page = console.get("/inbox").text
    assert "【举报】" in page and "你们这个群的老师都是骗子" in page
    assert "她在骂人 &lt;script&gt;alert(1)&lt;/script&gt;" in page  # the reason, escaped
    assert SCRIPT not in page and IMG not in page
    assert f'action="{BASE}/reports/{reported.id}/uphold"' in page
    assert f'action="{BASE}/reports/{reported.id}/dismiss"' in page
    # no rule is chosen for staff: a quick click struck an insult as advertising, the first
    assert 'class="small" required><option value="" disabled selected>Rule broken…</option>' in page
    assert '<option value="insults">insults</option>' in page
    assert '<option value="staff_warning">staff_warning</option>' in page
    # a rule the playbook does not have is refused, and nothing is done
    for wrong_rule in ("murder", ""):
        wrong = console.post(f"/reports/{reported.id}/uphold", {"violation": wrong_rule})
        assert wrong.headers["location"] == f"{BASE}/inbox?problem=no-such-rule"
    assert console.store.strikes(member_id=mei) == []
    done = console.post(f"/reports/{reported.id}/uphold", {"violation": "insults"})
    assert done.headers["location"] == f"{BASE}/inbox?notice=report-upheld"
    [strike] = console.store.strikes(member_id=mei)
    assert strike.violation == "insults"
    assert strike.explanation == "warned by console:ann: 被举报的消息：辱骂或争吵"
    assert "【举报】" not in console.get("/inbox").text  # its alert handled with it
    again = console.post(f"/reports/{reported.id}/dismiss")
    assert again.headers["location"] == f"{BASE}/inbox?problem=already-decided-report"
    entries = [e.action for e in console.store.audit_log(cid)]
    assert "report.upheld" in entries and "report.dismissed" not in entries
    assert "delete message" in entries
    # the member pages: reports against mei, and those angry made
    against = table(console.get(f"/members/{mei}").text, "reports-against")
    assert "你们这个群的老师都是骗子" in against and "颜学院护肤社 1群" in against
    assert '1 <span class="muted small">(0 counted)</span>' in against
    assert "upheld by console:ann" in against
    made = table(console.get(f"/members/{console.member_id('angry')}").text, "reports-made")
    assert f'href="{BASE}/members/{mei}">美美</a>' in made
    assert "她在骂人 &lt;script&gt;" in made and SCRIPT not in made
    assert "not counted: too new or too quiet" in made and "upheld by console:ann" in made
    assert (
        "No reports by or against them."
        in console.get(f"/members/{console.member_id('left')}").text
    )


def test_a_report_of_another_community_is_not_found(console: Console) -> None:
    assert console.post("/reports/999/dismiss").status_code == 404
    assert console.post("/reports/999/uphold", {"violation": "insults"}).status_code == 404


def test_two_reports_in_one_batch_read_the_same_in_the_api_and_the_inbox(
    console: Console,
) -> None:
    """The inbox's alert is written by the first report, not at the batch's end: the second
    report of the message in the same batch says itself in it, for the REST API too."""
    console.engine.process([console.events.join("kai", name="小凯")])
    post(console, "mei", "这个群的老师都是骗子", "m-mei", name="美美")
    console.clock.advance(timedelta(minutes=1))
    events = console.events
    events.now = console.clock.now()
    console.engine.process([
        replace(events.message("angry", "/举报 骂人", event_id="r-1", name="小安"),
                reply_to="m-mei"),
        replace(events.message("kai", "/举报 第二个人", event_id="r-2", name="小凯"),
                reply_to="m-mei"),
    ])  # fmt: skip
    operator = console.store.operator_by_name("ann")
    assert operator is not None
    token = console.site.token(operator)
    api = console.client.get(f"/api/v1/communities/{SLUG}/inbox",
                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    [said] = [a["text"] for a in api.json()["alerts"] if a["handler"] == "reports"]
    assert "举报 2 次" in said and "骂人" in said and "第二个人" in said
    assert said in console.get("/inbox").text
    # marked handled alone (the API offers it for every alert), the reports would leave the
    # inbox undecided: refused there as in the console, which offers Delete and Dismiss only
    [alert] = [a for a in api.json()["alerts"] if a["handler"] == "reports"]
    handled = console.client.post(f"/api/v1/alerts/{alert['id']}/handle",
                                  headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert handled.status_code == 409 and "delete it or dismiss them" in handled.json()["detail"]
    crafted = console.post(f"/alerts/{alert['id']}/handled")
    assert crafted.headers["location"] == f"{BASE}/inbox?problem=report-waiting"
    assert said in console.get("/inbox").text


def table(page: str, table_id: str) -> str:
    """The table `table_id` of a page (it is there)."""
    start = page.index(f'<table id="{table_id}"')
    return page[start : page.index("</table>", start)]
