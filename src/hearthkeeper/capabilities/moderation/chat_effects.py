"""The store work behind `/warn`, `/mute`, `/ban` and `/pardon`: the member pointed at is
found, staff are refused as targets, and the decision is the console's (`staff.py`): the
same rows, audit entries with the staff member as `by`, and carrier actions queued once in
the outbox for the engine to perform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.appeals.decide import how_to_appeal
from hearthkeeper.capabilities.command_book import answer
from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.moderation.ladder import next_hint, own_words, rung
from hearthkeeper.capabilities.moderation.requests import (
    StaffBan,
    StaffMute,
    StaffPardon,
    StaffWarn,
)
from hearthkeeper.capabilities.pointing import (
    Pointing,
    Unclear,
    find_only,
    shared_answer,
    who_typed,
)
from hearthkeeper.capabilities.points.decide import not_found_text
from hearthkeeper.capabilities.texts import Phrasebook, say, violation_name
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import BlacklistScope, LadderStep
from hearthkeeper.playbook.rules import Sanction as Step
from hearthkeeper.store import Group, Sanction, SanctionKind, Store, StoreError, Strike
from hearthkeeper.store.columns import clipped_to
from hearthkeeper.store.models.base import NAME
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.rollups import RollupTally, local_day
from hearthkeeper.store.scope import StoreBase

STAFF_WARNING = "staff_warning"  # the violation a strike given with /warn is recorded as
_REMOVALS = (Step.KICK, Step.BAN, Step.BLACKLIST)

TEXTS = Phrasebook({
    "staff": {
        Language.ZH_CN: "{name} 是{role}：管理员不能用指令警告、禁言或封禁。",
        Language.EN: "{name} is {role}: staff cannot be warned, muted or banned by command.",
    },
    "warned": {
        Language.ZH_CN: "{name}，管理员警告你{why}。第 {count} 次违规{next}。",
        Language.EN: "{name}, a moderator warned you{why}. Strike {count}{next}.",
    },
    "muted": {
        Language.ZH_CN: "{name} 已被禁言 {duration}{why}。",
        Language.EN: "{name} is muted for {duration}{why}.",
    },
    "banned": {
        Language.ZH_CN: "{name} 已被封禁，移出并不能再加入：{groups}{why}。",
        Language.EN: "{name} is banned from {groups}{why}.",
    },
    "why": {Language.ZH_CN: "（{reason}）", Language.EN: " ({reason})"},
    "pardoned": {Language.ZH_CN: "{name}：{done}。", Language.EN: "{name}: {done}."},
    "mute_lifted": {Language.ZH_CN: "已解除禁言", Language.EN: "mute lifted"},
    "ban_lifted": {Language.ZH_CN: "已解除封禁", Language.EN: "ban lifted"},
    "blacklist_lifted": {Language.ZH_CN: "已移出黑名单", Language.EN: "taken off the blacklist"},
    "strike_pardoned": {
        Language.ZH_CN: "已撤销最近一次违规（还剩 {left} 次）",
        Language.EN: "latest strike taken back ({left} left)",
    },
    "still_blacklisted": {
        Language.ZH_CN: "仍在所有社群的黑名单中，请在后台解除",
        Language.EN: "still blacklisted in every community: lift that in the console",
    },
    "nothing": {
        Language.ZH_CN: "{name} 没有禁言、封禁或有效的违规记录，无需解除。",
        Language.EN: "{name} has no mute, ban or live strike to pardon.",
    },
})  # fmt: skip

_LIFTED = {SanctionKind.MUTE: "mute_lifted", SanctionKind.BAN: "ban_lifted",
           SanctionKind.BLACKLIST: "blacklist_lifted"}  # fmt: skip


@dataclass(frozen=True)
class Pointed:
    """The member a staff command points at, and the message replied to (when the command
    pointed by replying)."""

    member_id: int
    name: str
    message_id: int | None


def by_whom(ctx: EffectContext) -> str:
    """How the audit log, strikes and sanctions name the staff member who typed the command."""
    return clipped_to(NAME, "chat:" + who_typed(ctx))


def _why(reason: str, lang: Language) -> str:
    return TEXTS.say("why", lang, reason=reason) if reason else ""


def _point(scope: StoreBase, request: Pointing,
           ctx: EffectContext) -> tuple[Pointed | None, list[Action]]:  # fmt: skip
    """The member pointed at, or the answer saying nobody was found, or that the name typed
    is several members' (then nothing is done to any of them)."""
    member_id, name = find_only(scope, ctx, request.target)
    lang = ctx.playbook.community.language
    if isinstance(member_id, Unclear):
        return None, [answer(ctx.trigger, shared_answer(scope, ctx, member_id))]
    if member_id is None:
        return None, [answer(ctx.trigger, not_found_text(lang))]
    message_id = None
    if request.reply_to is not None:  # the replied message goes with it when it is theirs
        message_id = PointingQueries.on(scope).message_replied_to(
            ctx.group.id, request.reply_to, by=member_id
        )
    return Pointed(member_id, name, message_id), []


