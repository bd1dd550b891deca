"""A banned member's appeal in a private chat with the bot, on a carrier where they can still
write to it (Telegram: `PRIVATE_APPEALS`). `/appeal <why>` (`/申诉 <理由>`) is against their
latest ban decision in the groups this bot serves, filed by the banned page's
`bans.file_ban_appeal` (one per ban decision, within `rules.appeals.within`, the same staff
alert); anything else they write there is answered with where they stand, and a member
banned nowhere with a line saying so. Nothing said there is a group's message: none is
counted or moderated. Staff's decision is told there too (`decisions._tell`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.appeals.bans import BanAppeal, file_ban_appeal, standing
from hearthkeeper.capabilities.appeals.decide import BANS, whom_to_ask
from hearthkeeper.capabilities.appeals.texts import TEXTS
from hearthkeeper.capabilities.appeals.words import ALIASES, NAME
from hearthkeeper.capabilities.command_book import parse
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import Appeals
from hearthkeeper.store import Group, Sanction, SanctionKind, Store

# Carriers whose banned members appeal to the bot in a private chat: their ban notices say so
# (`write_privately`), and staff's decision is told there.
PRIVATE_APPEALS = frozenset({"telegram"})
PRIVATE_CHAT = "private chat"  # where such an appeal came from, as the audit log says it


def write_privately(language: Language) -> str:
    """The sentence a ban notice ends with on a carrier of `PRIVATE_APPEALS`, `{bot}` left for
    the carrier to fill with the bot's name."""
    return TEXTS.template("write_privately", language)


def ban_notice(language: Language, where: str, rules: Appeals, *, reason: str = "",
               violation: str = "") -> str:  # fmt: skip
    """What a member banned from `where` (`place`) reads in the bot's private chat: banned by
    a moderator (with staff's `reason`, if they gave one) or for breaking the rule
    `violation` (the ladder's), then how to appeal there within `rules.within` — or, when the
    community takes no appeals, whom to contact (`rules.contact`), if the playbook names
    someone."""
    if violation:
        said = TEXTS.say("notice_ladder", language, group=where, violation=violation)
    elif reason:
        said = _stopped(TEXTS.say("notice_staff_because", language, group=where,
                                  reason=reason), language)  # fmt: skip
    else:
        said = TEXTS.say("notice_staff", language, group=where)
    if not rules.enabled:
        return said + whom_to_ask(language, rules.contact)
    days = max(1, round(rules.within.total_seconds() / 86400))
    return said + TEXTS.say("notice_appeal", language, days=days)


def _stopped(text: str, language: Language) -> str:
    """`text` ended as a sentence (staff's reason may end with or without a stop)."""
    if text.endswith(("。", "！", "？", ".", "!", "?")):
        return text
    return text + ("。" if language == Language.ZH_CN else ".")


def place(group: Group | GroupView, community: str) -> str:
    """What a banned member is told they are banned from: the group by its name, or the
    community when the group has none of its own (a Telegram group is named by its chat id
    until staff rename it)."""
    return community if group.name == group.carrier_group_id else group.name


def answer(store: Store, carrier: str, chats: Mapping[str, str], user_id: str, text: str,
           now: datetime, *, language: Language | None = None) -> str:  # fmt: skip
    """What the bot answers `user_id`'s private message `text`, the appeal filed when it is
    one. `chats`: the groups this bot serves (the carrier's id → the community's slug);
    `language`: the person's own (as their app says), for an answer no community decides."""
    member = store.find_member(carrier, user_id)
    bans = [] if member is None else _bans(store, carrier, chats, member.id, now)
    if member is None or not bans:
        return TEXTS.say("private_help", _common_language(store, chats.values(), language))
    ban, group = bans[0]
    playbook = _playbook(store, group.community_id)
    lang = playbook.community.language if playbook is not None else Language.EN
    names = {c.id: c.name for c in store.list_communities()}
    community = names.get(group.community_id, str(group.community_id))
    where = place(group, community) if ban.group_id is not None else community
    invocation = parse(text)
    appealing = invocation is not None and invocation.name in (NAME, *ALIASES)
    why = invocation.rest if invocation is not None and appealing else None
    found = standing(store, group, member.id, now, blacklisted=True)
    if found.state is BanAppeal.NONE:  # lifted since it was read
        said = TEXTS.say("private_help", lang)
    elif found.state is BanAppeal.OPEN and why is not None:
        said = TEXTS.say("private_usage", lang)
        with contextlib.suppress(ValueError):  # nothing left of the words once cleaned
            filed = file_ban_appeal(
                store, group, member.id, why, now, came=PRIVATE_CHAT, blacklisted=True
            )
            said = TEXTS.say("private_filed" if filed.state is BanAppeal.FILED
                             else "private_already", lang, group=where)  # fmt: skip
    else:
        said = _where(found.state, lang, where, playbook, found.until)
    others = sorted({names.get(g.community_id, "?") for _, g in bans} - {community})
    if others:
        said += TEXTS.say("private_others", lang, others=", ".join(others))
    return said


