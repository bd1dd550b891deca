"""An alert reads the community's carriers and its possible staff channels, not every group
it runs; the channel and the carriers are those the whole list gives (SQLite, PostgreSQL)."""

from __future__ import annotations

from hearthkeeper.capabilities.alerts.decide import staff_channel
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store
from tests.engine_setup import playbook


def with_staff_group(name: str) -> Playbook:
    pb = playbook()
    return pb.model_copy(update={"alerts": pb.alerts.model_copy(update={"staff_group": name})})


def test_the_staff_channel_and_the_carriers_are_those_of_the_whole_list(store: Store) -> None:
    ours = store.ensure_community("ours", "Ours")
    theirs = store.ensure_community("theirs", "Theirs")
    store.add_group(ours.id, "Tea 1", "webchat", "staff")  # carrier id "staff", oldest
    store.add_group(ours.id, "staff", "matrix", "!room:example.org")  # named "staff"
    store.add_group(ours.id, "Staff", "telegram", "-100")  # another case
    store.add_group(ours.id, "Tea 2", "webchat", "tea-2")
    store.add_group(theirs.id, "crew", "qq", "crew")
    groups = store.list_groups(ours.id)

    assert store.group_carriers(ours.id) == sorted({g.carrier for g in groups})
    assert store.group_carriers(ours.id) == ["matrix", "telegram", "webchat"]
    for wanted in ("staff", "Staff", "tea-2", "Tea 2", "crew", "!room:example.org", "nobody"):
        pb = with_staff_group(wanted)
        whole = staff_channel(groups, pb)
        assert staff_channel(store.groups_called(ours.id, wanted), pb) == whole, wanted
    # by name before by carrier id, as the whole list gives it
    named = staff_channel(store.groups_called(ours.id, "staff"), with_staff_group("staff"))
    assert named is not None and named.carrier == "matrix"
    assert store.groups_called(ours.id, "crew") == []  # another community's group