def _staff_refusal(store: Store, ctx: EffectContext, found: Pointed) -> list[Action]:
    """The answer refusing a command aimed at staff (none for a member)."""
    stay = store.active_stays([(ctx.group.id, found.member_id)]).get(
        (ctx.group.id, found.member_id)
    )
    role = ctx.playbook.structure.roles.get(stay.role) if stay and stay.role else None
    if role is None:
        return []
    text = TEXTS.say("staff", ctx.playbook.community.language, name=found.name, role=role.title)
    return [answer(ctx.trigger, text)]


def _aimed(scope: StoreBase, request: Pointing,
           ctx: EffectContext) -> tuple[Store, Group, Pointed | None, list[Action]]:  # fmt: skip
    """The store, the group, and the member a sanctioning command may be aimed at (None and
    the answer when nobody is found or they are staff)."""
    store = Store.on(scope)
    group = store.get_group(ctx.group.id)
    assert group is not None, "an event's group is stored"
    found, refused = _point(scope, request, ctx)
    if found is not None and not refused:
        refused = _staff_refusal(store, ctx, found)
    return store, group, (None if refused else found), refused


def _recount(ctx: EffectContext, member_id: int) -> None:
    """Have the running engine count the member's strikes afresh: the ladder's next step for
    what they post next takes a warning or pardon given just now into account."""
    if ctx.memory is not None:
        ctx.memory.strikes_changed(ctx.group.community_id, member_id)


def _key(ctx: EffectContext, what: str) -> str:
    """The outbox key of a command's carrier actions: one decision per command event."""
    assert ctx.event_id is not None, "a command is an event"
    return f"chat-{what}:{ctx.event_id}"


def warn(scope: StoreBase, request: StaffWarn, ctx: EffectContext) -> Sequence[Action]:
    """A strike as if a rule was broken; the ladder's step for the new count follows."""
    store, group, found, refused = _aimed(scope, request, ctx)
    if found is None:
        return refused
    pb, lang, by, now = ctx.playbook, ctx.playbook.community.language, by_whom(ctx), ctx.now
    if found.message_id is not None:  # the message replied to goes, and is learned as spam
        staff.delete_message(store, found.message_id, by, now, language=lang)
    struck = strike_member(store, pb, group, found.member_id, found.name, STAFF_WARNING,
                           request.reason, by, now, key=_key(ctx, "warn"))  # fmt: skip
    _recount(ctx, found.member_id)
    return [struck.warning]


@dataclass(frozen=True)
class Struck:
    """A strike staff gave, the ladder's step it brought, and the warning the member reads."""

    strike: Strike
    count: int
    done: list[str]
    warning: Action


