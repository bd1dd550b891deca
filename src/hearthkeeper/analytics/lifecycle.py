"""The community's lifecycle stage: seed 001's seven stages, inferred from data and playbook.

A stage is reached when its test and every earlier stage's test hold ("the last 28 days" end
on the as-of day; shares of members round up):

1. people gathered — at least 3 members.
2. strong communication — speakers in the last 28 days ≥ max(3, 20% of members), and
   messages on at least 14 of the last 28 days.
3. a common goal — the playbook states goals or values (`community.goals`/`values`), and
   members act together: distinct members who checked in or signed up in the last 28 days
   ≥ max(3, 10% of members).
4. attracting newcomers — joins in the last 28 days ≥ max(3, 5% of members), and no more
   leaves than joins.
5. clear division of responsibility and management — at least 2 of the playbook's staff
   roles are held, and at least 2 staff members posted in the last 28 days.
6. profit — at least 5 distinct members joined sign-up lists or group-buys in the last 90
   days, and the playbook has a way to earn (membership plans, a priced activity, or
   sign-ups switched on).
7. formal commercialisation — the playbook positions the community as commercial, with at
   least one membership plan and paid entry (`joining.threshold.kind: paid`).

Stage 0 means not even 3 members yet. A community counts as successful from stage 5.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.playbook.positioning import CommunityType
from hearthkeeper.text.counts import counted

STAGES = {
    0: "not yet gathered",
    1: "people gathered",
    2: "strong communication",
    3: "a common goal",
    4: "attracting newcomers",
    5: "clear division of responsibility and management",
    6: "profit",
    7: "formal commercialisation",
}


@dataclass(frozen=True)
class CommunityFacts:
    """What the stage is inferred from (the adapter in `analytics.signals` fills it)."""

    as_of: date
    members: int  # in any group of the community on the as-of day
    speakers_28d: int = 0
    active_days_28d: int = 0  # days with at least one message
    shared_action_members_28d: int = 0  # distinct members who checked in or signed up
    joins_28d: int = 0
    leaves_28d: int = 0
    roles_held: Mapping[str, int] = field(default_factory=dict)  # playbook role id → holders
    staff_speakers_28d: int = 0
    signup_members_90d: int = 0  # distinct members on sign-up lists / group-buys


@dataclass(frozen=True)
class Lifecycle:
    """The stage reached, why, and what the next one needs."""

    stage: int
    name: str
    evidence: tuple[str, ...]  # one line per stage reached
    missing: tuple[str, ...]  # what the next stage still needs (empty at stage 7)
    declared: int | None  # `community.stage` in the playbook, if set
    note: str | None  # when the declared stage differs from the data

    def to_json(self) -> dict[str, object]:
        """JSON-able form."""
        return {"stage": self.stage, "name": self.name, "evidence": list(self.evidence),
                "missing": list(self.missing), "declared": self.declared,
                "note": self.note}  # fmt: skip


Test = Callable[[CommunityFacts, Playbook | None], tuple[bool, str]]


def _share(members: int, percent: int, floor: int) -> int:
    return max(floor, math.ceil(members * percent / 100))


def gathered(f: CommunityFacts, pb: Playbook | None) -> tuple[bool, str]:
    """Stage 1."""
    return f.members >= 3, f"{counted(f.members, 'member')} (needs 3)"


def communicating(f: CommunityFacts, pb: Playbook | None) -> tuple[bool, str]:
    """Stage 2."""
    need = _share(f.members, 20, 3)
    ok = f.speakers_28d >= need and f.active_days_28d >= 14
    spoke = counted(f.speakers_28d, "speaker")
    return ok, (f"{spoke} in the last 28 days (needs {need}); messages "
                f"on {f.active_days_28d} of 28 days (needs 14)")  # fmt: skip


def common_goal(f: CommunityFacts, pb: Playbook | None) -> tuple[bool, str]:
    """Stage 3."""
    stated = 0 if pb is None else len(pb.community.goals) + len(pb.community.values)
    need = _share(f.members, 10, 3)
    ok = stated > 0 and f.shared_action_members_28d >= need
    goals = counted(stated, "goal/value", "goals/values")
    acted = counted(f.shared_action_members_28d, "member")
    return ok, (f"{goals} in the playbook (needs 1); "
                f"{acted} checked in or signed up in the last "
                f"28 days (needs {need})")  # fmt: skip


def attracting(f: CommunityFacts, pb: Playbook | None) -> tuple[bool, str]:
    """Stage 4."""
    need = _share(f.members, 5, 3)
    ok = f.joins_28d >= need and f.leaves_28d <= f.joins_28d
    return ok, (f"{counted(f.joins_28d, 'join')} in the last 28 days (needs {need}); "
                f"{counted(f.leaves_28d, 'leave')} (needs no more than joins)")  # fmt: skip


def organised(f: CommunityFacts, pb: Playbook | None) -> tuple[bool, str]:
    """Stage 5."""
    roles = pb.structure.roles if pb is not None else {}
    held = sorted(r for r, n in f.roles_held.items() if n > 0 and r in roles)
    ok = len(held) >= 2 and f.staff_speakers_28d >= 2
    named = ", ".join(held) if held else "none"
    holding = counted(len(held), "staff role")
    return ok, (f"{holding} held ({named}; needs 2); {f.staff_speakers_28d} "
                f"staff posted in the last 28 days (needs 2)")  # fmt: skip


def profitable(f: CommunityFacts, pb: Playbook | None) -> tuple[bool, str]:
    """Stage 6."""
    ways: list[str] = []
    if pb is not None:
        ways += [counted(len(pb.monetisation.plans), "plan")] if pb.monetisation.plans else []
        ways += [f"activity {a.id} priced" for a in pb.activities if a.price]
        ways += ["sign-ups on"] if pb.mechanisms.signups.enabled else []
    ok = f.signup_members_90d >= 5 and bool(ways)
    way = ", ".join(ways) if ways else "no plans, priced activities or sign-ups"
    signed = counted(f.signup_members_90d, "member")
    return ok, (f"{signed} on sign-up lists or group-buys in the last "
                f"90 days (needs 5); ways to earn: {way}")  # fmt: skip


def commercial(f: CommunityFacts, pb: Playbook | None) -> tuple[bool, str]:
    """Stage 7."""
    if pb is None:
        return False, "no playbook: positioning, plans and paid entry unknown (needs all three)"
    kind, plans = pb.community.type, len(pb.monetisation.plans)
    paid = pb.joining.threshold.kind is ThresholdKind.PAID
    ok = kind is CommunityType.COMMERCIAL and plans > 0 and paid
    planned = counted(plans, "membership plan")
    return ok, (f"positioned {kind.value} (needs commercial); {planned} "
                f"(needs 1); entry {'paid' if paid else 'not paid'} (needs paid)")  # fmt: skip


TESTS: tuple[Test, ...] = (
    gathered, communicating, common_goal, attracting, organised, profitable, commercial,
)  # fmt: skip


def infer_stage(facts: CommunityFacts, playbook: Playbook | None) -> Lifecycle:
    """The highest stage whose test and every earlier one hold, with the evidence (without a
    playbook, the stages that need one are not reached)."""
    evidence: list[str] = []
    missing: tuple[str, ...] = ()
    stage = 0
    for number, test in enumerate(TESTS, start=1):
        ok, text = test(facts, playbook)
        if not ok:
            missing = (f"Stage {number} ({STAGES[number]}): {text}",)
            break
        evidence.append(f"Stage {number} ({STAGES[number]}): {text}")
        stage = number
    declared = playbook.community.stage if playbook is not None else None
    note = None
    if declared is not None and declared != stage:
        note = (f"The playbook declares stage {declared} ({STAGES[declared]}); the data shows "
                f"stage {stage} ({STAGES[stage]}).")  # fmt: skip
    return Lifecycle(stage, STAGES[stage], tuple(evidence), missing, declared, note)
