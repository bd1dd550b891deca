"""The sense of ceremony: welcome, rules to accept, nickname format, self-introduction."""

from __future__ import annotations

from datetime import datetime, timedelta

from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.capabilities.texts import accepts_rules, say
from hearthkeeper.engine.actions import Action, ActionKind, folded, privately
from hearthkeeper.engine.events import Event, Join, Message
from hearthkeeper.engine.handler import Context, Outcome

RULES_ACCEPTED = "rules-accepted"
REMINDER_EVERY = timedelta(minutes=10)
NAME_SEPARATORS = ("-", "－", "—")


def nickname_fits(display_name: str, nickname_format: str) -> bool:
    """Whether a display name has the parts the format asks for (`城市-昵称-行业`: three)."""
    wanted = len([p for p in nickname_format.split("-") if p.strip()])
    name = display_name
    for sep in NAME_SEPARATORS[1:]:
        name = name.replace(sep, "-")
    return len([p for p in name.split("-") if p.strip()]) == wanted


def intro_key(ctx: Context) -> str:
    """The name of a member's pending self-introduction reminder."""
    return f"intro:{ctx.group.id}:{ctx.member.id}"


def _bucket(now: datetime, every: timedelta) -> int:
    return int(now.timestamp() // every.total_seconds())


class Welcome:
    """On join: the welcome with the rules, the nickname reminder, the introduction request."""

    name = "welcome"

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Join) and not event.sender.is_bot

    def handle(self, event: Event, ctx: Context) -> Outcome:
        pb, lang = ctx.playbook, ctx.playbook.community.language
        ceremony = pb.joining.ceremony
        nickname = event.sender.display_name or event.sender.user_id
        if ctx.member.returning:
            return Outcome(self._with_trial(ctx, event, self._back(ctx, event, nickname)))
        rules = "\n".join(f"{i}. {text}" for i, text in enumerate(pb.rules.texts, start=1))
        if rules:
            rules = say("rules_header", lang) + "\n" + rules
        values = {
            "nickname": nickname, "group": ctx.group.name, "community": pb.community.name,
            "rules": rules, "purpose": pb.community.purpose,
            "nickname_format": ceremony.nickname_format or "",
        }  # fmt: skip
        template = ceremony.welcome or say("welcome", lang, **{k: "{" + k + "}" for k in values})
        parts = [template.format(**values)]
        if ceremony.accept_rules and pb.rules.texts:
            parts.append(say("accept_prompt", lang))
        if ceremony.nickname_format and not nickname_fits(nickname, ceremony.nickname_format):
            parts.append(say("nickname_reminder", lang, nickname=nickname,
                             nickname_format=ceremony.nickname_format))  # fmt: skip
        if ceremony.intro_deadline is not None:
            deadline = human_duration(ceremony.intro_deadline, lang)
            parts.append(say("intro_request", lang, deadline=deadline))
        actions = list(self._with_trial(
            ctx, event, self._send(ctx, event, "\n".join(p for p in parts if p), welcome=True)
        ))  # fmt: skip
        if ceremony.intro_deadline is not None:
            actions.append(Action(
                kind=ActionKind.SEND, carrier=event.carrier, group=event.group,
                member=event.sender.user_id, text=say("intro_reminder", lang, nickname=nickname),
                key=intro_key(ctx), not_before=ctx.now + ceremony.intro_deadline / 2,
                reason="self-introduction reminder", handler=self.name, welcome=True,
            ))  # fmt: skip
        return Outcome(tuple(actions))

    def _with_trial(self, ctx: Context, event: Event, welcome: Action) -> tuple[Action, ...]:
        """The welcome and, for a member on a free trial (new or back), that they are, until
        when, and what staying costs: after the welcome, for their eyes only where the
        carrier can show a message to one member (the web chat); where it cannot, said in
        the welcome's own message (`folded`: one message against the group's quotas, not
        two)."""
        from hearthkeeper.capabilities.billing.welcome import offers_trial, trial_said

        if ctx.reads is None or not offers_trial(ctx.playbook):
            return (welcome,)
        said = trial_said(ctx.reads, ctx.playbook, ctx.group, ctx.member,
                          ctx.now)  # fmt: skip
        if not said:
            return (welcome,)
        return folded(welcome, privately(self._send(ctx, event, said, welcome=True), said))

    def _back(self, ctx: Context, event: Event, nickname: str) -> Action:
        """A member who was in the community before (left, removed, their paid membership
        lapsed) and joins again: a short welcome back, not the newcomer's welcome, rules and
        introduction request again; the free trial they are on (as a newcomer reads it), the
        rules prompt only if the rules still wait for them, the nickname reminder only if
        their name does not fit."""
        pb, lang = ctx.playbook, ctx.playbook.community.language
        ceremony = pb.joining.ceremony
        values = {"nickname": nickname, "group": ctx.group.name,
                  "community": pb.community.name, "purpose": pb.community.purpose}  # fmt: skip
        template = ceremony.welcome_back or say("welcome_back", lang,
                                                **{k: "{" + k + "}" for k in values})  # fmt: skip
        parts = [template.format(**values)]
        if ceremony.accept_rules and pb.rules.texts and RULES_ACCEPTED not in ctx.member.tags:
            parts.append(say("accept_prompt", lang))
        if ceremony.nickname_format and not nickname_fits(nickname, ceremony.nickname_format):
            parts.append(say("nickname_reminder", lang, nickname=nickname,
                             nickname_format=ceremony.nickname_format))  # fmt: skip
        return self._send(ctx, event, "\n".join(p for p in parts if p), welcome=True)

    def _send(self, ctx: Context, event: Event, text: str, *, welcome: bool) -> Action:
        return Action(kind=ActionKind.SEND, carrier=event.carrier, group=event.group,
                      member=event.sender.user_id, text=text, reason="welcome",
                      handler=self.name, welcome=welcome)  # fmt: skip


