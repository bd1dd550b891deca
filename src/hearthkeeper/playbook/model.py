"""The playbook: the operator's ISOOC decisions in one validated document."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from hearthkeeper.playbook.base import Section, Text
from hearthkeeper.playbook.business import NAMINGS, Activity, Alerts, Monetisation, Replication
from hearthkeeper.playbook.groups import GroupOverride
from hearthkeeper.playbook.joining import Joining
from hearthkeeper.playbook.mechanisms import Mechanisms
from hearthkeeper.playbook.output import Calendar
from hearthkeeper.playbook.positioning import Community
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.playbook.structure import Structure, default_levels, default_roles


class Playbook(Section):
    """Who the community is for and how it runs."""

    version: Literal[1] = Field(1, description="Playbook format version.")
    community: Community = Field(
        description="Positioning: name, language, time zone, type, purpose, interest, goals, values."
    )
    structure: Structure = Field(
        default_factory=Structure, description="Staff roles, member levels, carriers, group sizes."
    )
    joining: Joining = Field(default_factory=Joining, description="Threshold, ceremony, probation.")
    rules: Rules = Field(default_factory=Rules, description="Rule texts, violations, the ladder.")
    mechanisms: Mechanisms = Field(
        default_factory=Mechanisms,
        description="FAQ, check-ins, polls, sign-ups, points, titles, tags.",
    )
    calendar: Calendar = Field(
        default_factory=Calendar, description="Scheduled posts, rituals, live sessions."
    )
    activities: list[Activity] = Field(default_factory=list, description="Offline activities.")
    monetisation: Monetisation = Field(
        default_factory=Monetisation, description="Membership plans."
    )
    replication: Replication = Field(
        default_factory=Replication,
        alias="copy",
        description="Copying groups: naming, manager capacity, when to open the next group.",
    )
    alerts: Alerts = Field(default_factory=Alerts, description="Who receives staff alerts.")
    groups: dict[Text, GroupOverride] = Field(
        default_factory=dict,
        description="Per-group overrides, keyed by a group's name or carrier id: the few "
        "settings one group may run differently (docs/groups.md).",
    )

    @model_validator(mode="after")
    def _defaults_in_language(self) -> Self:
        """The default levels, staff role titles and group naming in the community's
        language: a zh-CN community that writes no `structure.levels` showed members
        等级：Newcomer, 距离「Member」, one that writes no `structure.roles` 身份：Manager, and
        an English one that writes no `copy.naming` had its groups named 'Tea Friends 1群'."""
        language = self.community.language.value
        if "naming" not in self.replication.model_fields_set:
            naming = NAMINGS.get(language, NAMINGS["zh-CN"])
            if naming != self.replication.naming:
                replication = self.replication.model_copy(update={"naming": naming})
                # still the default, not the operator's: `playbook show` tells them apart
                replication.__pydantic_fields_set__.discard("naming")
                object.__setattr__(self, "replication", replication)
        written = self.structure.model_fields_set
        if language == "en":
            return self
        update: dict[str, object] = {}
        if "levels" not in written:
            update["levels"] = default_levels(language)
        if "roles" not in written:
            update["roles"] = default_roles(language)
        if update:
            structure = self.structure.model_copy(update=update)
            # still defaults, not the operator's: `playbook show` tells them apart
            structure.__pydantic_fields_set__.difference_update(update)
            object.__setattr__(self, "structure", structure)
        return self
