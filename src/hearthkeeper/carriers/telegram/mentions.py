"""The members a bot message is meant to tell, as Telegram inline mentions (the Bot API's
"Formatting options": `<a href="tg://user?id=…">`, which notifies them, username or not).

An action's `extra["mentions"]` holds their Telegram user ids (a title's holders at their
reminder, the experts a question calls on, the staff an alert calls on, the member a staff
alert is about); `extra["mention_names"]`, by user id, the name the text calls one of them
when the text was written with it (the staff channel's `@Name`): that name is the one linked,
so nobody is named twice when the server has learnt another name for them since. Where the
text names someone (`@Name`, else `Name` as a word of its own) that name becomes the mention;
in a group, someone it does not name is mentioned before the text. A direct message mentions
only those its text names, and never its reader: Telegram tells nobody outside the chat, so a
mention there lets its reader open the person named, and a name added before the text, or
their own, would tell them nothing. Pure, but for `mentions_of` (reads the store).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hearthkeeper.carriers.named import Named, Span, given_names, placed
from hearthkeeper.carriers.telegram.outgoing import shown_length
from hearthkeeper.carriers.telegram.translate import CARRIER
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.store import Store


@dataclass(frozen=True)
class Mentions:
    """Whom a message mentions, and whether those its text does not name go before it."""

    names: tuple[Named, ...] = ()
    ahead: bool = True

    def room(self) -> int:
        """The most the names add to what a text's first part shows (UTF-16 units, as
        Telegram counts a message): each name and a space before the text."""
        if not self.ahead:
            return 0
        return sum(shown_length(name, parsed=False) + 1 for _, name in self.names)

    def into(self, part: str, markdown: bool) -> str:
        """`part` as HTML with these mentions in it (`with_mentions`)."""
        return with_mentions(part, self.names, markdown, ahead=self.ahead)


NOBODY = Mentions()


def mentioned(extra: Mapping[str, object]) -> list[str]:
    """The Telegram user ids an action's `extra["mentions"]` names, each once, in order."""
    named = extra.get("mentions")
    if not isinstance(named, list | tuple):
        return []
    return list(dict.fromkeys(m for m in named if isinstance(m, str) and m.isdigit()))


def mentions_of(store: Store | None, action: Action) -> Mentions:
    """Whom `action`'s message mentions: each user `extra["mentions"]` names whom the store
    has seen (Telegram mentions a user it knows; one never seen is named as the text has
    them), by the name its text has for them, else the one the store knows them by. Without
    a store, nobody: the text goes as it is. A direct message's reader is left out."""
    direct = action.kind is ActionKind.DIRECT
    users = [user for user in mentioned(action.extra) if not (direct and user == action.member)]
    if store is None or not users:
        return Mentions(ahead=not direct)
    given = given_names(action.extra)
    names: list[Named] = []
    for user in users:
        member = store.find_member(CARRIER, user)
        name = given.get(user) or (member.display_name if member is not None else "")
        if member is not None and name.strip():
            names.append((user, name))
    return Mentions(tuple(names), ahead=not direct)


def mention_link(user_id: str, name: str) -> str:
    """An inline mention of a user, the name escaped as HTML."""
    return f'<a href="tg://user?id={user_id}">{html.escape(name, quote=False)}</a>'


def with_mentions(part: str, names: Sequence[Named], markdown: bool, *,
                  ahead: bool = True) -> str:  # fmt: skip
    """A text's first part as HTML in which each of `names` is an inline mention. In plain
    text, the first `@Name` (else `Name`) of the part is the link, the rest of the text
    escaped; with `ahead`, someone the part does not name is mentioned before it (else not at
    all). A post's part is HTML already (`markdown_parts`): its mentions go before it. The
    part is rendered whole after cutting, so no link is ever cut."""
    taken, before = _placed(part, names, markdown)
    lead = "".join(mention_link(user_id, name) + " " for user_id, name in before) if ahead else ""
    if markdown:
        return lead + part
    out, at = [], 0
    for start, end, user_id in taken:
        out += [html.escape(part[at:start], quote=False), mention_link(user_id, part[start:end])]
        at = end
    out.append(html.escape(part[at:], quote=False))
    return lead + "".join(out)


def _placed(part: str, names: Sequence[Named],
            markdown: bool) -> tuple[list[Span], list[Named]]:  # fmt: skip
    """Where `part` names each of `names` (`carriers/named.py`); a post's part is HTML
    already, searched for nobody."""
    if markdown:
        return [], [named for named in names if named[1].strip()]
    return placed(part, names)
