"""Builders for events, with increasing ids and times."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from hearthkeeper.engine.events import (
    Attachment,
    Edit,
    Join,
    JoinMethod,
    Leave,
    Message,
    Rename,
    Sender,
)


class EventBuilder:
    """Events for one carrier, each with a fresh event id, `step` apart in time."""

    def __init__(self, start: datetime, *, carrier: str = "fake", group: str = "g1",
                 step: timedelta = timedelta(seconds=5)) -> None:  # fmt: skip
        self.carrier = carrier
        self.group = group
        self.now = start
        self.step = step
        self._ids = itertools.count(1)

    def _next(self, at: datetime | None) -> tuple[str, datetime]:
        if at is None:
            self.now += self.step
            at = self.now
        return f"e{next(self._ids)}", at

    def message(self, user: str, text: str, *, name: str | None = None, group: str | None = None,
                kind: str = "text", mentions: tuple[str, ...] = (),
                attachments: tuple[Attachment, ...] = (), at: datetime | None = None,
                event_id: str | None = None) -> Message:  # fmt: skip
        """A message from `user`."""
        eid, when = self._next(at)
        return Message(carrier=self.carrier, group=group or self.group, event_id=event_id or eid,
                       at=when, sender=Sender(user_id=user, display_name=name or user),
                       kind=kind, text=text, mentions=mentions, attachments=attachments)  # fmt: skip

    def join(self, user: str, *, name: str | None = None, group: str | None = None,
             via: JoinMethod = JoinMethod.LINK, inviter: str | None = None,
             at: datetime | None = None) -> Join:  # fmt: skip
        """`user` joins."""
        eid, when = self._next(at)
        return Join(carrier=self.carrier, group=group or self.group, event_id=eid, at=when,
                    sender=Sender(user_id=user, display_name=name or user), via=via,
                    inviter=inviter)  # fmt: skip

    def leave(self, user: str, *, name: str | None = None, group: str | None = None,
              at: datetime | None = None) -> Leave:  # fmt: skip
        """`user` leaves (under `name`, which their stored name follows; by default the id)."""
        eid, when = self._next(at)
        return Leave(carrier=self.carrier, group=group or self.group, event_id=eid, at=when,
                     sender=Sender(user_id=user, display_name=name or user))  # fmt: skip

    def rename(self, user: str, name: str, *, group: str | None = None,
               at: datetime | None = None) -> Rename:  # fmt: skip
        """`user` takes the name `name`, as a carrier reports it (a QQ group card changed)."""
        eid, when = self._next(at)
        return Rename(carrier=self.carrier, group=group or self.group, event_id=eid, at=when,
                      sender=Sender(user_id=user, display_name=name))  # fmt: skip

    def edit(self, user: str, target: str, text: str, *, name: str | None = None,
             group: str | None = None, at: datetime | None = None) -> Edit:  # fmt: skip
        """`user` edits their message `target` to read `text`, under `name` (their name now, as
        Telegram's `edited_message` carries it; by default the id)."""
        eid, when = self._next(at)
        return Edit(carrier=self.carrier, group=group or self.group, event_id=eid, at=when,
                    sender=Sender(user_id=user, display_name=name or user), target=target,
                    text=text)  # fmt: skip
