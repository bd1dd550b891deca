"""Why a firing was skipped, for `hearth posts`: it missed its grace window (the engine was
down, or reached it too late), its library had nothing left to post, or nobody spoke in a
live session whose recap it was.

The `posts` row keeps only "skipped"; the reason is read back from when the firing's
scheduled work ran (`done_at`) against the grace it had: work that ran within the grace and
still skipped found nothing to say."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from hearthkeeper.capabilities.calendar.posts import firing_key
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.rituals import GRACE as ANNIVERSARY_GRACE
from hearthkeeper.capabilities.calendar.rituals import anniversary_key
from hearthkeeper.capabilities.calendar.sessions import GRACE as SESSION_GRACE
from hearthkeeper.capabilities.calendar.sessions import moment_key
from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.playbook.base import parse_duration
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.records import Scheduled

POST_GRACE = timedelta(hours=1)  # `calendar.posts[].grace` when the playbook is not known
# A post queued for a group an import registered (before such groups got no calendar): no
# carrier serves it, and the outbound queue ends it when due (engine/outbound.py)
UNSERVED = "no carrier serves an imported group"


def unserved(record: PostRecord, imported: Collection[int], delivery: str | None) -> bool:
    """Whether the posted `record` (its outbox item's state `delivery`) went to a group an
    import registered, and so never reached anyone and never will."""
    return record.group_id in imported and delivery != "done"


class ScheduledLookup(Protocol):
    def scheduled(self, key: str) -> Scheduled | None: ...


def post_graces(content: Mapping[str, Any] | None) -> dict[str, timedelta]:
    """Each scheduled post's grace in an applied playbook's content (post id -> grace)."""
    graces: dict[str, timedelta] = {}
    calendar = (content or {}).get("calendar") or {}
    for post in calendar.get("posts") or []:
        try:
            graces[str(post["id"])] = parse_duration(str(post.get("grace") or "1h"))
        except (KeyError, TypeError, ValueError):
            continue
    return graces


def _work(record: PostRecord) -> tuple[str, timedelta, str]:
    """The scheduled work's key of a firing, the grace it had, and what else a skip means."""
    at, group = record.scheduled_for, record.group_id
    if record.post_id == "anniversary":
        return anniversary_key(group, at), ANNIVERSARY_GRACE, "nothing to say"
    if record.post_id.startswith("live:"):
        session, _, label = record.post_id.removeprefix("live:").rpartition(":")
        other = "nobody spoke in the session" if label == "digest" else "nothing to say"
        return moment_key(group, session, label, at), SESSION_GRACE, other
    return firing_key(group, record.post_id, at), POST_GRACE, "no content left in its library"


def skip_reason(record: PostRecord, lookup: ScheduledLookup,
                graces: Mapping[str, timedelta]) -> str:  # fmt: skip
    """Why `record` (status skipped) was not posted, in a few words an operator reads."""
    key, grace, otherwise = _work(record)
    grace = graces.get(record.post_id, grace)
    work = lookup.scheduled(key)
    ran: datetime | None = work.done_at if work is not None else None
    if ran is None:
        return "its run is not recorded"
    if ran - record.scheduled_for > grace:
        late = human_duration(ran - record.scheduled_for, Language.EN)
        return f"missed: reached {late} late, past its {human_duration(grace, Language.EN)} grace"
    return otherwise
