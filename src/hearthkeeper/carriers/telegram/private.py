"""The bot's private chat: where a member banned from the groups can still write to it, and
appeal (`capabilities/appeals/private.py` answers; the carrier sends the answer). Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hearthkeeper.engine.actions import PRIVATE_APPEAL, Action
from hearthkeeper.playbook.positioning import Language

# The same answer to the same person is not said again within this: a flood of private
# messages gets one answer, not a flood of them (each counts against the bot's 30 a second).
SAME_ANSWER = timedelta(minutes=1)
REMEMBERED = 10_000  # people whose last answer is kept; past it, forgotten and started afresh


def language_of(code: str | None) -> Language | None:
    """The language a person's Telegram app is set to (`User.language_code`, an IETF tag), if
    it is one the bot speaks."""
    tag = (code or "").lower()
    if tag.startswith("zh"):
        return Language.ZH_CN
    if tag.startswith("en"):
        return Language.EN
    return None


def with_appeal(action: Action, username: str) -> Action:
    """A ban's notice ended with how to appeal to the bot in private, named by its @username
    (`PRIVATE_APPEAL`); any other action as it is. A bot without a username is named by
    nothing a member could find: the sentence is left out."""
    how = action.extra.get(PRIVATE_APPEAL)
    if not how:
        return action
    extra = {k: v for k, v in action.extra.items() if k != PRIVATE_APPEAL}
    text = action.text
    if text and username:
        text += str(how).replace("{bot}", f"@{username}")
    return replace(action, text=text, extra=extra)


class Answered:
    """The last answer said to each person in private, and when (bounded: `REMEMBERED`)."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[str, datetime]] = {}

    def again(self, user_id: str, text: str, now: datetime) -> bool:
        """Whether `text` was the last answer to `user_id`, said within `SAME_ANSWER`; if not,
        it is remembered as said now."""
        last = self._last.get(user_id)
        if last is not None and last[0] == text and now - last[1] < SAME_ANSWER:
            return True
        if len(self._last) >= REMEMBERED:
            self._last.clear()
        self._last[user_id] = (text, now)
        return False
