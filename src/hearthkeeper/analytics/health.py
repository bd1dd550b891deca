"""The health score of a group: 0–100, from seven named components, each 0–100 with a weight
and a one-line explanation with its numbers.

"This week" is the 7 days ending on the as-of day; "the last 28 days" likewise. Scores round
half up. A component that cannot be measured (no questions were asked, no members joined) is
shown as not measured and left out; the others' weights then share its weight.

| component   | weight | score |
|-------------|-------:|-------|
| activity    | 25 | speakers this week ÷ members, against a target of 20%: min(100, 100 × ratio ÷ 0.20) |
| trend       | 20 | messages this week ÷ the weekly average of the previous four weeks: min(100, 100 × ratio); no earlier messages: 100 if any this week |
| output      | 20 | days of the last 7 with a staff message or a scheduled post: min(100, 100 × days ÷ 5) |
| response    | 15 | questions of the last 28 days a person answered ÷ asked × 100 (the FAQ's automatic answers are said, not scored) |
| cleanliness | 10 | violations per 1,000 messages in the last 28 days: max(0, 100 − 5 × rate) |
| retention   | 10 | mean of newcomers' first-message rate and the stay rate (1 − left ÷ (members + left): members who left in the last 28 days and are not back), × 100 |
| belonging   | 10 | members who came to one of the community's offline events ÷ members, against a target of 20%: min(100, 100 × ratio ÷ 0.20); not measured while no event was held |

score = Σ weight × component ÷ Σ weight, over the measured components, rounded.

A group too new to measure — opened less than `NEW_DAYS` days before the as-of day and not one
message in it yet — has no score (`new`): the empty weeks say nothing about it yet, and a
0/100 would read as a dead group (the matrix calls such a group's stage "new" too).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hearthkeeper.text.counts import counted

ACTIVITY_TARGET = 0.20  # a fifth of the members speaking in a week is full marks
BELONGING_TARGET = 0.20  # a fifth of the members having met offline is full marks
OUTPUT_TARGET_DAYS = 5  # five output days a week is full marks (weekends may rest)
VIOLATION_PENALTY = 5  # points lost per violation per 1,000 messages
NEW_DAYS = 28  # as the matrix's "new" stage (capabilities/grid/stage.py)

WEIGHTS = {
    "activity": 25,
    "trend": 20,
    "output": 20,
    "response": 15,
    "cleanliness": 10,
    "retention": 10,
    "belonging": 10,
}


@dataclass(frozen=True)
class HealthInputs:
    """One group's numbers as of a day (counts; the adapter in `analytics.signals` fills it)."""

    group_id: int
    name: str
    as_of: date
    members: int  # in the group on the as-of day
    speakers_7d: int  # distinct members who posted this week
    weekly_messages: Sequence[int]  # this week first, then the previous four weeks
    output_days_7d: int  # days of the last 7 with a staff message or a scheduled post
    questions_28d: int = 0
    answered_28d: int = 0  # by a person
    faq_answered_28d: int = 0  # by the FAQ automatically, and by no person
    messages_28d: int = 0
    violations_28d: int = 0
    newcomers: int = 0  # joined in the 28 days ending 7 days ago (they had a week to speak)
    newcomers_posted: int = 0  # of those, who posted within 7 days of joining
    leaves_28d: int = 0  # members who left in the last 28 days and are not back (people)
    met_offline: int | None = None  # members who came to an offline event (None: none held)
    age_days: int | None = None  # since the (oldest) group was opened (None: not known)
    ever_spoken: bool = True  # a message was ever sent in it, up to the as-of day

    @property
    def too_new(self) -> bool:
        """Opened less than `NEW_DAYS` ago and silent so far: nothing to measure yet."""
        return (self.age_days is not None and self.age_days < NEW_DAYS
                and not self.ever_spoken)  # fmt: skip


