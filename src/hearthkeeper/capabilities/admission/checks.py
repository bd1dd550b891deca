"""The threshold checks: load what the store knows of the person → a pure decision →
write (a code's use, an application) → a `Verdict` said in the community's language.

Each runs in the transaction `Admission.screen` opened; asking again with the same request
writes nothing new: a code's use is counted once per person, an application is one per
person and community."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthkeeper.capabilities.admission import decide
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.capabilities.admission.decide import Answered, CodeOutcome
from hearthkeeper.capabilities.admission.records import Application
from hearthkeeper.capabilities.admission.review import applied_key, network_alert_key
from hearthkeeper.capabilities.admission.texts import say
from hearthkeeper.capabilities.billing.ledger import network_digest
from hearthkeeper.capabilities.livecodes.decide import slug_of
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.points.levels_repository import SqlLevels
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.admission import ADMIT, Applicant, Entry, JoinRequest, Verdict
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import NewStaffAlert, Store
from hearthkeeper.store.records import ApplicationStatus
from hearthkeeper.store.rooms import PENDING_SEAT, PENDING_SEATS_PER_NETWORK
from hearthkeeper.store.scope import StoreBase

HANDLER = "admission"


def check_code(scope: StoreBase, request: JoinRequest, applicant: Applicant) -> Verdict:
    """`invite_code`: a valid code of the community lets its bearer in (counted once each)."""
    language = applicant.playbook.community.language
    given = decide.normalise_code(request.code)
    codes = SqlInviteCodes.on(scope)
    code = codes.code_named(applicant.community.id, given, lock=True) if given else None
    used = code is not None and codes.used(code.id, request.carrier, request.user_id)
    outcome = decide.judge_code(code, given, used, applicant.now)
    if outcome is CodeOutcome.ADMIT:
        assert code is not None
        codes.use_code(code.id, request.carrier, request.user_id, applicant.group.id,
                       applicant.now)  # fmt: skip
        return ADMIT
    values: dict[str, object] = {"code": given}
    if code is not None and code.expires_at is not None:
        values["when"] = f"{code.expires_at.astimezone(_zone(applicant)):%Y-%m-%d}"
    if code is not None:
        values["most"] = code.max_uses
    reason = say(f"code_{outcome.value}", language, **values)
    return Verdict(entry=Entry.REFUSE, reason=reason, asks_code=True)


def _zone(applicant: Applicant) -> ZoneInfo:
    """The community's time zone, whose days staff give a code's last day in (UTC unknown)."""
    try:
        return ZoneInfo(applicant.playbook.community.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def check_application(scope: StoreBase, request: JoinRequest, applicant: Applicant) -> Verdict:
    """`application`: answers become a pending application staff review (and are alerted
    of); an approved applicant is let in, a refused one told the staff's message."""
    language = applicant.playbook.community.language
    questions = tuple(applicant.threshold.questions)
    applications = SqlApplications.on(scope)
    cid = applicant.community.id
    found = applications.application_of(cid, request.carrier, request.user_id)
    if found is not None:
        return verdict_of(found, language)
    answered = decide.judge_answers(
        questions, request.answers, per_question=request.field_per_question
    )
    if answered is not Answered.FULLY:
        key = "apply" if answered is Answered.NONE else "apply_all"
        return Verdict(entry=Entry.REFUSE, reason=say(key, language), questions=questions)
    network = None if not request.client else network_digest(cid, request.client)
    application, created = applications.add_application(
        cid, applicant.group.id, request.carrier, request.user_id,
        request.display_name or request.user_id, applicant.member_id, questions,
        decide.answers_of(questions, request.answers), applicant.now,
        network=network,
    )  # fmt: skip
    if created:
        if network is not None and applications.pending_from(
            cid, network, applicant.now - PENDING_SEAT, other_than=application.id
        ) >= PENDING_SEATS_PER_NETWORK:  # fmt: skip
            _count_past_the_cap(Store.on(scope), application, applicant, network)
        else:
            _alert_staff(Store.on(scope), application, applicant)
        slug = slug_of(request.source)
        if slug is not None:  # the seat a live code held for them is the application's now
            SqlLiveCodes.on(scope).seat_to_application(slug, applicant.group.id, applicant.now)
    return verdict_of(application, language)


def verdict_of(application: Application, language: Language) -> Verdict:
    """What an application means for its applicant now, said in `language`."""
    if application.status is ApplicationStatus.APPROVED:
        return ADMIT
    if application.status is ApplicationStatus.REFUSED:
        message = application.message or say("no_message", language)
        return Verdict(entry=Entry.REFUSE, reason=say("refused", language, message=message))
    return Verdict(entry=Entry.PENDING, reason=say("pending", language))


