"""Every console page: behind sign-in, showing what the operator came for, escaping what
members wrote, and a 404 page in the layout for what does not exist."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient

from hearthkeeper.capabilities.activities.records import NewEvent, Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.carriers.webchat.plugin import webchat_of
from tests.console_setup import AD, BASE, IMG, INSULT, QUESTION, SCRIPT, SLUG, Console
from tests.sql_plans import statements_run
from tests.web_auth_setup import PASSWORD

PAGES = ["", "/live", "/groups", "/members", "/members/1", "/moderation", "/audit", "/inbox",
         "/playbook", "/calendar"]  # fmt: skip


def test_every_page_sends_a_stranger_to_sign_in(console: Console) -> None:
    stranger = TestClient(console.client.app)
    for path in ["/console", *(BASE + p for p in PAGES)]:
        answer = stranger.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/console/sign-in?next="), path


def test_every_page_opens_for_the_operator_in_the_layout(console: Console) -> None:
    for path in PAGES:
        page = console.get(path)
        assert page.status_code == 200, (path, page.text)
        assert "text/html" in page.headers["content-type"]
        if path != "/live":  # the live panel is a fragment of the overview
            assert "<nav" in page.text and 'action="/console/sign-out"' in page.text
            assert ">ann<" in page.text, path  # who is signed in
        assert "<script>alert" not in page.text and "<img src=x" not in page.text


def test_signing_in_through_the_real_form_opens_the_page_asked_for(console: Console) -> None:
    fresh = TestClient(console.client.app)
    asked = fresh.get(f"{BASE}/inbox", follow_redirects=False)
    token = fresh.get(asked.headers["location"]).text.split('name="signin_token" value="')[1]
    answer = fresh.post("/console/sign-in", follow_redirects=False, data={
        "username": "ann", "password": PASSWORD, "next": f"{BASE}/inbox",
        "signin_token": token.split('"')[0]})  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == f"{BASE}/inbox"
    page = fresh.get(f"{BASE}/inbox")
    assert page.status_code == 200 and "Mark handled" in page.text


def test_the_communities_page_lists_the_one_community(console: Console) -> None:
    page = console.client.get("/console")
    assert page.status_code == 200
    assert f'href="{BASE}"' in page.text and "颜学院护肤社" in page.text
    assert "version 1" in page.text
    assert "2 open" in page.text  # the insult's alert and the question


def test_the_overview_shows_todays_numbers_and_refreshes_them(console: Console) -> None:
    page = console.get("").text
    numbers = {
        "messages": 3,  # 同意, the introduction, the question (the ads and insult: deleted)
        "active": 1,  # mei (spam and angry were deleted; "left" joined and left silent)
        "joins": 4,
        "leaves": 1,
        "members": 3,
        "inbox": 2,
        "strikes": 2,
    }
    live = console.get("/live").text
    for name, value in numbers.items():
        assert f'data-number="{name}"' in live
        cell = live.split(f'data-number="{name}"')[1].split("</div>")[0]
        assert f">{value}<" in cell, (name, cell)
    assert f'hx-get="{BASE}/live"' in page and 'hx-trigger="every 10s"' in page
    assert "Asia/Shanghai" in page
    assert 'id="decisions"' in page and "advertising" in page
    assert "http://chat.example/join/" in page  # the web chat group's invite link


def test_the_groups_page_gives_each_web_chat_group_its_invite_link(console: Console) -> None:
    page = console.get("/groups").text
    code = webchat_of(console.site.web.carriers).invite_code(console.group_id)
    assert f"http://chat.example/join/{code}" in page
    assert "颜学院护肤社 1群" in page and "3 / 500" in page
    assert "Open another web chat group" in page


def test_a_closed_groups_line_names_the_group_its_members_were_sent_to(console: Console) -> None:
    """It said 'closed 2026-… by cli' and not where its members went, which the close keeps."""
    into = console.store.add_group(console.community_id, "颜学院护肤社 7群", "webchat", "g7", 500)
    old = console.store.add_group(console.community_id, "颜学院护肤社 6群", "webchat", "g6", 500)
    console.store.close_group(old.id, by="cli", into=into.id)
    page = console.get("/groups").text
    row = page[page.index(f'data-group-id="{old.id}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(
        r"closed \d{4}-\d{2}-\d{2} by cli, its members sent to 颜学院护肤社 7群", row
    ), row


def test_the_groups_and_overview_pages_read_every_invite_link_at_once(console: Console) -> None:
    """Each group's invite link was read in a transaction of its own that took SQLite's
    write lock (BEGIN IMMEDIATE), on every view of the Groups page and the overview: 100
    groups, 100 waits behind a busy engine. A link is made once, then all are read at once."""
    counted = []
    for more in (0, 30):
        for n in range(more):
            console.store.add_group(console.community_id, f"颜学院护肤社 {n + 2}群", "webchat",
                                    f"{SLUG}-{n + 2}", 500)  # fmt: skip
        for path in ("", "/groups"):
            console.get(path)  # the new groups' links are made on first view
            with statements_run(console.store.engine) as seen:
                page = console.get(path).text
            counted.append(len(seen))
            assert not [s for s in seen if "IMMEDIATE" in s], path  # no write on a view
    assert counted[:2] == counted[2:], counted  # as many statements for 31 groups as for 1
    links = webchat_of(console.site.web.carriers)
    for group in console.store.list_groups(console.community_id):
        assert f"http://chat.example/join/{links.invite_code(group.id)}" in page


def test_members_are_searched_by_name_and_tag(console: Console) -> None:
    every = console.get("/members").text
    assert "美美" in every and "走了" in every
    found = console.get("/members", q="美").text
    assert "美美" in found and "走了" not in found
    console.store.add_tag(console.member_id("left"), "油皮", "staff")
    tagged = console.get("/members", tag="油皮").text
    assert "走了" in tagged and "美美" not in tagged
    assert "Nobody matches" in console.get("/members", q="nobody-like-this").text


def test_the_members_list_pages(console: Console) -> None:
    for n in range(60):
        member = console.store.member_for("webchat", f"u{n}", f"zz member {n:02d}")
        console.store.join(member.id, console.group_id)
    first = console.get("/members").text
    second = console.get("/members", page="2").text
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count("data-member-id=") == 50 and second.count("data-member-id=") == 14
    assert "zz member 00" in first and "zz member 59" in second and "美美" in second
    assert f'href="{BASE}/members?page=2"' in first


def test_a_member_page_shows_the_profile_strikes_sanctions_and_messages(console: Console) -> None:
    spam = console.member_id("spam")
    page = console.get(f"/members/{spam}").text
    assert page.count("data-strike-id=") == 2
    assert page.count('class="strike-status status-live">live<') == 2
    assert page.count(">Pardon</button>") == 2 and ">Lift</button>" in page
    assert "mute" in page and "in force" in page
    assert "<code>webchat:spam</code>" in page  # the identity, as `hearth staff set` takes it
    assert "新同学" in page  # the bottom level of the skincare pyramid
    assert "加我微信 abc12345" in page  # the recent messages
    assert "History" in page and "joined" in page


def test_a_member_page_shows_paid_membership_event_sign_ups_and_appeals(
    console: Console,
) -> None:
    store, cid = console.store, console.community_id
    mei, spam = console.member_id("mei"), console.member_id("spam")
    # times in the community's zone (Asia/Shanghai, UTC+8), as elsewhere on the page
    start = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    SqlBilling.on(store).start(cid, mei, "half-year", start, start + timedelta(days=182),
                               trial=False, at=start)  # fmt: skip
    events = SqlActivities.on(store)
    swap = events.create(cid, NewEvent(None, "春季换物会", "咖啡馆",
                                       datetime(2026, 6, 1, 11, 0, tzinfo=UTC)), "cli", start)  # fmt: skip
    talk = events.create(cid, NewEvent(None, "防晒讲座", None,
                                       datetime(2026, 7, 1, 12, 0, tzinfo=UTC)), "cli", start)  # fmt: skip
    place = events.put(swap.id, mei, console.group_id, Status.CONFIRMED, start)
    events.mark_attended(place.id, "door", datetime(2026, 6, 1, 10, 55, tzinfo=UTC))
    events.put(talk.id, mei, console.group_id, Status.WAITLISTED, start)
    first, second = store.community_strikes(cid, member_id=spam)
    appeals = SqlAppeals.on(store)
    for strike, why in ((first, "<b>only my shop</b>"), (second, "sorry")):
        appeals.file(cid, spam, console.group_id, strike_id=strike.id, sanction_id=None,
                     text=why, at=datetime(2026, 5, 2, 1, 30, tzinfo=UTC))  # fmt: skip
    [older, _] = sorted(appeals.waiting(cid), key=lambda a: a.id)
    appeals.decide(older.id, "upheld", "console:ann", datetime(2026, 5, 3, 2, 0, tzinfo=UTC))

    page = console.get(f"/members/{mei}").text
    paid = _section(page, "paid")
    # started with no order: no payment covers it, so it reads as given free, as in `/membership`
    assert "颜学院半年会员" in paid and "given free" in paid and "active" not in paid
    assert "2026-03-01 12:00" in paid and "2026-08-30 12:00" in paid  # from, until
    places = _section(page, "places")
    assert places.index("防晒讲座") < places.index("春季换物会")  # the latest event first
    assert "2026-06-01 19:00" in places and "咖啡馆" in places
    assert "has a place; came in 2026-06-01 18:55" in places and "on the waitlist" in places
    assert "No appeals." in page

    page = console.get(f"/members/{spam}").text
    assert "No paid membership." in page and "No event sign-ups." in page
    shown = _section(page, "appeals")
    assert shown.count("data-appeal-id=") == 2
    assert "strike for advertising" in shown and "2026-05-02 09:30" in shown
    assert 'upheld by console:ann, <span class="nowrap">2026-05-03 10:00' in shown
    assert "waiting in the inbox" in shown
    assert "&lt;b&gt;only my shop&lt;/b&gt;" in shown and "<b>only" not in shown


def _section(page: str, table: str) -> str:
    """The HTML of the page's table with this id."""
    found = re.search(rf'<table id="{table}">.*?</table>', page, re.S)
    assert found is not None, f"the page has a {table} table"
    return found.group(0)


