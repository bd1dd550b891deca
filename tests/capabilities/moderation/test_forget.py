"""After a rolled-back batch the engine asks moderation to forget what it counted in memory,
so a retried batch is not counted twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.capabilities.moderation.handler import Moderation
from hearthkeeper.engine.handler import Context, MemberView
from hearthkeeper.testing import EventBuilder
from tests.capabilities.handler_setup import GROUP, State
from tests.engine_setup import playbook

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_retried_burst_is_not_counted_twice() -> None:
    pb = playbook()
    moderation = Moderation(pb, scorer=None)
    member = MemberView(id=3, user_id="u3", display_name="Ann")
    events = EventBuilder(NOW, step=timedelta(seconds=1))

    def kinds(n: int) -> list[str]:
        found = []
        for i in range(n):
            message = events.message("u3", f"tea {i}")
            ctx = Context(playbook=pb, group=GROUP, member=member, now=message.at, state=State())
            found += [a.violation for a in moderation.handle(message, ctx).actions if a.violation]
        return found

    assert kinds(5) == []  # five messages: under the eight allowed in ten seconds
    moderation.forget()  # their batch rolled back; the retry delivers them again
    assert kinds(5) == []
    assert "flooding" in kinds(5)  # and a burst is still noticed
