"""The store work behind `/report`: find the message replied to, keep the report once per
member and message, hide the message once enough members in good standing reported it, and
keep one inbox alert per message that says every report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from hearthkeeper.capabilities.command_book import answer
from hearthkeeper.capabilities.moderation.repository import SqlStanding
from hearthkeeper.capabilities.reports import decide
from hearthkeeper.capabilities.reports.repository import (
    ReportedMessage,
    SqlReports,
    alert_key,
    hidden_key,
)
from hearthkeeper.capabilities.reports.requests import FileReport
from hearthkeeper.capabilities.reports.texts import TEXTS
from hearthkeeper.engine.actions import INBOX_ONLY, Action, ActionKind, mentioning, privately
from hearthkeeper.engine.appliers import inbox_entry
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.rules import Standing
from hearthkeeper.store import Message, SanctionKind, Store
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.scope import StoreBase

HANDLER = "reports"
DAY = timedelta(days=1)
HIDDEN = "hidden by members' reports, until staff look"  # the deletion's reason
# Answers that say the member reported a message: to them alone, or not at all (they are
# never said where the reported member reads them)
REVEALING = frozenset({"received", "already", "looked", "against_staff"})
# Answers to a `/report` the gate leaves in the group (reports closed, staff's): replies to it.
# Every other answer follows a `/report` the gate took out of the group: not a reply to it
ANSWERS_KEPT = frozenset({"closed", "staff_reporting"})


def file_report(scope: StoreBase, request: FileReport, ctx: EffectContext) -> Sequence[Action]:
    """Keep the member's report of the message they replied to and tell staff; refused (and
    answered) when it cannot be taken. Taken, the reporter is told so where only they read it
    (the web chat), and nothing in the group elsewhere: what the bot said there would show
    the reported member who reported them."""
    assert ctx.member is not None, "a report is a member's command"
    pb, member, group = ctx.playbook, ctx.member, ctx.group
    lang, name = pb.community.language, member.display_name or member.user_id
    setting = pb.rules.reports

    def say(key: str, **values: object) -> list[Action]:
        # Said once per member, answer and message replied to (the cap: once a day): a
        # flood of `/report`s, which moderation does not read, makes no flood of answers.
        about = "day:" + ctx.now.strftime("%Y-%m-%d") if key == "capped" else request.reply_to
        if about is None:  # a reply to nothing: once an hour
            about = "hour:" + ctx.now.strftime("%Y-%m-%dT%H")
        said = answer(ctx.trigger, TEXTS.say(key, lang, name=name, **values))
        if key in ANSWERS_KEPT:
            said = privately(said, said.text or "")
        elif key in REVEALING:
            # for the reporter's eyes (the web chat); where a carrier cannot, an answer that
            # would tell the group who reported is not said at all. Not a reply to the
            # `/report`, taken out of the group, which the web chat would quote as "an
            # earlier message": these answers name the message (quoting it)
            said = privately(replace(said, kind=ActionKind.SEND, target=None), "")
        else:
            # a refusal: to the reporter alone where the carrier can (the web chat), else in
            # the group as a reply to their `/report`, naming them as a mention — where the
            # platform shows no quote of a `/report` deleted by then (Telegram), the mention
            # is what shows whom it answers, as every private answer falls back to a reply
            report = said.target
            said = replace(said, kind=ActionKind.SEND, target=None,
                           extra=mentioning([(said.member, name)]))  # fmt: skip
            said = privately(said, said.text or "", replying=report)
        return [replace(said, key=f"report-{key}:{member.id}:{about}")]

    if not setting.enabled:
        return say("closed")
    if member.is_staff:
        return say("staff_reporting")
    store = Store.on(scope)
    found = (
        PointingQueries.on(scope).message_replied_to(group.id, request.reply_to)
        if request.reply_to is not None
        else None
    )
    message = store.get_message(found) if found is not None else None
    author = message.member_id if message is not None else None
    refused = decide.refusal(request.reply_to, author, member.id)
    if refused is not None:
        return say(refused.value)
    assert message is not None and message.member_id is not None
    authors = store.member_names([message.member_id])
    author_name = authors.get(message.member_id, "?")
    reported = decide.reported_message(lang, author_name, message.text)
    reports = SqlReports.on(scope)
    flagged = reports.of_message(message.id)
    if flagged is not None and flagged.decided_at is not None:
        return say("looked", message=reported)
    if message.deleted_at is not None and (flagged is None or flagged.hidden_at is None):
        return say("removed")
    made = reports.made_since(group.community_id, member.id, ctx.now - DAY)
    if decide.capped(made, setting.per_day):
        return say("capped", count=made)
    stays = store.active_stays([(group.id, message.member_id)])
    stay = stays.get((group.id, message.member_id))
    author_is_staff = stay is not None and stay.role is not None
    not_counted = _not_counted(store, scope, pb, group.community_id, member.id, ctx)
    flagged = reports.flag(group.community_id, group.id, message.id, message.member_id, ctx.now)
    if not reports.add(flagged.id, member.id, decide.reason(request.why), not_counted, ctx.now):
        return say("already", message=reported)
    kept = reports.reports(flagged.id)
    counting = sum(1 for r in kept if r.not_counted is None)
    out: list[Action] = []
    author_user = store.user_on(message.member_id, group.carrier)
    hid = decide.hides(counting, setting.hide_after, author_is_staff=author_is_staff,
                       hidden=flagged.hidden_at is not None)  # fmt: skip
    if hid:
        reports.hide(flagged.id, ctx.now)
        flagged = reports.get(flagged.id) or flagged
        out.append(Action(kind=ActionKind.DELETE, carrier=group.carrier,
                          group=group.carrier_group_id, member=author_user,
                          target=message.carrier_event_id, reason=HIDDEN,
                          handler=HANDLER, key=f"report-hide:{flagged.id}"))  # fmt: skip
    store.audit(f"member:{member.id}", "report", group.community_id,
                target=f"member {message.member_id}",
                detail={"reported": flagged.id, "message": message.id, "group": group.name,
                        "counted": not_counted is None, "reports": len(kept),
                        "hidden": flagged.hidden_at is not None})  # fmt: skip
    text = alert_text(store, pb, flagged, message, group.name, author_is_staff)
    key = alert_key(flagged.id)
    # One alert per message. Reports that do not count (new, struck, muted reporters: what
    # sock puppets are) put it in the inbox only; the first that counts raises it again
    # under its key, which pushes it to the staff channel and direct messages (the inbox
    # keeps its one entry): ten puppets make ten inbox lines, not ten staff pings each.
    alert = Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                   group=group.carrier_group_id, member=author_user, text=text,
                   reason="reported by members", violation="report", handler=HANDLER,
                   key=key)  # fmt: skip
    pushes = not_counted is None and counting == 1
    if len(kept) == 1:
        # The inbox's copy written now, where the engine writes a batch's alerts at its end:
        # a later report in the same batch says itself in it (else the copy the REST API and
        # the inbox read stayed at this first report). The engine's write then finds it.
        store.add_staff_alerts([inbox_entry(store, alert, key, group.community_id, group.id,
                                            ctx.now, member_id=message.member_id)])  # fmt: skip
        out.append(alert if pushes else replace(alert, extra={INBOX_ONLY: True}))
    else:
        held = reports.restate_alert(key, text)
        if pushes:  # staff hear of it now, as it stands (hidden, when it is)
            out.append(alert)
        elif hid and not held:
            _tell_hidden(scope, pb, flagged, text, author_user, group, ctx)
    if author_is_staff:
        return [*out, *say("against_staff", author=author_name, message=reported)]
    return [*out, *say("received", message=reported)]


def _tell_hidden(scope: StoreBase, pb: Playbook, flagged: ReportedMessage, text: str,
                 author_user: str | None, group: GroupView, ctx: EffectContext) -> None:  # fmt: skip
    """Reports hid the message after its alert went out: the staff who hear alerts (the staff
    channel, direct messages; held through quiet hours) read the alert once more, as it stands
    now, saying so. Once per message (a message is hidden once); the inbox keeps one alert."""
    from hearthkeeper.capabilities.alerts.route import route_alert

    notice = Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                    group=group.carrier_group_id, member=author_user, text=text,
                    reason="hidden by members' reports", violation="report", handler=HANDLER,
                    key=hidden_key(flagged.id))  # fmt: skip
    tx = Store.on(scope)
    for d in route_alert(scope, pb, notice, hidden_key(flagged.id), group.community_id,
                         group.id, ctx.now):  # fmt: skip
        tx.enqueue(d.key, d.action.carrier, d.action.to_json(), d.action.priority,
                   group_id=d.group_id)  # fmt: skip


def _not_counted(store: Store, scope: StoreBase, pb: Playbook, community_id: int,
                 member_id: int, ctx: EffectContext) -> str | None:  # fmt: skip
    """Why the reporter's report does not count toward hiding (None: it counts)."""
    setting: Standing | None = pb.rules.violations.advertising.learned.standing
    asked = setting or Standing()
    # the `/report` itself is one of their messages (the batch's are written before the
    # effect: `FileReport.settles_messages`), deleted only at the batch's end: not counted
    read = SqlStanding.on(scope).standing(community_id, member_id, ctx.now,
                                          since=ctx.now - timedelta(days=asked.days),
                                          enough=asked.messages + 1)  # fmt: skip
    standing = replace(read, messages=max(0, read.messages - 1))
    groups = {g.id for g in store.list_groups(community_id)}
    muted = any(
        s.community_id == community_id or s.group_id in groups
        for s in store.active_sanctions(member_id=member_id, kind=SanctionKind.MUTE, now=ctx.now)
    )
    why = decide.not_counted(standing, muted, setting, ctx.now)
    return None if why is None else why.value


def alert_text(store: Store, pb: Playbook, flagged: ReportedMessage, message: Message,
               group: str, author_is_staff: bool) -> str:  # fmt: skip
    """What staff read of a reported message now: it, its author, every report."""
    reports = SqlReports.on(store).reports(flagged.id)
    names = store.member_names([message.member_id or 0, *(r.reporter_id for r in reports)])
    reporters = [
        decide.Reporter(names.get(r.reporter_id, f"member {r.reporter_id}"), r.reason,
                        decide.NotCounted(r.not_counted) if r.not_counted else None)
        for r in reports
    ]  # fmt: skip
    return decide.alert(pb.community.language, group=group,
                        author=names.get(message.member_id or 0, "?"), text=message.text,
                        reporters=reporters, hidden=flagged.hidden_at is not None,
                        author_is_staff=author_is_staff)  # fmt: skip


def register(registry: Registry) -> None:
    """Add the report's effect."""
    registry.add_effect(FileReport, file_report)
