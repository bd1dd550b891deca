"""A closed web chat group (`hearth groups close`): its members still read it, but only its
staff (a member holding a role in it) may post; the others are told, on the page and when
they try, that it is closed and, closed into another group, where to carry on, with its link.

Read fresh for each post, with the member's seat in one statement
(`SqlWebChat.seat_and_closed`; the group itself is read only when it is closed): a group
closed by `hearth groups close` in another process is read-only from the next message on,
and open again once reopened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.playbook.positioning import Language

if TYPE_CHECKING:
    from hearthkeeper.store import Group, Store


@dataclass(frozen=True)
class ClosedLine:
    """What someone in a closed group is told: `text`, and where its members carry on
    (`other`, with `link`: None when it was closed into no group). Staff may still post."""

    text: str
    other: str | None = None
    link: str | None = None
    staff: bool = False

    def frame(self) -> dict[str, Any]:
        """The `closed` frame the page shows as a line above the messages."""
        return {"type": "closed", "text": self.text, "other": self.other, "link": self.link,
                "staff": self.staff}  # fmt: skip


def is_staff(store: Store, group: Group, user_id: str) -> bool:
    """Whether the web chat user holds a staff role in `group` (`hearth staff`)."""
    found = store.find_member(group.carrier, user_id)
    if found is None:
        return False
    stay = store.active_stays([(group.id, found.id)]).get((group.id, found.id))
    return stay is not None and stay.role is not None


def closed_line(store: Store, group: Group, user_id: str,
                language: Language) -> ClosedLine | None:  # fmt: skip
    """The line `user_id` reads in `group` when it is closed (None: it is open)."""
    if not group.closed:
        return None
    staff = is_staff(store, group, user_id)
    text = say("closed_staff" if staff else "closed_read_only", language, group=group.name)
    into = None if group.closed_into is None else store.get_group(group.closed_into)
    if into is None:
        return ClosedLine(text, staff=staff)
    from hearthkeeper.carriers.closing import join_link  # closing imports the web chat's groups

    link = join_link(store, into, "")  # a web chat group's link is on this site: /join/<code>
    gap = "" if language is Language.ZH_CN else " "  # Chinese sentences follow on unspaced
    return ClosedLine(f"{text}{gap}{say('closed_carry_on', language, other=into.name)}",
                      other=into.name, link=link, staff=staff)  # fmt: skip