@dataclass(frozen=True)
class Component:
    """One part of the score."""

    key: str
    weight: int
    score: int | None  # None: not measured
    explanation: str

    def to_json(self) -> dict[str, object]:
        """JSON-able form."""
        return {"key": self.key, "weight": self.weight, "score": self.score,
                "explanation": self.explanation}  # fmt: skip


@dataclass(frozen=True)
class HealthScore:
    """A group's score and its components."""

    group_id: int
    name: str
    as_of: date
    score: int | None  # None: nothing could be measured (or `new`)
    components: tuple[Component, ...]
    new: bool = False  # too new to measure: no message yet in a group opened days ago

    def to_json(self) -> dict[str, object]:
        """JSON-able form."""
        return {"group_id": self.group_id, "name": self.name, "as_of": self.as_of.isoformat(),
                "score": self.score, "new": self.new,
                "components": [c.to_json() for c in self.components]}  # fmt: skip


def half_up(value: float) -> int:
    """Round half up (not to even), so hand-computed scores match."""
    return math.floor(value + 0.5)


def _pct(part: int, whole: int) -> str:
    return f"{half_up(100 * part / whole)}%"


def activity(inputs: HealthInputs) -> Component:
    """Speaker ratio this week against the 20% target."""
    members, speakers = inputs.members, inputs.speakers_7d
    if members <= 0:
        return Component("activity", WEIGHTS["activity"], None, "Activity: no members yet")
    score = min(100, half_up(100 * speakers / members / ACTIVITY_TARGET))
    text = (f"Activity: {counted(speakers, 'speaker')} of {counted(members, 'member')} this week "
            f"({_pct(speakers, members)}; target 20%) — {score}/100")  # fmt: skip
    return Component("activity", WEIGHTS["activity"], score, text)


def trend(inputs: HealthInputs) -> Component:
    """This week's messages against the weekly average of the four before."""
    weeks = list(inputs.weekly_messages) + [0] * (5 - len(inputs.weekly_messages))
    this, before = weeks[0], weeks[1:5]
    average = sum(before) / 4
    if average == 0:
        score = 100 if this > 0 else 0
        text = (f"Trend: {counted(this, 'message')} this week, none in the four weeks before — "
                f"{score}/100")  # fmt: skip
        return Component("trend", WEIGHTS["trend"], score, text)
    score = min(100, half_up(100 * this / average))
    text = (f"Trend: {counted(this, 'message')} this week vs {average:g}/week over the previous four "
            f"({half_up(100 * this / average)}%) — {score}/100")  # fmt: skip
    return Component("trend", WEIGHTS["trend"], score, text)


def output(inputs: HealthInputs) -> Component:
    """Energy input: days with staff or scheduled output in the last 7."""
    days = inputs.output_days_7d
    score = min(100, half_up(100 * days / OUTPUT_TARGET_DAYS))
    text = (f"Output: staff or scheduled posts on {days} of the last 7 days "
            f"(target {OUTPUT_TARGET_DAYS}) — {score}/100")  # fmt: skip
    return Component("output", WEIGHTS["output"], score, text)


def response(inputs: HealthInputs) -> Component:
    """Questions a person answered in the last 28 days. The score measures members and staff
    answering members; the questions the FAQ answered automatically are said beside it (a
    low score there is the FAQ doing its work, not questions left waiting)."""
    asked, answered = inputs.questions_28d, inputs.answered_28d
    if asked <= 0:
        return Component("response", WEIGHTS["response"], None,
                         "Response: no questions in the last 28 days — not measured")  # fmt: skip
    score = half_up(100 * answered / asked)
    text = (f"Response: {answered} of {asked} questions answered by a person in the last 28 "
            f"days{_by_faq(inputs)} — {score}/100")  # fmt: skip
    return Component("response", WEIGHTS["response"], score, text)


def _by_faq(inputs: HealthInputs) -> str:
    """What the FAQ answered of the questions no person answered, and what is left."""
    by_faq = min(inputs.faq_answered_28d, inputs.questions_28d - inputs.answered_28d)
    if by_faq <= 0:
        return ""
    left = inputs.questions_28d - inputs.answered_28d - by_faq
    waiting = "none left unanswered" if left == 0 else f"{left} unanswered"
    return f"; the FAQ answered {by_faq} automatically, {waiting}"


