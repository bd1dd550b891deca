"""The store work behind `/appeal`: find the decision appealed against, keep the appeal once,
alert staff with what the rule matched, and answer the member."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.appeals.decide import Outcome, latest, what
from hearthkeeper.capabilities.appeals.repository import SqlAppeals, alert_key
from hearthkeeper.capabilities.appeals.requests import FileAppeal
from hearthkeeper.capabilities.appeals.texts import TEXTS
from hearthkeeper.capabilities.command_book import answer
from hearthkeeper.capabilities.format import excerpt
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.controls import without_controls

HANDLER = "appeals"
MAX_WHY = 1000  # characters of the member's words kept (the rest is cut)


def file_appeal(scope: StoreBase, request: FileAppeal, ctx: EffectContext) -> Sequence[Action]:
    """Keep the appeal against the member's latest strike or mute within `rules.appeals.within`
    and alert staff; a second appeal against the same one is only answered."""
    assert ctx.member is not None, "an appeal is a member's command"
    pb, member, group = ctx.playbook, ctx.member, ctx.group
    lang, name = pb.community.language, member.display_name or member.user_id
    within = pb.rules.appeals.within

    def say(key: str, about: object = "", **values: object) -> list[Action]:
        # Said once an hour per member, answer (and appeal): moderation's flood rule does not
        # read `/appeal`, and a muted member may still send it, so a flood of them makes no
        # flood of answers in the group.
        said = answer(ctx.trigger, TEXTS.say(key, lang, name=name, **values))
        hour = ctx.now.strftime("%Y-%m-%dT%H")
        return [replace(said, key=f"appeal-{key}:{member.id}:{about}:{hour}")]

    if not pb.rules.appeals.enabled:
        return say("closed")
    # kept as the banned page's appeal is: one line without control, text-direction or
    # invisible characters (staff read it in the inbox, on the member page, in a terminal)
    why = " ".join(without_controls(request.why).split())[:MAX_WHY]
    if not why:
        return say("usage")
    store = Store.on(scope)
    since = ctx.now - within
    strikes = store.community_strikes(group.community_id, since, member_id=member.id)
    mutes = store.community_sanctions(group.community_id, False, since=since,
                                      member_id=member.id)  # fmt: skip
    found = latest(strikes, mutes, ctx.now, within)
    if found is None:
        days = max(1, round(within.total_seconds() / 86400))
        return say("nothing", days=days)
    said = what(found, lang)
    appeal, created = SqlAppeals.on(scope).file(
        group.community_id, member.id, group.id,
        strike_id=found.strike.id if found.strike is not None else None,
        sanction_id=found.mute.id if found.strike is None and found.mute is not None else None,
        text=why, at=ctx.now,
    )  # fmt: skip
    if not created:
        if appeal.outcome is None:
            return say("already", appeal.id, what=said)
        outcome = TEXTS.say(f"{Outcome(appeal.outcome).value}_word", lang)
        return say("decided", appeal.id, what=said, outcome=outcome)
    store.audit(f"member:{member.id}", "appeal", group.community_id, target=f"member {member.id}",
                detail={"appeal": appeal.id, "strike": appeal.strike_id,
                        "sanction": appeal.sanction_id, "group": group.name})  # fmt: skip
    zone = ZoneInfo(pb.community.timezone)
    alert = TEXTS.say("alert", lang, group=group.name, name=name, what=said,
                      when=f"{found.at.astimezone(zone):%Y-%m-%d %H:%M}", why=excerpt(why, 200),
                      explanation=found.explanation)  # fmt: skip
    trigger = ctx.trigger
    assert trigger is not None
    return [
        Action(kind=ActionKind.ALERT_STAFF, carrier=trigger.carrier, group=trigger.group,
               member=trigger.member, text=alert, reason=found.explanation,
               violation=found.strike.violation if found.strike is not None else "mute",
               handler=HANDLER, key=alert_key(appeal.id)),
        answer(trigger, TEXTS.say("filed", lang, name=name, what=said)),
    ]  # fmt: skip


def register(registry: Registry) -> None:
    """Add the appeal's effect."""
    registry.add_effect(FileAppeal, file_appeal)
