"""The groups a community's figures count: every group but the staff channel, which is
staff's own (`alerts.staff_group`) unless `alerts.staff_group_as_members` says otherwise. A
figure asked for given groups (`group_ids`) measures those, the staff channel included.

A report of a past period counts the groups that existed by its end (`existing_by`): a
group opened afterwards has nothing to measure there, and read as silent ("No output in the
last 35 days") it would warn of a group nobody had yet."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta, tzinfo

from hearthkeeper.analytics.signals import EPOCH
from hearthkeeper.apply import community_playbook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import is_staff_channel
from hearthkeeper.store import Group, Store
from hearthkeeper.store.rollups import local_midnight
from hearthkeeper.text.folding import in_name_order


def counted_groups(store: Store, community_id: int, group_ids: Collection[int] | None = None,
                   playbook: Playbook | None = None) -> list[Group]:  # fmt: skip
    """The groups `group_ids` (when given: what the operator asked for), else the
    community's member groups (the staff channel left out); by name (`name_order`: 2群
    before 10群), as the report and the Health page list them."""
    groups = in_name_order(store.list_groups(community_id))
    if group_ids is not None:
        wanted = set(group_ids)
        return [g for g in groups if g.id in wanted]
    pb = playbook if playbook is not None else community_playbook(store, community_id)
    if pb is None or not pb.alerts.staff_group:
        return groups
    return [g for g in groups if not is_staff_channel(pb, g.name, g.carrier_group_id)]


def existing_by(store: Store, groups: list[Group], end: date, zone: tzinfo) -> list[Group]:
    """Of `groups`, those that existed by the end of local day `end`: opened on or before it,
    or with a message or a stay by then (an imported group's row is made on the day of the
    import, after the history it brings). Only the groups opened later are read for."""
    later = [g for g in groups if g.created_at.astimezone(zone).date() > end]
    if not later:
        return groups
    ids = [g.id for g in later]
    before = {row.group_id for row in store.group_days(ids, EPOCH, end)}
    before |= {s.group_id for s in store.stays(ids, local_midnight(end + timedelta(days=1), zone))}
    gone = {g.id for g in later} - before
    return [g for g in groups if g.id not in gone]
