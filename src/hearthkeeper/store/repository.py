"""The store: one object with every query the rest of Hearthkeeper needs."""

from __future__ import annotations

from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.memberships import MembershipQueries
from hearthkeeper.store.messages import MessageQueries
from hearthkeeper.store.playbooks import PlaybookQueries


class Store(CommunityQueries, MemberQueries, MembershipQueries, MessageQueries, PlaybookQueries):
    """Hearthkeeper's data, behind plain methods that return frozen records.

    `Store(engine, clock)` runs each method in a transaction of its own. To make several
    writes succeed or fail together, run them on the store that `transaction()` yields:

        with store.transaction() as tx:
            message_id, created = tx.record_message(...)
            tx.audit("moderation", "warn", community.id, target=str(member.id))

    The families of methods live in their own modules (communities, members,
    memberships, messages, playbooks); this class only puts them together.
    """
