"""What operators do from the console: pardon, lift, mark handled or answered, open a group;
each recorded in the audit log, and refused without the session's CSRF token."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.carriers.webchat.plugin import webchat_of
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.engine.not_closed import not_closed
from hearthkeeper.store import ExampleSource, OutboxStatus, SanctionKind
from tests.console_setup import AD, BASE, SLUG, Console


def test_pardon_from_the_member_page(console: Console) -> None:
    spam = console.member_id("spam")
    strike = console.store.community_strikes(console.community_id, member_id=spam)[0]
    page = f"{BASE}/members/{spam}"
    answer = console.post(f"/strikes/{strike.id}/pardon", {"back": page})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{page}?notice=pardoned"
    after = console.store.get_strike(strike.id)
    assert after is not None and after.pardoned_by == "console:ann"
    audit = console.store.audit_log(console.community_id, limit=1)[0]
    assert (audit.actor, audit.action, audit.target) == ("console:ann", "pardon", f"member {spam}")
    shown = console.client.get(answer.headers["location"]).text
    assert "Strike pardoned." in shown
    row = shown.split(f'data-strike-id="{strike.id}"')[1].split("</tr>")[0]
    assert 'class="strike-status status-pardoned">pardoned<' in row and "Pardon" not in row
    again = console.post(f"/strikes/{strike.id}/pardon", {"back": page})
    assert again.headers["location"] == f"{page}?problem=already-pardoned"
    assert "That strike was pardoned already." in console.client.get(again.headers["location"]).text


def test_lift_queues_the_unmute_on_the_carrier(console: Console) -> None:
    spam = console.member_id("spam")
    mute = console.store.community_sanctions(console.community_id, member_id=spam)[0]
    answer = console.post(f"/sanctions/{mute.id}/lift", {"back": f"{BASE}/moderation"})
    assert answer.headers["location"] == f"{BASE}/moderation?notice=lifted"
    lifted = console.store.get_sanction(mute.id)
    assert lifted is not None and lifted.lifted_by == "console:ann"
    queued = [i for i in console.store.outbox_items(status=OutboxStatus.PENDING)
              if i.action.get("kind") == "unmute"]  # fmt: skip
    assert len(queued) == 1 and queued[0].action["member"] == "spam"
    assert console.store.audit_log(console.community_id, limit=1)[0].action == "lift mute"
    assert "Nobody is muted" in console.client.get(answer.headers["location"]).text


def test_a_form_cannot_send_the_operator_to_another_site(console: Console) -> None:
    spam = console.member_id("spam")
    strike = console.store.community_strikes(console.community_id, member_id=spam)[0]
    answer = console.post(f"/strikes/{strike.id}/pardon", {"back": "https://evil.example/x"})
    assert answer.headers["location"] == f"{BASE}/members/{spam}?notice=pardoned"


def test_strikes_and_sanctions_of_another_community_are_not_found(console: Console) -> None:
    other = console.store.ensure_community("other", "Other")
    group = console.store.add_group(other.id, "O", "webchat", "o-1")
    member = console.store.member_for("webchat", "o", "O")
    strike = console.store.add_strike(other.id, member.id, "ads", "x", console.clock.now(), None)
    ban = console.store.add_sanction("ban", member.id, "x", console.clock.now(), group_id=group.id)
    assert console.post(f"/strikes/{strike.id}/pardon").status_code == 404
    assert console.post(f"/sanctions/{ban.id}/lift").status_code == 404
    assert console.store.get_strike(strike.id).pardoned_at is None  # type: ignore[union-attr]


def test_mark_an_alert_handled(console: Console) -> None:
    alert = console.store.staff_alerts(console.community_id)[0]
    answer = console.post(f"/alerts/{alert.id}/handled")
    assert answer.headers["location"] == f"{BASE}/inbox?notice=handled"
    assert console.store.staff_alerts(console.community_id) == []
    assert console.store.audit_log(console.community_id, limit=1)[0].action == "alert.handled"
    page = console.client.get(answer.headers["location"]).text
    assert "Alert marked handled." in page and "No open alerts." in page
    again = console.post(f"/alerts/{alert.id}/handled")
    assert again.headers["location"] == f"{BASE}/inbox?problem=already-handled"


def test_mark_a_question_answered(console: Console) -> None:
    question = SqlQuestions.on(console.store).waiting_questions(console.community_id)[0]
    answer = console.post(f"/questions/{question.id}/answered")
    assert answer.headers["location"] == f"{BASE}/inbox?notice=answered"
    assert SqlQuestions.on(console.store).waiting_questions(console.community_id) == []
    assert console.store.inbox_count(console.community_id) == 1  # the alert is still open
    assert "No questions waiting." in console.client.get(answer.headers["location"]).text


def test_open_another_web_chat_group(console: Console) -> None:
    answer = console.post("/groups")
    assert answer.headers["location"] == f"{BASE}/groups?notice=group-opened"
    groups = console.store.list_groups(console.community_id)
    assert [g.name for g in groups] == ["颜学院护肤社 1群", "颜学院护肤社 2群"]  # copy.naming
    new = groups[-1]
    assert (new.carrier, new.capacity) == ("webchat", 500)
    page = console.client.get(answer.headers["location"]).text
    code = webchat_of(console.site.web.carriers).invite_code(new.id)
    assert f"http://chat.example/join/{code}" in page and "颜学院护肤社 2群" in page
    assert console.store.audit_log(console.community_id, limit=1)[0].action == "group.open"
    console.post("/groups")
    assert console.store.list_groups(console.community_id)[-1].name == "颜学院护肤社 3群"


def test_closing_a_group_into_another_and_reopening_it_from_the_groups_page(
    console: Console,
) -> None:
    refused = console.post("/groups/close", {"group": "颜学院护肤社 1群"})
    assert refused.status_code == 409
    assert (
        "颜学院护肤社 1群 was not closed: 颜学院护肤社 1群 is the community&#39;s last open "
        "group" in refused.text
    )
    console.post("/groups")
    unknown = console.post("/groups/close", {"group": "颜学院护肤社 3群"})
    assert unknown.status_code == 404
    assert "There is no group &#39;颜学院护肤社 3群&#39;; did you mean &#39;颜学院护肤社 2群&#39;?" \
        in unknown.text  # fmt: skip
    assert (
        console.client.post(
            f"{BASE}/groups/close", data={"group": "颜学院护肤社 2群"}, follow_redirects=False
        ).status_code
        == 403
    )  # no CSRF token
    answer = console.post(
        "/groups/close", {"group": "颜学院护肤社 2群", "into": "颜学院护肤社 1群"}
    )
    assert answer.headers["location"] == f"{BASE}/groups?notice=group-closed"
    two = console.store.list_groups(console.community_id)[-1]
    assert two.closed and two.closed_by == "console:ann"
    [post] = [i.action["text"] for i in console.store.outbox_items()
              if i.group_id == two.id and i.action["kind"] == "send"]  # fmt: skip
    code = webchat_of(console.site.web.carriers).invite_code(console.group_id)
    assert (
        post == f"本群已关闭，请移步「颜学院护肤社 1群」继续交流：http://chat.example/join/{code}"
    )
    page = console.client.get(answer.headers["location"]).text
    assert "The group is closed" in page and "by console:ann" in page
    again = console.post("/groups/close", {"group": "颜学院护肤社 2群", "reopen": "1"})
    assert again.headers["location"] == f"{BASE}/groups?notice=group-reopened"
    assert not console.store.list_groups(console.community_id)[-1].closed


def test_closing_into_a_group_without_room_for_all_its_members_says_so(console: Console) -> None:
    """On the Groups page and on the Matrix page: a merge into a group with 1 place left for
    the members of 颜学院护肤社 1群 was "The group is closed." alone."""
    corner = console.store.add_group(console.community_id, "小角落", "webchat", "corner", 2)
    console.store.join(console.store.member_for("webchat", "w-amy", "Amy").id, corner.id)
    closed = console.post("/groups/close", {"group": "颜学院护肤社 1群", "into": "小角落"})
    assert closed.headers["location"] == f"{BASE}/groups?notice=group-closed-short"
    page = console.client.get(closed.headers["location"]).text
    assert ("The group its members are sent to has no room for all of them: once it is full, "
            "its join page offers the rest another group with room.") in page  # fmt: skip
    console.post("/groups/close", {"group": "颜学院护肤社 1群", "reopen": "1"})
    matrix = {"group_id": str(console.group_id), "into": "小角落", "back": f"{BASE}/matrix"}
    again = console.post("/groups/close", matrix)
    assert again.headers["location"] == f"{BASE}/matrix?done=group-closed-short"
    assert "has no room for all of them" in console.client.get(again.headers["location"]).text


def test_the_matrix_page_closes_a_group_into_another_and_reopens_it(console: Console) -> None:
    """Every dying-group warning on the Matrix page says to close the group, and closing
    took the Groups page's form: each open line has its Close… form now (the group named
    by its id, the other group chosen among the open ones), a closed line its Reopen, and
    both come back to the Matrix page, which says what was done."""
    console.post("/groups")
    one, two = console.store.list_groups(console.community_id)
    page = console.get("/matrix").text
    line = page.split(f'data-group-id="{two.id}"')[1].split("</tr>")[0]
    assert f'href="{BASE}/matrix/close?group_id={two.id}"' in line and ">Close…</a>" in line
    form = console.get("/matrix/close", group_id=str(two.id)).text  # the link's own page
    assert f"Close {two.name}</button>" in form and f'<option value="{one.name}">' in form
    assert f'<option value="{two.name}">' not in form, "not into itself"
    answer = console.post("/groups/close", {"group_id": str(two.id), "into": one.name,
                                            "back": f"{BASE}/matrix"})  # fmt: skip
    assert answer.headers["location"] == f"{BASE}/matrix?done=group-closed"
    closed = console.store.get_group(two.id)
    assert closed is not None and closed.closed and closed.closed_into == one.id
    shown = console.client.get(answer.headers["location"]).text
    assert "The group is closed: it takes no newcomers, its members can no longer post" in shown
    assert f'aria-label="Reopen {two.name}"' in shown and f"close?group_id={two.id}" not in shown
    closing_one = console.get("/matrix/close", group_id=str(one.id)).text
    assert f'<option value="{two.name}">' not in closing_one  # closed: no group to send them to
    again = console.post("/groups/close", {"group_id": str(two.id), "reopen": "1",
                                           "back": f"{BASE}/matrix"})  # fmt: skip
    assert again.headers["location"] == f"{BASE}/matrix?done=group-reopened"
    reopened = console.store.get_group(two.id)
    assert reopened is not None and not reopened.closed
    stranger = console.post("/groups/close", {"group_id": "9999", "back": f"{BASE}/matrix"})
    assert (
        stranger.status_code == 404 and "There is no group 9999 in this community" in stranger.text
    )


def _refused_by_telegram(console: Console, group_id: int) -> None:
    """Telegram refuses the group's pending close, as the engine records it (the bot is no
    admin with 'Ban users'): the outbox item failed, staff alerted, `group.close.failed`."""
    claimed = console.store.claim(10, console.clock.now(), carrier="telegram")
    [item] = [i for i in claimed if i.group_id == group_id and i.action["kind"] == "close"]
    error = CarrierError("telegram: not enough rights", retry=False)
    not_closed(console.store, item, Action.from_json(item.action), error, console.clock.now())


def test_closing_again_a_group_telegram_refused_to_close_asks_again_and_says_so(
    console: Console,
) -> None:
    """Garden is closed in Hearthkeeper but Telegram refused to stop its members posting.
    Once the bot has the right, staff close it again from the Groups page's form, which
    calls what `hearth groups close` does: before, the console said only "The group is
    closed", as after any closing, and staff could not tell Telegram was asked again. Now it
    says so; a new close goes to Telegram, and the audit log has `group.close.again`. A
    second click asks nothing more."""
    garden = console.store.add_group(console.community_id, "Garden", "telegram", "-1000000000001")
    first = console.post("/groups/close", {"group": "Garden"})
    assert first.headers["location"] == f"{BASE}/groups?notice=group-closed"
    _refused_by_telegram(console, garden.id)
    again = console.post("/groups/close", {"group": "Garden"})
    assert again.headers["location"] == f"{BASE}/groups?notice=group-asked-again-telegram"
    shown = console.client.get(again.headers["location"]).text
    assert "The group was closed already; Telegram is asked again to stop members posting." in (
        shown
    )
    asked = [i for i in console.store.outbox_items(status=OutboxStatus.PENDING)
             if i.group_id == garden.id and i.action["kind"] == "close"]  # fmt: skip
    assert len(asked) == 1
    audit = console.store.audit_log(console.community_id, limit=1)[0]
    assert (audit.actor, audit.action, audit.target) == (
        "console:ann",
        "group.close.again",
        f"group {garden.id}",
    )

    _refused_by_telegram(console, garden.id)  # still no right; then asked from the Matrix page
    matrix = {"group_id": str(garden.id), "back": f"{BASE}/matrix"}
    from_matrix = console.post("/groups/close", matrix)
    assert from_matrix.headers["location"] == f"{BASE}/matrix?done=group-asked-again-telegram"
    assert "Telegram is asked again" in console.client.get(from_matrix.headers["location"]).text
    twice = console.post("/groups/close", matrix)  # the second click: asked once
    assert twice.status_code == 409 and "Garden is closed already (since" in twice.text
    assert "<h1>Matrix of groups</h1>" in twice.text
    assert len([i for i in console.store.outbox_items(status=OutboxStatus.PENDING)
                if i.group_id == garden.id and i.action["kind"] == "close"]) == 1  # fmt: skip


def test_a_platform_without_a_name_of_its_own_is_asked_again_in_lowercase_after_the_semicolon(
    console: Console,
) -> None:
    """A carrier no platform name is kept for (a plugin's): the notice said "…; Its platform is
    asked again", a capital after a semicolon."""
    shown = console.client.get(f"{BASE}/groups?notice=group-asked-again").text
    assert ("The group was closed already; its platform is asked again to stop members "
            "posting.") in shown  # fmt: skip
    assert "Its platform" not in shown


def test_the_matrix_page_offers_to_close_again_a_group_telegram_refused_to_close(
    console: Console,
) -> None:
    """Garden is closed, but Telegram refused to stop its members posting. Its line on the
    Matrix page offered only Reopen, and said nothing of the refusal: closing it again (what
    asks Telegram again) went through the Groups page's form. Now the line says Telegram
    refused and has Close again beside Reopen; a group closed on its platform has neither."""
    garden = console.store.add_group(console.community_id, "Garden", "telegram", "-1000000000001")
    lawn = console.store.add_group(console.community_id, "Lawn", "telegram", "-1000000000002")
    for name in ("Garden", "Lawn"):
        assert console.post("/groups/close", {"group": name}).status_code == 303
    _refused_by_telegram(console, garden.id)
    page = console.client.get(f"{BASE}/matrix").text
    garden_line = page.split(f'data-group-id="{garden.id}"')[1].split("</tr>")[0]
    lawn_line = page.split(f'data-group-id="{lawn.id}"')[1].split("</tr>")[0]
    assert "Telegram refused to stop members posting." in garden_line
    assert ">Close again</button>" in garden_line and ">Reopen</button>" in garden_line
    assert "refused" not in lawn_line and "Close again" not in lawn_line
    assert ">Reopen</button>" in lawn_line
    groups = console.client.get(f"{BASE}/groups").text  # the Groups page says it too
    assert (
        "Telegram refused to stop members posting: close it again (below)"
        in (groups.split(f'data-group-id="{garden.id}"')[1].split("</tr>")[0])
    )
    assert "refused" not in groups.split(f'data-group-id="{lawn.id}"')[1].split("</tr>")[0]
    asked = console.post("/groups/close", {"group_id": str(garden.id), "back": f"{BASE}/matrix"})
    assert asked.headers["location"] == f"{BASE}/matrix?done=group-asked-again-telegram"
    after = console.client.get(asked.headers["location"]).text
    garden_line = after.split(f'data-group-id="{garden.id}"')[1].split("</tr>")[0]
    assert "Close again" not in garden_line, "asked again: nothing refused since"


def test_a_second_click_on_the_matrix_page_s_close_comes_back_there_saying_it_is_closed(
    console: Console,
) -> None:
    """Close… clicked twice on the Matrix page (the second before the first's page came
    back): the second answer showed the Groups page, "… was not closed: … is closed
    already", as if it had failed. Now it is the Matrix page, saying the group is closed
    already; so for Reopen."""
    console.post("/groups")
    _, two = console.store.list_groups(console.community_id)
    form = {"group_id": str(two.id), "back": f"{BASE}/matrix"}
    assert console.post("/groups/close", form).status_code == 303
    twice = console.post("/groups/close", form)
    assert twice.status_code == 409 and "<h1>Matrix of groups</h1>" in twice.text
    assert f"{two.name} is closed already (since" in twice.text
    assert "was not closed" not in twice.text
    reopen = {**form, "reopen": "1"}
    assert console.post("/groups/close", reopen).status_code == 303
    again = console.post("/groups/close", reopen)
    assert again.status_code == 409 and f"{two.name} is not closed." in again.text
    assert "was not reopened" not in again.text


def test_a_post_without_the_csrf_token_is_refused(console: Console) -> None:
    spam = console.member_id("spam")
    strike = console.store.community_strikes(console.community_id, member_id=spam)[0]
    alert = console.store.staff_alerts(console.community_id)[0]
    for path, data in [
        (f"/strikes/{strike.id}/pardon", {}),
        (f"/alerts/{alert.id}/handled", {}),
        ("/groups", {}),
        ("/playbook", {"text": "x"}),
        (f"/strikes/{strike.id}/pardon", {"csrf_token": "forged"}),
    ]:
        answer = console.client.post(BASE + path, data=data, follow_redirects=False)
        assert answer.status_code == 403, path
        assert "CSRF" in answer.text or "token" in answer.text
    assert console.store.get_strike(strike.id).pardoned_at is None  # type: ignore[union-attr]
    assert len(console.store.list_groups(console.community_id)) == 1
    header = {"X-CSRF-Token": console.csrf()}
    assert console.client.post(f"{BASE}/groups", headers=header,
                               follow_redirects=False).status_code == 303  # fmt: skip


def test_deleting_a_message_or_banning_for_it_from_the_member_page(console: Console) -> None:
    angry = console.member_id("angry")
    page = f"{BASE}/members/{angry}"
    shown = console.client.get(page).text
    [message] = console.store.recent_messages(angry, console.community_id)
    row = shown.split(f'data-message-id="{message.id}"')[1].split("</tr>")[0]
    assert "Delete as spam" in row and "Ban for this" in row

    answer = console.post(f"/messages/{message.id}/delete", {"back": page})
    assert answer.headers["location"] == f"{page}?notice=deleted"
    assert (
        "this community&#39;s spam scorer learns from it"
        in console.client.get(answer.headers["location"]).text
    )
    queued = [i for i in console.store.outbox_items() if i.action.get("kind") == "delete"
              and i.key == f"staff-delete:{message.id}"]  # fmt: skip
    assert len(queued) == 1
    banned = console.post(f"/messages/{message.id}/ban", {"back": page})
    assert banned.headers["location"] == f"{page}?notice=banned"
    [ban] = console.store.active_sanctions(member_id=angry, kind=SanctionKind.BAN,
                                           now=console.clock.now())  # fmt: skip
    assert ban.group_id == console.group_id
    # the member is told in the community's language (skincare: Chinese), not in English
    told = {i.action["kind"]: i.action["reason"] for i in console.store.outbox_items()
            if i.key.startswith(("staff-delete:", "staff-ban:"))}  # fmt: skip
    assert told == {"delete": "已被管理员撤回", "ban": "已被管理员封禁"}
    examples = console.store.moderation_examples(community_id=console.community_id)
    assert [(e.source, e.is_spam, e.actor) for e in examples] == [
        (ExampleSource.STAFF_DELETE, True, "console:ann"),
        (ExampleSource.STAFF_BAN, True, "console:ann"),
    ]
    assert [e.action for e in console.store.audit_log(console.community_id, limit=2)] == [
        "ban", "delete message"]  # fmt: skip


def test_a_pardon_from_the_console_keeps_the_message_as_acceptable(console: Console) -> None:
    spam = console.member_id("spam")
    strike = console.store.community_strikes(console.community_id, member_id=spam)[0]
    console.post(f"/strikes/{strike.id}/pardon", {"back": f"{BASE}/members/{spam}"})
    [example] = console.store.moderation_examples(community_id=console.community_id)
    assert (example.source, example.is_spam, example.member_id) == (ExampleSource.PARDON, False,
                                                                    spam)  # fmt: skip
    assert example.text.startswith(AD)


def test_messages_of_another_community_cannot_be_deleted_and_forms_need_the_token(
    console: Console,
) -> None:
    other = console.store.ensure_community("other", "Other")
    group = console.store.add_group(other.id, "O", "webchat", "o-1")
    member = console.store.member_for("webchat", "o", "O")
    message_id, _ = console.store.record_message(group.id, "o-m1", member.id, "text", "hi",
                                                 console.clock.now())  # fmt: skip
    assert console.post(f"/messages/{message_id}/delete").status_code == 404
    angry = console.member_id("angry")
    [message] = console.store.recent_messages(angry, console.community_id)
    refused = console.client.post(f"{BASE}/messages/{message.id}/ban", data={},
                                  follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403
    assert console.store.moderation_examples() == []


def test_an_id_beyond_any_rows_is_not_found_not_a_server_error(console: Console) -> None:
    """SQLite cannot even look up 99999999999999999999: the console and the API say there is
    no such strike or member (found probing `hearth serve`: each was a 500)."""
    huge = "99999999999999999999"
    operator = console.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {console.site.token(operator)}"}
    answer = console.client.post(f"/api/v1/strikes/{huge}/pardon", headers=auth)
    assert answer.status_code == 404, answer.text
    assert answer.json()["detail"].startswith(f"There is no strike {huge}")
    member = console.client.get(f"/api/v1/communities/{SLUG}/members/{huge}", headers=auth)
    assert member.status_code == 404 and "There is no member" in member.text
    answer = console.post(f"/strikes/{huge}/pardon", {"back": f"{BASE}/moderation"})
    assert answer.status_code == 404 and f"There is no strike {huge}" in answer.text
    page = console.client.get(f"{BASE}/members/{huge}")
    assert page.status_code == 404 and "Not found" in page.text
    # the Matrix page's Close…/Reopen name the group by id: "Out of range … (Python int too
    # large to convert to SQLite INTEGER)", naming no field
    answer = console.post("/groups/close", {"group_id": huge, "back": f"{BASE}/matrix"})
    assert answer.status_code == 404, answer.text
    assert f"There is no group {huge} in this community" in answer.text


def test_the_audit_log_leaves_out_details_that_have_no_value(console: Console) -> None:
    """An application's alert has no violation: its 'handled' line does not say 'None'."""
    with console.store.transaction() as tx:
        tx.audit("console:ann", "alert.handled", console.community_id, target="alert 99",
                 detail={"handler": "admission", "violation": None})  # fmt: skip
    page = console.get("/audit").text
    assert "admission" in page and "None" not in page


def test_a_ban_typed_in_the_chat_shows_in_the_console(console: Console) -> None:
    """The dean bans 美美 with /封禁 in the group: the console's audit log names the dean,
    and the moderation page lists the ban in force with the dean's reason."""
    dean = console.store.member_for("webchat", "dean", "院长小王")
    console.store.set_role(dean.id, console.group_id, "dean")
    console.engine.process([console.events.message("dean", "/封禁 @美美 发广告", name="院长小王")])
    audit = console.get("/audit").text
    row = audit.split("chat:院长小王 (webchat:dean)")[1].split("</tr>")[0]
    assert ">ban<" in row and f"member {console.member_id('mei')}" in row
    moderation = console.get("/moderation").text
    in_force = moderation.split('id="in-force-title"')[1].split('id="live-title"')[0]
    assert "美美" in in_force and "banned by chat:院长小王 (webchat:dean): 发广告" in in_force


def _staff(console: Console, count: int) -> list[str]:
    """`count` staff members, each holding a role in the community's first group (as
    `hearth staff set` gives one); their names."""
    names = [f"管理员{n:02d}" for n in range(count)]
    for n, name in enumerate(names):
        member = console.store.member_for("webchat", f"staff-{n}", name)
        console.store.join(member.id, console.group_id, role="secretary")
    return names


def test_the_matrix_page_names_the_staff_once_and_each_row_asks_for_its_own_form(
    console: Console,
) -> None:
    """Every row of the Matrix page carried a "Put in charge" select of every staff member
    and its own Close… form: 208 KB at 100 groups, 3 MB at 500 with 100 staff. The staff are
    named once above the table; a row's "Put in charge…" and "Close…" links fetch that
    group's form (htmx puts it in the row; without script the link opens it as a page), and
    putting someone in charge from it works as before."""
    for _ in range(3):
        console.post("/groups")
    groups = console.store.list_groups(console.community_id)
    names = _staff(console, 12)
    page = console.get("/matrix").text
    listed = page.split('id="matrix-staff"')[1].split("</details>")[0]
    assert "Staff who may be put in charge: 12" in listed
    assert all(name in listed for name in names)
    for group in groups[1:]:  # the first: they hold their role there, so it names them
        line = page.split(f'data-group-id="{group.id}"')[1].split("</tr>")[0]
        assert not any(name in line for name in names), group.name
        assert "<select" not in line and "<option" not in line
    last = groups[-1]
    assert f'hx-get="{BASE}/matrix/charge?group_id={last.id}"' in line

    fragment = console.client.get(f"{BASE}/matrix/charge", params={"group_id": last.id},
                                  headers={"HX-Request": "true"})  # fmt: skip
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.count("<option") == 12 and f">{names[3]}</option>" in fragment.text
    own_page = console.get("/matrix/charge", group_id=str(last.id)).text  # without script
    assert (
        f"<h1>Put staff in charge of {last.name}</h1>" in own_page
        and "Matrix of groups" in own_page
    )

    member_id = console.member_id("staff-3")
    answer = console.post("/matrix/charge", {"group_id": str(last.id), "member_id": str(member_id),
                                             "action": "assign"})  # fmt: skip
    assert answer.headers["location"] == f"{BASE}/matrix?done=assigned-not-in"
    after = console.client.get(answer.headers["location"]).text
    line = after.split(f'data-group-id="{last.id}"')[1].split("</tr>")[0]
    assert f'data-member-id="{member_id}">{names[3]}' in line and f"Take {names[3]} off" in line


def test_a_closed_group_is_offered_nobody_in_charge_and_refuses_one(console: Console) -> None:
    """The Matrix page offered "Put in charge…" on a closed group's row, and putting someone
    in charge of it worked; a closed group takes nobody in charge: no link, its form says so,
    and a form loaded before it closed is refused, saying why, with nothing written."""
    console.post("/groups")
    closing = console.store.list_groups(console.community_id)[-1]
    _staff(console, 1)
    console.store.close_group(closing.id, "ops")
    page = console.get("/matrix").text
    line = page.split(f'data-group-id="{closing.id}"')[1].split("</tr>")[0]
    assert "Reopen" in line and "Put in charge" not in line
    fragment = console.client.get(f"{BASE}/matrix/charge", params={"group_id": closing.id},
                                  headers={"HX-Request": "true"})  # fmt: skip
    assert "is closed: a closed group takes nobody in charge" in fragment.text
    assert "<select" not in fragment.text
    member_id = console.member_id("staff-0")
    answer = console.post("/matrix/charge", {"group_id": str(closing.id),
                                             "member_id": str(member_id), "action": "assign"})  # fmt: skip
    assert answer.headers["location"] == f"{BASE}/matrix?done=closed-takes-nobody"
    said = console.client.get(answer.headers["location"]).text
    assert "That group is closed: a closed group takes nobody in charge: reopen it first" in said
    assert SqlGrid.on(console.store).in_charge([closing.id]) == {}


def test_a_row_s_form_of_a_group_of_another_community_is_not_found(console: Console) -> None:
    other = console.store.ensure_community("other", "Other")
    theirs = console.store.add_group(other.id, "Theirs", "webchat", "o-1")
    for form in ("charge", "close"):
        for group_id in (str(theirs.id), "99999999999999999999", "x"):
            answer = console.get(f"/matrix/{form}", group_id=group_id)
            assert answer.status_code in (404, 422), (form, group_id, answer.status_code)
            assert "Theirs" not in answer.text
        answer = console.get(f"/matrix/{form}", group_id=str(theirs.id))
        assert f"There is no group {theirs.id} in this community." in answer.text


def test_a_dying_group_s_warning_says_its_close_link_not_the_command(console: Console) -> None:
    """The Matrix page's warning about a dying group told the operator to run `hearth groups
    close "…" --into OTHER`, right beside a Close… link that does it: it names the link, and
    carries one to the group's Close form; the staff alert, with no link, keeps the command."""
    from hearthkeeper.web.auth import SESSION_COOKIE, new_token, token_hash

    console.clock.set(console.clock.now() + timedelta(days=40))  # silent for 40 days: dying
    token = new_token()  # signed in again: the session ended meanwhile
    operator = console.store.operator_by_name("ann")
    assert operator is not None
    console.store.create_session(operator.id, token_hash(token), new_token(),
                                 console.clock.now() + timedelta(hours=1))  # fmt: skip
    console.client.cookies.set(SESSION_COOKIE, token)
    page = console.get("/matrix").text
    [warning] = [w for w in page.split('<li class="matrix-warning"')[1:]
                 if 'data-kind="dying"' in w]  # fmt: skip
    warning = warning.split("</li>")[0]
    assert "hearth groups close" not in warning, warning
    assert "(Close… names the group its members carry on in)." in warning
    assert f'href="{BASE}/matrix/close?group_id={console.group_id}"' in warning
    from hearthkeeper.capabilities.grid.decide import Kind, MatrixWarning

    alert = MatrixWarning(Kind.DYING, "dying:1", "dead", {"group": "A", "members": 3}, group_id=1)
    assert 'hearth groups close "A" --into OTHER' in alert.text()


def test_the_matrix_page_starts_a_poll_pushes_a_check_in_and_skips_a_post_across_groups(
    console: Console,
) -> None:
    """An operator running groups from one playbook typed a staff command in each group to
    start one poll, push a check-in prompt or skip tonight's post. The Matrix page's form
    does it in the rows ticked (or every group shown): a poll or a prompt is shown first,
    then done once in each group through the engine; a second click reaches no group twice;
    the answer names the groups left out and why."""
    console.post("/groups")
    console.post("/groups")
    one, two, three = console.store.list_groups(console.community_id)
    console.post("/groups/close", {"group_id": str(three.id)})
    page = console.get("/matrix").text
    assert f'<input type="checkbox" name="group_id" value="{two.id}" form="across"' in page
    assert '<form id="across" method="post"' in page and "Start a poll…" in page

    def across(**fields: str | list[str]) -> httpx.Response:
        data = {"csrf_token": console.csrf("/matrix"), **fields}
        return console.client.post(f"{BASE}/matrix/across", data=data, follow_redirects=False)

    every = [str(g.id) for g in (one, two, three)]
    asked = {"action": "poll", "poll": "下周去哪 | 爬山 | 看展", "every_shown": "true",
             "shown_id": every}  # fmt: skip
    plan = across(**asked)
    assert plan.status_code == 200
    assert "Start the poll <strong>下周去哪</strong> (爬山, 看展; single choice;" in plan.text
    assert f"in 2 groups: {one.name}, {two.name}." in plan.text
    assert f"<strong>{three.name}</strong>: closed" in plan.text
    console.engine.tick()
    assert console.engine.tick() == 0, "nothing is started before it is confirmed"

    done = across(**asked, confirmed="true")
    assert "Started the poll “下周去哪” in 2 groups." in done.text
    assert console.engine.tick() == 2
    asyncio.run(console.engine.drain())
    polls = [p.action for p in console.engine.carriers["webchat"].performed  # type: ignore[attr-defined]
             if (p.action.text or "").startswith("📊 投票：下周去哪")]  # fmt: skip
    assert sorted(a.group for a in polls) == sorted([one.carrier_group_id, two.carrier_group_id])
    twice = across(**asked, confirmed="true")
    assert "Nothing was done: no chosen group could take it." in twice.text
    assert "a poll is open there: &#39;下周去哪&#39;" in twice.text
    assert console.engine.tick() == 0

    prompt = across(action="checkin", prompt="第3天：今天用了什么？", group_id=[str(two.id)],
                    confirmed="true")  # fmt: skip
    assert "Pushed the check-in prompt in 1 group." in prompt.text

    skipped = across(action="skip", post="morning-pack", group_id=every)
    assert "Skipped morning-pack (" in skipped.text and "in 2 groups." in skipped.text
    assert f"<strong>{three.name}</strong>: closed" in skipped.text
    audit = [e.action for e in console.store.audit_entries(console.community_id)]
    assert audit.count("calendar.skip") == 2 and {"grid.poll", "grid.checkin"} <= set(audit)

    nobody = across(action="poll", poll="Q | a | b")
    assert nobody.status_code == 400 and "no group was chosen" in nobody.text
    unread = across(action="skip", post="morning-pack", group_id=every, on="13/05")
    assert unread.status_code == 400 and "“13/05” is not a day" in unread.text
    forged = console.client.post(f"{BASE}/matrix/across", data={**asked, "confirmed": "true"},
                                 follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403
