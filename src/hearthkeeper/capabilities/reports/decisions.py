"""Staff decide a reported message: delete it and strike its author on one of the
playbook's rules (the ladder's step follows, as for a `/warn`; the message is kept as spam
for the learned scorer, as a staff deletion is), or dismiss the reports. Each in one
transaction with its audit entry; the alert is marked handled. `decide` is the one way
reports are decided: the console's inbox, `hearth reports decide` and the REST API call it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.moderation.chat_effects import STAFF_WARNING, strike_member
from hearthkeeper.capabilities.reports.repository import (
    ReportedMessage,
    SqlReports,
    alert_key,
    already,
    hidden_key,
    reported_of_alert,
)
from hearthkeeper.capabilities.reports.texts import TEXTS
from hearthkeeper.capabilities.texts import violation_name
from hearthkeeper.engine.actions import OPTIONAL, Action, ActionKind
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.store import ExampleSource, StaffAlert, Store, StoreError


class StaffAuthor(StoreError):
    """The reported message is a staff member's: staff are not struck through reports (as
    `/warn` refuses them); the reports are dismissed, or taken up with them."""


class NoSuchReport(StoreError):
    """No reported message has that id (in that community)."""


class NoSuchRule(ValueError):
    """An uphold without a rule, or on one the playbook does not have."""


class NoPlaybook(StoreError):
    """The community runs no playbook (none applied, or it no longer reads): no rules to
    strike on."""


class Decision(StrEnum):
    """What staff decide of a reported message."""

    UPHOLD = "uphold"  # delete it, strike its author on a rule
    DISMISS = "dismiss"  # close the reports, strike nobody


UPHELD = "upheld"
DISMISSED = "dismissed"
HANDLER = "reports"  # who hid a message (its deletion's `deleted_by`)


def decide(store: Store, reported_id: int, decision: Decision, by: str, now: datetime, *,
           violation: str = "", community_id: int | None = None,
           playbook: Playbook | None = None) -> ReportedMessage:  # fmt: skip
    """Uphold (on `violation`) or dismiss the reports of a message, whichever screen asks,
    with the same checks: NoSuchReport (none with that id; in `community_id`, when given),
    AlreadyDecided (the first decision stands), StaffAuthor (an uphold of a staff member's
    message), NoPlaybook, NoSuchRule (an uphold without one of `rules(playbook)`).
    `playbook`: the community's, when the caller has it read (else read here)."""
    reported = SqlReports.on(store).get(reported_id)
    if reported is None or community_id not in (None, reported.community_id):
        raise NoSuchReport(f"there is no reported message with id {reported_id}")
    if reported.decided_at is not None:
        raise already(reported)
    if decision is Decision.DISMISS:
        return dismiss(store, reported_id, by, now)
    role = _staff_role(store, reported)
    if role is not None:
        raise StaffAuthor(f"reported message {reported_id} is by staff ({role}): staff are not "
                          "struck through reports; dismiss them, or take it up with them")  # fmt: skip
    if playbook is None:
        from hearthkeeper.apply import community_playbook

        playbook = community_playbook(store, reported.community_id)
    if playbook is None:
        raise NoPlaybook(f"reported message {reported_id}'s community runs no playbook that "
                         "reads: there is no rule to strike on (apply one: `hearth apply "
                         "FILE`), or dismiss the reports")  # fmt: skip
    return uphold(store, reported_id, violation, by, now, playbook=playbook)


def rules(playbook: Playbook) -> list[str]:
    """The rules staff may strike a reported message's author on: the playbook's violation
    kinds that are on, and a staff warning (`/warn`'s)."""
    on = [k.value for k in ViolationKind if playbook.rules.violations.detector(k).enabled]
    return [*on, STAFF_WARNING]


def uphold(store: Store, reported_id: int, violation: str, by: str, now: datetime, *,
           playbook: Playbook) -> ReportedMessage:  # fmt: skip
    """Delete the reported message (unless reports hid it already), keep it as spam, and
    strike its author for `violation` (one of `rules(playbook)`, else ValueError); StoreError
    if it is unknown or decided already, StaffAuthor if its author is staff in its group."""
    if violation not in rules(playbook):
        said = f"{violation!r} is not a rule of this playbook" if violation else "name a rule"
        raise NoSuchRule(f"{said} to strike the author on: one of "
                         f"{', '.join(rules(playbook))} (nothing was decided)")  # fmt: skip
    with store.transaction() as tx:
        reported = SqlReports.on(tx).decide(reported_id, UPHELD, by, now)
        message, group = tx.get_message(reported.message_id), tx.get_group(reported.group_id)
        if message is None or group is None:
            raise StoreError(f"reported message {reported_id} names no stored message")
        role = _staff_role(tx, reported)
        if role is not None:
            raise StaffAuthor(f"reported message {reported_id} is by staff ({role}): staff are "
                              "not struck through reports; dismiss them, or take it up with "
                              "them")  # fmt: skip
        if message.deleted_at is None:
            staff.delete_message(tx, message.id, by, now, language=playbook.community.language)
        else:  # hidden by reports: gone from the group already, still learned as spam
            tx.add_moderation_example(group.community_id, message.text,
                                      ExampleSource.STAFF_DELETE, f"message:{message.id}",
                                      by, now, member_id=reported.author_id)  # fmt: skip
        names = tx.member_names([reported.author_id])
        # the author reads what for: which message (reported) and which rule
        lang = playbook.community.language
        why = (TEXTS.say("upheld_why_staff", lang) if violation == STAFF_WARNING else
               TEXTS.say("upheld_why", lang, violation=violation_name(violation, lang)))  # fmt: skip
        struck = strike_member(tx, playbook, group, reported.author_id,
                               names.get(reported.author_id, "?"), violation,
                               why, by, now, key=f"report-uphold:{reported.id}",
                               audited="report.upheld")  # fmt: skip
        if not group.imported:
            warning = struck.warning
            tx.enqueue(f"report-uphold:{reported.id}:warn", group.carrier, warning.to_json(),
                       warning.priority, group_id=group.id)  # fmt: skip
        _handled(tx, reported, by, now)
    return reported


