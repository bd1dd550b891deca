"""Trying a playbook on recorded messages: the ordinary engine on a scratch store.

Nothing here is a special mode: the engine records, decides and queues exactly as it does in
`hearth serve`, into a throwaway SQLite database that no carrier reads, so whatever a
playbook would do — scheduled alerts included — shows, and nothing reaches a real group."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Processed
from hearthkeeper.engine.scheduled import run_due
from hearthkeeper.playbook import Playbook
from hearthkeeper.recorded import BadLine, Recorded
from hearthkeeper.store import SanctionKind, Store, create_engine_for, sqlite_url, upgrade

START = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Fired:
    """Scheduled work that fell due during the replayed time (a poll closing, an alert)."""

    at: datetime
    effect: str
    actions: list[Action]


class DryRun:
    """A playbook running on a throwaway SQLite store; no carrier performs anything.

    Time follows the recording: each event is handled at its own time, one at a time, and
    scheduled work that falls due between two events runs in between, as it would have."""

    def __init__(self, playbook: Playbook, workdir: Path, base_dir: Path | None = None, *,
                 judge_each: bool = False) -> None:  # fmt: skip
        """`judge_each` (`hearth moderate`): no one is held back by a mute, ban or kick an
        earlier line earned, so each line is judged by moderation (strikes still add up);
        otherwise what the engine does, deleting what a muted or removed member posts."""
        self.judge_each = judge_each
        url = sqlite_url(workdir)
        upgrade(url)
        self.clock = FrozenClock(START)
        self.store = Store(create_engine_for(url), self.clock)
        runtime = runtime_for(self.store, playbook, base_dir)
        self.community_id = runtime.community_id
        self.engine = Engine(self.store, self.clock, [runtime],
                             adopt_groups_into=runtime.community_id)  # fmt: skip

    def run(
        self, items: Iterable[Recorded | BadLine]
    ) -> Iterator[tuple[Recorded, Processed] | Fired | BadLine]:
        """Each event's outcome, scheduled work as it falls due, and bad lines as they come."""
        for item in items:
            if isinstance(item, BadLine):
                yield item
                continue
            yield from self._fire_until(item.event.at)
            self.clock.set(max(self.clock.now(), item.event.at))
            if item.role is not None:
                give_role(self.store, self.community_id, item)
            [processed] = self.engine.process([item.event])
            if self.judge_each:
                self._release(item)
            yield item, processed

    def _release(self, item: Recorded) -> None:
        """Lift the mutes, bans and kicks in force on the line's sender."""
        found = self.store.find_member(item.event.carrier, item.event.sender.user_id)
        if found is None:
            return
        now = self.clock.now()
        for held in self.store.active_sanctions(member_id=found.id, now=now):
            if held.kind is not SanctionKind.BLACKLIST:
                self.store.lift_sanction(held.id, "hearth moderate", now)

    def _fire_until(self, until: datetime) -> Iterator[Fired]:
        while (due := self.store.next_due()) is not None and due <= until:
            self.clock.set(max(self.clock.now(), due))
            ran = run_due(self.store, self.engine.runtimes, due)
            for scheduled, actions in ran:
                yield Fired(scheduled.due_at, scheduled.effect, actions)
            if not ran:
                return


def give_role(store: Store, community_id: int, item: Recorded) -> None:
    """Make the sender of a recorded line staff with its `role`, in its group."""
    event = item.event
    group = store.group_for_carrier(event.carrier, event.group) or store.add_group(
        community_id, event.group, event.carrier, event.group
    )
    member = store.member_for(event.carrier, event.sender.user_id, event.sender.display_name)
    store.join(member.id, group.id, role=item.role, at=event.at)


@dataclass(frozen=True)
class Verdict:
    """`hearth moderate`'s answer for one message."""

    verdict: str  # allow | flag | delete
    violations: list[str]
    action: str | None
    explanation: str

    def to_json(self) -> dict[str, Any]:
        """The JSON line `hearth moderate` prints."""
        return {"verdict": self.verdict, "violations": self.violations, "action": self.action,
                "explanation": self.explanation}  # fmt: skip


def verdict_of(actions: Iterable[Action]) -> Verdict:
    """Summarise the engine's actions on one message as a moderation verdict."""
    acts = list(actions)
    violations = sorted({a.violation for a in acts if a.violation})
    kinds = [a.kind for a in acts]
    reasons = list(dict.fromkeys(a.explained for a in acts if a.explained and a.violation))
    sanctions = [a for a in acts if a.kind in (ActionKind.MUTE, ActionKind.KICK, ActionKind.BAN,
                                               ActionKind.BLACKLIST, ActionKind.WARN, ActionKind.DELETE)]  # fmt: skip
    if ActionKind.DELETE in kinds:
        verdict = "delete"
    elif violations or ActionKind.ALERT_STAFF in kinds:
        verdict = "flag"
    else:
        verdict = "allow"
    action = "+".join(_describe(a) for a in sanctions) or (
        "alert_staff" if ActionKind.ALERT_STAFF in kinds else None
    )
    if verdict == "delete" and not violations:
        reasons = [a.explained for a in acts if a.kind is ActionKind.DELETE and a.explained]
    return Verdict(verdict, violations, action, "; ".join(reasons))


def _describe(action: Action) -> str:
    if action.kind is ActionKind.MUTE and action.duration is not None:
        minutes = int(action.duration.total_seconds() // 60)
        return f"mute {minutes // 60}h" if minutes % 60 == 0 else f"mute {minutes}m"
    return action.kind.value