def strike_member(store: Store, pb: Playbook, group: Group, member_id: int, name: str,
                  violation: str, reason: str, by: str, now: datetime, *, key: str,
                  audited: str = "warn") -> Struck:  # fmt: skip
    """Strike a member as `by` for `violation` (a `/warn`: `STAFF_WARNING`), with staff's own
    `reason`; the ladder's step for their new count is done to them (its carrier actions
    queued under `key`), the audit log written (`audited`); the warning they read returned,
    to be sent in `group`. The caller has the running engine count their strikes afresh."""
    lang = pb.community.language
    expiry = pb.rules.strike_expiry
    explanation = f"warned by {by}" + (f": {reason}" if reason else "")
    strike = store.add_strike(group.community_id, member_id, violation, explanation,
                              now, now + expiry if expiry is not None else None,
                              group_id=group.id)  # fmt: skip
    # a violation of the group's day, live as the rebuild counts it from the strikes
    tally = RollupTally()
    tally.violation(group.id, local_day(now, ZoneInfo(pb.community.timezone)))
    store.bump_rollups(tally)
    count = store.live_strikes(group.community_id, member_id, now)
    step = rung(pb.rules.ladder, count)
    done = (_climb(store, pb, group, member_id, step, reason, by, now, key)
            if step is not None else [])  # fmt: skip
    store.audit(by, audited, group.community_id, target=f"member {member_id}",
                detail={"reason": reason, "strike": strike.id, "strikes": count,
                        "group": group.name, "then": done,
                        **({"violation": violation} if violation != STAFF_WARNING else {})})  # fmt: skip
    user = store.user_on(member_id, group.carrier)
    text = _warning(pb.rules.ladder, step, name, count, reason, lang, violation)
    text += how_to_appeal(lang) if pb.rules.appeals.enabled else ""
    warning = Action(kind=ActionKind.WARN, carrier=group.carrier, group=group.carrier_group_id,
                     member=user, text=text, reason=say("rule_broken", lang,
                     violation=violation_name(violation, lang), count=count),
                     detail=explanation, handler="moderation",
                     extra={"mention_names": {user: name}} if user else {})  # fmt: skip
    return Struck(strike, count, done, warning)


def _climb(store: Store, pb: Playbook, group: Group, member_id: int, step: LadderStep,
           reason: str, by: str, now: datetime, key: str) -> list[str]:  # fmt: skip
    """Do the ladder step's mute or removal to the member, as staff; what was done."""
    lang = pb.community.language  # what the member is shown: no playbook read
    done: list[str] = []
    if Step.MUTE in step.do and step.mute_for is not None:
        staff.mute_member(store, member_id, group, now + step.mute_for, by, now,
                          key=f"{key}:mute", reason=reason, language=lang)  # fmt: skip
        done.append("mute")
    if Step.BLACKLIST in step.do:
        everywhere = pb.rules.blacklist_scope is BlacklistScope.ALL
        staff.blacklist_member(store, member_id, group, by, now, everywhere=everywhere,
                               key=f"{key}:ban", reason=reason, language=lang,
                               playbook=pb)  # fmt: skip
        done.append("blacklist")
    elif Step.BAN in step.do:
        staff.ban_member(store, member_id, group, by, now, key=f"{key}:ban", reason=reason,
                         language=lang, playbook=pb)  # fmt: skip
        done.append("ban")
    elif Step.KICK in step.do:
        staff.kick_member(store, member_id, group, by, now, key=f"{key}:kick",
                          reason=reason, language=lang)  # fmt: skip
        done.append("kick")
    return done


def _warning(ladder: list[LadderStep], step: LadderStep | None, name: str, count: int,
             reason: str, lang: Language, violation: str = STAFF_WARNING) -> str:  # fmt: skip
    """What the member reads: the warning (the step's own words where the operator wrote
    some), then the mute or removal it brought. Staff's reason, never a matched keyword."""
    violation = reason or violation_name(violation, lang)
    own = (own_words(step.message, lang, nickname=name, rule=violation, count=count)
           if step is not None and step.message else None)  # fmt: skip
    if step is not None and Step.WARN not in step.do and own:
        return own  # said in place of the built-in notices, as the ladder does
    lines = [own or TEXTS.say("warned", lang, name=name, why=_why(reason, lang), count=count,
                              next=next_hint(ladder, count, lang))]  # fmt: skip
    if step is None:
        return lines[0]
    if Step.MUTE in step.do and step.mute_for is not None:
        lines.append(say("muted", lang, nickname=name, violation=violation,
                         duration=human_duration(step.mute_for, lang)))  # fmt: skip
    if any(s in step.do for s in _REMOVALS):
        lines.append(say("removed", lang, nickname=name, violation=violation))
    return "\n".join(lines)


