"""The health modules on a real store: a small community fed through the engine, its
segments, cohorts, health score, lifecycle stage and heat-death signals by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.vitals import community_vitals
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.engine_setup import Community, community

LONDON = ZoneInfo("Europe/London")
AS_OF = date(2026, 10, 30)


def at(day: int, hour: int = 11) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=UTC)


def say(c: Community, user: str, day: int, text: str = "hi") -> None:
    c.clock.set(at(day))
    c.engine.process([c.events.message(user, text, at=at(day))])


def joined(c: Community, user: str, day: int) -> None:
    c.clock.set(at(day, 10))
    c.engine.process([c.events.join(user, at=at(day, 10))])


def build(store: Store, clock: FrozenClock) -> Community:
    clock.set(at(1, 9))
    c = community(store, clock)
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    boss = store.member_for("fake", "boss", "boss")
    store.join(boss.id, group.id, role="manager", at=at(1, 9))
    for user in ("bo", "dee"):
        joined(c, user, 1)
        say(c, user, 1, "agree")
    joined(c, "ann", 17)
    say(c, "ann", 17, "agree")
    for day in range(18, 31):  # ann: 14 active days, 17-30 Oct
        say(c, "ann", day)
    c.clock.set(at(10))
    c.engine.process([c.events.leave("dee", at=at(10))])
    say(c, "bo", 28)
    joined(c, "cy", 27)
    say(c, "cy", 27, "agree")
    say(c, "boss", 29, "morning all")  # the only staff output
    return c


def test_vitals_of_a_small_community_match_the_hand_count(
    store: Store, store_clock: FrozenClock
) -> None:
    c = build(store, store_clock)
    vitals = community_vitals(store, c.runtime.community_id, as_of=AS_OF, zone=LONDON,
                              playbook=c.runtime.playbook, name="Tea Friends")  # fmt: skip
    community, groups = vitals.sections()
    # cy joined 3 days ago; bo and boss posted this week; ann posted on 14 of 28 days; dee left
    assert community["segments"]["counts"] == {"new": 1, "active": 2, "core": 1, "silent": 0,
                                               "slipping_away": 0, "churned": 1}  # fmt: skip
    [group_id] = groups
    assert groups[group_id]["segments"] == community["segments"]

    health = {c["key"]: c for c in groups[group_id]["health"]["components"]}
    assert health["activity"]["explanation"] == (
        "Activity: 4 speakers of 4 members this week (100%; target 20%) — 100/100"
    )
    assert health["output"]["score"] == 20  # boss posted on 1 of the last 7 days
    assert health["response"]["score"] is None  # nobody asked anything
    # newcomers who joined 7-34 days ago: bo, dee, ann spoke in their first week, boss did
    # not (3/4); dee left of 5 (0.8 stayed): (0.75 + 0.8) / 2 = 77.5 -> 78
    assert health["retention"]["score"] == 78
    # (25×100 + 20×100 + 20×20 + 10×100 + 10×78) / 85 = 78.6 -> 79
    assert groups[group_id]["health"]["score"] == 79

    # W40 (28 Sep - 4 Oct): boss, bo, dee; bo and dee spoke on joining day
    cohorts = community["cohorts"]["rows"]
    assert [(r["week"], r["size"], r["posted"][0]) for r in cohorts] == [
        ("2026-W40", 3, 2), ("2026-W42", 1, 1), ("2026-W44", 1, 1)]  # fmt: skip

    # 4 members, 4 speakers and 14 active days in 28: stage 2; no goals in the playbook
    assert community["lifecycle"]["stage"] == 2
    assert "0 goals/values in the playbook" in community["lifecycle"]["missing"][0]

    heat = groups[group_id]["heat"]
    assert heat["warning"] is False and heat["reasons"] == []
    assert vitals.silent_key == ()


def test_retention_counts_people_who_left_not_stays_closed(
    store: Store, store_clock: FrozenClock
) -> None:
    """Eve left g1 but stays in g2; Fay left g1 and came back; Gus left for good. Of g1's
    7 people 2 are gone (Eve, Gus), of the community's 7 only Gus: a member who came back,
    or who is still in another group, neither left nor counts twice in the base."""
    store_clock.set(datetime(2026, 9, 1, 9, tzinfo=UTC))
    c = community(store, store_clock)
    cid = c.runtime.community_id
    g1 = store.add_group(cid, "g1", "fake", "g1")
    g2 = store.add_group(cid, "g2", "fake", "g2")
    since = datetime(2026, 9, 1, 9, tzinfo=UTC)
    people = {n: store.member_for("fake", n, n).id for n in "abcd" + "efg"}
    for member in people.values():
        store.join(member, g1.id, at=since)
    store.join(people["e"], g2.id, at=since)
    store.leave(people["e"], g1.id, at=at(20))
    store.leave(people["f"], g1.id, at=at(12))
    store.join(people["f"], g1.id, at=at(20))
    store.leave(people["g"], g1.id, at=at(15))
    store.rebuild_rollups([g1.id, g2.id])
    vitals = community_vitals(store, cid, as_of=AS_OF, zone=LONDON,
                              playbook=c.runtime.playbook, name="Tea Friends")  # fmt: skip
    community_section, groups = vitals.sections()

    def retention(section: dict[str, Any]) -> str:
        [found] = [x for x in section["health"]["components"] if x["key"] == "retention"]
        return str(found["explanation"])

    assert retention(groups[g1.id]) == ("Retention: 2 of 7 left in the last 28 days (29%) — 71/100")
    assert retention(community_section) == (
        "Retention: 1 of 7 left in the last 28 days (14%) — 86/100"
    )


def test_a_group_an_import_registered_is_not_sent_to_check_the_calendar(
    store: Store, store_clock: FrozenClock
) -> None:
    """A brand's old WeChat group, its history imported, silent for a month: its heat-death
    warning sent the operator to check the daily post's firings there, which never reach a
    group an import registered; a group the bot serves is still told of them."""
    from tests.health_setup import AUXILIARY, playbook

    store_clock.set(at(1, 9))
    daily = (
        "calendar:\n  posts:\n    - {id: morning, schedule: every day 08:00, content: {text: Hi}}\n"
    )
    c = community(store, store_clock, playbook(AUXILIARY, daily))
    old = store.add_group(c.runtime.community_id, "old", "import:csv", "tea/old")
    served = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    for group, user in ((old, "wei"), (served, "ann")):
        store.join(store.member_for("fake", user, user).id, group.id, at=at(1, 9))
    vitals = community_vitals(store, c.runtime.community_id, as_of=AS_OF, zone=LONDON,
                              playbook=c.runtime.playbook, name="Tea Friends")  # fmt: skip
    _, groups = vitals.sections()
    said = {g: " | ".join(groups[g.id]["heat"]["actions"]) for g in (old, served)}
    assert groups[old.id]["heat"]["warning"], groups[old.id]["heat"]
    assert "morning" not in said[old] and "check-in" not in said[old], said[old]
    assert "Ask " in said[old]  # staff posting there by hand still helps
    assert "the calendar post `morning` (every day 08:00) has not posted in the last 7 days (6 " \
        "firings missed)" in said[served]  # fmt: skip


def test_a_post_added_to_the_playbook_mid_week_is_missed_only_since_it_was_added(
    store: Store, store_clock: FrozenClock
) -> None:
    """A brand added the morning post on Wednesday to a group open for weeks: its heat-death
    warning counted the week's firings from Saturday, before the playbook had the post. The
    stored playbook versions say when it was added."""
    from tests.health_setup import AUXILIARY, playbook

    store_clock.set(at(1, 9))
    daily = (
        "calendar:\n  posts:\n    - {id: morning, schedule: every day 08:00, content: {text: Hi}}\n"
    )
    after = playbook(AUXILIARY, daily)
    c = community(store, store_clock, after)
    served = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    store.join(store.member_for("fake", "ann", "ann").id, served.id, at=at(1, 9))
    store.add_playbook_version(c.runtime.community_id, "v1", {"calendar": {"posts": []}}, "cli")
    store_clock.set(at(28, 12))  # Wednesday 28 Oct, noon: after that morning's firing
    posts = {"posts": [{"id": "morning", "schedule": "every day 08:00"}]}
    store.add_playbook_version(c.runtime.community_id, "v2", {"calendar": posts}, "cli")
    vitals = community_vitals(store, c.runtime.community_id, as_of=AS_OF, zone=LONDON,
                              playbook=after, name="Tea Friends")  # fmt: skip
    _, groups = vitals.sections()
    said = " | ".join(groups[served.id]["heat"]["actions"])
    # due on 29 Oct only (30 Oct, as_of, is not over): not 24-29 Oct's six
    assert "the calendar post `morning` (every day 08:00) has not posted since it was added " \
        "on 2026-10-28 (1 firing missed)" in said, said  # fmt: skip
