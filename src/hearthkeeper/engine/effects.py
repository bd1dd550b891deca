"""Effects: store work that mechanism modules register and the engine performs.

A handler stays pure: it returns `Action(kind=EFFECT, effect="signup.join", extra={...})`.
The executor looks the effect up and runs it inside the event's transaction, with the
store; whatever it decides — stock taken or refused, a streak counted — it answers with
further actions (a reply with the numbered list), which the engine performs like any other.
Effects also run when scheduled work falls due (a poll's deadline), with no member.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.handler import GroupView, MemberView
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store


@dataclass(frozen=True, kw_only=True)
class EffectContext:
    """What an effect knows besides its action: where, who (if anyone), when."""

    playbook: Playbook
    group: GroupView
    member: MemberView | None  # None for scheduled work
    now: datetime
    event_id: int | None = None
    dry_run: bool = False


Effect = Callable[[Store, Action, EffectContext], Sequence[Action]]


class EffectError(Exception):
    """An effect that cannot be performed because its action is malformed (a bug, not input)."""
