"""What a welcome (a newcomer's, or a welcome back) says of the member's free trial: that
they are on one, until when, and what staying costs (the door said so on the join page, but
the group is where they read)."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.capabilities.billing.lifecycle import plan_of, zone_of
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.texts import TEXTS, day_of, plan_values
from hearthkeeper.capabilities.billing.unscreened import unscreened
from hearthkeeper.engine.handler import GroupView, MemberView
from hearthkeeper.playbook import Playbook
from hearthkeeper.store.scope import StoreBase


def offers_trial(playbook: Playbook) -> bool:
    """Whether any plan has a free trial (only then is a welcome worth a read of the ledger)."""
    return any(plan.trial is not None for plan in playbook.monetisation.plans)


def trial_said(reads: StoreBase, playbook: Playbook, group: GroupView, member: MemberView,
               now: datetime) -> str:  # fmt: skip
    """The welcome's line on the member's free trial, in the community's language; empty
    when they are on none (they paid, or the community offers none). A joiner the door never
    screened whose trial starts with this join (`unscreened`) reads it as the door's would."""
    subs = SqlBilling.on(reads).subscriptions(group.community_id, member_id=member.id)
    trial = next((s for s in reversed(subs)
                  if s.live and not s.paid and s.trial_end is not None and s.trial_end > now),
                 None)  # fmt: skip
    plan = None if trial is None else plan_of(playbook, trial.plan_id)
    end = None if trial is None else trial.trial_end
    if trial is None:
        found = unscreened(reads, playbook, group, member, now)
        if found is not None and found.trial is not None:
            plan, end = found.plan, found.trial[1]
    if end is None or plan is None:
        return ""
    language = playbook.community.language
    said = TEXTS.say("welcome_trial", language, date=day_of(end, zone_of(playbook)),
                     **plan_values(plan, language))  # fmt: skip
    if plan.renewal_reminder is not None:
        said += TEXTS.say("welcome_trial_reminded", language)
    return said
