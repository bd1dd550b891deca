"""The store work behind sign-ups: start, join (stock taken atomically), cancel with waitlist
promotion, show, and close at the deadline. Each answers with the replies to post."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import signup_render as r
from hearthkeeper.handlers.signup_parse import (
    Cancel,
    Join,
    Problem,
    added_line,
    compact,
    names_item,
    settle_cancel,
    settle_join,
    without_name,
)
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import NewSignUpItem, SignUpEntry, SignUpList, Store

HANDLER = "signups"


def close_key(list_id: int) -> str:
    """The name of a list's scheduled closing."""
    return f"signup:{list_id}:close"


def register_effects(registry: Registry) -> None:
    """Add the sign-up effects."""
    registry.add_effect("signup.start", start)
    registry.add_effect("signup.join", join)
    registry.add_effect("signup.paste", paste)
    registry.add_effect("signup.cancel", cancel)
    registry.add_effect("signup.show", show)
    registry.add_effect("signup.close", close)


def start(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Open a list (unless one is open in the group) and schedule its closing."""
    lang, zone = _lang(ctx), _zone(ctx)
    current = store.current_signup_list(ctx.group.id)
    if current is not None:
        return [_reply(action, r.TEXTS.say("still_open", lang, title=current.title))]
    extra = action.extra
    deadline = datetime.fromisoformat(str(extra["deadline"]))
    items = [NewSignUpItem(str(label), price, stock) for label, price, stock in extra["items"]]
    lst = store.open_signup_list(
        ctx.group.community_id, ctx.group.id, str(extra["title"]), items, deadline=deadline,
        created_by=ctx.member.id if ctx.member else None, at=ctx.now,
    )  # fmt: skip
    store.schedule(close_key(lst.id), ctx.group.community_id, "signup.close", {"list": lst.id},
                   deadline, group_id=ctx.group.id)  # fmt: skip
    text = r.render(lst, [], zone, lang) + "\n" + r.how_to_join(lst, lang)
    return [_send(action, text)]


def join(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Put the member on the open list: confirmed while stock lasts, else waitlisted."""
    lst = store.current_signup_list(ctx.group.id)
    if lst is None or ctx.member is None:
        return (
            [_reply(action, r.TEXTS.say("no_list", _lang(ctx)))]
            if action.extra.get("explicit")
            else []
        )
    wanted = Join(action.extra.get("counted"), str(action.extra.get("text", "")))
    return _take(store, action, ctx, lst, wanted)


def paste(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """A pasted list with the member's line added: compare with the list, take the new line."""
    lst = store.current_signup_list(ctx.group.id)
    if lst is None or ctx.member is None:
        return []
    lines = [str(x) for x in action.extra.get("lines", [])]
    entries = store.signup_entries(lst.id, include_cancelled=True)
    shown = [r.line(lst, e) for e in entries]
    others = {e.display_name for e in entries if e.member_id != ctx.member.id}
    me = ctx.member.display_name or ctx.member.user_id
    added = added_line(lines, shown, others, me)
    if added is None:
        return []
    if len(lines) > 1:
        pasted = compact(str(action.extra.get("text", "")))
        known = {compact(s) for s in shown}
        if compact(lst.title) not in pasted and not any(compact(x) in known for x in lines):
            return []  # some other numbered text, not this list
    elif not (compact(me) and compact(me) in compact(added)) and not names_item(lst.items, added):
        return []  # one numbered line that names neither the member nor an item
    return _take(store, action, ctx, lst, Join(None, without_name(added, me)))


def cancel(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Take the member off the list; promote the waitlist and @-mention who moved up."""
    lang = _lang(ctx)
    explicit = bool(action.extra.get("explicit"))
    lst = store.current_signup_list(ctx.group.id)
    if lst is None or ctx.member is None:
        return [_reply(action, r.TEXTS.say("no_list", lang))] if explicit else []
    name = ctx.member.display_name or ctx.member.user_id
    target = settle_cancel(lst.items, Cancel(str(action.extra.get("text", ""))))
    if isinstance(target, Problem):
        key = "which_cancel" if target.key == "which_item" else target.key
        return [_reply(action, _problem(lst, Problem(key, target.detail), name, lang))]
    done = store.cancel_signups(lst.id, ctx.member.id, item_id=target.id if target else None,
                                at=ctx.now)  # fmt: skip
    if not done.cancelled:
        return (
            [_reply(action, r.TEXTS.say("not_on_list", lang, name=name, title=lst.title))]
            if explicit
            else []
        )
    gone = r.what_of(lst, [(r.item_of(lst, e), e.quantity) for e in done.cancelled], lang)
    out = [_reply(action, r.TEXTS.say("cancelled", lang, name=name, what=gone))]
    if done.promoted:
        entries = store.signup_entries(lst.id)
        confirmed = [e.id for e in entries if e.status == "confirmed"]
        for entry in done.promoted:
            text = r.TEXTS.say("promoted", lang, name=entry.display_name,
                               number=confirmed.index(entry.id) + 1,
                               what=r.what(lst, r.item_of(lst, entry), entry.quantity, lang))  # fmt: skip
            out.append(_send(action, text, mention=entry))
    return out


def show(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """The whole list (the open one, else the last one), as a reply."""
    lst = store.current_signup_list(ctx.group.id) or store.latest_signup_list(ctx.group.id)
    if lst is None:
        return [_reply(action, r.TEXTS.say("no_list", _lang(ctx)))]
    return [_reply(action, r.render(lst, store.signup_entries(lst.id), _zone(ctx), _lang(ctx)))]


def close(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Close the list (at its deadline, or early by staff) and post the final list once."""
    list_id = action.extra.get("list")
    if list_id is None:
        current = store.current_signup_list(ctx.group.id)
        if current is None:
            return [_reply(action, r.TEXTS.say("no_list", _lang(ctx)))]
        list_id = current.id
    if not store.close_signup_list(int(list_id), ctx.now):
        return []  # closed already: the final list was posted then
    store.cancel_scheduled(close_key(int(list_id)))
    lst = store.signup_list(int(list_id))
    assert lst is not None
    return [_send(action, r.render(lst, store.signup_entries(lst.id), _zone(ctx), _lang(ctx)))]


def _take(store: Store, action: Action, ctx: EffectContext, lst: SignUpList, wanted: Join
          ) -> list[Action]:  # fmt: skip
    assert ctx.member is not None
    lang, name = _lang(ctx), ctx.member.display_name or ctx.member.user_id
    settled = settle_join(lst.items, wanted)
    if isinstance(settled, Problem):
        return [_reply(action, _problem(lst, settled, name, lang))]
    item, quantity = settled.item, settled.quantity
    entries = store.signup_entries(lst.id)
    mine = next((e for e in entries if e.member_id == ctx.member.id
                 and e.item_id == (item.id if item else None)), None)  # fmt: skip
    if mine is not None:
        where = _where(entries, mine, lang)
        return [_reply(action, r.TEXTS.say("already", lang, name=name, where=where,
                                           what=r.what(lst, item, mine.quantity, lang)))]  # fmt: skip
    label = item.label if item is not None and not r.plain(lst) else lst.title
    if item is not None and item.stock is not None and quantity > item.stock:
        return [_reply(action, r.TEXTS.say("too_many", lang, name=name, item=label,
                                           stock=item.stock, quantity=quantity))]  # fmt: skip
    entry = store.take_signup(lst.id, ctx.member.id, quantity, item_id=item.id if item else None,
                              note=settled.note, at=ctx.now)  # fmt: skip
    fresh = store.signup_list(lst.id) or lst
    entries = store.signup_entries(lst.id)
    now_item = next((i for i in fresh.items if item is not None and i.id == item.id), None)
    if entry.status == "waitlisted":
        left = now_item.left if now_item is not None else 0
        short = r.TEXTS.say("only_left", lang, left=left) if left else r.TEXTS.say("full", lang)
        position = [
            e.id for e in entries if e.status == "waitlisted" and e.item_id == entry.item_id
        ]
        return [_reply(action, r.TEXTS.say("waitlisted", lang, name=name, item=label, short=short,
                                           position=position.index(entry.id) + 1))]  # fmt: skip
    confirmed = [e for e in entries if e.status == "confirmed"]
    number = [e.id for e in confirmed].index(entry.id) + 1
    parts = [r.TEXTS.say("joined", lang, name=name, number=number,
                         what=r.what(fresh, now_item, quantity, lang))]  # fmt: skip
    if now_item is not None and now_item.left is not None:
        key = "left" if now_item.left else "sold_out_now"
        parts.append(r.TEXTS.say(key, lang, item=label, left=now_item.left))
    glue = "" if lang is Language.ZH_CN else " "
    if len(confirmed) <= r.SHORT_LIST or number % r.FULL_EVERY == 0:
        return [
            _reply(action, glue.join(parts) + "\n" + r.render(fresh, entries, _zone(ctx), lang))
        ]
    parts.append(r.TEXTS.say("more", lang, count=len(confirmed)))
    return [_reply(action, glue.join(parts))]


def _where(entries: Sequence[SignUpEntry], mine: SignUpEntry, lang: Language) -> str:
    same = [e.id for e in entries if e.status == mine.status
            and (mine.status == "confirmed" or e.item_id == mine.item_id)]  # fmt: skip
    key = "where_confirmed" if mine.status == "confirmed" else "where_waiting"
    return r.TEXTS.say(key, lang, number=same.index(mine.id) + 1)


def _problem(lst: SignUpList, problem: Problem, name: str, lang: Language) -> str:
    example = lst.items[0].label if lst.items else lst.title
    return r.TEXTS.say(problem.key, lang, name=name, detail=problem.detail, example=example,
                       items=r.items_text(lst, lang))  # fmt: skip


def _lang(ctx: EffectContext) -> Language:
    return ctx.playbook.community.language


def _zone(ctx: EffectContext) -> ZoneInfo:
    return ZoneInfo(ctx.playbook.community.timezone)


def _reply(action: Action, text: str) -> Action:
    return Action(kind=ActionKind.REPLY, carrier=action.carrier, group=action.group,
                  member=action.member, target=action.target, text=text, handler=HANDLER,
                  reason=f"{action.effect}")  # fmt: skip


def _send(action: Action, text: str, *, mention: SignUpEntry | None = None) -> Action:
    extra: dict[str, Any] = {}
    member = action.member
    if mention is not None:
        member = mention.user_id
        extra = {"mentions": [mention.user_id]} if mention.user_id else {}
    return Action(kind=ActionKind.SEND, carrier=action.carrier, group=action.group, member=member,
                  text=text, handler=HANDLER, reason=f"{action.effect}", extra=extra)  # fmt: skip