def cleanliness(inputs: HealthInputs) -> Component:
    """Violations per 1,000 messages in the last 28 days (entropy)."""
    messages, violations = inputs.messages_28d, inputs.violations_28d
    if messages <= 0:
        return Component("cleanliness", WEIGHTS["cleanliness"], None,
                         "Cleanliness: no messages in the last 28 days — not measured")  # fmt: skip
    rate = 1000 * violations / messages
    score = max(0, half_up(100 - VIOLATION_PENALTY * rate))
    text = (f"Cleanliness: {counted(violations, 'violation')} in {counted(messages, 'message')} "
            f"in the last 28 days "
            f"({rate:.1f} per 1,000) — {score}/100")  # fmt: skip
    return Component("cleanliness", WEIGHTS["cleanliness"], score, text)


def retention(inputs: HealthInputs) -> Component:
    """Newcomers who spoke within a week, and members who stayed."""
    parts: list[float] = []
    said: list[str] = []
    if inputs.newcomers > 0:
        parts.append(inputs.newcomers_posted / inputs.newcomers)
        said.append(f"{inputs.newcomers_posted} of {counted(inputs.newcomers, 'newcomer')} posted "
                    f"within "
                    f"7 days ({_pct(inputs.newcomers_posted, inputs.newcomers)})")  # fmt: skip
    base = inputs.members + inputs.leaves_28d
    if base > 0:
        parts.append(1 - inputs.leaves_28d / base)
        said.append(f"{inputs.leaves_28d} of {base} left in the last 28 days "
                    f"({_pct(inputs.leaves_28d, base)})")  # fmt: skip
    if not parts:
        return Component("retention", WEIGHTS["retention"], None,
                         "Retention: no members, joins or leaves — not measured")  # fmt: skip
    score = half_up(100 * sum(parts) / len(parts))
    text = f"Retention: {'; '.join(said)} — {score}/100"
    return Component("retention", WEIGHTS["retention"], score, text)


def belonging(inputs: HealthInputs) -> Component:
    """Members who met offline (seed 004: offline activities are the standard of a community)."""
    met, members = inputs.met_offline, inputs.members
    if met is None or members == 0:
        return Component("belonging", WEIGHTS["belonging"], None,
                         "Belonging: no offline event held yet — not measured")  # fmt: skip
    score = min(100, half_up(100 * met / members / BELONGING_TARGET))
    text = (f"Belonging: {met} of {counted(members, 'member')} came to an offline event "
            f"({_pct(met, members)}; target 20%) — {score}/100")  # fmt: skip
    return Component("belonging", WEIGHTS["belonging"], score, text)


def health_score(inputs: HealthInputs) -> HealthScore:
    """The group's score: the weighted mean of its measured components (none for a group
    too new to measure: see the module's notes)."""
    if inputs.too_new:
        days = inputs.age_days or 0
        opened = "today" if days <= 0 else "1 day ago" if days == 1 else f"{days} days ago"
        text = (f"New — not enough data yet: opened {opened}, no message yet; "
                f"scored once its members talk (or after {NEW_DAYS} days)")  # fmt: skip
        return HealthScore(inputs.group_id, inputs.name, inputs.as_of, None,
                           (Component("new", 0, None, text),), new=True)  # fmt: skip
    parts = (activity(inputs), trend(inputs), output(inputs), response(inputs),
             cleanliness(inputs), retention(inputs), belonging(inputs))  # fmt: skip
    measured = [c for c in parts if c.score is not None]
    weight = sum(c.weight for c in measured)
    total = half_up(sum(c.weight * (c.score or 0) for c in measured) / weight) if weight else None
    return HealthScore(inputs.group_id, inputs.name, inputs.as_of, total, parts)
