"""A member moderation puts out of the community (the ladder's blacklisting, staff's ban
from every group they were in or blacklisting) and the open sign-up lists and group-buys
(接龙) they are on: their lines are taken off, the stock they held goes to the waitlist in
order, and each member moved up is told in the list's group, @-mentioned, as after a `-1`.
A spammer banned kept his place on the list while the member behind him waited."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.capabilities.signups import decide as d
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.engine.actions import Action, ActionKind, mentioning
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase

HANDLER = "signups"


def member_removed(scope: StoreBase, community_id: int, member_id: int,
                   playbook: Playbook | None, key: str, now: datetime) -> int:  # fmt: skip
    """Take the member off every open list of the community, moving the waitlist up and
    telling each member moved up, once per `key`; how many lists they were taken off."""
    repo, tx = SqlSignUps.on(scope), Store.on(scope)
    lang = playbook.community.language if playbook is not None else Language.EN
    taken_off = 0
    for lst in repo.lists(community_id, open_only=True):
        done = repo.cancel(lst.id, member_id, at=now)
        if not done.cancelled:
            continue
        taken_off += 1
        group = tx.get_group(lst.group_id)
        if not done.promoted or group is None:
            continue
        name = done.cancelled[0].display_name
        said = d.cancelled(lst, done, repo.entries(lst.id), name, False, lang)
        for (user_id, shown, text), entry in zip(said.promoted, done.promoted, strict=True):
            action = Action(kind=ActionKind.SEND, carrier=group.carrier,
                            group=group.carrier_group_id, member=user_id, text=text,
                            handler=HANDLER, reason="signup.out",
                            extra=mentioning([(user_id, shown)]))  # fmt: skip
            tx.enqueue(f"signup:{lst.id}:out:{key}:{entry.id}", group.carrier, action.to_json(),
                       action.priority, group_id=group.id)  # fmt: skip
    return taken_off
