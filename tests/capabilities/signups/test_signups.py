"""Sign-ups and group-buys (接龙) through the engine with the fake carrier, on both databases
(a test of how a reply is read or worded alone, marked a decision, on SQLite)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.text.scan import ScorerChoice
from hearthkeeper.text.scorer import SpamScorer
from tests.engine_setup import RULES, Community, community, playbook
from tests.playbook_samples import MINIMAL

GROUP_BUY = "/团购 有机蔬菜 | 西兰花 ¥12 限3份 | 胡萝卜 ¥8 限10份 | 截止 明天 10:00"


def chinese(extra: str = "") -> Playbook:
    """The sample community, speaking Chinese in Shanghai."""
    text = MINIMAL.replace("language: en", "language: zh-CN").replace(
        "Europe/London", "Asia/Shanghai"
    )
    return parse_playbook(text + RULES + extra).playbook


def staffed(store: Store, clock: FrozenClock, pb: Playbook | None = None,
            roles: dict[str, str] | None = None,
            scorer: ScorerChoice = "shipped") -> Community:  # fmt: skip
    """A community whose `boss` is a manager (and whoever `roles` names holds that role)."""
    c = community(store, clock, pb or chinese(), scorer)
    wanted = {"boss": "manager", **(roles or {})}
    c.engine.process([c.events.message(user, "hi") for user in wanted])
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    for user, role in wanted.items():
        store.join(c.member_id(user), group.id, role=role)
    c.restart()
    return c


def say(c: Community, user: str, text: str) -> Processed:
    [result] = c.engine.process([c.events.message(user, text)])
    return result


def said(result: Processed) -> list[str]:
    """What the bot posts because of one event."""
    return [a.text or "" for a in result.actions if a.kind in (ActionKind.REPLY, ActionKind.SEND)]


def only(result: Processed) -> str:
    [text] = said(result)
    return text


def test_a_group_buy_is_started_and_joined_with_solitaire_replies(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    started = only(say(c, "boss", GROUP_BUY))
    assert "【接龙】有机蔬菜" in started and "【1】西兰花 ¥12 · 剩 3/3" in started
    assert "截止：5月2日 周六 10:00" in started and "+1 西兰花" in started
    assert "要哪一样" in only(say(c, "mei", "+1")), "two items: the bot asks which"
    first = only(say(c, "mei", "+1 西兰花 x2"))
    assert first.startswith("✅ mei 接龙成功，第 1 位：西兰花 ×2（¥24）。西兰花还剩 1 份。")
    assert "1. mei 西兰花 ×2" in first, "a short list is shown whole"
    second = only(say(c, "bob", "接龙 胡萝卜 3份 带给妈妈"))
    assert "第 2 位：胡萝卜 ×3（¥24）" in second and "2. bob 胡萝卜 ×3 带给妈妈" in second
    assert "共 2 人，5 份，合计 ¥48" in second
    third = only(say(c, "ann", "3号 西兰花 1份"))
    assert "第 3 位：西兰花 ×1（¥12）。西兰花已接满。" in third
    again = only(say(c, "mei", "+1 西兰花"))
    assert "已经在名单上了（第 1 位" in again
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    lst = SqlSignUps.on(store).current(group.id)
    assert lst is not None and [i.taken for i in lst.items] == [3, 3]


def test_beyond_stock_goes_to_the_waitlist_which_is_promoted_in_order_on_cancel(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 周六夜跑 限2人 截止 20:00")
    # places for people, not portions of a group-buy's item (it said 周六夜跑还剩 1 份)
    assert "✅ mei 接龙成功，第 1 位。周六夜跑还剩 1 个名额。" in only(say(c, "mei", "+1"))
    say(c, "bob", "+1")
    waiting = only(say(c, "ann", "+1"))
    assert "周六夜跑已接满，你排在候补第 1 位" in waiting
    assert "候补第 2 位" in only(say(c, "dan", "接龙"))
    cancelled = say(c, "mei", "-1")
    reply, promoted = [a for a in cancelled.actions if a.kind is not ActionKind.EFFECT]
    assert reply.kind is ActionKind.REPLY and reply.text == "mei 已取消接龙。"
    assert promoted.kind is ActionKind.SEND and promoted.member == "ann"
    assert promoted.extra == {"mentions": ["ann"], "mention_names": {"ann": "ann"}}
    assert (promoted.text or "").startswith("@ann 有人取消了，你已从候补转为正式：第 2 位")
    listed = only(say(c, "dan", "/接龙列表"))
    assert "1. bob\n2. ann\n候补：\n候补1. dan" in listed
    asyncio.run(c.engine.drain())
    assert any(p.action.text == promoted.text for p in c.carrier.performed), "the @-mention is sent"


def test_replies_to_a_group_buy_are_not_judged_by_the_learned_scorer(
    store: Store, store_clock: FrozenClock
) -> None:
    # A scorer that has seen the group buy's goods only in ads: members' replies name them all
    # the same, and must reach the list, not the moderation ladder. Rules still read them, and
    # the scorer still judges the same words outside a reply.
    goods = SpamScorer.trained(
        [(t, True) for t in ("西兰花 特价 便宜卖 2份", "胡萝卜 西兰花 限量 份", "西兰花 份 便宜")]
        + [(t, False) for t in ("今天天气不错", "周末一起去爬山吧", "我刚吃完饭")]
    )
    assert goods.score("+1 西兰花 2份").probability > 0.99
    c = staffed(store, store_clock, scorer=goods)
    say(c, "boss", GROUP_BUY)
    joined = say(c, "mei", "+1 西兰花 2份")
    assert ActionKind.STRIKE not in [a.kind for a in joined.actions]
    assert "mei 接龙成功" in only(joined)
    assert ActionKind.STRIKE not in [a.kind for a in say(c, "mei", "-1 西兰花").actions]
    assert ActionKind.STRIKE in [a.kind for a in say(c, "ann", "西兰花 2份 便宜卖").actions]
    assert ActionKind.STRIKE in [a.kind for a in say(c, "bob", "+1 加我微信 abc12345").actions]


def test_more_than_the_whole_stock_or_an_unknown_item_is_refused(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", GROUP_BUY)
    assert "西兰花一共只有 3 份，接不了 5 份" in only(say(c, "mei", "+1 西兰花 5份"))
    assert "没有第 7 项" in only(say(c, "mei", "+1 7号"))
    say(c, "mei", "+1 胡萝卜")
    assert "要取消哪一样" in only(say(c, "mei", "取消接龙 苹果")), "an unknown item cancels nothing"
    assert only(say(c, "mei", "-1 萝卜")) == "mei 已取消接龙：胡萝卜 ×1（¥8）。"
    say(c, "mei", "+1 胡萝卜")
    say(c, "mei", "+1 西兰花")
    assert only(say(c, "mei", "-1")) == "mei 已取消接龙：胡萝卜 ×1（¥8）、西兰花 ×1（¥12）。"
    assert SqlSignUps.on(store).entries(1) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_pasted_list_with_a_new_line_joins_its_sender(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 周六夜跑")
    say(c, "mei", "+1")
    say(c, "bob", "接龙 带朋友")
    pasted = "【接龙】周六夜跑\n1. mei\n2. bob 带朋友\n3. ann 我也来"
    joined = only(say(c, "ann", pasted))
    assert joined.startswith("✅ ann 接龙成功，第 3 位") and "3. ann 我也来" in joined
    assert said(say(c, "dan", "1. mei\n2. bob 带朋友\n3. ann 我也来")) == [], "nothing new"
    assert said(say(c, "dan", "明天安排：\n1. 集合\n2. 热身")) == [], "another numbered text"
    assert said(say(c, "dan", "1. 我觉得可以")) == [], "one numbered line naming nobody"
    assert "第 4 位" in only(say(c, "dan", "4. dan"))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_pasted_group_buy_list_joins_the_item_on_the_new_line(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", GROUP_BUY)
    shown = only(say(c, "mei", "+1 西兰花"))
    pasted = shown[shown.index("【接龙】") :]
    assert said(say(c, "bob", pasted)) == [], (
        "the list pasted unchanged: its item lines are not entries"
    )
    joined = only(say(c, "bob", pasted + "\n2. bob 胡萝卜 2份"))
    assert joined.startswith("✅ bob 接龙成功，第 2 位：胡萝卜 ×2（¥16）")


def test_the_deadline_closes_the_list_and_posts_the_final_list_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/signup 周六夜跑 截止 20:00")
    say(c, "mei", "+1")
    assert c.engine.tick() == 0
    store_clock.advance(timedelta(hours=3))  # 17:00 → 20:00 in Shanghai
    c.restart()
    assert c.engine.tick() == 1
    assert c.engine.tick() == 0
    asyncio.run(c.engine.drain())
    [final] = [
        p.action.text or "" for p in c.carrier.performed if "已截止" in (p.action.text or "")
    ]
    assert final.startswith("【接龙·已截止】周六夜跑\n已于 5月1日 周五 20:00 截止\n1. mei")
    c.events.now = store_clock.now()
    assert said(say(c, "bob", "+1")) == [], "a closed list takes nobody"
    assert "【接龙·已截止】" in only(say(c, "bob", "/list")), "the last list can still be seen"


def test_staff_close_early_and_the_scheduled_closing_is_called_off(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 周六夜跑")
    assert "已截止" in only(say(c, "boss", "/结束接龙"))
    scheduled = store.scheduled("signup:1:close")
    assert scheduled is not None and scheduled.status == "cancelled"
    assert only(say(c, "boss", "/结束接龙")) == "现在没有进行中的接龙。"
    assert "【接龙】周日爬山" in only(say(c, "boss", "/接龙 周日爬山")), "a new list may start"


def test_members_cannot_start_or_close_a_list(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    refused = only(say(c, "mei", "/接龙 周六夜跑"))
    assert refused == "mei，只有 创始人、管理员 可以使用「/接龙」。"
    assert "只有" in only(say(c, "mei", "/closelist"))
    assert SqlSignUps.on(store).lists() == []


def test_started_by_names_the_roles_instead_of_the_permission(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = chinese("mechanisms:\n  signups:\n    started_by: [partner]\n")
    c = staffed(store, store_clock, pb, roles={"pat": "partner"})
    assert only(say(c, "boss", "/接龙 周六夜跑")) == "boss，只有 合伙人 可以使用「/接龙」。"
    assert "【接龙】周六夜跑" in only(say(c, "pat", "/接龙 周六夜跑"))


def test_unreadable_commands_get_the_usage(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    for text, problem in [
        ("/接龙", "请写上接龙的标题。"),
        ("/团购 蔬菜 | ¥12 限3份", "看不懂商品「¥12 限3份」"),
        ("/接龙 夜跑 | 截止 下辈子", "看不懂截止时间「下辈子」。截止时间单独写一段"),
        ("/团购 蔬菜 | 西兰花 | 截止前到货", "看不懂截止时间「前到货」。截止时间单独写一段"),
        ("/接龙 夜跑 截止 2020-01-01 10:00", "已经过了"),
        ("/接龙 夜跑 | 截止 昨天", "截止时间「昨天」已经过了。"),
        ("/团购 蔬菜 限20人 | 西兰花", "请把限量写在每个商品后面"),
        ("/团购 蔬菜 | 西兰花 | 西兰花", "商品「西兰花」写了两次"),
        # a slip of the keyboard: said, not a silent nothing (a price longer than the store
        # keeps failed the batch on PostgreSQL) nor a garbled title ('限99999' + '9999人')
        ("/团购 蔬菜 | 西兰花 ¥" + "9" * 40 + " 限3份", "价格「99999999999999999999」太大了"),
        ("/团购 蔬菜 | 西兰花 ¥5 限999999999999份", "「999999999999」太多了：名额或库存最多 99999"),
        ("/接龙 夜跑 限99999999999999人", "「99999999999999」太多了"),
    ]:
        reply = only(say(c, "boss", text))
        assert problem in reply.splitlines()[0] and "用法：/接龙 标题" in reply, text
    assert SqlSignUps.on(store).lists() == []


def test_one_open_list_per_group(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 周六夜跑")
    assert "「周六夜跑」还在进行中" in only(say(c, "boss", "/接龙 周日爬山"))
    assert len(SqlSignUps.on(store).lists()) == 1


def test_a_long_list_is_not_repeated_on_every_join(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 年会")
    replies = [only(say(c, f"m{i:02}", "+1")) for i in range(1, 21)]
    assert "\n10. m10" in replies[9], "the full list while it is short"
    assert replies[10] == "✅ m11 接龙成功，第 11 位。（共 11 人，发 /接龙列表 看完整名单）"
    assert "\n20. m20" in replies[19], "and with every tenth entry"


def test_replies_without_an_open_list_are_ordinary_chat(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    assert said(say(c, "mei", "+1")) == [] and said(say(c, "mei", "-1")) == []
    assert only(say(c, "mei", "/join")) == "现在没有进行中的接龙。"
    say(c, "boss", "/接龙 夜跑")
    assert said(say(c, "mei", "接龙在哪里？")) == [], "a question is not a sign-up"
    assert said(say(c, "mei", "-1")) == [], "not on the list: -1 says nothing"
    assert only(say(c, "mei", "取消接龙")) == "mei，你不在「夜跑」的名单上。"


def test_replies_are_read_by_the_join_words_of_the_playbook_running_now(
    store: Store, store_clock: FrozenClock
) -> None:
    """What the last texts say to a list is remembered per playbook version: `算我一个` read as
    chat under the first version joins once a version naming it as a join word runs, and the
    same text read again means the same while the version stays."""
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 夜跑")
    assert said(say(c, "mei", "算我一个")) == [] and said(say(c, "bob", "算我一个")) == []
    pb = chinese()
    signups = pb.mechanisms.signups.model_copy(update={"join_keywords": ["算我一个"]})
    newer = pb.model_copy(update={"mechanisms": pb.mechanisms.model_copy(
        update={"signups": signups})})  # fmt: skip
    c.engine.replace_runtime(runtime_for(store, newer))
    assert only(say(c, "mei", "算我一个")).startswith("✅ mei 接龙成功，第 1 位")
    assert only(say(c, "bob", "算我一个")).startswith("✅ bob 接龙成功，第 2 位")
    assert [e.display_name for e in SqlSignUps.on(store).entries(1)] == ["mei", "bob"]


def test_english_sign_up(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock, playbook())
    started = only(say(c, "boss", "/signup Saturday run | max 1 | until 20:00"))
    assert started.startswith("[Sign-up] Saturday run\nCloses Fri 1 May 20:00\nPlaces: 1 of 1 left")
    assert only(say(c, "mei", "+1")).startswith("✅ mei is #1. Saturday run is now full.")
    assert "you are #1 on the waitlist" in only(say(c, "bob", "/join"))
    cancelled = say(c, "mei", "cancel")
    texts = said(cancelled)
    assert texts[0] == "mei has left the list." and texts[1].startswith("@bob a place opened up")


def test_what_members_and_staff_type_is_kept_and_echoed_without_hidden_characters(
    store: Store, store_clock: FrozenClock
) -> None:
    """A note (`+1 带朋友`), a list's title or an item typed with a right-to-left override was
    stored as typed: the numbered list every member reads showed a reversed line. An item
    not found was echoed whole (`/join` takes a whole message)."""
    c = staffed(store, store_clock)
    hostile = "/团购 有机\u202e蔬菜 | 西兰花\u200b ¥12 限3份 | 胡萝卜 ¥8 | 截止 明天 10:00"
    started = only(say(c, "boss", hostile))
    assert "【接龙】有机蔬菜" in started and "【1】西兰花 ¥12" in started, started
    joined = only(say(c, "mei", "+1 西兰花 \u202e友朋带"))
    assert "1. mei 西兰花 ×1 友朋带" in joined, joined
    [entry] = SqlSignUps.on(store).entries(1)
    assert entry.note == "友朋带"
    which = only(say(c, "bob", "/参加 \u202e" + "苹" * 300))
    assert "要哪一样" in which and "\u202e" not in which and "苹" * 40 not in which
    assert len(SqlSignUps.on(store).entries(1)) == 1, "nothing stored for bob"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_an_absurd_quantity_is_answered_with_the_range_and_nothing_is_stored(
    store: Store, store_clock: FrozenClock
) -> None:
    """`+1 x999999` and `接龙 999999份` were taken for a phone number (said nothing), `+1 x1000`
    took one place with 'x1000' as its note, and `接龙 1500份` took 500."""
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 周六夜跑 截止 20:00")
    # the number typed is not repeated (up to 40 digits were: a contact number where the
    # rules only alert staff about one, under the bot's name)
    for typed in ("+1 x999999", "接龙 999999份", "+1 x1000", "接龙 1500份", "/参加 x0"):
        assert only(say(c, "mei", typed)) == "mei，份数要在 1 到 999 之间。", typed
    assert SqlSignUps.on(store).entries(1) == []
    assert said(say(c, "mei", "+1 13812345678")) == [], "a phone number is still ordinary chat"
    assert only(say(c, "mei", "+1")).startswith("✅ mei 接龙成功，第 1 位")
    assert only(say(c, "bob", "+1 x2")).startswith("✅ bob 接龙成功，第 2 位：×2")


def test_the_place_a_member_is_told_is_their_place_on_the_final_list(
    store: Store, store_clock: FrozenClock
) -> None:
    """Two members writing within milliseconds over two connections can reach the engine in
    the other order from their messages' times: each was told "#1" and the list put the one
    decided second first. The place told is the place kept."""
    c = staffed(store, store_clock, playbook())
    only(say(c, "boss", "/signup Saturday run | max 5 | until 20:00"))
    later = c.events.message("mei", "+1", at=store_clock.now() + timedelta(milliseconds=5))
    earlier = c.events.message("bob", "+1", at=store_clock.now() + timedelta(milliseconds=2))
    [mei, bob] = c.engine.process([later, earlier])
    assert only(mei).startswith("✅ mei is #1.")
    assert only(bob).startswith("✅ bob is #2.")
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    lst = SqlSignUps.on(store).current(group.id)
    assert lst is not None
    assert [e.display_name for e in SqlSignUps.on(store).entries(lst.id)] == ["mei", "bob"]


def test_a_member_promoted_from_the_waitlist_is_told_their_place_on_the_final_list(
    store: Store, store_clock: FrozenClock
) -> None:
    """A '-1' reaching the engine after messages written later than it (two connections,
    milliseconds apart) promoted the waitlist with the '-1''s time: the member promoted went
    above one told "#1" a moment before, who ended up 2nd on the list. A place given by a
    promotion, as one given to a '+1', is never earlier than the newest place on the list."""
    c = staffed(store, store_clock, playbook())
    only(say(c, "boss", "/signup Saturday run | max 2 | until 20:00"))
    at = store_clock.now()
    mei = c.events.message("mei", "+1", at=at + timedelta(milliseconds=5))
    bob = c.events.message("bob", "+1", at=at + timedelta(milliseconds=1))
    ann = c.events.message("ann", "+1", at=at + timedelta(milliseconds=2))
    bob_leaves = c.events.message("bob", "-1", at=at + timedelta(milliseconds=3))
    [told_mei, _, waiting, left] = c.engine.process([mei, bob, ann, bob_leaves])
    assert only(told_mei).startswith("✅ mei is #1.")
    assert "waitlist" in only(waiting)
    promoted = [a.text for a in left.actions if a.text and "@ann" in a.text]
    assert promoted == ["@ann a place opened up: you are now #2."], left.actions
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    lst = SqlSignUps.on(store).current(group.id)
    assert lst is not None
    assert [e.display_name for e in SqlSignUps.on(store).entries(lst.id)] == ["mei", "ann"]


def test_an_operators_own_cancel_word_leaves_the_list(
    store: Store, store_clock: FrozenClock
) -> None:
    """`mechanisms.signups.cancel_keywords`: a community that writes its own word to leave a
    list (`不去了`) has it work as `-1` does; the word means nothing where it is not set."""
    pb = chinese("mechanisms:\n  signups:\n    cancel_keywords: [不去了]\n")
    c = staffed(store, store_clock, pb)
    say(c, "boss", "/接龙 周六夜跑")
    say(c, "mei", "+1")
    assert only(say(c, "mei", "不去了")) == "mei 已取消接龙。"
    assert SqlSignUps.on(store).entries(1) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_word_not_among_the_cancel_keywords_leaves_nobody(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/接龙 周六夜跑")
    say(c, "mei", "+1")
    assert said(say(c, "mei", "不去了")) == []
    assert len(SqlSignUps.on(store).entries(1)) == 1


def test_a_list_without_a_deadline_closes_after_the_playbooks_default(
    store: Store, store_clock: FrozenClock
) -> None:
    """`mechanisms.signups.default_duration`: a list started without `截止` shows, and keeps,
    the deadline the playbook gives (2 hours here, where the default would be 24)."""
    pb = chinese("mechanisms:\n  signups:\n    default_duration: 2h\n")
    c = staffed(store, store_clock, pb)
    started = only(say(c, "boss", "/接龙 周六夜跑"))
    assert "截止：5月1日 周五 19:00" in started, started
    [signup] = SqlSignUps.on(store).lists(c.runtime.community_id)
    assert signup.deadline - signup.created_at == timedelta(hours=2)


def test_a_list_without_a_deadline_closes_a_day_later_by_default(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    assert "截止：5月2日 周六 17:00" in only(say(c, "boss", "/接龙 周六夜跑"))
