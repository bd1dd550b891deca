"""Each threshold through the real web chat join route: refused and pending joiners see why,
the questions and the code field; an approved applicant gets in; nothing counts twice."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.codes import create_code
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.capabilities.points.levels_repository import SqlLevels
from hearthkeeper.capabilities.referrals.repository import SqlReferrals, Status
from hearthkeeper.engine.events import Join
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import StoreError
from tests.capabilities.admission.door_setup import APPLICATION, CODE, MIN_LEVEL, screening
from tests.webchat_setup import Chat, join


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page
    return found[1]


def seated(chat: Chat, group: int = 0) -> list[str]:
    return [s.nickname for s in chat.carrier.platform.seated(chat.groups[group].id)]


def test_an_invite_code_lets_people_in_each_counted_once(chat: Chat) -> None:
    screening(chat, CODE)
    now = chat.clock.now()
    create_code(chat.store, chat.community_id, "cli", now, code="spring", max_uses=1)
    create_code(chat.store, chat.community_id, "cli", now, code="OLD",
                expires_at=now + timedelta(hours=1))  # fmt: skip
    code = chat.codes[0]
    mei = TestClient(chat.app)
    page = mei.get(f"/join/{code}")
    assert 'name="invite_code"' in page.text and "joined with an invite code" in page.text

    missing = join(mei, code, "Mei")
    assert missing.status_code == 403 and 'name="invite_code"' in missing.text
    wrong = join(mei, code, "Mei", invite_code="SPRNG")
    assert wrong.status_code == 403 and "There is no invite code “SPRNG” here" in wrong.text
    assert seated(chat) == []

    prefilled = mei.get(f"/join/{code}", params={"code": "spring"})
    assert 'name="invite_code" value="spring"' in prefilled.text
    assert join(mei, code, "Mei", invite_code="spring").status_code == 303
    assert join(mei, chat.codes[1], "Mei", invite_code="spring").status_code == 303, "same person"
    assert seated(chat) == ["Mei"] and seated(chat, 1) == ["Mei"]

    lan = TestClient(chat.app)
    used_up = join(lan, code, "Lan", invite_code="SPRING")
    assert used_up.status_code == 403 and "as many people as it may (1)" in used_up.text
    chat.clock.advance(timedelta(hours=2))
    expired = join(lan, code, "Lan", invite_code="old")
    assert expired.status_code == 403 and "expired on" in expired.text
    found = SqlInviteCodes.on(chat.store).code_named(chat.community_id, "SPRING")
    assert found is not None and found.uses == 1


def test_an_expired_code_is_said_to_have_expired_on_its_last_day_in_the_community(
    chat: Chat,
) -> None:
    """A code whose last day was 1 May in New York (it ran out at 23:59:59 there, 03:59:59 UTC
    on 2 May) was said to have "expired on" 2 May: the UTC day, one the staff never gave."""
    screening(chat, CODE, timezone="America/New_York")
    york = ZoneInfo("America/New_York")
    last_day = chat.clock.now().astimezone(york).date()
    create_code(chat.store, chat.community_id, "cli", chat.clock.now(), code="OLD",
                expires_at=datetime.combine(last_day, time(23, 59, 59), york))  # fmt: skip
    chat.clock.advance(timedelta(days=2))
    expired = join(TestClient(chat.app), chat.codes[0], "Lan", invite_code="old")
    assert expired.status_code == 403
    assert f"“OLD” expired on {last_day:%Y-%m-%d};" in expired.text, expired.text


def test_an_applicant_answers_waits_and_gets_in_once_approved(chat: Chat) -> None:
    screening(chat, APPLICATION)
    code = chat.codes[0]
    mei = TestClient(chat.app)
    asked = join(mei, code, "Mei")
    assert asked.status_code == 403
    assert "Who invited you?" in asked.text and 'name="answer_2"' in asked.text
    half = join(mei, code, "Mei", answer_1="Lan", answer_2=" ")
    assert half.status_code == 403 and "Please answer every question." in half.text
    assert ">Lan</textarea>" in half.text, "what was typed stays"

    form = {
        "nickname": "Mei",
        "csrf_token": csrf_of(half.text),
        "answer_1": "Lan",
        "answer_2": "Oolong",
    }
    pending = mei.post(f"/join/{code}", data=form)
    assert pending.status_code == 202 and "waiting for review" in pending.text
    assert 'http-equiv="refresh"' in pending.text and 'name="nickname"' not in pending.text
    resent = mei.post(f"/join/{code}", data=form | {"answer_2": "Sencha"})  # the form resent
    assert resent.status_code == 202
    [application] = SqlApplications.on(chat.store).applications(chat.community_id)
    assert application.answers == ("Lan", "Oolong") and application.display_name == "Mei"
    [alert] = chat.store.staff_alerts(chat.community_id)
    assert "Mei applied to join Tea room" in alert.text and "Oolong" in alert.text
    back = mei.get(f"/join/{code}")
    assert "waiting for review" in back.text and seated(chat) == []

    review.approve(chat.store, application.id, "console:li", chat.clock.now())
    back = mei.get(f"/join/{code}")
    assert back.status_code == 200 and 'name="nickname"' in back.text
    assert join(mei, code, "Mei").status_code == 303
    assert seated(chat) == ["Mei"]
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [e.sender.display_name for e in joins] == ["Mei"]


def test_a_form_sending_one_answer_for_several_questions_is_asked_for_the_rest(
    chat: Chat,
) -> None:
    """The join page has a field for each question: a form cut down to the first one (by hand
    or a script) is no application; one answer stands for all only on a carrier with one
    free-text field (a Matrix knock, a Telegram bio)."""
    screening(chat, APPLICATION)
    mei = TestClient(chat.app)
    cut = join(mei, chat.codes[0], "Mei", answer_1="Lan")
    assert cut.status_code == 403 and "Please answer every question." in cut.text
    assert SqlApplications.on(chat.store).applications(chat.community_id) == []
    assert chat.store.staff_alerts(chat.community_id) == []


def test_approving_seats_the_applicant_through_the_carrier_once(chat: Chat) -> None:
    screening(chat, APPLICATION)
    mei = TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", answer_1="Lan", answer_2="Oolong")
    [application] = SqlApplications.on(chat.store).applications(chat.community_id)
    review.approve(chat.store, application.id, "console:li", chat.clock.now())
    with pytest.raises(StoreError, match="approved already"):  # a second click
        review.approve(chat.store, application.id, "console:ann", chat.clock.now())
    carriers = {"webchat": chat.carrier}
    assert asyncio.run(OutboundQueue(chat.store, carriers, chat.clock).run_once()).done == 2
    # a restarted server's queue finds nothing left to do
    assert asyncio.run(OutboundQueue(chat.store, carriers, chat.clock).run_once()).done == 0
    assert seated(chat) == ["Mei"]
    assert len([e for e in chat.carrier.take_events() if isinstance(e, Join)]) == 1
    page = mei.get(f"/join/{chat.codes[0]}")
    assert 'id="open-chat"' in page.text


def test_an_applicant_approved_after_their_group_filled_is_seated_where_there_is_room(
    chat: Chat,
) -> None:
    """A live code sends every applicant to the group with room when they apply; by the time
    staff approve, it filled. The approval failed in the queue ("cannot seat … (full)"): the
    applicant, approved, was in no group and staff were not told. They are seated in another
    group of the community with room, as the join page would offer them."""
    screening(chat, APPLICATION)
    mei = TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", answer_1="Lan", answer_2="Oolong")
    for n in range(3):  # Tea room holds 3: filled while Mei waited
        chat.member(f"member {n}")
    [application] = SqlApplications.on(chat.store).applications(chat.community_id)
    review.approve(chat.store, application.id, "console:li", chat.clock.now())
    carriers = {"webchat": chat.carrier}
    ran = asyncio.run(OutboundQueue(chat.store, carriers, chat.clock).run_once())
    assert ran.failed == 0
    assert seated(chat, 1) == ["Mei"] and "Mei" not in seated(chat, 0)
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.group, e.sender.display_name) for e in joins][-1] == ("tea-2", "Mei")
    assert 'id="open-chat"' in mei.get(f"/join/{chat.codes[1]}").text


def test_an_applicant_is_never_seated_in_the_staff_channel_for_a_full_group(chat: Chat) -> None:
    screening(chat, APPLICATION)
    chat.carrier.staff_channels = {chat.community_id: "Garden"}  # alerts.staff_group
    mei = TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", answer_1="Lan", answer_2="Oolong")
    for n in range(3):
        chat.member(f"member {n}")
    [application] = SqlApplications.on(chat.store).applications(chat.community_id)
    review.approve(chat.store, application.id, "console:li", chat.clock.now())
    carriers = {"webchat": chat.carrier}
    asyncio.run(OutboundQueue(chat.store, carriers, chat.clock).run_once())
    assert seated(chat, 1) == [] and "Mei" not in seated(chat, 0)
    # nor is the staff channel offered on the full group's join page ("There is room in …")
    page = mei.get(f"/join/{chat.codes[0]}")
    assert "This group is full" in page.text and "Garden" not in page.text


def test_an_approved_applicant_s_join_names_the_link_they_applied_by(chat: Chat) -> None:
    """Mei applied through a referral (or live code) link: staff's approval seats her, and
    her Join names that link, so her referrer is credited as for anyone let in at once."""
    screening(chat, APPLICATION)
    mei = TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", via="ref-ann", answer_1="Lan", answer_2="Oolong")
    [application] = SqlApplications.on(chat.store).applications(chat.community_id)
    chat.carrier.take_events()  # (nothing joined yet)
    review.approve(chat.store, application.id, "console:li", chat.clock.now())
    carriers = {"webchat": chat.carrier}
    asyncio.run(OutboundQueue(chat.store, carriers, chat.clock).run_once())
    assert seated(chat) == ["Mei"]
    [joined] = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert joined.source == "ref-ann"


def test_a_refused_applicant_reads_the_staffs_message(chat: Chat) -> None:
    screening(chat, APPLICATION, chinese=True)
    mei = TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", answer_1="Lan", answer_2="Oolong")
    [application] = SqlApplications.on(chat.store).applications(chat.community_id)
    review.refuse(chat.store, application.id, "console:li", chat.clock.now(), "本期名额已满")
    back = mei.get(f"/join/{chat.codes[0]}")
    assert "你的申请未通过：本期名额已满" in back.text and 'name="nickname"' not in back.text
    again = join(TestClient(chat.app), chat.codes[0], "Lan")
    assert "加入前请回答以下问题" in again.text


def test_a_min_level_group_lets_in_members_at_that_level_only(chat: Chat) -> None:
    screening(chat, MIN_LEVEL)
    mei_user, mei_token = chat.member("Mei", group=1)
    stranger = TestClient(chat.app).get(f"/join/{chat.codes[0]}")
    assert "level “Member” and above" in stranger.text and 'name="nickname"' not in stranger.text
    mei = TestClient(chat.app, cookies={"hearth_member": mei_token})
    member = chat.store.member_for("webchat", mei_user.user_id, "Mei")
    low = mei.get(f"/join/{chat.codes[0]}")
    assert "you are at “Newcomer”" in low.text and 'name="nickname"' not in low.text
    SqlLevels.on(chat.store).change_level(chat.community_id, member.id, None, "member", "test",
                                          chat.clock.now())  # fmt: skip
    assert join(mei, chat.codes[0], "Mei").status_code == 303
    assert seated(chat) == ["Mei"]


def test_blacklisted_people_are_refused_whatever_the_threshold(chat: Chat) -> None:
    screening(chat, "")  # open
    user, token = chat.member("Spam", group=1)
    member = chat.store.member_for("webchat", user.user_id, "Spam")
    chat.store.add_sanction("blacklist", member.id, "ads", chat.clock.now(),
                            community_id=chat.community_id)  # fmt: skip
    refused = TestClient(chat.app, cookies={"hearth_member": token}).get(f"/join/{chat.codes[0]}")
    assert "You cannot join this community." in refused.text
    assert 'name="nickname"' not in refused.text
    assert join(TestClient(chat.app), chat.codes[0], "Mei").status_code == 303


def test_seated_members_are_not_screened_again(chat: Chat) -> None:
    _, token = chat.member("Mei")
    screening(chat, CODE)
    mei = TestClient(chat.app, cookies={"hearth_member": token})
    again = mei.get(f"/join/{chat.codes[0]}")
    assert 'id="open-chat"' in again.text and 'id="admission"' not in again.text
    assert mei.get(f"/chat/{chat.codes[0]}").status_code == 200


def test_a_task_group_lets_in_members_who_brought_enough_friends(chat: Chat) -> None:
    screening(chat, "joining:\n  threshold:\n    kind: task\n    invite_friends: 2\n")
    user, token = chat.carrier.create_user("Mei")  # known to the web chat, in no group yet
    client = TestClient(chat.app)
    client.cookies.set("hearth_member", token)
    page = client.get(f"/join/{chat.codes[0]}")
    assert "You have 0; 2 to go." in page.text and 'name="nickname"' not in page.text
    mei = chat.store.member_for("webchat", user.user_id, "Mei")
    referrals = SqlReferrals.on(chat.store)
    now = chat.clock.now()
    for n, friend in enumerate(("Ann", "Bo"), start=1):
        invitee = chat.store.member_for("webchat", f"w-friend-{n}", friend)
        made = referrals.record(chat.community_id, mei.id, invitee.id, chat.groups[1].id,
                                now, now + timedelta(days=3))  # fmt: skip
        assert made is not None
        if n == 1:
            referrals.settle(made.id, Status.CREDITED, now)
    page = client.get(f"/join/{chat.codes[0]}")  # one credited, one still waiting: no form
    assert "You have 1; 1 to go." in page.text and 'name="nickname"' not in page.text
    assert "Mei" not in seated(chat)
    waiting = referrals.pending_for(chat.community_id, invitee.id)
    assert waiting is not None
    referrals.settle(waiting.id, Status.CREDITED, now)
    assert join(client, chat.codes[0], "Mei").status_code == 303
    assert "Mei" in seated(chat)


def test_a_nickname_refused_keeps_the_questions_and_what_was_typed(chat: Chat) -> None:
    screening(chat, APPLICATION)
    client = TestClient(chat.app)
    refused = join(client, chat.codes[0], "@Mei", answer_1="Lan", answer_2="Oolong")
    assert refused.status_code == 400 and "cannot contain @" in refused.text
    assert "Who invited you?" in refused.text and ">Lan</textarea>" in refused.text
    assert ">Oolong</textarea>" in refused.text
    assert SqlApplications.on(chat.store).applications(chat.community_id) == []


def _after(page: str, first: str, then: str) -> bool:
    """`then` comes after `first` in the page, with no other form field between them."""
    start = page.index(first)
    between = page[start + len(first) : page.index(then, start)]
    return "<input" not in between and "<textarea" not in between


def test_a_refused_code_or_nickname_is_explained_beside_its_field(chat: Chat) -> None:
    screening(chat, CODE)
    client = TestClient(chat.app)
    wrong = join(client, chat.codes[0], "Mei", invite_code="SPRNG")
    assert wrong.status_code == 403
    assert 'name="invite_code" value="SPRNG"' in wrong.text  # kept, to correct
    assert _after(wrong.text, 'id="invite_code"', "There is no invite code “SPRNG” here")
    bad = join(TestClient(chat.app), chat.codes[0], "@Mei", invite_code="SPRNG")
    assert bad.status_code == 400 and 'name="invite_code" value="SPRNG"' in bad.text
    assert _after(bad.text, 'id="nickname"', "cannot contain @")


def test_a_full_group_keeps_the_nickname_and_the_code(chat: Chat) -> None:
    screening(chat, CODE)
    create_code(chat.store, chat.community_id, "cli", chat.clock.now(), code="spring")
    for n in range(3):
        chat.member(f"member {n}")
    refused = join(TestClient(chat.app), chat.codes[0], "Mei", invite_code="spring")
    assert refused.status_code == 403 and "This group is full (3 of 3)." in refused.text
    assert 'value="Mei"' in refused.text and 'name="invite_code" value="spring"' in refused.text
    assert seated(chat) == ["member 0", "member 1", "member 2"]


def test_an_application_form_asks_the_nickname_then_the_questions_and_sends_an_application(
    chat: Chat,
) -> None:
    """Who the applicant is first (the name staff review them under), then the application's
    questions under their own heading; the button says the application is sent, not "Join",
    since nobody gets in before staff approve."""
    screening(chat, APPLICATION)
    page = TestClient(chat.app).get(f"/join/{chat.codes[0]}").text
    form = page[page.index('id="join-form"') :]
    nickname, fieldset = form.index('name="nickname"'), form.index('<fieldset class="questions"')
    first, second = form.index("Who invited you?"), form.index("What do you brew?")
    assert nickname < fieldset < first < second
    questions = form[fieldset : form.index("</fieldset>")]
    assert "<legend>Your application: every question needs an answer</legend>" in questions
    assert questions.count("required>") == 2
    assert '<button type="submit">Send my application</button>' in form


def test_an_open_join_form_has_no_application_heading_and_says_join(chat: Chat) -> None:
    page = TestClient(chat.app).get(f"/join/{chat.codes[0]}").text
    assert "<fieldset" not in page and '<button type="submit">Join</button>' in page


def test_the_web_chat_learns_each_communitys_staff_channel_from_its_playbook(chat: Chat) -> None:
    """What `seats_members` reads is kept current as playbooks are applied (`adopt`)."""
    from hearthkeeper.carriers.webchat.plugin import WebChatLimits, WebChatSetup
    from hearthkeeper.playbook import parse_playbook
    from tests.playbook_samples import MINIMAL

    setup = WebChatSetup(WebChatLimits())
    with_staff = MINIMAL + "alerts:\n  staff_group: Garden\n"
    setup.adopt(chat.store, chat.community_id, parse_playbook(with_staff).playbook)
    assert setup.staff_channels == {chat.community_id: "Garden"}
    as_members = with_staff + "  staff_group_as_members: true\n"
    setup.adopt(chat.store, chat.community_id, parse_playbook(as_members).playbook)
    assert setup.staff_channels == {}


def test_deciding_an_application_handles_its_alert_in_the_staff_inbox(chat: Chat) -> None:
    """Staff approved every application on the Applications page (or with `hearth
    applications approve`) and the inbox still listed each "… applied to join" as open, to
    be marked handled one by one: the decision deals with it, recorded as by the reviewer."""
    screening(chat, APPLICATION)
    for name in ("Mei", "Lan"):
        join(TestClient(chat.app), chat.codes[0], name, answer_1="Li", answer_2="Oolong")
    mei, lan = SqlApplications.on(chat.store).applications(chat.community_id)
    assert len(chat.store.staff_alerts(chat.community_id)) == 2
    review.approve(chat.store, mei.id, "console:li", chat.clock.now())
    review.refuse(chat.store, lan.id, "cli", chat.clock.now(), "Not now")
    assert chat.store.staff_alerts(chat.community_id) == []
    handled = chat.store.staff_alerts(chat.community_id, open_only=False)
    assert sorted(a.handled_by or "" for a in handled) == ["cli", "console:li"]
