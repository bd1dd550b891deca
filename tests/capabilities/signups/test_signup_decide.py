"""What the sign-up effects decide, from records built by hand: no database, no engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.lists_common.actions import Say
from hearthkeeper.capabilities.signups.decide import (
    Cancelled,
    Open,
    Take,
    Withdraw,
    cancelled,
    decide_cancel,
    decide_paste,
    decide_start,
    decide_take,
    no_list,
    taken,
)
from hearthkeeper.capabilities.signups.parse import Join
from hearthkeeper.capabilities.signups.records import (
    NewSignUpItem,
    SignUpCancellation,
    SignUpEntry,
    SignUpItem,
    SignUpList,
)
from hearthkeeper.capabilities.signups.requests import (
    SignUpCancel,
    SignUpClose,
    SignUpPaste,
    SignUpStart,
)
from hearthkeeper.playbook.positioning import Language

ZH, EN = Language.ZH_CN, Language.EN
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # Friday 17:00 in Shanghai
BROCCOLI = SignUpItem(1, 1, 1, "西兰花", "12", 3, 0)
CARROT = SignUpItem(2, 1, 2, "胡萝卜", "8", None, 0)


def a_list(*items: SignUpItem, title: str = "有机蔬菜") -> SignUpList:
    return SignUpList(id=1, community_id=1, group_id=1, title=title,
                      deadline=NOW + timedelta(hours=17), created_by=None, status="open",
                      created_at=NOW, closed_at=None, items=items)  # fmt: skip


def entry(entry_id: int, member_id: int, name: str, *, item: SignUpItem | None = None,
          quantity: int = 1, status: str = "confirmed", minute: int = 0) -> SignUpEntry:  # fmt: skip
    at = NOW + timedelta(minutes=minute or entry_id)
    return SignUpEntry(id=entry_id, list_id=1, item_id=item.id if item else None,
                       member_id=member_id, display_name=name, user_id=name, quantity=quantity,
                       status=status, note="", at=at, changed_at=at)  # fmt: skip


GROUP_BUY = a_list(BROCCOLI, CARROT)
RUN = a_list(SignUpItem(1, 1, 1, "夜跑", None, 2, 0), title="夜跑")  # `/接龙 夜跑 限2人`


def test_a_new_list_opens_only_when_none_is_open() -> None:
    request = SignUpStart(title="蔬菜", labels=("西兰花", "胡萝卜"), prices=("12", None),
                          stocks=(3, None), deadline=NOW)  # fmt: skip
    assert decide_start(None, request, ZH) == Open(
        "蔬菜", (NewSignUpItem("西兰花", "12", 3), NewSignUpItem("胡萝卜", None, None)), NOW
    )
    refused = decide_start(GROUP_BUY, request, ZH)
    assert refused == Say("「有机蔬菜」还在进行中，请先发 /结束接龙 再发起新的接龙。")


def test_a_join_is_settled_against_the_items_and_the_stock() -> None:
    assert decide_take(GROUP_BUY, [], 7, "mei", Join(None, "西兰花 x2 不要太老"), ZH) == Take(
        BROCCOLI, 2, "不要太老", "西兰花"
    )
    which = decide_take(GROUP_BUY, [], 7, "mei", Join(1, ""), ZH)
    assert isinstance(which, Say) and (which.text or "").startswith(
        "mei，要哪一样？例如「+1 西兰花」"
    )
    too_many = decide_take(GROUP_BUY, [], 7, "mei", Join(None, "西兰花 5份"), ZH)
    assert too_many == Say("mei，西兰花一共只有 3 份，接不了 5 份。")
    plain = decide_take(RUN, [], 7, "mei", Join(1, ""), ZH)
    assert isinstance(plain, Take) and plain.label == "夜跑", "a plain list is named by its title"


def test_a_member_already_on_the_list_is_told_where() -> None:
    entries = [entry(1, 5, "bob", item=BROCCOLI), entry(2, 7, "mei", item=BROCCOLI, quantity=2)]
    again = decide_take(GROUP_BUY, entries, 7, "mei", Join(1, "西兰花"), ZH)
    assert again == Say(
        "mei，你已经在名单上了（第 2 位：西兰花 ×2（¥24））。要改数量请先发「-1」再重新接龙。"
    )
    other_item = decide_take(GROUP_BUY, entries, 7, "mei", Join(1, "胡萝卜"), ZH)
    assert isinstance(other_item, Take) and other_item.item == CARROT


def test_the_reply_once_taken_says_the_place_what_is_left_and_shows_a_short_list() -> None:
    fresh = a_list(SignUpItem(1, 1, 1, "西兰花", "12", 3, 3), CARROT)
    entries = [entry(1, 5, "bob", item=BROCCOLI), entry(2, 7, "mei", item=BROCCOLI, quantity=2)]
    text = taken(fresh, entries, entries[1], Take(BROCCOLI, 2, "", "西兰花"), "mei", ZH, SHANGHAI)
    assert text.startswith("✅ mei 接龙成功，第 2 位：西兰花 ×2（¥24）。西兰花已接满。\n【接龙】")
    assert "2. mei 西兰花 ×2" in text
    waiting = entry(3, 9, "ann", item=BROCCOLI, status="waitlisted")
    text = taken(fresh, [*entries, waiting], waiting, Take(BROCCOLI, 1, "", "西兰花"), "ann", ZH,
                 SHANGHAI)  # fmt: skip
    assert text.startswith("ann，西兰花已接满，你排在候补第 1 位")


def test_a_long_list_is_shown_whole_only_every_tenth_entry() -> None:
    people = [entry(n, n, f"m{n:02}") for n in range(1, 13)]
    plain = a_list(title="年会")
    eleventh = taken(plain, people[:11], people[10], Take(None, 1, "", "年会"), "m11", ZH, SHANGHAI)
    assert eleventh == "✅ m11 接龙成功，第 11 位。（共 11 人，发 /接龙列表 看完整名单）"
    tenth = taken(plain, people[:10], people[9], Take(None, 1, "", "年会"), "m10", ZH, SHANGHAI)
    assert "\n10. m10" in tenth


def test_a_paste_joins_with_the_line_the_member_added_and_nothing_else() -> None:
    run = a_list(title="周六夜跑")
    entries = [entry(1, 5, "mei"), entry(2, 6, "bob")]
    pasted = SignUpPaste(lines=("mei", "bob", "ann 我也来"),
                         text="【接龙】周六夜跑\n1. mei\n2. bob\n3. ann 我也来")  # fmt: skip
    assert decide_paste(run, entries, 9, "ann", pasted) == Join(None, "我也来")
    agenda = SignUpPaste(lines=("集合", "热身"), text="明天安排：\n1. 集合\n2. 热身")
    assert decide_paste(run, entries, 9, "ann", agenda) is None, "another numbered text"
    unchanged = SignUpPaste(lines=("mei", "bob"), text="1. mei\n2. bob")
    assert decide_paste(run, entries, 9, "ann", unchanged) is None, "nothing new"
    chat = SignUpPaste(lines=("我觉得可以",), text="1. 我觉得可以")
    assert decide_paste(run, entries, 9, "ann", chat) is None, "one line naming nobody"


def test_a_cancel_names_an_item_everything_or_asks_which() -> None:
    assert decide_cancel(GROUP_BUY, SignUpCancel(text=""), "mei", ZH) == Withdraw(None)
    assert decide_cancel(GROUP_BUY, SignUpCancel(text="萝卜"), "mei", ZH) == Withdraw(2)
    which = decide_cancel(GROUP_BUY, SignUpCancel(text="苹果"), "mei", ZH)
    assert isinstance(which, Say) and (which.text or "").startswith("mei，要取消哪一样？")


def test_after_a_cancel_the_promoted_are_mentioned_with_their_new_place() -> None:
    gone = entry(1, 7, "mei", item=RUN.items[0], status="cancelled")
    moved = entry(3, 9, "ann", item=RUN.items[0])
    entries = [entry(2, 5, "bob", item=RUN.items[0]), moved]
    said = cancelled(RUN, SignUpCancellation((gone,), (moved,)), entries, "mei", False, ZH)
    assert said == Cancelled(
        "mei 已取消接龙。", (("ann", "ann", "@ann 有人取消了，你已从候补转为正式：第 2 位。"),)
    )
    nothing = SignUpCancellation((), ())
    assert cancelled(RUN, nothing, [], "mei", True, EN) == Cancelled("mei, you are not on '夜跑'.")
    assert cancelled(RUN, nothing, [], "mei", False, EN) == Cancelled(None), "-1 stays chat"


def test_without_a_list_only_words_get_an_answer() -> None:
    assert no_list(True, EN) == Say("There is no open sign-up list right now.")
    assert no_list(False, EN) == Say(None)


def test_a_scheduled_closing_keeps_the_payload_rows_already_stored_have() -> None:
    assert SignUpClose(list=3).to_payload() == {"list": 3}
    assert SignUpClose.from_payload({"list": 3}) == SignUpClose(list=3)
    assert SignUpClose.effect == "signup.close"
