"""The decision rules of members' reports, without any store or carrier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.capabilities.moderation.decide import MemberStanding
from hearthkeeper.capabilities.reports.decide import (
    MAX_WHY,
    NotCounted,
    Refusal,
    Reporter,
    alert,
    capped,
    hides,
    not_counted,
    reason,
    refusal,
    reported_message,
)
from hearthkeeper.playbook import Playbook, PlaybookError, parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import Standing
from hearthkeeper.playbook.summary import summarise
from tests.playbook_samples import MINIMAL


def summarize(pb: Playbook) -> str:
    return "\n".join(line for el in summarise(pb) for line in el.lines)


NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SETTLED = MemberStanding(NOW - timedelta(days=60), 40, 0)


def test_a_report_is_taken_only_as_a_reply_to_someone_elses_stored_message() -> None:
    assert refusal(None, 7, 1) is Refusal.NO_REPLY
    assert refusal("m-1", None, 1) is Refusal.UNKNOWN  # the bot's message, or never stored
    assert refusal("m-1", 1, 1) is Refusal.OWN
    assert refusal("m-1", 7, 1) is None


def test_only_a_reporter_in_good_standing_counts_toward_hiding() -> None:
    setting = Standing()  # 14 days, 30 messages
    assert not_counted(SETTLED, False, setting, NOW) is None
    struck = MemberStanding(SETTLED.first_seen, 40, 1)
    assert not_counted(struck, False, setting, NOW) is NotCounted.STRUCK
    assert not_counted(SETTLED, True, setting, NOW) is NotCounted.MUTED
    newcomer = MemberStanding(NOW - timedelta(days=2), 40, 0)
    assert not_counted(newcomer, False, setting, NOW) is NotCounted.NEW
    quiet = MemberStanding(SETTLED.first_seen, 3, 0)
    assert not_counted(quiet, False, setting, NOW) is NotCounted.NEW
    # the scorer's standing turned off (or null) still asks reporters its defaults
    assert not_counted(quiet, False, Standing(enabled=False), NOW) is NotCounted.NEW
    assert not_counted(quiet, False, None, NOW) is NotCounted.NEW
    assert not_counted(SETTLED, False, None, NOW) is None


def test_enough_counting_reports_hide_a_members_message_never_staffs() -> None:
    assert not hides(2, 3, author_is_staff=False, hidden=False)
    assert hides(3, 3, author_is_staff=False, hidden=False)
    assert not hides(3, 3, author_is_staff=False, hidden=True)  # hidden once
    assert not hides(10, 3, author_is_staff=True, hidden=False)
    assert not hides(10, None, author_is_staff=False, hidden=False)  # reports never hide


def test_a_member_s_reports_are_capped_per_day() -> None:
    assert not capped(9, 10)
    assert capped(10, 10)


def test_a_reason_is_one_bounded_line_without_hidden_characters() -> None:
    said = reason("spam\u202e\n\nhere  " + "x" * 1000)
    assert "\u202e" not in said and "\n" not in said
    assert said.startswith("spam here x") and len(said) == MAX_WHY


def test_the_alert_says_every_reporter_and_whether_it_counted() -> None:
    text = alert(Language.EN, group="g1", author="bob", text="buy my course\nnow",
                 reporters=[Reporter("mei", "spam", None), Reporter("joe", "", NotCounted.STRUCK)],
                 hidden=True, author_is_staff=False)  # fmt: skip
    assert text.startswith("[Report] g1: bob's message, reports: 2 (hidden by reports")
    assert "Message: buy my course now" in text
    assert "mei: spam; joe: (no reason given) [not counted: a live strike]" in text
    zh = alert(Language.ZH_CN, group="1群", author="bob", text="加我", hidden=False,
               reporters=[Reporter("美美", "广告", None)], author_is_staff=True)  # fmt: skip
    assert (
        "【举报】1群：bob 的消息，举报 1 次（作者是管理员：不会隐藏）" in zh and "美美：广告" in zh
    )


def test_the_playbook_s_reports_are_validated_where_written_and_shown() -> None:
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(MINIMAL + "rules:\n  reports:\n    hide_after: 0\n    per_day: x\n")
    said = str(refused.value)
    assert "rules.reports.hide_after: Input should be greater than or equal to 1" in said
    assert "rules.reports.per_day: 'x' is not a whole number" in said
    shown = summarize(parse_playbook(MINIMAL).playbook)
    assert (
        "Reports: members reply /report (/举报) to a message to flag it to staff (one inbox "
        "alert per message); 3 members in good standing hide it until staff look; at most 10 "
        "a member a day" in shown
    )
    never = parse_playbook(MINIMAL + "rules:\n  reports:\n    hide_after: null\n").playbook
    assert "reports never hide it" in summarize(never)
    off = parse_playbook(MINIMAL + "rules:\n  reports:\n    enabled: false\n").playbook
    assert "Reports: off" in summarize(off)


def test_a_reporters_answer_quotes_the_start_of_the_message_one_visible_line() -> None:
    """The receipt names the message reported by its start: line breaks, control and
    text-direction characters out, at most 40 characters, cut with "…" (not after a space);
    a picture without words is named alone."""
    en, zh = Language.EN, Language.ZH_CN
    assert reported_message(en, "bob", "join\nmy\u202e group   now") == (
        "bob's message “join my group now”"
    )
    long = reported_message(en, "bob", "honestly this group is useless, nobody here answers")
    assert long == "bob's message “honestly this group is useless, nobody…”"
    assert len(long.split("“")[1].rstrip("”")) <= 40
    assert reported_message(en, "bob", "") == "bob's message"
    assert reported_message(zh, "小丽", "\u200b") == "小丽 的消息"