def test_what_members_wrote_is_escaped(console: Console) -> None:
    ids = {user: console.member_id(user) for user in ("spam", "angry", "mei")}
    shown = {"/members": [SCRIPT, IMG], "/moderation": [SCRIPT], "/inbox": [IMG, QUESTION],
             "/members/{spam}": [SCRIPT, AD], "/members/{angry}": [IMG, INSULT],
             "/members/{mei}": [QUESTION], "": [SCRIPT]}  # fmt: skip
    for path, texts in shown.items():
        page = console.get(path.format(**ids)).text
        for hostile in (SCRIPT, IMG):
            assert hostile not in page, path
        for text in texts:
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert escaped.replace('"', "&#34;") in page, (path, text)


def test_unknown_things_get_a_404_page_in_the_layout(console: Console) -> None:
    for path in ["/console/c/nope", "/console/c/nope/members", f"{BASE}/members/9999",
                 f"{BASE}/members/not-a-number"]:  # fmt: skip
        page = console.client.get(path)
        assert page.status_code in (404, 422), path
        if page.status_code == 404:
            assert "Not found" in page.text and "<nav" in page.text
    assert "There is no community “nope”" in console.client.get("/console/c/nope").text
    missing = console.client.get(f"{BASE}/members/9999").text
    assert "There is no member 9999" in missing and "Members" in missing  # the community's nav
    other = console.store.member_for("webchat", "stranger", "Stranger")
    assert console.get(f"/members/{other.id}").status_code == 404  # not in this community


