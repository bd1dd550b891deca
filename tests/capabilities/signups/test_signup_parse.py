"""Reading sign-up commands, solitaire replies and deadlines: pure, no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.capabilities.lists_common.deadline import parse_deadline
from hearthkeeper.capabilities.lists_common.reading import Problem
from hearthkeeper.capabilities.signups import parse
from hearthkeeper.capabilities.signups.command import ItemSpec, ListSpec, read_list
from hearthkeeper.capabilities.signups.parse import (
    Cancel,
    Entry,
    Join,
    Pasted,
    Show,
    added_line,
    read_reply,
    settle_join,
)
from hearthkeeper.capabilities.signups.records import SignUpItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # Friday 17:00 in Shanghai
DAY = timedelta(hours=24)
JOIN, CANCEL = ("+1", "接龙", "报名"), ("-1", "取消接龙", "cancel")


def local(text: str) -> str | None:
    moment = parse_deadline(text, NOW, SHANGHAI)
    return None if moment is None else moment.astimezone(SHANGHAI).strftime("%a %m-%d %H:%M")


@pytest.mark.parametrize(("text", "expected"), [
    ("20:00", "Fri 05-01 20:00"), ("10:00", "Sat 05-02 10:00"), ("明天 10:00", "Sat 05-02 10:00"),
    ("周六晚上8点", "Sat 05-02 20:00"), ("今晚8点半", "Fri 05-01 20:30"), ("8点", "Fri 05-01 20:00"),
    ("5/3 18:00", "Sun 05-03 18:00"), ("2026-05-10 12:00", "Sun 05-10 12:00"),
    ("五月三日 中午", "Sun 05-03 12:00"), ("明天", "Sat 05-02 23:59"), ("2h", "Fri 05-01 19:00"),
    ("30分钟后", "Fri 05-01 17:30"), ("in 2 hours", "Fri 05-01 19:00"),
    ("tomorrow 10am", "Sat 05-02 10:00"), ("sat 9pm", "Sat 05-02 21:00"),
    ("下周一 9点", "Mon 05-04 09:00"), ("明天上午10点前", "Sat 05-02 10:00"),
    # days gone are read, so the command says the deadline has passed, not "cannot read"
    ("昨天", "Thu 04-30 23:59"), ("昨晚8点", "Thu 04-30 20:00"), ("前天 10:00", "Wed 04-29 10:00"),
    ("yesterday 9pm", "Thu 04-30 21:00"), ("上周五", "Fri 04-24 23:59"),
    ("last mon 9am", "Mon 04-20 09:00"), ("上午10点", "Sat 05-02 10:00"),
    ("dawn", None), ("13/45", None), ("25:00", None), ("", None),
    # the ends of the calendar: a staff member's /poll or /接龙 was set aside with a traceback
    ("9999-12-31 23:59", None), ("9999-12-31", None), ("0001-01-01 00:00", None),
])  # fmt: skip
def test_deadlines_as_people_write_them(text: str, expected: str | None) -> None:
    assert local(text) == expected


@given(st.text(max_size=40))
def test_any_deadline_text_is_read_or_refused_never_raises(text: str) -> None:
    moment = parse_deadline(text, NOW, SHANGHAI)
    assert moment is None or moment.tzinfo is not None


def test_a_group_buy_command_with_items_prices_stock_and_deadline() -> None:
    spec = read_list("有机蔬菜 | 西兰花 ¥12 限20份 | 胡萝卜 ￥8.5 限10份 | 截止 明天 10:00",
                     NOW, SHANGHAI, DAY)  # fmt: skip
    assert spec == ListSpec("有机蔬菜", (ItemSpec("西兰花", "12", 20), ItemSpec("胡萝卜", "8.5", 10)),
                            datetime(2026, 5, 2, 2, 0, tzinfo=UTC))  # fmt: skip


def test_items_on_lines_of_their_own_and_in_english() -> None:
    spec = read_list("团购\n1. 苹果 5元 库存 30\n2. 梨 10块 5份", NOW, SHANGHAI, DAY)
    assert isinstance(spec, ListSpec)
    assert spec.items == (ItemSpec("苹果", "5", 30), ItemSpec("梨", "10", 5))
    english = read_list("Veg | Broccoli $12 20 left | carrots 8 yuan max 10 | until 20:00",
                        NOW, SHANGHAI, DAY)  # fmt: skip
    assert isinstance(english, ListSpec)
    assert english.items == (ItemSpec("Broccoli", "12", 20), ItemSpec("carrots", "8", 10))


def test_a_plain_list_with_a_cap_and_the_default_deadline() -> None:
    spec = read_list("周六夜跑 限20人", NOW, SHANGHAI, DAY)
    assert spec == ListSpec("周六夜跑", (ItemSpec("周六夜跑", None, 20),), NOW + DAY)
    assert read_list("Saturday run | max 5", NOW, SHANGHAI, DAY) == ListSpec(
        "Saturday run", (ItemSpec("Saturday run", None, 5),), NOW + DAY
    )


@pytest.mark.parametrize(("text", "title", "labels"), [
    ("报名截止前交表 | 周五截止 | 当天交", "报名截止前交表", ("周五截止", "当天交")),
    ("哪天截止报名 | 报名截止日当天到 ¥5", "哪天截止报名", ("报名截止日当天到",)),
    ("周六夜跑 截止前到场 限20人", "周六夜跑 截止前到场", ("周六夜跑 截止前到场",)),
    ("Camp | stay until late | leave early", "Camp", ("stay until late", "leave early")),
])  # fmt: skip
def test_deadline_words_inside_a_title_or_item_are_its_text(
    text: str, title: str, labels: tuple[str, ...]
) -> None:
    """An item `周五截止` was read as the deadline `` (refused as unreadable), a title
    `哪天截止报名` as a list `哪天` closing at `报名`: the rule polls follow applies."""
    spec = read_list(text, NOW, SHANGHAI, DAY)
    assert isinstance(spec, ListSpec), spec
    assert (spec.title, tuple(i.label for i in spec.items), spec.deadline) == (title, labels,
                                                                             NOW + DAY)  # fmt: skip


@pytest.mark.parametrize("text", [
    "夜跑 截止 20:00", "夜跑 | 截止 20:00", "夜跑 [截止 20:00]", "夜跑 截止 20:00 限5人",
    "夜跑 限5人 | [截止：20:00]",
])  # fmt: skip
def test_a_deadline_ends_the_title_or_is_a_part_of_its_own(text: str) -> None:
    spec = read_list(text, NOW, SHANGHAI, DAY)
    assert isinstance(spec, ListSpec) and spec.title == "夜跑", spec
    assert spec.deadline == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai


@pytest.mark.parametrize(("text", "key"), [
    ("", "no_title"), ("截止 20:00", "no_title"), ("x | ¥12", "bad_item"),
    ("x | 截止 下辈子", "bad_deadline"), ("x 截止 2020-01-01", "past_deadline"),
    ("x | 截止 昨天", "past_deadline"), ("x | until yesterday", "past_deadline"),
    ("x 限3人 | a", "cap_with_items"), ("x | a | A", "duplicate_item"),
    ("x | a ¥123456789", "bad_price"), ("x | 截止 9999-12-31 23:59", "bad_deadline"), ("x 限100000人", "count_too_large"), ("x | a 100000份", "count_too_large"),
])  # fmt: skip
def test_unreadable_list_commands_say_what_is_wrong(text: str, key: str) -> None:
    problem = read_list(text, NOW, SHANGHAI, DAY)
    assert isinstance(problem, Problem) and problem.key == key


@pytest.mark.parametrize(("text", "expected"), [
    ("+1", Join(1, "")), ("＋２", Join(2, "")), ("接龙", Join(None, "")),
    ("接龙 2份", Join(None, "2份")), ("+1 西兰花 x2", Join(1, "西兰花 x2")),
    ("-1", Cancel("")), ("取消接龙 西兰花", Cancel("西兰花")), ("Cancel", Cancel("")),
    ("2号 西兰花 2份", Pasted(("西兰花 2份",), "2号 西兰花 2份")), ("接龙列表", Show()),
    ("接龙活动真不错", None), ("接龙在哪里？", None), ("+86 138 1234 5678", None),
    ("-5度好冷", None), ("报名表发了吗", None), ("hello", None), ("cancelled", None),
])  # fmt: skip
def test_solitaire_replies(text: str, expected: object) -> None:
    assert read_reply(text, JOIN, CANCEL) == expected


@given(st.text(max_size=200))
def test_any_message_is_read_or_ignored_never_raises(text: str) -> None:
    read_reply(text, JOIN, CANCEL)


ITEMS = (
    SignUpItem(1, 1, 1, "西兰花", "12", 20, 0),
    SignUpItem(2, 1, 2, "胡萝卜", "8", None, 0),
    SignUpItem(3, 1, 3, "5斤装苹果", "30", 5, 0),
)


@pytest.mark.parametrize(("join", "item", "quantity", "note"), [
    (Join(1, "西兰花 x2"), 1, 2, ""), (Join(None, "胡萝卜 3份 带给妈妈"), 2, 3, "带给妈妈"),
    (Join(2, "#2"), 2, 2, ""), (Join(1, "5斤装苹果"), 3, 1, ""), (Join(1, "苹果 ×2"), 3, 2, ""),
])  # fmt: skip
def test_a_join_is_settled_against_the_items(
    join: Join, item: int, quantity: int, note: str
) -> None:
    settled = settle_join(ITEMS, join)
    assert isinstance(settled, Entry)
    assert (settled.item.number if settled.item else None, settled.quantity, settled.note) == (
        item, quantity, note)  # fmt: skip


def test_an_unclear_join_asks_which_item() -> None:
    assert settle_join(ITEMS, Join(1, "")) == Problem("which_item", "")
    assert settle_join(ITEMS, Join(1, "#9")) == Problem("no_such_item", "9")
    assert settle_join((), Join(3, "带朋友")) == Entry(None, 3, "带朋友")


def test_the_line_added_to_a_pasted_list() -> None:
    shown = ["mei", "bob 带朋友"]
    lines = ["mei", "bob 带朋友", "ann 我也来"]
    assert added_line(lines, shown, {"mei", "bob"}, "ann") == "ann 我也来"
    assert added_line(["mei", "bob 改了", "dan"], shown, {"mei", "bob"}, "dan") == "dan"
    assert added_line(lines[:2], shown, {"mei", "bob"}, "ann") is None


def test_a_long_paste_on_a_long_list_reads_each_line_and_name_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A member pasting hundreds of numbered lines on a list with hundreds of names folded
    each line again for every name (684 lines x 1,000 names: about a second of the engine's
    time per message); now the work grows with lines plus names, not their product."""
    folded: list[str] = []
    real = parse.compact

    def counting(text: str) -> str:
        folded.append(text)
        return real(text)

    monkeypatch.setattr(parse, "compact", counting)
    lines = [f"路人{i} 苹果" for i in range(200)] + ["ann 我也来"]
    others = {f"成员{i}" for i in range(300)} | {"路人7"}
    shown = [f"成员{i} 苹果" for i in range(300)]
    assert added_line(lines, shown, others, "ann") == "ann 我也来"
    assert len(folded) <= 3 * (len(lines) + len(others) + len(shown)), len(folded)
    # a line that starts with another member's name is theirs, not the sender's
    assert added_line(["路人7 我也来"], [], {"路人7"}, "ann") is None


# Each of these took minutes or hours before (a pattern tried from every space or digit of a
# run, and every way to split it): read in one pass, they are read at once.
PADDING = " " * 200_000


def test_a_list_padded_with_spaces_is_read_as_written() -> None:
    spec = read_list("团购" + PADDING + "| 西兰花" + PADDING + "¥12 | 胡萝卜", NOW, SHANGHAI, DAY)
    assert isinstance(spec, ListSpec) and spec.title == "团购"
    assert [(i.label, i.price) for i in spec.items] == [("西兰花", "12"), ("胡萝卜", None)]


def test_an_item_with_a_long_run_of_digits_or_spaces_is_read() -> None:
    digits = "1" * 200_000
    spec = read_list(f"团购 | 西兰花 {digits}x | 胡萝卜 price{PADDING}8 | 苹果 限{PADDING}5份",
                     NOW, SHANGHAI, DAY)  # fmt: skip
    assert isinstance(spec, ListSpec)
    assert [(i.label[:6], i.price, i.stock) for i in spec.items] == [
        ("西兰花 11", None, None), ("胡萝卜", "8", None), ("苹果", None, 5),
    ]  # fmt: skip
