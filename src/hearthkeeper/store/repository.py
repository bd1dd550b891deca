"""The store: one object with every query the rest of Hearthkeeper needs."""

from __future__ import annotations

from hearthkeeper.store.alerts import AlertQueries
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.directory import DirectoryQueries
from hearthkeeper.store.events import EventQueries
from hearthkeeper.store.examples import ExampleQueries
from hearthkeeper.store.imports import ImportQueries
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.memberships import MembershipQueries
from hearthkeeper.store.messages import MessageQueries
from hearthkeeper.store.metric_reads import MetricReadQueries
from hearthkeeper.store.operators import OperatorQueries
from hearthkeeper.store.outbox import OutboxQueries
from hearthkeeper.store.playbooks import PlaybookQueries
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.points import PointsQueries
from hearthkeeper.store.rollups import RollupQueries
from hearthkeeper.store.sanctions import SanctionQueries
from hearthkeeper.store.scheduled import ScheduledQueries
from hearthkeeper.store.stats import StatsQueries
from hearthkeeper.store.strikes import StrikeQueries


class Store(
    CommunityQueries,
    MemberQueries,
    MembershipQueries,
    MessageQueries,
    PlaybookQueries,
    EventQueries,
    OutboxQueries,
    StrikeQueries,
    SanctionQueries,
    PointsQueries,
    ScheduledQueries,
    PointingQueries,
    OperatorQueries,
    AlertQueries,
    DirectoryQueries,
    StatsQueries,
    RollupQueries,
    ImportQueries,
    MetricReadQueries,
    ExampleQueries,
):
    """Hearthkeeper's data, behind plain methods that return frozen records.

    `Store(engine, clock)` runs each method in a transaction of its own. To make several
    writes succeed or fail together, run them on the store that `transaction()` yields:

        with store.transaction() as tx:
            event_id, created = tx.record_event(...)
            if created:
                tx.record_message(...)
                tx.add_strike(..., event_id=event_id)
                tx.enqueue(f"{event_id}:delete", ..., event_id=event_id)

    The families of methods live in their own modules (communities, members,
    memberships, messages, playbooks, events, outbox, strikes, sanctions, points);
    this class only puts them together.
    """
