"""The heat-death warning (seed 001's entropy): without energy input a group decays into a
dead group nobody talks in, or an advertising group.

From the last 35 days of one group ("this week" is the 7 days ending on the as-of day, "before"
the weekly average of the four weeks before it):

- energy falls — no output (a staff message or a scheduled post) for 3 days or more; or
  output this week below half of before.
- activity decays — messages this week below 70% of before; or daily speakers (averaged over
  the week) below 70% of before.

The warning fires when both hold, or when the group is silent: members are in it, it is not
new (its first known activity 28 days ago or more) and not one message was sent in the last 28
days — the matrix's "dying" group (`capabilities/grid/stage.py`). Activity cannot decay
from a week of nothing to a week of nothing, so a group dead for over a month had no warning
while the matrix called it dying; scheduled posts still going out to it do not make it alive.
Each signal that holds is a reason with its numbers and dates, whether or not the warning
fires; the actions (`heat_actions`) name the playbook's own calendar posts, mechanisms and
roles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.heat_actions import KEY_NAMED, actions_for, more_named
from hearthkeeper.analytics.heat_texts import counted_in, listed, said
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.counts import weekly

NO_OUTPUT_DAYS = 3
OUTPUT_DROP = 0.5  # output this week below half of before
DECAY = 0.7  # messages or speakers this week below 70% of before
SPAN_DAYS = 35
SILENT_DAYS = 28  # not one message for this long, members in it: silent (as the matrix's NEW_DAYS)


@dataclass(frozen=True)
class DayFacts:
    """One day of one group."""

    day: date
    messages: int = 0
    speakers: int = 0
    staff_messages: int = 0
    posts: int = 0  # scheduled posts posted
    check_ins: int = 0
    violations: int = 0

    @property
    def output(self) -> int:
        """Energy input: staff messages and scheduled posts."""
        return self.staff_messages + self.posts


@dataclass(frozen=True)
class SilentMember:
    """A key member silent 7–28 days."""

    name: str
    last_active: date


@dataclass(frozen=True)
class HeatInputs:
    """One group's recent days and what the playbook's actions need."""

    group_id: int
    name: str
    as_of: date
    zone: ZoneInfo
    days: Sequence[DayFacts]  # any days; those in the 35 ending on as_of count, gaps are zeros
    last_posted: Mapping[str, date] = field(default_factory=dict)  # calendar post id → day
    silent_key: Sequence[SilentMember] = ()
    members: int = 0  # in it on as_of
    age_days: int | None = None  # since its first known activity (None: not known)
    last_message: date | None = None  # its latest day with a message, before the span too
    # The first day scheduled posts could reach it (a served group's opening; None: they
    # never do, a group an import registered): firings before it were never missed
    posts_from: date | None = date.min
    carrier_group_id: str | None = None  # a group's, where a `groups:` override may name it
    # Each calendar post → when the playbook versions added it: firings before were never due
    post_added: Mapping[str, datetime] = field(default_factory=dict)
    # calendar post id → the local days of its firings staff called off (`/skip`, `hearth grid
    # skip`): not sent, and not missed either
    called_off: Mapping[str, Sequence[date]] = field(default_factory=dict)


@dataclass(frozen=True)
class Weeks:
    """This week against the weekly average of the four before."""

    this: float
    before: float

    @property
    def ratio(self) -> float | None:
        """this ÷ before; None when there was nothing before."""
        return self.this / self.before if self.before else None


@dataclass(frozen=True)
class HeatWarning:
    """Whether the warning fires, why, and what to do."""

    group_id: int
    name: str
    as_of: date
    warning: bool
    energy_falls: bool
    activity_decays: bool
    days_without_output: int
    reasons: tuple[str, ...]
    actions: tuple[str, ...]
    # The reason that decides the warning, said first: the silence when the group is silent,
    # else how its activity decays (the output falling is among the reasons); None without one.
    headline: str | None = None
    # Warned because the group is silent (`SILENT_DAYS` without a message, members in it):
    # the matrix's dying group, which the hourly matrix watch alerts (capabilities/grid)
    silent: bool = False

    def to_json(self) -> dict[str, object]:
        """JSON-able form."""
        return {"group_id": self.group_id, "name": self.name, "as_of": self.as_of.isoformat(),
                "warning": self.warning, "energy_falls": self.energy_falls,
                "activity_decays": self.activity_decays,
                "days_without_output": self.days_without_output,
                "headline": self.headline,
                "reasons": list(self.reasons), "actions": list(self.actions)}  # fmt: skip


def span(inputs: HeatInputs) -> list[DayFacts]:
    """The 35 days ending on as_of, oldest first, gaps filled with zeros."""
    known = {d.day: d for d in inputs.days}
    first = inputs.as_of - timedelta(days=SPAN_DAYS - 1)
    return [known.get(first + timedelta(days=i), DayFacts(first + timedelta(days=i)))
            for i in range(SPAN_DAYS)]  # fmt: skip


def weeks(days: Sequence[DayFacts], field_name: str, *, per_day: bool = False) -> Weeks:
    """A field summed this week and averaged per week over the four before (35 days given);
    `per_day`: daily averages instead (for speakers, which cannot be summed across days)."""
    values = [float(getattr(d, field_name)) for d in days]
    this, before = sum(values[-7:]), sum(values[:-7]) / 4
    return Weeks(this / 7, before / 7) if per_day else Weeks(this, before)


def days_without_output(days: Sequence[DayFacts]) -> int:
    """Days since the last output, counting back from as_of (35: none in the span)."""
    for back, day in enumerate(reversed(days)):
        if day.output > 0:
            return back
    return len(days)


def _since(as_of: date, days: int) -> date:
    return as_of - timedelta(days=days - 1)


def assess(inputs: HeatInputs, playbook: Playbook | None,
           lang: Language = Language.EN) -> HeatWarning:  # fmt: skip
    """The group's heat-death signals, the warning, its reasons and the actions, said in
    `lang` (the report's and the console's English by default)."""
    days = span(inputs)
    quiet = days_without_output(days)
    output, messages = weeks(days, "output"), weeks(days, "messages")
    speakers = weeks(days, "speakers", per_day=True)
    reasons: list[str] = []
    decays: list[str] = []  # the activity reasons, in order

    no_output = quiet >= NO_OUTPUT_DAYS
    if no_output:
        since = (
            said("in_the_span", lang)
            if quiet >= SPAN_DAYS
            else said("for_days", lang, quiet=quiet, since=_since(inputs.as_of, quiet).isoformat())
        )
        reasons.append(said("no_output", lang, since=since))
    output_drop = output.ratio is not None and output.ratio < OUTPUT_DROP
    if output_drop:
        reasons.append(said("output_fell_one" if output.this == 1 else "output_fell", lang,
                            this=f"{output.this:g}", before=weekly(output.before)))  # fmt: skip
    message_decay = messages.ratio is not None and messages.ratio < DECAY
    if message_decay:
        decays.append(said("messages_fell", lang, this=f"{messages.this:g}",
                           before=weekly(messages.before)))  # fmt: skip
    speaker_decay = speakers.ratio is not None and speakers.ratio < DECAY
    if speaker_decay:
        decays.append(said("speakers_fell", lang, this=f"{speakers.this:.1f}",
                           before=f"{speakers.before:.1f}"))  # fmt: skip
    reasons.extend(decays)
    silent = _silent(inputs, days)
    if silent:
        last = (
            said("last_on", lang, day=inputs.last_message.isoformat())
            if inputs.last_message
            else said("none_ever", lang)
        )
        decays.insert(0, said("silent", lang, days=SILENT_DAYS, last=last,
                              members=counted_in(inputs.members, "member", lang)))  # fmt: skip
        reasons.append(decays[0])
    if inputs.silent_key:
        first = min(m.last_active for m in inputs.silent_key)
        named = [said("key_named", lang, name=m.name, last=m.last_active.isoformat())
                 for m in inputs.silent_key[:KEY_NAMED]]  # fmt: skip
        reasons.append(said("key_silent", lang, first=first.isoformat(),
                            who=counted_in(len(inputs.silent_key), "key_member", lang),
                            names=listed(named, lang),
                            more=more_named(inputs.silent_key, lang)))  # fmt: skip
    energy, decay = no_output or output_drop, message_decay or speaker_decay or silent
    actions = actions_for(inputs, playbook, quiet=quiet, energy=energy, decay=decay,
                          check_ins=weeks(days, "check_ins"),
                          violations=weeks(days, "violations"), lang=lang)  # fmt: skip
    warning = (energy and decay) or silent
    return HeatWarning(inputs.group_id, inputs.name, inputs.as_of, warning, energy, decay, quiet,
                       tuple(reasons), tuple(actions),
                       headline=decays[0] if warning else None, silent=silent)  # fmt: skip


def _silent(inputs: HeatInputs, days: Sequence[DayFacts]) -> bool:
    """Members in it, not new, and not one message in the last `SILENT_DAYS` days."""
    return (inputs.members > 0 and inputs.age_days is not None
            and inputs.age_days >= SILENT_DAYS
            and not any(d.messages for d in days[-SILENT_DAYS:]))  # fmt: skip