def mute(scope: StoreBase, request: StaffMute, ctx: EffectContext) -> Sequence[Action]:
    """Mute the member in this group; the engine lifts it on time."""
    store, group, found, refused = _aimed(scope, request, ctx)
    if found is None:
        return refused
    lang = ctx.playbook.community.language
    staff.mute_member(store, found.member_id, group, ctx.now + request.duration, by_whom(ctx),
                      ctx.now, key=_key(ctx, "mute"), reason=request.reason,
                      language=lang)  # fmt: skip
    text = TEXTS.say("muted", lang, name=found.name, why=_why(request.reason, lang),
                     duration=human_duration(request.duration, lang))  # fmt: skip
    text += how_to_appeal(lang) if ctx.playbook.rules.appeals.enabled else ""
    return [answer(ctx.trigger, text)]


def ban(scope: StoreBase, request: StaffBan, ctx: EffectContext) -> Sequence[Action]:
    """Ban the member from every group of the community they are in (and this one)."""
    store, group, found, refused = _aimed(scope, request, ctx)
    if found is None:
        return refused
    lang, by = ctx.playbook.community.language, by_whom(ctx)
    if found.message_id is not None:
        bans = staff.ban_for_message(store, found.message_id, by, ctx.now, reason=request.reason,
                                     language=lang, playbook=ctx.playbook)  # fmt: skip
    else:
        bans = staff.ban_member(store, found.member_id, group, by, ctx.now,
                                key=_key(ctx, "ban"), reason=request.reason,
                                language=lang, playbook=ctx.playbook)  # fmt: skip
    names = {g.id: g.name for g in store.list_groups(group.community_id)}
    where = ("、" if lang is Language.ZH_CN else ", ").join(
        names.get(b.group_id or 0, "?") for b in bans
    )
    text = TEXTS.say("banned", lang, name=found.name, groups=where, why=_why(request.reason, lang))
    return [answer(ctx.trigger, text)]


def pardon(scope: StoreBase, request: StaffPardon, ctx: EffectContext) -> Sequence[Action]:
    """Lift what holds the member back in this community and take back their latest strike."""
    store = Store.on(scope)
    found, refused = _point(scope, request, ctx)
    if found is None:
        return refused
    lang, by, now = ctx.playbook.community.language, by_whom(ctx), ctx.now
    community = ctx.group.community_id
    lifted: list[SanctionKind] = []
    # A blacklisting first: lifting it lifts the member's bans in the community along.
    for kind in (SanctionKind.BLACKLIST, SanctionKind.BAN, SanctionKind.MUTE, SanctionKind.KICK):
        for sanction in _in_force(store, found.member_id, community, kind, now):
            try:
                staff.lift(store, sanction.id, by, now, tell=False)  # answered below
            except StoreError:
                continue  # lifted meanwhile (along with a blacklisting, or by someone else)
            lifted.append(kind)
    strikes = store.strikes(community_id=community, member_id=found.member_id,
                            include_dead=False, now=now)  # fmt: skip
    if strikes:
        staff.pardon(store, strikes[-1].id, by, now, tell=False)  # answered below
        _recount(ctx, found.member_id)
    done = [TEXTS.say(_LIFTED[k], lang) for k in dict.fromkeys(lifted) if k in _LIFTED]
    if strikes:
        done.append(TEXTS.say("strike_pardoned", lang, left=len(strikes) - 1))
    everywhere = store.active_sanctions(member_id=found.member_id, kind=SanctionKind.BLACKLIST,
                                        now=now)  # fmt: skip
    if any(s.community_id is None for s in everywhere):
        done.append(TEXTS.say("still_blacklisted", lang))
    if not done and not lifted:
        return [answer(ctx.trigger, TEXTS.say("nothing", lang, name=found.name))]
    joined = ("；" if lang is Language.ZH_CN else "; ").join(done)
    return [answer(ctx.trigger, TEXTS.say("pardoned", lang, name=found.name, done=joined))]


def _in_force(store: Store, member_id: int, community_id: int, kind: SanctionKind,
              now: datetime) -> list[Sanction]:  # fmt: skip
    """The member's sanctions of `kind` in force in the community (a blacklisting across
    every community is left to the console: it reaches beyond this community)."""
    return [s for s in store.active_sanctions(member_id=member_id, kind=kind, now=now)
            if s.community_id == community_id]  # fmt: skip


def register(registry: Registry) -> None:
    """Add the staff commands' effects."""
    registry.add_effect(StaffWarn, warn)
    registry.add_effect(StaffMute, mute)
    registry.add_effect(StaffBan, ban)
    registry.add_effect(StaffPardon, pardon)
