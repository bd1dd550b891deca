"""Which decision a member's appeal is about, and what they and staff are told. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hearthkeeper.capabilities.appeals.texts import TEXTS
from hearthkeeper.capabilities.texts import violation_name
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Sanction, SanctionKind, Strike

# A ladder's mute is written with the strike that reached it: a mute this close to a strike
# is that strike's, and appealing the strike appeals both.
SAME_DECISION = timedelta(seconds=1)


class Outcome(StrEnum):
    """What staff decided."""

    UPHELD = "upheld"
    PARDONED = "pardoned"


@dataclass(frozen=True)
class Appealable:
    """A strike (with the mute the ladder gave for it, if any), a mute staff gave alone, or a
    ban (`mute` then holds the ban: the sanction appealed against)."""

    strike: Strike | None
    mute: Sanction | None

    @property
    def at(self) -> datetime:
        """When it was decided."""
        if self.strike is not None:
            return self.strike.at
        assert self.mute is not None
        return self.mute.at

    @property
    def explanation(self) -> str:
        """What staff read of it: what the rule matched, or who muted and why."""
        if self.strike is not None:
            return self.strike.explanation
        assert self.mute is not None
        return self.mute.reason


def latest(strikes: Sequence[Strike], mutes: Sequence[Sanction], now: datetime,
           within: timedelta) -> Appealable | None:  # fmt: skip
    """The member's latest strike not taken back, or mute, decided within `within` of `now`;
    None when there is none to appeal."""
    since = now - within
    kept = [s for s in strikes if s.pardoned_at is None and since <= s.at <= now]
    muted = [m for m in mutes if m.kind is SanctionKind.MUTE and since <= m.at <= now]
    strike = max(kept, key=lambda s: (s.at, s.id), default=None)
    mute = max(muted, key=lambda m: (m.at, m.id), default=None)
    if strike is None and mute is None:
        return None
    if strike is not None and (mute is None or mute.at <= strike.at + SAME_DECISION):
        along = mute if mute is not None and same_decision(mute, strike.at) else None
        return Appealable(strike, along)
    return Appealable(None, mute)


def same_decision(mute: Sanction, struck_at: datetime) -> bool:
    """Whether `mute` is the one the ladder gave with a strike given at `struck_at`."""
    return abs(mute.at - struck_at) <= SAME_DECISION


def what(appealable: Appealable, language: Language) -> str:
    """The decision in the member's words: the rule broken, never what matched."""
    if appealable.mute is not None and appealable.mute.kind in BANS:
        return TEXTS.say("ban", language)
    if appealable.strike is not None:
        name = violation_name(appealable.strike.violation, language)
        return TEXTS.say("strike", language, violation=name)
    return TEXTS.say("mute", language)


# A ban out of a group (the ladder's or staff's, or one a blacklisting brought): appealed from
# the web chat's banned page, where the member can still reach the community.
BANS = frozenset({SanctionKind.BAN, SanctionKind.BLACKLIST})


def ban_appealable(ban: Sanction, now: datetime, within: timedelta) -> bool:
    """Whether a ban given at `ban.at` may still be appealed at `now`."""
    return ban.at <= now <= ban.at + within


def whom_to_ask(language: Language, contact: str | None) -> str:
    """The sentence a ban's notice ends with: whom to contact to appeal ("" when the playbook
    names nobody: `rules.appeals.contact`)."""
    return TEXTS.say("ban_contact", language, contact=contact) if contact else ""


def then_ask(notice: str, language: Language, contact: str | None) -> str:
    """`notice` (staff's `banned by a moderator: REASON`) ended as a sentence, then whom to ask
    to review the ban; `notice` alone when the playbook names nobody."""
    ask = whom_to_ask(language, contact)
    if not ask or not notice:
        return notice + ask
    stop = "" if notice.endswith(("。", "！", "？", ".", "!", "?")) else (
        "。" if language == Language.ZH_CN else ".")  # fmt: skip
    return notice + stop + ask


def how_to_appeal(language: Language) -> str:
    """The sentence a sanction's notice ends with: how to appeal."""
    return TEXTS.say("how", language)
