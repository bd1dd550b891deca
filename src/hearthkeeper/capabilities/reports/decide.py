"""Whether a report is taken, whether it counts toward hiding the message, and what staff
read of a reported message. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hearthkeeper.capabilities.format import excerpt
from hearthkeeper.capabilities.moderation.decide import MemberStanding, in_good_standing
from hearthkeeper.capabilities.reports.texts import TEXTS
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import Standing
from hearthkeeper.text.controls import one_line

MAX_WHY = 300  # characters of a reporter's reason kept (one line; the rest is cut)
SHOWN_TEXT = 500  # characters of the reported message staff read in the alert
QUOTED = 40  # characters of the reported message the reporter's answers quote


class Refusal(StrEnum):
    """Why a `/report` is not taken (each the key of the answer the reporter reads)."""

    NO_REPLY = "no_reply"  # not sent as a reply
    UNKNOWN = "unknown"  # a reply to a message never stored here: the bot's, or too old
    OWN = "own"  # their own message


class NotCounted(StrEnum):
    """Why a report is kept for staff but does not count toward hiding the message."""

    STRUCK = "struck"
    MUTED = "muted"
    NEW = "new"


def refusal(reply_to: str | None, author_id: int | None, reporter_id: int) -> Refusal | None:
    """Why a report of the message `reply_to`, written by `author_id` (None: no member's
    message stored under it), cannot be taken from `reporter_id`; None when it can."""
    if reply_to is None:
        return Refusal.NO_REPLY
    if author_id is None:
        return Refusal.UNKNOWN
    if author_id == reporter_id:
        return Refusal.OWN
    return None


def not_counted(standing: MemberStanding, muted: bool, setting: Standing | None,
                now: datetime) -> NotCounted | None:  # fmt: skip
    """Why the reporter's report does not count toward hiding (None: it counts): a live
    strike, a mute in force in the community, or not yet as long in the community and as
    active there as `setting` (the learned scorer's standing; its defaults when the operator
    turned that off: their verdict on the scorer is not one on reporters)."""
    if standing.strikes > 0:
        return NotCounted.STRUCK
    if muted:
        return NotCounted.MUTED
    asked = (setting or Standing()).model_copy(update={"enabled": True})
    return None if in_good_standing(standing, asked, now) else NotCounted.NEW


def hides(counting: int, hide_after: int | None, *, author_is_staff: bool,
          hidden: bool) -> bool:  # fmt: skip
    """Whether the reports counting now hide the message: `hide_after` reached, the message
    not hidden yet, and its author not staff (staff read reports against staff; reports
    never take a staff member's message down)."""
    return hide_after is not None and not hidden and not author_is_staff and counting >= hide_after


def capped(made_today: int, per_day: int) -> bool:
    """Whether a member who made `made_today` reports in the last day may make no more."""
    return made_today >= per_day


def reason(text: str) -> str:
    """A reporter's words as kept: one visible line of at most `MAX_WHY` characters."""
    return one_line(text, MAX_WHY)


def reported_message(language: Language, author: str, text: str) -> str:
    """The message a reporter's answer names: its author and its start, quoted as the bot
    repeats members' words (one visible line, at most `QUOTED` characters, cut with "…");
    without a quote when nothing is left to quote (a picture)."""
    who = one_line(author, 64)
    quoted = excerpt(text, QUOTED)
    if quoted.endswith("…"):  # cut: not after a space ("nobody …")
        quoted = quoted[:-1].rstrip() + "…"
    if not quoted:
        return TEXTS.say("message", language, author=who)
    return TEXTS.say("message_quoted", language, author=who, text=quoted)


@dataclass(frozen=True)
class Reporter:
    """One report as staff read it: who, why, and why it did not count (if it did not)."""

    name: str
    why: str
    not_counted: NotCounted | None


def alert(language: Language, *, group: str, author: str, text: str,
          reporters: Sequence[Reporter], hidden: bool, author_is_staff: bool) -> str:  # fmt: skip
    """The inbox alert of a reported message: the message, its author, every reporter with
    their reason, and whether reports hid it."""
    lines = []
    for r in reporters:
        said = TEXTS.say("reporter", language, name=one_line(r.name, 64),
                         why=r.why or TEXTS.say("no_why", language))  # fmt: skip
        if r.not_counted is not None:
            said += TEXTS.say("not_counted", language,
                              why=TEXTS.say(r.not_counted.value, language))  # fmt: skip
        lines.append(said)
    state = (
        TEXTS.say("staff_author", language)
        if author_is_staff
        else TEXTS.say("hidden", language)
        if hidden
        else ""
    )
    return TEXTS.say("alert", language, group=group, author=one_line(author, 64),
                     count=len(reporters), state=state, text=one_line(text, SHOWN_TEXT),
                     reporters=TEXTS.say("separator", language).join(lines))  # fmt: skip
