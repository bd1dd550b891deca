"""What titles, tags and the member card decide without a store."""

from __future__ import annotations

from datetime import UTC, datetime

from hearthkeeper.capabilities.points.levels_repository import Activity
from hearthkeeper.capabilities.roles.card import Card, card_text
from hearthkeeper.capabilities.roles.repository import TitleHolder
from hearthkeeper.capabilities.roles.requests import TitlesRemind
from hearthkeeper.capabilities.roles.tags import Retag, retag, tagged_text
from hearthkeeper.capabilities.roles.titles import (
    claimed_text,
    full_text,
    list_text,
    reminder_text,
    to_release,
)
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.mechanisms import Title
from hearthkeeper.playbook.positioning import Language
from tests.engine_setup import playbook
from tests.playbook_samples import MINIMAL

EN = Language.EN
AT = datetime(2026, 5, 1, tzinfo=UTC)
WATER = Title(name="Water Warden", duty="remind us to drink", holders=1)
TEA = Title(name="Tea Master", holders=2)


def test_what_a_claim_answers() -> None:
    assert (
        claimed_text("mei", WATER, EN) == "🎖 mei is now the Water Warden! Duty: remind us to drink"
    )
    assert claimed_text("mei", TEA, EN) == "🎖 mei is now the Tea Master!"
    bob = TitleHolder("Water Warden", 2, "bob", AT)
    assert full_text(WATER, [bob], [WATER, TEA], [bob], EN) == (
        "The Water Warden is taken (bob); 1 place(s). Still open: Tea Master"
    )


def test_which_title_a_release_means() -> None:
    assert to_release([], "", "mei", EN) == (None, "mei, you hold no title.")
    assert to_release(["A", "B"], "", "mei", EN)[1] == "Which title? A, B (e.g. /release A)"
    assert to_release(["Tea Master"], "", "mei", EN) == ("Tea Master", None)
    assert to_release(["Tea Master"], "ｔｅａ master", "mei", EN) == ("Tea Master", None)
    assert to_release(["Tea Master"], "Nope", "mei", EN) == (
        None, "mei, you hold no such title. Yours: Tea Master (e.g. /release Tea Master)"
    )  # fmt: skip
    assert to_release([], "Tea Master", "mei", EN) == (None, "mei, you hold no title.")


def test_the_list_and_the_reminder() -> None:
    holders = [TitleHolder("Tea Master", 2, "bob", AT)]
    assert list_text([WATER, TEA], holders, EN).splitlines() == [
        "🎖 Titles", "· Water Warden (0/1): open — remind us to drink", "· Tea Master (1/2): bob",
    ]  # fmt: skip
    assert reminder_text(WATER, [TitleHolder("Water Warden", 2, "bob", AT)], EN) == (
        "@bob Water Warden reminder: remind us to drink"
    )


def test_retagging_keeps_other_sets_and_sets_exactly_the_values() -> None:
    held = ["skin:oily", "skin:dry", "city:Paris"]
    assert retag(held, "skin", ["dry", "combination"]) == Retag(
        remove=("skin:oily",), add=("skin:combination", "skin:dry")
    )
    assert retag(held, "skin", []) == Retag(remove=("skin:oily", "skin:dry"), add=())
    assert tagged_text("mei", "skin", [], EN) == "🏷 Cleared mei's skin tag."
    assert tagged_text("mei", "skin", ["dry", "oily"], EN) == "🏷 mei's skin: dry, oily"


def test_the_member_card() -> None:
    pb = playbook("""\
structure:
  levels:
    - {id: newcomer, name: Newcomer}
    - {id: regular, name: Regular, promote: {check_ins: 3, window: 7d}}
mechanisms:
  tags: [{name: skin}]
""")
    card = Card(nickname="mei", role=None, level=0, towards=Activity(0, 0, 0, 1), points=4,
                streak=1, titles=(), tags=["skin:dry"])  # fmt: skip
    assert card_text(card, pb).splitlines() == [
        "👤 mei", "Level: Newcomer", "Towards Regular: check-ins 1/3", "Points: 4",
        "Check-in streak: 1 day", "Titles: none yet", "Tags: skin dry",
    ]  # fmt: skip


def test_reminder_rows_already_scheduled_still_run() -> None:
    stored = {"title": "Water Warden"}  # what titles.remind rows have always held
    assert TitlesRemind.effect == "titles.remind"
    assert TitlesRemind.from_payload(stored) == TitlesRemind(title="Water Warden")
    planned = datetime(2026, 5, 2, 9, tzinfo=UTC)  # rows planned now also hold their time
    assert TitlesRemind(title="Water Warden", at=planned).to_payload() == {
        **stored, "at": planned.isoformat()}  # fmt: skip
    assert TitlesRemind.from_payload({**stored, "at": planned.isoformat()}).at == planned


def test_a_chinese_community_without_levels_shows_its_members_chinese_level_names() -> None:
    """A zh-CN playbook that writes no `structure.levels` (the operator kept the defaults)
    showed members `等级：Newcomer` and `距离「Member」` in a Chinese card; the default
    levels are named in the community's language, an English community's as before."""
    zh = parse_playbook(MINIMAL.replace("language: en", "language: zh-CN")).playbook
    card = Card(nickname="小李", role=None, level=0, towards=Activity(2, 4, 1, 1), points=2,
                streak=1, titles=(), tags=[])  # fmt: skip
    assert card_text(card, zh).splitlines()[1:3] == [
        "等级：新人",
        "距离「成员」：发言 4/10，活跃天数 1/3",
    ]
    en = parse_playbook(MINIMAL).playbook
    assert card_text(card, en).splitlines()[1:3] == [
        "Level: Newcomer", "Towards Member: messages 4/10, active days 1/3",
    ]  # fmt: skip


def test_a_chinese_community_without_roles_shows_chinese_staff_titles() -> None:
    """A zh-CN playbook that writes no `structure.roles` showed a manager's card as
    `身份：Manager` and `playbook show` listed `Staff: Creator (creator), Manager (manager)…`;
    the default roles are titled in the community's language, an English one's as before."""
    from hearthkeeper.playbook.summary import summarise

    zh = parse_playbook(MINIMAL.replace("language: en", "language: zh-CN")).playbook
    manager = zh.structure.roles["manager"].title
    card = Card(nickname="小李", role=manager, level=0, towards=None, points=None, streak=None,
                titles=(), tags=None)  # fmt: skip
    assert card_text(card, zh).splitlines()[1] == "身份：管理员"
    structure = next(e for e in summarise(zh) if e.title.startswith("Structure"))
    assert structure.lines[0] == (
        "Staff: 创始人 (creator), 管理员 (manager), 拉新专员 (acquisition), 合伙人 (partner)"
    )
    en = parse_playbook(MINIMAL).playbook
    assert [role.title for role in en.structure.roles.values()] == [
        "Creator", "Manager", "Growth", "Partner",
    ]  # fmt: skip
    written = MINIMAL.replace("language: en", "language: zh-CN") + (
        "structure:\n  roles:\n    host: {title: Host}\n"
    )
    assert list(parse_playbook(written).playbook.structure.roles) == ["host"]
