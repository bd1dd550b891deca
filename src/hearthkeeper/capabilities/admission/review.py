"""Staff's review of applications, from the console or the CLI: approve or refuse, with a
message. The decision and what it asks of the carrier (`ADMIT`: invite or seat the
applicant; `DECLINE`: turn the request down) are written in one transaction with the audit
entry; the carrier action is keyed by the application, so it is performed once however
often staff click, and even across a restart. A refusal also drops the links kept to credit
the applicant's join (`join_sources`), setting them aside on the application: letting the
person in after all (`reconsider`) keeps them again, and nothing else does."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.records import Application
from hearthkeeper.capabilities.admission.texts import say
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, Store, StoreError
from hearthkeeper.store.join_sources import SqlJoinSources
from hearthkeeper.store.records import ApplicationStatus

HANDLER = "admission"
MAX_MESSAGE = 1000


def approve(store: Store, application_id: int, by: str, now: datetime,
            message: str = "", *, reconsider: bool = False) -> Application:  # fmt: skip
    """Approve a pending application: the applicant is let in (StoreError if reviewed);
    `reconsider`: one refused before too (staff changed their mind)."""
    return _review(store, application_id, ApplicationStatus.APPROVED, by, now, message,
                   reconsider=reconsider)  # fmt: skip


def refuse(store: Store, application_id: int, by: str, now: datetime,
           message: str = "") -> Application:  # fmt: skip
    """Refuse a pending application; the applicant is told `message` (StoreError if
    reviewed already)."""
    return _review(store, application_id, ApplicationStatus.REFUSED, by, now, message)


def carrier_action(application: Application, group: Group,
                   language: Language = Language.ZH_CN) -> Action:  # fmt: skip
    """What the applicant's carrier is asked once staff decided; a refusal carries, in
    `language`, the text that tells the applicant (a carrier with nothing to turn down, such
    as Matrix for someone who applied on its join page, sends it to them directly)."""
    approved = application.status is ApplicationStatus.APPROVED
    message = application.message or say("no_message", language)
    return Action(
        kind=ActionKind.ADMIT if approved else ActionKind.DECLINE, carrier=application.carrier,
        group=group.carrier_group_id, member=application.user_id,
        reason=application.message or ("application approved" if approved
                                       else "application refused"),
        text=None if approved else say("declined", language, group=group.name, message=message),
        handler=HANDLER, key=action_key(application),
        # what a carrier that must reach the applicant itself says, and names them by (a
        # Telegram request declined before "Let in after all": carriers/telegram/admit.py)
        extra={"language": language.value, "applicant": application.display_name},
    )  # fmt: skip


def applied_key(application_id: int) -> str:
    """The key of the staff alert (and its outbox item) that an application waits."""
    return f"admission:applied:{application_id}"


def network_alert_key(community_id: int, network: str, day: datetime) -> str:
    """The key of the day's alert counting one client network's applications past its seats
    (`checks._count_past_the_cap`); `day`: its midnight in the community's time zone."""
    return f"{network_alerts(community_id, network)}{day:%Y%m%d}"


def network_alerts(community_id: int, network: str) -> str:
    """What the keys of a client network's daily alerts start with."""
    return f"admission:network:{community_id}:{network[:32]}:"


def action_key(application: Application) -> str:
    return f"admission:{application.status.value}:{application.id}"


def _review(store: Store, application_id: int, status: ApplicationStatus, by: str,
            now: datetime, message: str, *, reconsider: bool = False) -> Application:  # fmt: skip
    said = message.strip()[:MAX_MESSAGE] or None
    with store.transaction() as tx:
        application = SqlApplications.on(tx).review(application_id, status, by, said, now,
                                                    reconsider=reconsider)  # fmt: skip
        group = tx.get_group(application.group_id)
        if group is None:
            raise StoreError(f"the group of application {application_id} is gone")
        playbook = community_playbook(tx, application.community_id)
        language = Language.ZH_CN if playbook is None else playbook.community.language
        action = carrier_action(application, group, language)
        assert action.key is not None
        tx.enqueue(action.key, action.carrier, action.to_json(), action.priority,
                   group_id=group.id, at=now)  # fmt: skip
        # the inbox's "… applied to join" alert is dealt with by the decision itself
        waiting = tx.staff_alert_by_key(applied_key(application_id))
        if waiting is not None and waiting.handled_at is None:
            tx.handle_alert(waiting.id, by, now)
        if application.network is not None:
            _close_network_alerts(tx, application.community_id, application.network, by, now)
        if status is ApplicationStatus.REFUSED:
            _set_aside_sources(tx, application, now)
        else:
            _restore_sources(tx, application, now)
        tx.audit(by, f"application.{status.value}", application.community_id,
                 target=f"application {application_id}",
                 detail={"applicant": application.display_name, "message": said})  # fmt: skip
    return application


def _close_network_alerts(tx: Store, community_id: int, network: str, by: str,
                          now: datetime) -> None:  # fmt: skip
    """The alerts counting a client network's applications past its seats are handled by
    whoever decides the last of that network's applications waiting: nothing they counted
    waits any more. Applications past its seats again open the day's alert again."""
    if SqlApplications.on(tx).waiting_from(community_id, network) == 0:
        for alert in tx.open_alerts_keyed(community_id, network_alerts(community_id, network)):
            tx.handle_alert(alert.id, by, now)


def _set_aside_sources(tx: Store, application: Application, now: datetime) -> None:
    """The links kept to credit the applicant's join (`join_sources`, one per room they asked
    for) are dropped with the refusal: a person staff let in later by other means, or who
    comes by a plain link, is not credited to the link they were refused from. The refused
    application keeps them aside, for `_restore_sources` alone."""
    sources = SqlJoinSources.on(tx)
    dropped: dict[str, str] = {}
    for group in tx.list_groups(application.community_id):
        if group.carrier == application.carrier:
            token = sources.withdraw(application.carrier, group.carrier_group_id,
                                     application.user_id, now)  # fmt: skip
            if token is not None:
                dropped[group.carrier_group_id] = token
    SqlApplications.on(tx).set_aside_sources(application.id, dropped)


def _restore_sources(tx: Store, application: Application, now: datetime) -> None:
    """Staff let a refused applicant in after all: the links their refusal set aside are kept
    again (for `join_sources`' two weeks from now), so their join credits the referral link or
    the live code's channel they came by, as an approval in the first place would have."""
    sources = SqlJoinSources.on(tx)
    for room, token in SqlApplications.on(tx).take_set_aside_sources(application.id).items():
        sources.remember(application.carrier, room, application.user_id, token, now)
