"""What the poll effects decide, from what they loaded: pure (records and text in, a decision
out), so every rule is tested without a database. The effects load, call these, then write."""

from __future__ import annotations

from dataclasses import dataclass

from hearthkeeper.capabilities.lists_common.actions import Say
from hearthkeeper.capabilities.polls.parse import has_letters, named_options
from hearthkeeper.capabilities.polls.records import Poll
from hearthkeeper.capabilities.polls.render import TEXTS, choices_text
from hearthkeeper.capabilities.polls.requests import CastVote, PollStart
from hearthkeeper.playbook.positioning import Language


@dataclass(frozen=True)
class Cast:
    """Record these votes; with `replace`, the member's other votes go (single choice)."""

    choices: tuple[int, ...]
    replace: bool


def decide_start(current: Poll | None, request: PollStart, lang: Language) -> Say | PollStart:
    """One open poll per group: the poll as asked for, only when none is open."""
    if current is not None:
        return Say(TEXTS.say("still_open", lang, question=current.question))
    return request


def decide_vote(poll: Poll, request: CastVote, name: str, lang: Language) -> Say | Cast:
    """Which votes to record. A reply that is an option's own text picks that option (`A`
    in a poll of options B, A, C; `/vote 爬山`); otherwise numbers and letters are positions. A bare number
    out of range, or bare letters naming no option (`OK`), are ordinary chat; `/vote` out of
    range, or several options in a single-choice poll, get told what is allowed."""
    choices = named_options(request.said, poll.options) or request.choices
    if not choices:  # `/vote` with words naming no option; a bare `我选择困难` is chat
        return Say(TEXTS.say("vote_usage", lang) if request.explicit else None)
    if any(not 0 <= c < len(poll.options) for c in choices):
        if not request.explicit and (len(choices) == 1 or has_letters(request.said)):
            return Say()
        count = len(poll.options)
        return Say(TEXTS.say("out_of_range", lang, name=name, count=count,
                             letter=chr(ord("A") + count - 1)))  # fmt: skip
    if not poll.multiple and len(choices) > 1:
        return Say(TEXTS.say("single_only", lang, name=name))
    return Cast(choices, replace=not poll.multiple)


def voted(poll: Poll, before: frozenset[int], after: frozenset[int], name: str,
          lang: Language) -> str:  # fmt: skip
    """The reply once the votes are written: what the member now votes for (not in an
    anonymous poll), or that nothing changed."""
    if after == before:
        key = "same"
    elif poll.anonymous:
        key = "counted"
    else:
        key = "changed" if before and not poll.multiple else "voted"
    return TEXTS.say(key, lang, name=name, choices=choices_text(poll, after))


def withdrawn(taken: int, name: str, lang: Language) -> str:
    """The reply once the member's votes are taken back (or there were none)."""
    return TEXTS.say("withdrawn" if taken else "not_voted", lang, name=name)


def no_poll(explicit: bool, lang: Language) -> Say:
    """No open poll: said only to who asked in words; a bare `2` stays ordinary chat."""
    return Say(TEXTS.say("no_poll", lang) if explicit else None)
