"""One playbook across many groups, with a few settings one group may run differently
(ISOOC: Copy). Pure: `override_for` finds a group's override, `for_group` makes the playbook
that group runs.

Only settings that concern the group alone may be overridden: its welcome text, how often
the same FAQ answer may repeat in it, its capacity, and which scheduled posts it receives.
Rules, the strike ladder, the joining threshold, roles, levels, points and membership stay
the community's: a member carries strikes, levels and points from group to group, and a ban
reaches every group, so those must mean the same everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from hearthkeeper.playbook.base import Duration, Id, Section, Text
from hearthkeeper.playbook.joining import check_placeholders

if TYPE_CHECKING:
    from hearthkeeper.playbook.model import Playbook


class GroupOverride(Section):
    """What one group runs differently; a field left out follows the community's playbook."""

    welcome: Text | None = Field(
        None,
        description="This group's welcome text (instead of joining.ceremony.welcome); the same "
        "placeholders {nickname} {group} {community} {rules} {purpose} {nickname_format}; "
        "without {rules}, where newcomers must accept the rules, a warning.",
    )
    faq_cooldown: Duration | None = Field(
        None,
        description="How long before the same FAQ answer repeats in this group (instead of "
        "mechanisms.faq.cooldown).",
    )
    capacity: int | None = Field(
        None,
        ge=2,
        le=200_000,
        description="Most members this group holds (instead of structure.groups.capacity); "
        "written onto the group when the playbook is applied; removed, the group holds "
        "structure.groups.capacity again.",
    )
    calendar_posts: list[Id] | None = Field(
        None,
        description="The scheduled posts (calendar.posts ids) this group receives, whatever "
        "their own `groups` say; [] for none. Left out: as calendar.posts say.",
    )

    @field_validator("welcome")
    @classmethod
    def _welcome_placeholders(cls, value: str | None) -> str | None:
        return None if value is None else check_placeholders(value)


def override_for(pb: Playbook, name: str, carrier_group_id: str) -> GroupOverride | None:
    """The override of a group, named by its carrier id (first) or its name; None: none."""
    found = pb.groups.get(carrier_group_id)
    return found if found is not None else pb.groups.get(name)


def group_capacity(pb: Playbook | None, name: str, carrier_group_id: str,
                   own: int | None) -> int | None:  # fmt: skip
    """The most members a group holds: its `own` capacity, else its override's, else the
    playbook's `structure.groups.capacity` (None: its own is unset and no playbook runs)."""
    if own is not None or pb is None:
        return own
    override = override_for(pb, name, carrier_group_id)
    if override is not None and override.capacity is not None:
        return override.capacity
    return pb.structure.groups.capacity


def is_staff_channel(pb: Playbook, name: str, carrier_group_id: str) -> bool:
    """Whether the group is the staff channel (`alerts.staff_group`, by name or carrier id)
    kept as staff's own: not moderated, welcomed, posted to, counted or routed into like a
    member group, unless `alerts.staff_group_as_members` says it should be."""
    wanted = pb.alerts.staff_group
    if not wanted or pb.alerts.staff_group_as_members:
        return False
    return wanted in (name, carrier_group_id)


def group_playbook(pb: Playbook, name: str, carrier_group_id: str) -> Playbook:
    """The playbook the group runs: `for_group` with its override; the staff channel
    receives no scheduled posts unless its own override names some, and holds no live
    session unless the session's `groups` name it (the web chat's staff channel, opened by
    `hearth serve`, was reminded of members' sessions, then alerted that nobody spoke in it).
    Rituals still reach every group."""
    override = override_for(pb, name, carrier_group_id)
    if not is_staff_channel(pb, name, carrier_group_id):
        return for_group(pb, override)
    if override is None:
        override = GroupOverride(calendar_posts=[])
    elif override.calendar_posts is None:
        override = override.model_copy(update={"calendar_posts": []})
    runs = for_group(pb, override)
    cal = runs.calendar
    named = [s for s in cal.live_sessions if name in s.groups or carrier_group_id in s.groups]
    if len(named) == len(cal.live_sessions):
        return runs
    return runs.model_copy(update={"calendar": cal.model_copy(update={"live_sessions": named})})


def for_group(pb: Playbook, override: GroupOverride | None) -> Playbook:
    """The playbook a group runs: the community's, with the group's override applied. Its
    capacity is not among them: carriers read a group's capacity from the group itself, where
    the matrix capability writes the override (`grid.capacities`)."""
    if override is None:
        return pb
    update: dict[str, object] = {}
    if override.welcome is not None:
        ceremony = pb.joining.ceremony.model_copy(update={"welcome": override.welcome})
        update["joining"] = pb.joining.model_copy(update={"ceremony": ceremony})
    if override.faq_cooldown is not None:
        faq = pb.mechanisms.faq.model_copy(update={"cooldown": override.faq_cooldown})
        update["mechanisms"] = pb.mechanisms.model_copy(update={"faq": faq})
    if override.calendar_posts is not None:
        wanted = set(override.calendar_posts)
        # The group's own playbook holds only its posts, each meant for every group: a post
        # it does not receive is absent, so a firing planned earlier does nothing.
        posts = [p.model_copy(update={"groups": []}) for p in pb.calendar.posts if p.id in wanted]
        update["calendar"] = pb.calendar.model_copy(update={"posts": posts})
    return pb.model_copy(update=update)
