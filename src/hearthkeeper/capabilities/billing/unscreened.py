"""A joiner the door never screened: someone who came into a paid community's group without
asking to join (a Telegram link that does not ask, a public group, added by a member; the
same on QQ and Matrix) holds no membership, and would have been asked for one at the door.

They are treated as the door would have: a newcomer the threshold plan has a trial for gets
it (the welcome says so); anyone else is told how to pay, with their payment reference, and
removed `joining.threshold.unpaid_stay` later unless a membership lets them in by then (at
once when it is none). Not touched: staff, bots (never asked), members the door let in (a
trial or a payment gives them access), and members who were in the community before its door
asked for payment (`SqlBilling.paid_since`): a threshold applied to a living community does
not evict it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.capabilities.billing.ledger import has_access, trial_period
from hearthkeeper.capabilities.billing.lifecycle import plan_of, zone_of
from hearthkeeper.capabilities.billing.payments import start_trial
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.requests import UnpaidJoinEnds, UnscreenedJoin
from hearthkeeper.capabilities.billing.texts import TEXTS, other_plans, plan_values
from hearthkeeper.capabilities.command_book import ask
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.engine.actions import Action, ActionKind, privately
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.engine.events import Event, Join
from hearthkeeper.engine.handler import Context, GroupView, MemberView, Outcome
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.business import Plan
from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.store import Store
from hearthkeeper.store.scheduled import ScheduledQueries, WorkOf
from hearthkeeper.store.scope import StoreBase

HANDLER = "billing"
# Carriers where nobody joins but through the door: the web chat seats only whom its join
# page admitted (a trial, a payment), so a join there is never an unscreened one.
SCREENS_EVERY_JOIN = frozenset({"webchat"})


@dataclass(frozen=True)
class Unscreened:
    """What the door would have done with the joiner: a `trial` (start, end) to start, else
    their removal at `removal` unless they pay (at the join itself: at once)."""

    plan: Plan
    trial: tuple[datetime, datetime] | None
    removal: datetime | None


def unscreened(reads: StoreBase, playbook: Playbook, group: GroupView, member: MemberView,
               now: datetime) -> Unscreened | None:  # fmt: skip
    """What becomes of `member`, who has just joined `group`, if the door never screened
    them; None when nothing (not a paid community, a carrier whose every join passed the door,
    staff, a membership lets them in, or they were there before the door asked for payment)."""
    threshold = playbook.joining.threshold
    if threshold.kind is not ThresholdKind.PAID or member.is_staff:
        return None
    if group.carrier in SCREENS_EVERY_JOIN:
        return None
    community_id = group.community_id
    plan = plan_of(playbook, threshold.plan or "")
    if plan is None:
        return None
    repo = SqlBilling.on(reads)
    subs = repo.subscriptions(community_id, member_id=member.id)
    if any(has_access(s, plan_of(playbook, s.plan_id), now) for s in subs):
        return None  # the door let them in (a trial, a payment): a member like any other
    since = repo.paid_since(community_id)
    if since is not None and repo.there_before(community_id, member.id, since):
        return None  # one of the community the threshold was put on: it does not evict them
    trial = trial_period(plan, bool(subs), now)
    if trial is not None:
        return Unscreened(plan, trial, None)
    stay = threshold.unpaid_stay
    return Unscreened(plan, None, now if stay is None else now + stay)


class UnscreenedJoiner:
    """On a join to a paid community: ask for `UnscreenedJoin` when the door never screened
    the joiner. Registered twice: `at_once`, before the welcome, for one removed at the join
    (then it stops: no welcome to a group they are put out of); otherwise after it, so that
    the group reads the welcome first, then what staying costs."""

    def __init__(self, *, at_once: bool) -> None:
        self.at_once = at_once
        self.name = "unscreened-join-at-once" if at_once else "unscreened-join"

    def check(self, event: Event, ctx: Context) -> bool:
        threshold = ctx.playbook.joining.threshold
        return (isinstance(event, Join) and not event.sender.is_bot and ctx.reads is not None
                and threshold.kind is ThresholdKind.PAID
                and (threshold.unpaid_stay is None or not self.at_once))  # fmt: skip

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert ctx.reads is not None
        found = unscreened(ctx.reads, ctx.playbook, ctx.group, ctx.member, ctx.now)
        if found is None or self.at_once is not (found.removal is not None
                                                 and found.removal <= ctx.now):  # fmt: skip
            return Outcome(())  # nothing, or the other registration's (a trial: after the welcome)
        action = ask(event, UnscreenedJoin(), handler=HANDLER, reason="joined without the door")
        return Outcome((action,), stop=self.at_once)


def admit_unscreened(scope: StoreBase, request: UnscreenedJoin,
                     ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Effect: start the joiner's trial (the welcome said it), or tell them how to pay and
    plan their removal — or remove them now, where the playbook keeps nobody unpaid."""
    member, trigger = ctx.member, ctx.trigger
    if member is None or trigger is None:
        return []
    community_id = ctx.group.community_id
    found = unscreened(scope, ctx.playbook, ctx.group, member, ctx.now)
    if found is None:
        return []
    tx = Store.on(scope)
    community = tx.get_community(ctx.playbook.community.slug)
    if found.trial is not None and community is not None:
        start_trial(tx, community, ctx.playbook, member.id, found.plan.id, *found.trial)
        return []
    if found.removal is None:
        return []
    if found.removal > ctx.now and unpaid_removal(scope, community_id, member.id) is not None:
        # a second group while still unpaid: the first message's deadline removes them from
        # every group, so neither a new deadline nor a second removal (nothing said again)
        return []
    language = ctx.playbook.community.language
    code = SqlBilling.on(scope).reference_for(trigger.carrier, member.user_id,
                                              member.display_name, ctx.now).code  # fmt: skip
    values = dict(name=member.display_name or member.user_id, community=ctx.playbook.community.name,
                  code=code, **plan_values(found.plan, language))  # fmt: skip
    if found.removal <= ctx.now:  # nobody stays unpaid: out at once, told why and how to come back
        text = TEXTS.say("unscreened_refused", language, **values)
        text += other_plans(ctx.playbook, found.plan)
        tell = privately(Action(kind=ActionKind.SEND, carrier=trigger.carrier, group=trigger.group,
                                member=member.user_id, text=text, handler=HANDLER,
                                reason="joined without a membership"), text)  # fmt: skip
        kick = Action(kind=ActionKind.KICK, carrier=trigger.carrier, group=trigger.group,
                      member=member.user_id, handler=HANDLER, detail="joined unpaid",
                      reason=TEXTS.say("removed_unscreened", language, plan=found.plan.name))  # fmt: skip
        tx.audit("billing", "billing unpaid join removed", community_id,
                 target=f"member {member.id}", detail={"group": ctx.group.id})  # fmt: skip
        return [tell, kick]
    text = TEXTS.say("unscreened_pay", language, **values,
                     when=when_text(found.removal, zone_of(ctx.playbook), language))  # fmt: skip
    text += other_plans(ctx.playbook, found.plan)
    # queued as the welcome is (welcomes go after sanctions and replies), so it follows it
    tell = privately(Action(kind=ActionKind.SEND, carrier=trigger.carrier, group=trigger.group,
                            member=member.user_id, text=text, handler=HANDLER, welcome=True,
                            reason="joined without a membership"), text)  # fmt: skip
    ends = UnpaidJoinEnds(member=member.id, joined_at=ctx.now)
    schedule_request(scope, f"billing:unpaid-join:{member.id}:{ctx.now.isoformat()}",
                     community_id, ends, found.removal, group_id=ctx.group.id)  # fmt: skip
    tx.audit("billing", "billing unpaid join", community_id, target=f"member {member.id}",
             detail={"group": ctx.group.id, "removal": found.removal.isoformat()})  # fmt: skip
    return [tell]


