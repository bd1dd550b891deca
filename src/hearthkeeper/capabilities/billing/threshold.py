"""The `paid` joining threshold: in with a subscription of any of the community's plans that
still gives access (paid, in its trial, cancelled but within its period, or within its
grace); a newcomer (nobody who ever had a plan here) gets the threshold plan's trial once, and a client network (a web join page's) one per `TRIAL_PER_NETWORK`;
everyone else is refused with the plan, its price and period, and the payment reference to
quote when paying, in the community's language."""

from __future__ import annotations

from hearthkeeper.capabilities.billing.ledger import (
    TRIAL_PER_NETWORK,
    has_access,
    network_digest,
    trial_period,
)
from hearthkeeper.capabilities.billing.lifecycle import plan_of, zone_of
from hearthkeeper.capabilities.billing.payments import start_trial
from hearthkeeper.capabilities.billing.records import Subscription
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.texts import (
    TEXTS,
    day_of,
    other_plans,
    plan_values,
    trial_words,
)
from hearthkeeper.engine.admission import ADMIT, Applicant, Entry, JoinRequest, Verdict
from hearthkeeper.playbook.business import Plan
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase


def check_paid(scope: StoreBase, request: JoinRequest, applicant: Applicant) -> Verdict:
    """Admit a member whose subscription of any of the community's plans gives access now;
    a newcomer gets the trial of `joining.threshold.plan`, the plan everyone else is offered."""
    playbook, now = applicant.playbook, applicant.now
    language = playbook.community.language
    plan = plan_of(playbook, applicant.threshold.plan or "")
    if plan is None:  # validation refuses such a playbook; a door stays shut regardless
        return Verdict(entry=Entry.REFUSE,
                       reason=f"No membership plan {applicant.threshold.plan!r} is defined.")  # fmt: skip
    repo = SqlBilling.on(scope)
    community = applicant.community
    tx = Store.on(scope)
    member_id = applicant.member_id
    if not request.probe:
        # one ask at a time, and what the ones before it did read now: two asks at once (one
        # person's requests to two groups, two browsers on one connection) each read that no
        # trial was taken, then each started one
        tx.lock_community(community.id)
        if member_id is None and request.user_id:
            found = tx.find_member(request.carrier, request.user_id)
            member_id = None if found is None else found.id
    subs = []
    if member_id is not None:  # any plan of the community makes a member (a yearly card
        # behind a door that offers the monthly one), and anyone who had one is no newcomer
        subs = repo.subscriptions(community.id, member_id=member_id)
        for sub in subs:
            held = plan_of(playbook, sub.plan_id)
            if has_access(sub, held, now):
                return _paid_in(sub, held, request, applicant)
    trial = trial_period(plan, bool(subs), now)
    network = None if not request.network else network_digest(community.id, request.network)
    used = trial is not None and network is not None and repo.trial_from(
        community.id, network, now - TRIAL_PER_NETWORK)  # fmt: skip
    if used:  # this connection had its trial: a fresh browser or nickname is no newcomer
        trial = None
    if trial is not None and request.probe:  # the form invites them in, saying what it is:
        # a paid community's trial, which ends with their removal unless they pay; the trial
        # starts when they ask
        offer = TEXTS.say("trial_offer", language, community=playbook.community.name,
                          trial=trial_words(trial[1] - trial[0], language),
                          **plan_values(plan, language))  # fmt: skip
        return Verdict(entry=Entry.ADMIT, reason=offer)
    if trial is not None:
        member = tx.member_for(request.carrier, request.user_id, request.display_name)
        start_trial(tx, community, playbook, member.id, plan.id, *trial, network=network)
        return ADMIT
    if not request.user_id:  # a visitor the carrier does not know yet: no reference to give
        reason = TEXTS.say("refused_visitor", language, community=playbook.community.name,
                           **plan_values(plan, language)) + other_plans(playbook, plan)  # fmt: skip
        return Verdict(entry=Entry.REFUSE, reason=_first(used, language, reason),
                       keeps_form=True)  # fmt: skip
    code = repo.reference_for(request.carrier, request.user_id, request.display_name, now).code
    reason = TEXTS.say("refused", language, community=playbook.community.name, code=code,
                       **plan_values(plan, language)) + other_plans(playbook, plan)  # fmt: skip
    latest = subs[-1] if subs else None
    if latest is not None and latest.ended_at is not None:
        had = plan_of(playbook, latest.plan_id)
        ended = TEXTS.say("expired_before" if latest.paid else "trial_ended_before", language,
                          plan=plan.name if had is None else had.name,
                          date=day_of(latest.ended_at, zone_of(playbook)))  # fmt: skip
        reason = f"{ended} {reason}" if language.value == "en" else ended + reason
    return Verdict(entry=Entry.REFUSE, reason=_first(used, language, reason), keeps_form=True)


def _paid_in(sub: Subscription, plan: Plan | None, request: JoinRequest,
             applicant: Applicant) -> Verdict:  # fmt: skip
    """In, as a member whose subscription gives access. The join page (a probe) tells one
    whose payment is in, within its period, that it is and until when: they opened the link
    again after paying, as the refusal told them to, and see the form they saw before."""
    if not request.probe or plan is None or not sub.paid or applicant.now >= sub.period_end:
        return ADMIT  # a trial, its grace, or the join itself: nothing to say
    playbook = applicant.playbook
    said = TEXTS.say("paid_in", playbook.community.language, plan=plan.name,
                     date=day_of(sub.period_end, zone_of(playbook)))  # fmt: skip
    return Verdict(entry=Entry.ADMIT, reason=said)


def _first(used: bool, language: Language, reason: str) -> str:
    """`reason`, after saying that this connection's trial was used, if it was."""
    if not used:
        return reason
    said = TEXTS.say("trial_used", language)
    return f"{said} {reason}" if language.value == "en" else said + reason
