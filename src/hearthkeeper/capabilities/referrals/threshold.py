"""The `task` joining threshold: a person with at least `joining.threshold.invite_friends`
credited referrals is admitted; anyone else is refused with how many they have and need.

Referrals count in the communities `joining.threshold.referrals_in` names (by slug), else in
the community itself. A community whose own threshold is `task` refuses the very friends its
members invite, so the usual shape is a free community that runs the invite task and a
circle, with the `task` threshold, that counts the free community's referrals.
"""

from __future__ import annotations

from hearthkeeper.capabilities.referrals.decide import task_refusal
from hearthkeeper.capabilities.referrals.repository import SqlReferrals
from hearthkeeper.engine.admission import ADMIT, Applicant, Entry, JoinRequest, Verdict
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.scope import StoreBase


def counted_in(scope: StoreBase, applicant: Applicant) -> list[int]:
    """The ids of the communities whose credited referrals count (unknown slugs count none)."""
    slugs = applicant.threshold.referrals_in
    if not slugs:
        return [applicant.community.id]
    found = (CommunityQueries.on(scope).get_community(slug) for slug in slugs)
    return [c.id for c in found if c is not None]


def check_task(scope: StoreBase, request: JoinRequest, applicant: Applicant) -> Verdict:
    """Admit a person with enough credited referrals; refuse anyone else, saying why."""
    needed = applicant.threshold.invite_friends or 1
    have = 0
    if applicant.member_id is not None:
        have = SqlReferrals.on(scope).credited(counted_in(scope, applicant), applicant.member_id)
    refusal = task_refusal(have, needed, applicant.playbook.community.language)
    return ADMIT if refusal is None else Verdict(entry=Entry.REFUSE, reason=refusal)
