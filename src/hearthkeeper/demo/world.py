"""What the simulated members know: who is in which group, what was said, what is open."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from hearthkeeper.demo.cast import GroupBuy, Lines, Role

# Steps between two quarrels, so the one staff alert stays an event rather than the weather.
QUARREL_EVERY = 300


@dataclass(frozen=True)
class Beat:
    """One thing a member does: join a group, say something (maybe replying), leave."""

    who: str
    group: int  # the demo's group number, from 1
    kind: Literal["join", "say", "leave"] = "say"
    text: str = ""
    reply_to: str | None = None  # reply to the latest message of this cast member
    quick: bool = False  # part of the opening, which moves faster


@dataclass
class World:
    """What the simulated members know: who is where, what was said, what is open."""

    rng: random.Random
    lines: Lines
    groups: int
    check_in_keywords: tuple[str, ...]
    faq_questions: tuple[str, ...]
    group_buys_allowed: bool
    roles: dict[str, Role] = field(default_factory=dict)
    present: dict[int, set[str]] = field(default_factory=dict)
    accepted: set[tuple[str, int]] = field(default_factory=set)  # (member, group)
    silenced: set[tuple[str, int]] = field(default_factory=set)
    checked_in: set[str] = field(default_factory=set)
    recent: dict[int, deque[tuple[str, int]]] = field(default_factory=dict)
    open_buys: dict[int, GroupBuy] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    departed: dict[str, int] = field(default_factory=dict)  # who left, and when (the step)
    steps: int = 0
    last_quarrel: int = -QUARREL_EVERY
    buys_started: int = 0
    advertisers: int = 0

    def __post_init__(self) -> None:
        self.roles = {r.key: r for r in self.lines.cast}
        for g in range(1, self.groups + 1):
            self.present.setdefault(g, set())
            self.recent.setdefault(g, deque(maxlen=20))

    def regulars(self, g: int, *, but: tuple[str, ...] = ()) -> list[str]:
        """Ordinary members in group `g` who may speak, in a stable order."""
        return sorted(
            k
            for k in self.present[g]
            if k not in but
            and (k, g) in self.accepted
            and (k, g) not in self.silenced
            and self.roles[k].staff is None
            and not self.roles[k].advertiser
        )

    def stopped(self, key: str, g: int) -> bool:
        """Whether the chat refused `key` in group `g` (the member stops there)."""
        return (key, g) in self.silenced

    def staff(self, g: int, kind: str) -> str | None:
        """The staff member of `kind` (starter, moderator) in group `g`, if any."""
        found = [k for k in sorted(self.present[g]) if self.roles[k].staff == kind]
        return found[0] if found else None

    def fresh(self, options: tuple[str, ...]) -> str:
        """A line of `options` not said since they were all said: the same text again and
        again is what spammers do, and the rules notice it."""
        unused = [o for o in options if o not in self.used]
        if not unused:
            self.used.difference_update(options)
            unused = list(options)
        choice = self.rng.choice(unused)
        self.used.add(choice)
        return choice

    def mention(self, key: str) -> str:
        """How others write `key` after an @."""
        return self.roles[key].nickname


Scene = Iterator[Beat]