def dismiss(store: Store, reported_id: int, by: str, now: datetime) -> ReportedMessage:
    """Staff found nothing wrong: the reports are closed, nobody is struck or told. A message
    reports hid is shown again (`restore`)."""
    with store.transaction() as tx:
        reported = SqlReports.on(tx).decide(reported_id, DISMISSED, by, now)
        restored = reported.hidden_at is not None and restore(tx, reported)
        tx.audit(by, "report.dismissed", reported.community_id,
                 target=f"member {reported.author_id}",
                 detail={"reported": reported.id, "message": reported.message_id,
                         "hidden": reported.hidden_at is not None,
                         "restored": restored})  # fmt: skip
        _handled(tx, reported, by, now)
    return reported


def restore(tx: Store, reported: ReportedMessage) -> bool:
    """Bring back the message reports hid: kept as not deleted again (counted in the group's
    figures again), and shown again in the group where the carrier can (the web chat, in its
    place in every member's page; an OPTIONAL action, passed over by carriers that cannot
    undo a deletion). Not when something else deleted it since (staff, a rule): whether it
    was brought back."""
    message, group = tx.get_message(reported.message_id), tx.get_group(reported.group_id)
    if message is None or group is None or not SqlReports.on(tx).bring_back(message.id):
        return False
    tx.count_again([message.id])  # its own day's figures: not every day since (its age)
    if not group.imported:
        shown = Action(kind=ActionKind.RESTORE, carrier=group.carrier,
                       group=group.carrier_group_id, target=message.carrier_event_id,
                       reason="reports dismissed by staff", handler=HANDLER,
                       extra={OPTIONAL: True})  # fmt: skip
        tx.enqueue(f"report-dismiss:{reported.id}:restore", group.carrier, shown.to_json(),
                   shown.priority, group_id=group.id)  # fmt: skip
    return True


def not_handled_alone(tx: Store, alert: StaffAlert) -> None:
    """Refuse (StoreError) to mark a reported message's alert handled while its reports wait:
    it would leave the inbox undecided — a message reports hid stays hidden with nobody to
    look, later reports are said in an alert nobody sees, reporters are told "staff will
    look". Staff delete it or dismiss the reports, which handles the alert."""
    reported_id = reported_of_alert(alert.key) if alert.handler == "reports" else None
    reported = SqlReports.on(tx).get(reported_id) if reported_id is not None else None
    if reported is not None and reported.decided_at is None:
        raise StoreError(f"alert {alert.id} is members' reports of a message (reported "
                         f"message {reported.id}): delete it or dismiss them — POST "
                         f"/api/v1/reports/{reported.id}/uphold or …/dismiss, `hearth reports "
                         f"decide {reported.id} uphold|dismiss`, or the console's inbox; marked "
                         "handled, they would leave the inbox undecided")  # fmt: skip


def _staff_role(store: Store, reported: ReportedMessage) -> str | None:
    """The staff role the reported message's author holds in its group now, if any."""
    where = (reported.group_id, reported.author_id)
    stay = store.active_stays([where]).get(where)
    return None if stay is None else stay.role


def _handled(tx: Store, reported: ReportedMessage, by: str, now: datetime) -> None:
    from hearthkeeper.capabilities.alerts.repository import SqlAlerts

    alert = tx.staff_alert_by_key(alert_key(reported.id))
    if alert is not None and alert.handled_at is None:
        tx.handle_alert(alert.id, by, now)
    # a notice that reports hid it, held for the end of quiet hours, would say it waits for
    # staff: not sent (the alert itself, handled, is left out of the digest already)
    alerts = SqlAlerts.on(tx)
    notice = hidden_key(reported.id)
    alerts.released([h.id for h in alerts.waiting(reported.community_id) if h.key == notice], now)