def _alert_staff(tx: Store, application: Application, applicant: Applicant) -> None:
    """The staff inbox gets the application (and the carrier its alert, for carriers that
    tell staff directly), once: keyed by the application."""
    group = applicant.group
    language = applicant.playbook.community.language
    text = say("alert", language, name=application.display_name, group=group.name)
    answers = "\n".join(f"{q}\n→ {a}" for q, a in application.answered)
    _raise(tx, applicant, applied_key(application.id), text, f"{text}\n{answers}".strip(),
           application, "an application waits for review")  # fmt: skip


def _count_past_the_cap(tx: Store, application: Application, applicant: Applicant,
                        network: str) -> None:  # fmt: skip
    """An application from a client network whose `PENDING_SEATS_PER_NETWORK` applications
    already wait (one address applying in a loop): no alert of its own. One alert per network
    and day of the community counts that network's applications instead: raised (and sent)
    at the first past the limit, its text updated in the inbox by the next ones, never sent
    again; handled meanwhile, it comes back open with the new count."""
    zone = _zone(applicant)
    local = applicant.now.astimezone(zone)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    count = SqlApplications.on(tx).made_from(applicant.community.id, network, day)
    language = applicant.playbook.community.language
    text = say("past_the_cap", language, count=count, most=PENDING_SEATS_PER_NETWORK,
               name=application.display_name, group=applicant.group.name,
               since=f"{day:%Y-%m-%d}", at=f"{local:%H:%M}")  # fmt: skip
    key = network_alert_key(applicant.community.id, network, day)
    reason = "applications from one network wait for review"
    # another application at the same moment may have raised it first: then it is counted on
    if tx.staff_alert_by_key(key) is not None or not _raise(tx, applicant, key, text, text,
                                                            None, reason):  # fmt: skip
        tx.revise_staff_alert(key, text)


def _raise(tx: Store, applicant: Applicant, key: str, text: str, inbox: str,
           application: Application | None, reason: str) -> bool:  # fmt: skip
    """An alert about an application (None: about several): in the inbox (`inbox`: its text
    there) and, once under `key`, to the reviewers by the staff channel and direct messages
    (`text`). False if it was raised already (nothing is sent again)."""
    group = applicant.group
    member = None if application is None else application.user_id
    member_id = None if application is None else application.member_id
    action = Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                    group=group.carrier_group_id, member=member, text=text,
                    reason=reason, handler=HANDLER, key=key)  # fmt: skip
    tx.enqueue(key, group.carrier, action.to_json(), action.priority, group_id=group.id,
               at=applicant.now)  # fmt: skip
    if not tx.add_staff_alerts([NewStaffAlert(key, group.community_id, group.id, member_id,
                                              None, HANDLER, inbox, reason, applicant.now)]):  # fmt: skip
        return False
    # the staff channel and direct messages (or held for quiet hours: the digest too), as for
    # every alert, to the reviewers rather than to every role that hears alerts
    from hearthkeeper.capabilities.alerts.route import route_alert

    for d in route_alert(tx, applicant.playbook, action, key, group.community_id, group.id,
                         applicant.now, for_roles=reviewer_roles(applicant.playbook)):  # fmt: skip
        tx.enqueue(d.key, d.action.carrier, d.action.to_json(), d.action.priority,
                   group_id=d.group_id, at=applicant.now)  # fmt: skip
    return True


def reviewer_roles(pb: Playbook) -> list[str]:
    """The roles that review applications: `joining.threshold.reviewers`, else the roles
    holding `review_applications`."""
    roles = pb.joining.threshold.reviewers
    if roles is None:
        roles = [rid for rid, role in pb.structure.roles.items()
                 if Permission.REVIEW_APPLICATIONS in role.permissions]  # fmt: skip
    return list(roles)


def check_min_level(scope: StoreBase, request: JoinRequest, applicant: Applicant) -> Verdict:
    """`min_level`: members at `joining.threshold.min_level` or above are let in."""
    playbook = applicant.playbook
    language = playbook.community.language
    needed = applicant.threshold.min_level
    levels = [level.id for level in playbook.structure.levels]
    names = {level.id: level.name for level in playbook.structure.levels}
    if needed is None or needed not in levels:
        return Verdict(entry=Entry.REFUSE, reason=say("level_unset", language))
    if applicant.member_id is None:
        return Verdict(entry=Entry.REFUSE,
                       reason=say("level_stranger", language, needed=names[needed]))  # fmt: skip
    placed = SqlLevels.on(scope).member_level(applicant.community.id, applicant.member_id)
    current = placed.level if placed is not None and placed.level in levels else levels[0]
    if decide.level_reached(levels, needed, current):
        return ADMIT
    reason = say("level_needed", language, needed=names[needed], current=names[current])
    return Verdict(entry=Entry.REFUSE, reason=reason)
