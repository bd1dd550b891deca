"""The names `copy.naming` makes, and the naming a community's next group takes. Pure.

The default naming follows `community.language` ('{name} {n}群', '{name} #{n}' for English)
since session 33; before, every community's default was '{name} {n}群'. An English community
whose groups were opened then ('Tea Friends 1群', 'Tea Friends 2群') keeps that series: its next
group is 'Tea Friends 3群', not 'Tea Friends #3' beside them (members find their groups by one
pattern, and a chat list sorts them together). A naming the playbook writes is always used."""

from __future__ import annotations

import re
import string
from collections.abc import Collection

from hearthkeeper.playbook.business import NAMINGS
from hearthkeeper.playbook.model import Playbook


def naming_pattern(naming: str, community: str) -> re.Pattern[str]:
    """The names `naming` makes for the community named `community`, any number."""
    parts = []
    for literal, field_name, _, _ in string.Formatter().parse(naming):
        parts.append(re.escape(literal))
        if field_name == "n":
            parts.append(r"\d+")
        elif field_name == "name":
            parts.append(re.escape(community))
    return re.compile("".join(parts))


def naming_in_use(playbook: Playbook, names: Collection[str] = ()) -> str:
    """The naming of the community's next group, its groups named `names`: `copy.naming` as
    written; else the default, unless none of the groups has a name it makes and some have
    one another default makes (an English community's groups opened before session 33, when
    '{name} {n}群' was every community's default): that one, the series they are in."""
    naming = playbook.replication.naming
    if "naming" in playbook.replication.model_fields_set or not names:
        return naming
    community = playbook.community.name
    if _names_some(naming, community, names):
        return naming
    for other in NAMINGS.values():
        if other != naming and _names_some(other, community, names):
            return other
    return naming


def group_name(playbook: Playbook, n: int, names: Collection[str] = ()) -> str:
    """Group number `n`'s name, the community's groups named `names` (`naming_in_use`)."""
    return naming_in_use(playbook, names).format(name=playbook.community.name, n=n)


def _names_some(naming: str, community: str, names: Collection[str]) -> bool:
    pattern = naming_pattern(naming, community)
    return any(pattern.fullmatch(name) for name in names)