def unpaid_removal(scope: StoreBase, community_id: int, member_id: int) -> datetime | None:
    """When the pending removal of `member_id`, an unpaid direct joiner, falls due, if one is."""
    pending = ScheduledQueries.on(scope).pending_work(
        WorkOf(community_id, f"billing:unpaid-join:{member_id}:")
    )
    return pending[0].due_at if pending else None


def remove_unpaid(scope: StoreBase, request: UnpaidJoinEnds,
                  ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Effect, `unpaid_stay` after an unscreened join: the member is removed from every group
    of the community they are in, unless they paid since the join (or a membership lets them
    in now), and not from a group where they hold a role."""
    community_id = ctx.group.community_id
    playbook = ctx.playbook
    subs = SqlBilling.on(scope).subscriptions(community_id, member_id=request.member)
    if any(s.created_at >= request.joined_at or has_access(s, plan_of(playbook, s.plan_id),
                                                           ctx.now) for s in subs):  # fmt: skip
        # paid since the join (or a membership lets them in): a member like any other, whose
        # subscription's own end removes them if it lapses (this work, run late, does not)
        return []
    tx = Store.on(scope)
    plan = plan_of(playbook, playbook.joining.threshold.plan or "")
    language = playbook.community.language
    reason = TEXTS.say("removed_unscreened", language,
                       plan=plan.name if plan is not None else "")  # fmt: skip
    groups = tx.list_groups(community_id)
    stays = tx.active_stays([(g.id, request.member) for g in groups])
    removed = 0
    for group in groups:
        stay = stays.get((group.id, request.member))
        if stay is None or stay.role:  # not in it, or made staff there since
            continue
        user = tx.user_on(request.member, group.carrier)
        if user is None:
            continue
        kick = Action(kind=ActionKind.KICK, carrier=group.carrier, group=group.carrier_group_id,
                      member=user, reason=reason, handler=HANDLER, detail="joined unpaid")  # fmt: skip
        _, created = tx.enqueue(f"billing:unpaid-join:{request.member}:{request.joined_at.isoformat()}"
                                f":kick:{group.id}", group.carrier, kick.to_json(), kick.priority,
                                group_id=group.id, at=ctx.now)  # fmt: skip
        removed += int(created)
    tx.audit("billing", "billing unpaid join removed", community_id,
             target=f"member {request.member}", detail={"removed_from": removed})  # fmt: skip
    return []