def test_a_community_named_by_its_name_or_in_another_case_goes_to_its_pages(
    console: Console,
) -> None:
    """`/console/c/颜学院护肤社` or `/console/c/YAN-ACADEMY-SKINCARE` was "There is no
    community" though the API (`/api/v1/communities/{slug}`) takes the slug or the name in any
    case: the console now sends such an address to the same page under the slug, query kept."""
    for typed, rest in (
        ("颜学院护肤社", "/members?q=美美"),
        ("YAN-ACADEMY-SKINCARE", ""),
        (" 颜学院护肤社 ", "/members/1"),
        ("Yan-Academy-Skincare", "/inbox"),
    ):
        moved = console.client.get(f"/console/c/{typed}{rest}", follow_redirects=False)
        assert moved.status_code == 307, (typed, moved.text)
        assert unquote(moved.headers["location"]) == BASE + rest, typed
        page = console.client.get(f"/console/c/{typed}{rest}")
        assert page.status_code == 200 and "<nav" in page.text, typed
    members = console.client.get("/console/c/颜学院护肤社/members?q=美美")
    assert "美美" in members.text
    assert console.client.get("/console/c/颜学院").status_code == 404  # a part names none
    form = console.client.post("/console/c/YAN-ACADEMY-SKINCARE/groups", follow_redirects=False,
                               data={"csrf_token": console.csrf()})  # fmt: skip
    assert form.status_code == 307 and form.headers["location"] == f"{BASE}/groups"  # resent


