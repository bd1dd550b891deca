"""Finding the member a staff command points at (`@小鹿`, a reply), and how a carrier names
members to @-mention them back."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select

from hearthkeeper.store.columns import storable
from hearthkeeper.store.models import IdentityRow, MemberRow, MembershipRow, MessageRow
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.controls import shown_name
from hearthkeeper.text.folding import fold
from hearthkeeper.text.normalise import normalise


class PointingQueries(StoreBase):
    def members_pointed_at(
        self, group_id: int, carrier: str, *, user_id: str | None = None, name: str | None = None,
        reply_to: str | None = None,
    ) -> list[int]:  # fmt: skip
        """Every member a command may point at, newest first: the one with the carrier user
        id, or the sender of the message replied to, or else all the members who are, were in
        or posted in the group with the display name typed (`@小鹿`: exactly, with the group's
        members whose name reads the same but is not it, `Аlice` in Cyrillic for `Alice`;
        else ignoring letter case and width). More than one only for a name several members
        carry."""
        with self._unit(write=False) as session:
            if user_id is not None or name is not None:
                found = session.scalar(select(IdentityRow.member_id).where(
                    IdentityRow.carrier == carrier,
                    IdentityRow.carrier_user_id == storable(user_id or name or ""),
                ))  # fmt: skip
                if found is not None:
                    return [int(found)]
            if reply_to is not None:
                found = session.scalar(select(MessageRow.member_id).where(
                    MessageRow.group_id == group_id,
                    MessageRow.carrier_event_id == storable(reply_to),
                ))  # fmt: skip
                if found is not None:
                    return [int(found)]
            name = None if name is None else shown_name(name)  # as names are kept (members.py)
            if not name:  # "@" and only invisible characters names nobody
                return []
            exact = [int(i) for i in session.scalars(
                select(MemberRow.id)
                .where(MemberRow.display_name == storable(name), seen_in(group_id))
                .order_by(MemberRow.id.desc())
            )]  # fmt: skip
            # `@alice` for "Alice", `@ｘｉａｏｌｕ` for "xiaolu": the group's members, folded.
            wanted = fold(name)
            seated = session.execute(
                select(MemberRow.id, MemberRow.display_name)
                .join(MembershipRow, MembershipRow.member_id == MemberRow.id)
                .where(MembershipRow.group_id == group_id)
                .order_by(MemberRow.id.desc())
            ).all()
            # A name that reads the same as the one typed but is not it (a Cyrillic `А` for
            # `A`, a zero-width joiner after `小鹿`, `Ａｌｅｘ` in full width) is carried by
            # those members too: staff type what they see, and cannot tell which they meant.
            looks = _looks(name)
            if not exact:
                alike = (int(i) for i, shown in seated
                         if shown and (fold(shown) == wanted or _looks(shown) == looks))  # fmt: skip
                return list(dict.fromkeys(alike))  # a member who joined twice counts once
            # (not a name in other letter case, `LU` beside `Lu`: staff can tell them apart)
            cased = unicodedata.normalize("NFKC", name)
            twins = (
                int(i) for i, shown in seated
                if shown and _looks(shown) == looks
                and (fold(shown) != wanted or unicodedata.normalize("NFKC", shown) == cased)
            )  # fmt: skip
            return list(dict.fromkeys([*exact, *twins]))

    def last_posted(self, group_id: int, member_ids: Iterable[int]) -> dict[int, datetime]:
        """When each member last posted in the group (members who never did are left out)."""
        ids = sorted(set(member_ids))
        query = (
            select(MessageRow.member_id, func.max(MessageRow.sent_at))
            .where(MessageRow.group_id == group_id, MessageRow.member_id.in_(ids))
            .group_by(MessageRow.member_id)
        )
        if not ids:
            return {}
        with self._unit(write=False) as session:
            return {int(m): at for m, at in session.execute(query) if m is not None and at}

    def replied_author(self, group_id: int, carrier: str,
                       reply_to: str) -> tuple[int, str, str | None] | None:  # fmt: skip
        """The member whose stored message in the group a reply answers: their id, their
        name and how `carrier` calls them (None: the message was never stored here)."""
        identity = (IdentityRow.member_id == MemberRow.id) & (IdentityRow.carrier == carrier)
        query = (
            select(MemberRow.id, MemberRow.display_name, IdentityRow.carrier_user_id)
            .join(MessageRow, MessageRow.member_id == MemberRow.id)
            .outerjoin(IdentityRow, identity)
            .where(MessageRow.group_id == group_id)
            .where(MessageRow.carrier_event_id == storable(reply_to))
        )
        with self._unit(write=False) as session:
            found = session.execute(query).first()
        return None if found is None else (int(found[0]), str(found[1]), found[2])

    def message_replied_to(self, group_id: int, reply_to: str,
                           by: int | None = None) -> int | None:  # fmt: skip
        """The stored message a reply in the group answers, sent `by` that member when given
        (None: never stored here, or someone else's)."""
        query = select(MessageRow.id).where(
            MessageRow.group_id == group_id, MessageRow.carrier_event_id == storable(reply_to)
        )
        if by is not None:
            query = query.where(MessageRow.member_id == by)
        with self._unit(write=False) as session:
            found = session.scalar(query)
            return None if found is None else int(found)

    def user_ids(self, member_ids: Iterable[int], carrier: str) -> dict[int, str]:
        """How `carrier` names each member (members it does not know are left out)."""
        ids = sorted(set(member_ids))
        query = select(IdentityRow.member_id, IdentityRow.carrier_user_id).where(
            IdentityRow.carrier == carrier, IdentityRow.member_id.in_(ids)
        )
        with self._unit(write=False) as session:
            return {m: u for m, u in session.execute(query)} if ids else {}


def names_theirs(typed: str, shown: str, user_id: str | None) -> bool:
    """Whether `typed` (after an `@`) names the member called `shown` (`user_id` on the
    carrier): their name as kept, or one that reads the same as it (case, width, look-alike
    letters and invisible characters aside, as `members_pointed_at` compares), or their
    carrier id."""
    if user_id is not None and user_id in (typed, "@" + typed):
        return True
    name = shown_name(typed)
    if not name or not shown:
        return False
    if name == shown:
        return True
    folded, looks = fold(name), _looks(name)
    return bool(folded and folded == fold(shown)) or bool(looks and looks == _looks(shown))


def _looks(name: str) -> str:
    """How a name reads: invisible characters out, look-alike letters as the letters they
    imitate (`Аlice` in Cyrillic reads `alice`), case and width ignored."""
    return normalise(name, chinese_digits=False)


def seen_in(group_id: int) -> ColumnElement[bool]:
    """Members who are or were in the group, or posted there."""
    stayed = exists().where(MembershipRow.member_id == MemberRow.id,
                            MembershipRow.group_id == group_id)  # fmt: skip
    posted = exists().where(MessageRow.member_id == MemberRow.id, MessageRow.group_id == group_id)
    return or_(stayed, posted)