class RulesGate:
    """Newcomers accept the rules before posting; their first message cancels the intro reminder.

    Staff post freely, but one made staff after their welcome still read "reply 'agree'":
    their agreement is recorded and answered like anyone's, never a condition for posting."""

    name = "rules-gate"

    def check(self, event: Event, ctx: Context) -> bool:
        return (
            isinstance(event, Message)
            and not event.sender.is_bot
            and ctx.member.joined_at is not None
        )

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        pb, lang = ctx.playbook, ctx.playbook.community.language
        nickname = event.sender.display_name or event.sender.user_id
        actions: list[Action] = []
        deadline = pb.joining.ceremony.intro_deadline
        joined = ctx.member.joined_at
        if deadline is not None and joined is not None and not ctx.member.has_posted:
            actions.append(Action(kind=ActionKind.CANCEL, carrier=event.carrier,
                                  target=intro_key(ctx), reason="the newcomer spoke",
                                  handler=self.name))  # fmt: skip
        needs_accept = pb.joining.ceremony.accept_rules and bool(pb.rules.texts)
        if not needs_accept or RULES_ACCEPTED in ctx.member.tags:
            return Outcome(tuple(actions))
        if accepts_rules(event.text):
            actions.append(Action(kind=ActionKind.TAG, carrier=event.carrier, group=event.group,
                                  member=event.sender.user_id, tag=RULES_ACCEPTED,
                                  reason="accepted the rules", handler=self.name))  # fmt: skip
            actions.append(Action(kind=ActionKind.REPLY, carrier=event.carrier, group=event.group,
                                  member=event.sender.user_id, target=event.event_id,
                                  text=say("accepted", lang, nickname=nickname),
                                  reason="rules accepted", handler=self.name))  # fmt: skip
            return Outcome(tuple(actions), stop=True)
        if ctx.member.is_staff:
            return Outcome(tuple(actions))
        actions.append(Action(kind=ActionKind.DELETE, carrier=event.carrier, group=event.group,
                              member=event.sender.user_id, target=event.event_id,
                              reason="posted before accepting the rules", handler=self.name))  # fmt: skip
        actions.append(Action(
            kind=ActionKind.REPLY, carrier=event.carrier, group=event.group,
            member=event.sender.user_id, text=say("accept_first", lang, nickname=nickname),
            key=f"accept:{ctx.group.id}:{ctx.member.id}:{_bucket(ctx.now, REMINDER_EVERY)}",
            reason="reminder to accept the rules", handler=self.name,
        ))  # fmt: skip
        return Outcome(tuple(actions), stop=True)