def _where(state: BanAppeal, lang: Language, where: str, playbook: Playbook | None,
           until: datetime | None) -> str:  # fmt: skip
    """Where a banned member stands with appealing (they did not file one now)."""
    contact = playbook.rules.appeals.contact if playbook is not None else None
    if state is BanAppeal.OPEN and until is not None:
        zone = ZoneInfo(playbook.community.timezone) if playbook is not None else ZoneInfo("UTC")
        return TEXTS.say("private_banned", lang, group=where,
                         until=f"{until.astimezone(zone):%Y-%m-%d %H:%M}")  # fmt: skip
    if state is BanAppeal.FILED:
        return TEXTS.say("private_already", lang, group=where)
    if state in (BanAppeal.UPHELD, BanAppeal.PARDONED):
        outcome = TEXTS.say(f"{state.value}_word", lang)
        return TEXTS.say("private_decided", lang, group=where, outcome=outcome)
    if state is BanAppeal.LATE:
        within = playbook.rules.appeals.within if playbook is not None else None
        days = max(1, round((within or Appeals().within).total_seconds() / 86400))
        said = TEXTS.say("private_late", lang, group=where, days=days)
    else:
        said = TEXTS.say("private_closed", lang, group=where)
    return said + whom_to_ask(lang, contact)


def _bans(store: Store, carrier: str, chats: Mapping[str, str], member_id: int,
          now: datetime) -> list[tuple[Sanction, Group]]:  # fmt: skip
    """The member's bans in force from the groups of `chats`, with their group, the latest
    first; and a blacklisting that keeps them out of a community of `chats` where they have no
    ban on record (they were in none of its groups when blacklisted), with the community's
    first group of `chats`: the appeal is listed under it."""
    found: list[tuple[Sanction, Group]] = []
    blacklists: list[Sanction] = []
    for ban in store.active_sanctions(member_id=member_id, now=now):
        if ban.kind is SanctionKind.BLACKLIST:
            blacklists.append(ban)
        if ban.kind not in BANS or ban.group_id is None:
            continue
        group = store.get_group(ban.group_id)
        if group is not None and group.carrier == carrier and group.carrier_group_id in chats:
            found.append((ban, group))
    banned_in = {g.community_id for _, g in found}
    for blacklist in blacklists:
        for group in _first_groups(store, carrier, chats):
            kept_out = blacklist.community_id in (None, group.community_id)
            if kept_out and group.community_id not in banned_in:
                found.append((blacklist, group))
                banned_in.add(group.community_id)
    return sorted(found, key=lambda b: (b[0].at, b[0].id), reverse=True)


def _first_groups(store: Store, carrier: str, chats: Mapping[str, str]) -> list[Group]:
    """Each community of `chats`: its first group among them."""
    firsts: list[Group] = []
    for slug in sorted(set(chats.values())):
        community = store.get_community(slug)
        groups = [] if community is None else store.list_groups(community.id)
        served = [g for g in groups if g.carrier == carrier and g.carrier_group_id in chats]
        if served:
            firsts.append(min(served, key=lambda g: g.id))
    return firsts


def _playbook(store: Store, community_id: int) -> Playbook | None:
    from hearthkeeper.apply import community_playbook  # apply builds on the capabilities

    return community_playbook(store, community_id)


def _common_language(store: Store, slugs: Iterable[str], theirs: Language | None) -> Language:
    """The language the communities `slugs` share; when they differ (or none is applied), the
    person's own, else English."""
    said = set()
    for slug in set(slugs):
        community = store.get_community(slug)
        playbook = None if community is None else _playbook(store, community.id)
        if playbook is not None:
            said.add(playbook.community.language)
    if len(said) == 1:
        return said.pop()
    return theirs if theirs is not None else Language.EN
