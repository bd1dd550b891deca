"""Staff decide a reported message: delete it and strike its author on one of the
playbook's rules (the ladder's step follows, as for a `/warn`; the message is kept as spam
for the learned scorer, as a staff deletion is), or dismiss the reports. Each in one
transaction with its audit entry; the alert is marked handled."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.moderation.chat_effects import STAFF_WARNING, strike_member
from hearthkeeper.capabilities.reports.repository import (
    ReportedMessage,
    SqlReports,
    alert_key,
    hidden_key,
    reported_of_alert,
)
from hearthkeeper.capabilities.reports.texts import TEXTS
from hearthkeeper.capabilities.texts import violation_name
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.store import ExampleSource, StaffAlert, Store, StoreError


class StaffAuthor(StoreError):
    """The reported message is a staff member's: staff are not struck through reports (as
    `/warn` refuses them); the reports are dismissed, or taken up with them."""


UPHELD = "upheld"
DISMISSED = "dismissed"


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
        raise ValueError(f"{violation!r} is not a rule of this playbook: one of "
                         f"{', '.join(rules(playbook))}")  # fmt: skip
    with store.transaction() as tx:
        reported = SqlReports.on(tx).decide(reported_id, UPHELD, by, now)
        message, group = tx.get_message(reported.message_id), tx.get_group(reported.group_id)
        if message is None or group is None:
            raise StoreError(f"reported message {reported_id} names no stored message")
        stay = tx.active_stays([(group.id, reported.author_id)]).get((group.id, reported.author_id))
        if stay is not None and stay.role is not None:
            raise StaffAuthor(f"reported message {reported_id} is by staff ({stay.role}): "
                              "staff are not struck through reports; dismiss them")  # fmt: skip
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
    """Staff found nothing wrong: the reports are closed, nobody is struck or told (a message
    reports hid stays deleted: carriers cannot bring it back)."""
    with store.transaction() as tx:
        reported = SqlReports.on(tx).decide(reported_id, DISMISSED, by, now)
        tx.audit(by, "report.dismissed", reported.community_id,
                 target=f"member {reported.author_id}",
                 detail={"reported": reported.id, "message": reported.message_id,
                         "hidden": reported.hidden_at is not None})  # fmt: skip
        _handled(tx, reported, by, now)
    return reported


def not_handled_alone(tx: Store, alert: StaffAlert) -> None:
    """Refuse (StoreError) to mark a reported message's alert handled while its reports wait:
    it would leave the inbox undecided — a message reports hid stays hidden with nobody to
    look, later reports are said in an alert nobody sees, reporters are told "staff will
    look". Staff delete it or dismiss the reports, which handles the alert."""
    reported_id = reported_of_alert(alert.key) if alert.handler == "reports" else None
    reported = SqlReports.on(tx).get(reported_id) if reported_id is not None else None
    if reported is not None and reported.decided_at is None:
        raise StoreError(f"alert {alert.id} is members' reports of a message (reported "
                         f"message {reported.id}): delete it or dismiss them in the console's "
                         "inbox; marked handled, they would leave the inbox undecided")  # fmt: skip


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