def test_two_communities_named_alike_but_for_case_are_named_not_guessed(
    console: Console,
) -> None:
    """`/console/c/yan-academy-skincare-2` named `YAN-ACADEMY-SKINCARE` and the skincare
    community's slug typed in another case: the address sent to whichever was listed first.
    Two names alike but for the case are told apart by slug instead; a name as written is
    still one community."""
    console.store.ensure_community("tea", "Tea Club")
    console.store.ensure_community("tea-2", "TEA CLUB")
    page = console.client.get("/console/c/tea club/members", follow_redirects=False)
    assert page.status_code == 404
    assert ("&#39;tea club&#39; names 2 communities: tea (Tea Club), tea-2 (TEA CLUB); say "
            "which by its slug.") in page.text, page.text  # fmt: skip
    moved = console.client.get("/console/c/TEA CLUB/members", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"].startswith("/console/c/tea-2/")
    wide = console.client.get("/console/c/Ｔｅａ Ｃｌｕｂ/members", follow_redirects=False)
    assert wide.status_code == 404, "full-width, it is alike both"


def test_the_moderation_queue_lists_recent_decisions_and_what_is_in_force(console: Console) -> None:
    page = console.get("/moderation").text
    assert 'id="in-force"' in page and 'id="live-strikes"' in page and 'id="recent"' in page
    in_force = page.split('id="in-force"')[1].split("</table>")[0]
    assert "mute" in in_force and ">Lift</button>" in in_force
    live = page.split('id="live-strikes"')[1].split("</table>")[0]
    assert live.count("data-strike-id=") == 2
    assert f'href="{BASE}/audit"' in page
    # whose clock the times are on, named once per table, and each time's tooltip says it too
    assert '<th>When <span class="muted small zone">Asia/Shanghai</span></th>' in in_force
    assert re.search(r'<time datetime="[^"]+" title="[0-9-]+ [0-9:]+ Asia/Shanghai">', live)


def test_the_audit_log_lists_what_happened_newest_first(console: Console) -> None:
    page = console.get("/audit").text
    assert "playbook.apply" in page and "setup" in page
    assert page.index("mute") < page.index("playbook.apply")  # newest first


def test_the_audit_log_says_each_decisions_reason_once(console: Console) -> None:
    """The ad's strike, deletion, warning and mute each repeated the whole explanation."""
    page = console.get("/audit").text
    rows = re.findall(r"<tr data-audit-id=.*?</tr>", page, re.DOTALL)
    ads = [row for row in rows if "低价出" in row]
    assert len(ads) == 2 and all("<td>strike</td>" in row for row in ads)  # the two ads
    pointing = [row for row in rows if "see the strike entry for this event" in row]
    assert {re.search(r"<td>(\w+)</td>\s*<td>member", row).group(1) for row in pointing} >= {
        "delete",
        "warn",
        "mute",
    }


def test_the_inbox_shows_questions_and_alerts_and_its_count_in_the_nav(console: Console) -> None:
    page = console.get("/inbox").text
    assert 'id="alerts"' in page and "Mark handled" in page and "insults" in page
    alerts = page.split('id="alerts"')[1].split("</table>")[0]
    assert '<th>When <span class="muted small zone">Asia/Shanghai</span></th>' in alerts
    assert 'id="questions"' in page and "Mark answered" in page and "9 min" in page
    assert 'class="badge" title="2 open">2<' in console.get("/groups").text


def test_the_inbox_lists_a_members_real_question_not_a_quarrels_taunt_or_a_hello(
    console: Console,
) -> None:
    at = console.clock.now()
    console.engine.process([
        console.events.message("lan", "凭什么删我消息？？", name="小兰", at=at),
        console.events.message("wang", "你是不是有病？", name="小王", at=at),
        console.events.message("xiao", "大家好，我是新来的小何，做设计的，有没有同行？",
                               name="小何", at=at),
        console.events.message("zhou", "凭什么会员要涨价？", name="周周", at=at),
    ])  # fmt: skip
    listed = console.get("/inbox").text.split('id="questions"')[1].split("</table>")[0]
    assert "凭什么会员要涨价" in listed and "周周" in listed, "the price question waits"
    for said in ("凭什么删我消息", "你是不是有病", "我是新来的小何"):
        assert said not in listed, f"{said} is not a question for staff"


def test_the_playbook_page_shows_the_yaml_summary_and_versions(console: Console) -> None:
    page = console.get("/playbook").text
    assert "颜学院护肤社" in page and "version 1" in page
    assert "Interest (同好)" in page and "Structure (结构)" in page
    assert 'id="versions"' in page and 'data-version="1"' in page
    assert "Upload a new version" in page and 'enctype="multipart/form-data"' in page
    source = page.split('id="playbook-source"')[1].split("</pre>")[0]
    assert "# 模板：护肤产品社群" in source and "slug: yan-academy-skincare" in source


def test_the_calendar_shows_the_next_days_in_the_community_time_zone(console: Console) -> None:
    page = console.get("/calendar").text
    assert "morning-pack" in page and "07:30" in page  # 07:30 Shanghai time, not UTC
    assert "share-reward" in page and "Sat" in page
    assert "remind staff" in page  # group-buy-preview is in remind mode
    assert "Nothing has fired yet." in page


def test_the_calendar_counts_a_librarys_items_left_where_the_post_goes(console: Console) -> None:
    """On a matrix of 45 groups the page said "3 in 1群, 3 in 2群, …" 45 times (and, once
    the library ran out, 45 error lines), and counted the groups a `groups:` override keeps
    the post from (calendar_posts: []), the staff channel and closed groups, where the post
    is never sent. Groups alike are now one line, and only where the post goes."""
    from hearthkeeper.apply import apply_playbook
    from hearthkeeper.capabilities.calendar.library import load_library
    from hearthkeeper.capabilities.calendar.repository import SqlPosts
    from hearthkeeper.playbook import parse_playbook
    from hearthkeeper.playbook.templates import template_text

    groups = [console.store.add_group(console.community_id, f"颜学院护肤社 {n}群", "webchat",
                                      f"{SLUG}-{n}", 500) for n in range(2, 10)]  # fmt: skip
    console.store.add_group(console.community_id, "员工群", "webchat", "staff", 50)
    closed = console.store.add_group(console.community_id, "旧群", "webchat", "old", 500)
    console.store.close_group(closed.id, by="ann")
    text = (
        template_text("skincare").replace(
            '  quiet_hours: "23:00-08:00"', '  quiet_hours: "23:00-08:00"\n  staff_group: 员工群'
        )
        + '\ngroups:\n  "颜学院护肤社 9群":\n    calendar_posts: [share-reward]\n'
    ).replace(
        "calendar:\n  posts:\n",
        "calendar:\n  posts:\n    - id: weekly-poll\n"
        "      schedule: 每周三 20:00\n      poll: {question: 下周聊什么, options: [防晒, 修护]}\n",
    )
    apply_playbook(console.store, parse_playbook(text, "playbook.yaml"), "ann")
    items = load_library(console.playbooks.base_dir(console.community_id) / "content" /
                         "morning-pack").items  # fmt: skip
    first_five = (
        "颜学院护肤社 1群, 颜学院护肤社 2群, 颜学院护肤社 3群, 颜学院护肤社 4群, 颜学院护肤社 5群"
    )
    page = console.get("/calendar").text
    assert (f"Not posted yet: {len(items)} in 8 groups ({first_five} and 3 more).</p>") in page
    # the next days' posts name the groups they go to: morning-pack not to 9群, share-reward
    # to 9群 too (its calendar_posts), neither to the staff channel nor the closed group
    ahead = page.split('id="upcoming"')[1].split("</table>")[0]
    rows = {r.split("<td>")[1].split("<")[0]: r for r in ahead.split("<tr>")[2:]}
    assert "<td>every group but 颜学院护肤社 9群</td>" in rows["morning-pack"]
    assert "<td>every group</td>" in rows["share-reward"]
    # a scheduled poll goes where a post would: not to 9群, whose calendar_posts leave it out
    assert '<td class="text">📊 下周聊什么</td>' in rows["weekly-poll"]
    assert "<td>every group but 颜学院护肤社 9群</td>" in rows["weekly-poll"]
    left = page.split('class="muted small library-left"')[1].split("</p>")[0]
    assert "9群" not in left and "员工群" not in left and "旧群" not in left
    posts = SqlPosts.on(console.store)
    for group_id in [console.group_id, *(g.id for g in groups[:7])]:
        for day, item in enumerate(items):
            posts.claim_post(console.community_id, group_id, "morning-pack",
                             console.clock.now() - timedelta(days=day + 1), item_id=item.id,
                             content_kind="text", mode="auto", status="posted",
                             posted_at=console.clock.now())  # fmt: skip
    page = console.get("/calendar").text
    assert f"Not posted yet: 0 in 8 groups ({first_five} and 3 more).</p>" in page
    assert page.count("has nothing left to post") == 1
    assert (
        f"Post morning-pack has nothing left to post in 8 groups ({first_five} and 3 "
        "more): its firings there send nothing until items are added to morning-pack."
    ) in page
    # as many statements for 8 groups as for 38 (each with items left): not one a group (198 for 99 groups)
    counted = []
    for more in (0, 30):
        for n in range(more):
            console.store.add_group(console.community_id, f"加开 {len(counted)}-{n}", "webchat",
                                    f"more-{len(counted)}-{n}", 500)  # fmt: skip
        with statements_run(console.store.engine) as seen:
            console.get("/calendar")
        counted.append(len(seen))
    assert counted[0] == counted[1], counted


def test_the_calendar_shows_a_firing_staff_skipped_in_the_chat_and_who(console: Console) -> None:
    secretary = console.store.member_for("webchat", "lin", "小林").id
    console.store.join(secretary, console.group_id, role="secretary")
    console.engine.process([console.events.message("lin", "/跳过 morning-pack", name="小林",
                                                   at=console.clock.now())])  # fmt: skip
    page = console.get("/calendar").text
    fired = page.split('id="fired"')[1].split("</table>")[0]
    assert "morning-pack" in fired and "cancelled" in fired
    assert "by 小林 (webchat:lin)" in fired
    # the next days' table still lists it (other groups get it), marked where it is skipped
    ahead = page.split('id="upcoming"')[1].split("</table>")[0]
    row = next(r for r in ahead.split("<tr>") if "morning-pack" in r)
    assert "skipped in " in row and "by 小林 (webchat:lin)" in row
    assert sum("skipped in" in r for r in ahead.split("<tr>")) == 1  # only the next firing


def test_a_firing_in_several_groups_is_one_line_with_each_state_counted(console: Console) -> None:
    """A post to 100 groups was 100 lines of Latest firings (the page showed 50: half of one
    firing); now one line, the groups counted, and where staff called it off named."""
    from hearthkeeper.capabilities.calendar.repository import SqlPosts

    secretary = console.store.member_for("webchat", "lin", "小林").id
    console.store.join(secretary, console.group_id, role="secretary")
    console.engine.process([console.events.message("lin", "/跳过 morning-pack", name="小林",
                                                   at=console.clock.now())])  # fmt: skip
    posts = SqlPosts.on(console.store)
    [skipped] = posts.post_records(console.community_id)
    for n in (2, 3):
        other = console.store.add_group(console.community_id, f"颜学院护肤社 {n}群", "webchat",
                                        f"{SLUG}-{n}", 500)  # fmt: skip
        posts.claim_post(console.community_id, other.id, "morning-pack", skipped.scheduled_for,
                         item_id="01", content_kind="text", mode="auto", status="posted",
                         posted_at=console.clock.now())  # fmt: skip
    fired = console.get("/calendar").text.split('id="fired"')[1].split("</table>")[0]
    [row] = [r for r in fired.split("<tr>")[2:]]
    assert 'title="颜学院护肤社 1群, 颜学院护肤社 2群, 颜学院护肤社 3群">3 groups<' in row
    assert "2 queued, 1 cancelled" in row
    assert "in 颜学院护肤社 1群 by 小林 (webchat:lin) (/skip in the chat)" in row


def test_the_calendar_shows_what_a_library_has_left_in_each_group(console: Console) -> None:
    """A library that ran out in a group looked full on the page (`N item(s) in its
    library`), and the health report sent operators to `hearth calendar`, which counts as if
    nothing was posted: the firings that sent nothing had no explanation anywhere."""

    from hearthkeeper.capabilities.calendar.library import load_library
    from hearthkeeper.capabilities.calendar.repository import SqlPosts

    items = load_library(console.playbooks.base_dir(console.community_id) / "content" /
                         "morning-pack").items  # fmt: skip
    assert len(items) >= 2
    posts, at = SqlPosts.on(console.store), console.clock.now() - timedelta(days=len(items))
    for day, item in enumerate(items[:-1]):
        posts.claim_post(console.community_id, console.group_id, "morning-pack",
                         at + timedelta(days=day), item_id=item.id, content_kind="text",
                         mode="auto", status="posted", posted_at=at)  # fmt: skip
    page = console.get("/calendar").text
    assert "Not posted yet: 1 in 颜学院护肤社 1群." in page
    assert "has nothing left to post" not in page
    posts.claim_post(console.community_id, console.group_id, "morning-pack",
                     at + timedelta(days=len(items)), item_id=items[-1].id,
                     content_kind="text", mode="auto", status="posted", posted_at=at)  # fmt: skip
    page = console.get("/calendar").text
    assert "Not posted yet: 0 in 颜学院护肤社 1群." in page
    assert ("Post morning-pack has nothing left to post in 颜学院护肤社 1群: its firings there "
            "send nothing until items are added to morning-pack.") in page  # fmt: skip


def test_a_page_past_the_end_shows_the_last_one_not_nothing(console: Console) -> None:
    """An old link (or the last rows handled) asks for a page that no longer exists: the
    list shows its last page instead of "nothing recorded" next to a count that says 1+."""
    audit = console.get("/audit", page="999").text
    assert "Nothing recorded yet." not in audit and "<td" in audit
    members = console.get("/members", page="999").text
    assert "美美" in members and "No members yet" not in members


def test_a_community_whose_name_holds_a_slash_is_reached_by_its_name(console: Console) -> None:
    """`/console/c/Tea%2FCoffee/members` was decoded to `/console/c/Tea/Coffee/members` before
    routing: no page. Such a name is sent to its slug's page like any other name."""
    console.store.ensure_community("tea-coffee", "Tea/Coffee")
    moved = console.client.get("/console/c/Tea%2FCoffee/members?q=x", follow_redirects=False)
    assert moved.status_code == 307, moved.text
    assert moved.headers["location"] == "/console/c/tea-coffee/members?q=x"
    page = console.client.get("/console/c/Tea%2FCoffee/members")
    assert page.status_code == 200 and "<nav" in page.text
    missing = console.client.get("/console/c/Tea%2FMilk/members")
    assert missing.status_code == 404
    assert "There is no community “Tea/Milk”." in missing.text


def test_groups_imported_in_text_order_are_listed_by_their_numbers(console: Console) -> None:
    """A brand imported its WeChat groups' history from files named 1群, 10群, 11群, 2群 (a
    folder's order); the Groups and Matrix pages listed them so, as text sorts them."""
    for n in (10, 11, 2):
        console.store.add_group(console.community_id, f"颜学院护肤社 {n}群", "import:csv",
                                f"import-{n}")  # fmt: skip

    def shown(page: str) -> list[int]:
        return sorted((1, 2, 10, 11), key=lambda n: page.index(f"颜学院护肤社 {n}群<"))

    assert shown(console.get("/groups").text) == [1, 2, 10, 11]
    assert shown(console.get("/matrix").text) == [1, 2, 10, 11]
    assert shown(console.get("/matrix", sort="name", order="desc").text) == [11, 10, 2, 1]
    assert shown(console.get("/matrix", sort="group").text) == [1, 10, 11, 2]  # as opened


def test_the_matrix_downloads_as_csv_safe_for_a_spreadsheet(console: Console,
                                                            tmp_path: Path) -> None:  # fmt: skip
    """The brand operator could not take the matrix of 41 groups into a spreadsheet: the page
    and `hearth grid export` give it as CSV, the groups shown in the page's order, a name a
    spreadsheet would run as a formula kept as text."""
    import csv
    import io

    from typer.testing import CliRunner

    from hearthkeeper.cli import app
    from hearthkeeper.store import sqlite_url

    for name in ("颜学院护肤社 10群", '=HYPERLINK("http://x.example","2群")'):
        console.store.add_group(console.community_id, name, "import:csv", name[-3:])
    page = console.get("/matrix", q="群", sort="members", order="desc").text
    assert f'href="{BASE}/matrix/export?q=%E7%BE%A4&amp;sort=members&amp;order=desc"' in page
    answer = console.get("/matrix/export", q="10群")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith(
        'attachment; filename="matrix-yan-academy-skincare-'
    )
    [header, row] = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff"))))
    assert header[:5] == ["group_id", "group", "carrier", "carrier_group_id", "members"]
    assert row[1:4] == ["颜学院护肤社 10群", "import:csv", "10群"] and row[10] == "new"
    every = list(csv.reader(io.StringIO(console.get("/matrix/export").text)))[1:]
    assert [r[1] for r in every] == ["'=HYPERLINK(\"http://x.example\",\"2群\")",
                                     "颜学院护肤社 1群", "颜学院护肤社 10群"]  # fmt: skip
    assert every[1][4:7] == ["3", "500", "0.6"]  # members, capacity, fill (%)
    out = tmp_path / "matrix.csv"
    done = CliRunner().invoke(app, ["grid", "export", "-o", str(out), "--sort", "name"],
                              env={"HEARTH_DATABASE_URL": sqlite_url(tmp_path / "data")})  # fmt: skip
    assert done.exit_code == 0 and "Wrote 3 groups to" in done.stdout, done.output
    written = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[1] for r in written[1:]] == [r[1] for r in every]
