"""Moderation: detect violations on the normalised text, strike, and climb the ladder."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, timedelta
from functools import cache

from hearthkeeper.capabilities.appeals.decide import how_to_appeal, whom_to_ask
from hearthkeeper.capabilities.appeals.private import (
    PRIVATE_APPEALS,
    ban_notice,
    place,
    write_privately,
)
from hearthkeeper.capabilities.ceremony.handlers import nickname_fits
from hearthkeeper.capabilities.command_book import CommandBook, Invocation, Takes, without_forms
from hearthkeeper.capabilities.command_book import parse as parse_command
from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.capabilities.moderation.decide import (
    MemberStanding,
    Triage,
    days_in,
    explain,
    heaviest,
    in_good_standing,
    probation_breach,
    quoted,
    scorer_only,
    spared_why,
    triage,
)
from hearthkeeper.capabilities.moderation.ladder import sanction_actions
from hearthkeeper.capabilities.moderation.repository import (
    EditedMessage,
    SqlEdited,
    SqlMentioned,
    SqlStanding,
)
from hearthkeeper.capabilities.texts import probation_what, say, violation_name
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Edit, Event, Join, Message, Rename
from hearthkeeper.engine.handler import NOTHING, Context, Outcome
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.flooding import FloodWindow
from hearthkeeper.text.normalise import MessageText, prepare
from hearthkeeper.text.posing import posing_as, title_worn
from hearthkeeper.text.repeats import RepeatWindow
from hearthkeeper.text.scan import Scanner, ScorerChoice, name_advert

QUOTED = 60  # characters of the message a staff notice quotes
# how a finding about an advertising display name explains itself (and is told from one
# about a name that breaks the nickname format)
ADVERT_NAME = "display name advertises"
# ... and one about a display name that wears a staff title or an authority word
POSING_NAME = "display name impersonates staff"
# a member back to a name reported about them is reported again after this: within it, the
# alert about the name is fresh in the inbox (a member flipping between names is told once)
REPORTED_AGAIN_AFTER = timedelta(days=1)
# messages (group, carrier message id) remembered as struck, or as edited into a text counted
# towards repetition: an edit of one costs no second strike, and counts towards repeated text
# once (the oldest forgotten past this many)
MESSAGES_REMEMBERED = 50_000


class Moderation:
    """One strike per offending message; alert-only kinds go to staff; staff are never punished."""

    name = "moderation"

    def __init__(
        self,
        playbook: Playbook,
        scorer: ScorerChoice = "shipped",
        commands: CommandBook | None = None,
    ) -> None:
        rules = playbook.rules
        self.commands = commands
        self.scanner = Scanner.from_rules(rules, scorer=scorer)
        self._learned = 0  # how many of the community's decisions the scanner's scorer knows
        self._violations = rules.violations
        self.flood, self.repeat = self._windows()
        # (member id, group id) -> the display name reported that they carry there, "" once
        # they took a fine one (QQ cards are per group: a member may be `Admin` in one group
        # and `Bob` in another, which is no coming back to `Admin`)
        self._nickname_flagged: dict[tuple[int, int], str] = {}
        # (member id, name) -> when it was last reported, and whether that was a report again
        self._nickname_reported: dict[tuple[int, str], tuple[datetime, bool]] = {}
        self._struck = _Remembered(MESSAGES_REMEMBERED)
        self._edit_counted = _Remembered(MESSAGES_REMEMBERED)

    def forget(self) -> None:
        """Drop what a rolled-back batch may have left in memory: messages counted towards a
        flood or a repeat (a retry would count them twice) and nicknames flagged (a retry
        would not flag them again). What the scorer learned stays: it came from
        committed decisions."""
        self.flood, self.repeat = self._windows()
        self._nickname_flagged.clear()
        self._nickname_reported.clear()
        self._struck.clear()
        self._edit_counted.clear()

    def _windows(self) -> tuple[FloodWindow | None, RepeatWindow | None]:
        """Empty flood and repeat windows for the detectors the playbook turns on."""
        v = self._violations
        flood = FloodWindow.from_settings(v.flooding) if v.flooding.enabled else None
        repeat = RepeatWindow.from_settings(v.repeated_text) if v.repeated_text.enabled else None
        return flood, repeat

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Message | Join | Rename | Edit) and not event.sender.is_bot

    def handle(self, event: Event, ctx: Context) -> Outcome:
        if isinstance(event, Edit):
            return self._edited(event, ctx)
        if isinstance(event, Join | Rename):
            return self._arrived(event, ctx)
        assert isinstance(event, Message)
        return self._judge(event, ctx)

    def _edited(self, event: Edit, ctx: Context) -> Outcome:
        """A member's edit: their display name read as on arrival (`_arrived`), then the
        edited text judged as a new message of theirs in place of the one edited (`as_edited`:
        an ad put in by editing `hi all` is deleted, struck and told as if posted so). What
        moderation did about the message before stands: an edit of a message that cost a
        strike costs none again (its deletion is asked for again); one already deleted is
        nothing in the group to judge."""
        named = self._arrived(event, ctx)
        stored = None if ctx.reads is None else \
            SqlEdited.on(ctx.reads).edited(ctx.group.id, event.target)  # fmt: skip
        if stored is not None and stored.deleted:
            return named
        message = as_edited(event, stored, ctx.member.id)
        judged = self._judge(message, ctx, edit=stored or _NOT_STORED)
        if not judged.actions:
            return named
        return Outcome((*named.actions, *judged.actions), stop=judged.stop,
                       flagged=judged.flagged)  # fmt: skip

    def _judge(self, event: Message, ctx: Context,
               edit: EditedMessage | None = None) -> Outcome:  # fmt: skip
        """The findings in a message (or in the text a message was edited into: `edit`, what
        the store holds of it) and what they call for."""
        text = prepare(event.text)
        found = triage(self.findings(event, ctx, text, edit=edit),
                       ctx.playbook.rules.violations, ctx.member.role)  # fmt: skip
        spared = self._spared(ctx, found.ladder) if found.ladder else None
        if spared is not None:  # the scorer's guess alone: staff judge it, the member is not told
            found = Triage((*found.alerts, *found.ladder), ())
        actions: list[Action] = []
        if found.alerts:
            actions.append(self._alert(event, ctx, found.alerts, spared, edited=edit is not None))
        if found.ladder:
            actions.extend(self._sanction(event, ctx, found.ladder, edit))
            return Outcome(tuple(actions), stop=True)
        probation = self._probation(event, ctx, text)
        if probation:
            return Outcome((*actions, *probation), stop=True)
        # an alert about what the message says leaves it to staff (the FAQ neither answers
        # nor queues it); one about the sender's display name does not
        flagged = any(f.kind != ViolationKind.NICKNAME for f in found.alerts)
        return Outcome(tuple(actions), flagged=flagged) if actions else NOTHING

    def findings(self, event: Message, ctx: Context, text: MessageText, *,
                 edit: EditedMessage | None = None) -> list[Finding]:  # fmt: skip
        """Every violation in one message, before exemptions. The text a message was edited
        into (`edit`: what the store holds of the message) is no message more towards a flood,
        and counts towards repeated text once per message edited, unless it is the text the
        message had (`hi all` edited into an ad in five messages is the ad five times; a typo
        mended three times in one message is no repetition)."""
        self._learn(ctx)
        command = self._is_command(event)
        # the learned scorer judges neither a staff command (`/poll`, a group-buy list, the
        # reason of a `/warn`) nor what a reply to the community's own sign-up or poll names
        # (`+1 西兰花 2份`): they name goods and prices as shop ads do; every rule still reads
        # them. Of a member's command it judges their own words (`_own_words`), of a reply
        # what the list or poll does not read (`+1 西兰花 <an ad>`: `replied`)
        words = None if command is None else self._own_words(command, ctx)
        named = None if command is None or words is None else self._named_apart(command, ctx)
        # asked by the scorer and by the repeat window alike: the store is read once
        own = None if named is None else cache(named)
        # a member's command typed without its slash (`兑换 包邮券`) that names only the
        # community's own: neither a rule's nor the scorer's finding, nor a repeat, stands
        bare = None if command is not None else self._unslashed(event, ctx)
        commands = self.commands

        def replied() -> str:  # asked only of a text the scorer flags
            # a reply to the community's own sign-up or poll: what of it the list or poll
            # does not read (`+1 西兰花 <an ad>`); a message that is nothing but a name the
            # community's commands look up (`包邮券`, a reward): none of it; any other
            # message: all of it
            if commands is None:
                return event.text
            said = commands.own_of_reply(event, ctx)
            if said is None:
                return "" if commands.names_only(event.text, ctx) else event.text
            return said

        # a member mentioning themselves mentions nobody: their own name in their message is
        # their words (a member named like an ad, `@需要代购…找我`, hid the ad from the scorer)
        others = [user for user in event.mentions if user != event.sender.user_id]

        def mentioned() -> list[str]:  # asked only of a text the scorer flags
            if ctx.reads is None:
                return []
            return SqlMentioned.on(ctx.reads).names(event.carrier, others)

        found = self.scanner.scan(text, mentions=len(event.mentions),
                                  command=command is not None,
                                  mentioned=mentioned if others else None,
                                  words=words, own=replied if command is None else own,
                                  spared=bare)  # fmt: skip
        key = (ctx.group.community_id, ctx.member.id)
        if self.flood is not None and edit is None and self.flood.observe(key, ctx.now):
            found.append(Finding("flooding", "", "too many messages in a short time"))
        said = text.compact if command is None else \
            _repeatable(words, named=own is not None, forms=self._forms(command))  # fmt: skip
        if edit is not None and said:
            edited = (ctx.group.id, event.event_id)
            if edited in self._edit_counted or said == prepare(edit.text).compact:
                said = ""
            elif self.repeat is not None and len(said) >= self.repeat.min_length:
                self._edit_counted.add(edited)  # counted now (a text too short never counts)
        if self.repeat is not None and said:
            repeated = self.repeat.observe(key, ctx.group.id, said, ctx.now)
            # a command's words that name only the community's own (`/vote 下午四点` asked
            # again, `兑换 包邮券` when the bot did not answer it) are no repetition; the store
            # is read only when they were repeated
            if repeated is not None and (own is None or own()) and (bare is None or not bare()):
                found.append(repeated)
        for attachment in event.attachments:  # a picture, image file or sticker fetched
            if attachment.data:
                found.extend(self.scanner.scan_picture(attachment.data))
        nickname = self._nickname(event, ctx)
        if nickname is not None:
            found.append(nickname)
        return found

    def _is_command(self, event: Message) -> Invocation | None:
        """The community's in-chat command the message invokes, if any. A command's name is
        never repeated text, whoever sends it, nor a staff command: staff retry `/poll` when
        the bot is slow, a member asks `/rank` or `/vote 2` again; a member's own words after
        it are (`_repeatable`: `/vote 2 <an ad>` again and again). A burst of commands is
        flooding, which still counts, and the words after a command are still scanned by
        every content rule."""
        if self.commands is None:
            return None
        invocation = parse_command(event.text)
        if invocation is None or self.commands.find(invocation.name) is None:
            return None
        return invocation

    def _own_words(self, invocation: Invocation, ctx: Context) -> str | None:
        """What of a member's command the learned scorer judges like a message: the words
        after a command that takes none (`/rank 需要代购…找我` hid an ad) or takes free text
        (a check-in note, a poll a member may start), and after one they may not use (it
        refuses, the words stay in the group); never the command's name (`/claim` is SMS-spam
        talk to the scorer). The words of a command that looks names up are judged too, what
        of them names nothing the community has (`_named_apart`: `/vote 2 <an ad>`, `/报名 <an
        ad>`; `/rsvp 周六护肤沙龙` names the community's own event and is spared). None for
        staff: their commands are the community's."""
        command = None if self.commands is None else self.commands.find(invocation.name)
        if command is None or ctx.member.is_staff:
            return None
        if command.takes is not Takes.WORDS or not command.usable(ctx) \
                or command.own is not None:  # fmt: skip
            return invocation.rest
        return None

    def _named_apart(self, invocation: Invocation, ctx: Context) -> Callable[[], str] | None:
        """For a usable command that looks names up, the question what of its words names
        nothing the community has (asked only when the scorer flags them; the store is read
        then, not for every `/vote`)."""
        command = None if self.commands is None else self.commands.find(invocation.name)
        if command is None or command.takes is not Takes.WORDS or command.own is None \
                or not command.usable(ctx):  # fmt: skip
            return None
        own, words = command.own, invocation.rest
        return lambda: own(words, ctx)

    def _forms(self, invocation: Invocation) -> tuple[re.Pattern[str], ...]:
        """What of a command's words it reads as its own besides names (a quantity: `2份`)."""
        command = None if self.commands is None else self.commands.find(invocation.name)
        return () if command is None else command.forms()

    def _unslashed(self, event: Message, ctx: Context) -> Callable[[], bool] | None:
        """The question whether a message that invokes no command is a member's command typed
        without its slash whose words name only the community's own (`兑换 包邮券`, `认领
        包邮委员`: read as a seller's line): asked only when something was found in it. Not
        without the store: a poll's or a list's names cannot be read, and any words would be
        taken as naming them."""
        if self.commands is None or ctx.reads is None:
            return None
        book = self.commands

        def names_only() -> bool:
            invocation = book.unslashed(event.text)
            named = None if invocation is None else self._named_apart(invocation, ctx)
            return named is not None and not named()

        return cache(names_only)

    def _learn(self, ctx: Context) -> None:
        """Add to the learned scorer the community's decisions it has not learned yet (the
        engine reads new ones every tick), so a pardon or a deletion shapes the next verdict."""
        scorer = self.scanner.scorer
        if scorer is None:
            return
        examples = ctx.state.moderation_examples(ctx.group.community_id)
        if len(examples) <= self._learned:
            return
        # only the scorer changes: the rule detectors (keyword automata, patterns) are kept
        self.scanner.scorer = scorer.learn(examples[self._learned :])
        self._learned = len(examples)

    def _spared(self, ctx: Context, ladder: Sequence[Finding]) -> MemberStanding | None:
        """The sender's standing when the learned scorer's verdict is all that would send
        the message up the ladder and they are in good standing (long enough in the
        community, enough messages there, no live strike, no advertising alert about them
        waiting for staff): staff are alerted instead. The
        store is read (once) only then: never for a message the scorer did not flag."""
        setting = ctx.playbook.rules.violations.advertising.learned.standing
        if setting is None or not setting.enabled or ctx.reads is None \
                or scorer_only(ladder) is None:  # fmt: skip
            return None
        community_id, member_id = ctx.group.community_id, ctx.member.id
        if ctx.state.strikes_held(community_id, member_id, ctx.now):
            return None  # struck before, maybe in this very batch, which is not written yet
        standing = SqlStanding.on(ctx.reads).standing(
            community_id, member_id, ctx.now, since=ctx.now - timedelta(days=setting.days),
            enough=setting.messages)  # fmt: skip
        return standing if in_good_standing(standing, setting, ctx.now) else None

    def _nickname(self, event: Message | Join | Rename | Edit, ctx: Context) -> Finding | None:
        """A finding about the sender's display name: one that advertises, else one that
        poses as staff (on every carrier, from the first message or edit: a carrier's name
        cannot be refused as the web chat refuses one), else one that breaks
        `joining.ceremony.nickname_format` after the grace. Once per member and name, not
        once a day: staff who saw it (and marked it handled) are not told again while the
        member keeps it; a member who took another name in the group and came back to it is
        reported again, but not within `REPORTED_AGAIN_AFTER` of the last report (that alert
        is fresh; a return is known to this run only: after a restart the name's first alert
        stands)."""
        pb = ctx.playbook
        setting = pb.rules.violations.nickname
        name = event.sender.display_name
        member, here = ctx.member.id, (ctx.member.id, ctx.group.id)
        if not setting.enabled or not name or self._nickname_flagged.get(here) == name:
            return None
        found: Finding | None = None
        advert = name_advert(name, self.scanner)
        posing = None if advert is not None else _posing(name, ctx)
        if advert is not None:
            found = Finding("nickname", name, f"{ADVERT_NAME} '{advert}'")
        elif posing is not None:
            found = Finding("nickname", name, f"{POSING_NAME} '{posing}'")
        else:
            fmt = pb.joining.ceremony.nickname_format
            joined = ctx.member.joined_at
            if (isinstance(event, Message) and fmt and joined is not None
                    and ctx.now - joined >= setting.grace and not nickname_fits(name, fmt)):  # fmt: skip
                found = Finding("nickname", name, f"display name does not follow {fmt}")
        if found is None:
            if here in self._nickname_flagged:  # a return to the reported name is news
                self._nickname_flagged[here] = ""
            return None
        back = here in self._nickname_flagged  # here under another name since it was flagged
        self._nickname_flagged[here] = name
        last = self._nickname_reported.get((member, name))
        if last is not None and (not back or ctx.now - last[0] < REPORTED_AGAIN_AFTER):
            return None  # kept (seen first in this group), or back within the day
        self._nickname_reported[(member, name)] = (ctx.now, last is not None)
        return found

    def _nickname_key(self, ctx: Context, name: str) -> str:
        """The alert's key for the sender's display name `name` (`nickname_alert_key`), with
        the time of a report again: the inbox keeps the first report under the plain key."""
        key = nickname_alert_key(ctx.group.community_id, ctx.member.id, name)
        reported = self._nickname_reported.get((ctx.member.id, name))
        if reported is None or not reported[1]:
            return key
        return f"{key}:{reported[0]:%Y%m%dT%H%M%S}"

    def _arrived(self, event: Join | Rename | Edit, ctx: Context) -> Outcome:
        """A newcomer, a member who renamed, or one who edited a message, whose display name
        advertises or poses as staff (an ad account joining to be seen in the member list, or
        renaming once in; a fake 客服 waiting to be written to; a Telegram rename, which a bot
        learns of from the member's next message or edit): staff are told at once, whatever
        `nickname.response` says (a strike waits for something the member posts)."""
        if ctx.member.is_staff:
            return NOTHING
        finding = self._nickname(event, ctx)
        if finding is None:
            return NOTHING
        lang = ctx.playbook.community.language
        text = say("alert", lang, group=ctx.group.name, violation=_label(finding, lang),
                   nickname=finding.matched,
                   excerpt=say(_how_named(event), lang))  # fmt: skip
        key = self._nickname_key(ctx, finding.matched)
        return Outcome((Action(kind=ActionKind.ALERT_STAFF, carrier=event.carrier,
                               group=event.group, member=event.sender.user_id, text=text,
                               violation=finding.kind, reason=finding.explanation,
                               handler=self.name, key=key),))  # fmt: skip

    def _alert(self, event: Message, ctx: Context, alerts: Sequence[Finding],
               spared: MemberStanding | None = None, *, edited: bool = False) -> Action:  # fmt: skip
        lang = ctx.playbook.community.language
        names = ", ".join(dict.fromkeys(_label(f, lang) for f in alerts))
        text = say("alert", lang, group=ctx.group.name, violation=names,
                   nickname=event.sender.display_name or event.sender.user_id,
                   excerpt=quoted(alerts, prepare(event.text), QUOTED))  # fmt: skip
        reason = explain(alerts, prepare(event.text))
        if spared is not None:  # what staff need to judge the scorer's guess
            score = max(f.score for f in alerts if f.score is not None)
            text += say("spared", lang, score=f"{score:.2f}", days=days_in(spared, ctx.now),
                        messages=spared.messages)  # fmt: skip
            reason = f"{reason}; {spared_why(spared, ctx.now)}"
        key = None
        if all(f.kind == ViolationKind.NICKNAME for f in alerts):
            key = self._nickname_key(ctx, alerts[0].matched)
        elif edited:
            key = edit_alert_key(event)
        # a spared ad's alert is an advertising alert whatever else the message held (a
        # nickname, an insult): staff may say it was not an ad, and it waits as one (`_spared`)
        violation = ViolationKind.ADVERTISING.value if spared is not None else alerts[0].kind
        return Action(kind=ActionKind.ALERT_STAFF, carrier=event.carrier, group=event.group,
                      member=event.sender.user_id, target=event.event_id, text=text,
                      violation=violation, reason=reason, handler=self.name,
                      key=key)  # fmt: skip

    def _sanction(self, event: Message, ctx: Context, ladder: Sequence[Finding],
                  edit: EditedMessage | None = None) -> list[Action]:  # fmt: skip
        pb = ctx.playbook
        worst, weight = heaviest(ladder, pb.rules.violations)
        message = (ctx.group.id, event.event_id)
        if edit is not None and (edit.struck or message in self._struck):
            # edited again after its strike (a rung that does not delete left it): one strike
            # a message, however often it is edited; what it says now goes all the same. The
            # store says so (`edit.struck`: a strike naming the message, whether for the post
            # or an edit of it; read again after a restart); memory only for a strike not
            # committed yet (the same batch) or a message the store does not hold
            return [Action(kind=ActionKind.DELETE, carrier=event.carrier, group=event.group,
                           member=event.sender.user_id, target=event.event_id,
                           reason=f"{explain(ladder, prepare(event.text))}; edited again after "
                                  "its strike", handler=self.name)]  # fmt: skip
        self._struck.add(message)
        strikes = ctx.state.live_strikes(ctx.group.community_id, ctx.member.id, ctx.now) + weight
        if ctx.state.is_blacklisted(ctx.group.community_id, ctx.member.id):
            # Blacklisted by another engine worker while this one judged the message (counting
            # the strikes waited for that worker's batch): the top rung is not given twice.
            return [Action(kind=ActionKind.DELETE, carrier=event.carrier, group=event.group,
                           member=event.sender.user_id, target=event.event_id,
                           reason="blacklisted member", handler=self.name)]  # fmt: skip
        reason = f"{explain(ladder, prepare(event.text))}; {strikes_taken(strikes, weight)}"
        if edit is not None:  # staff read what the member edited the message into: the text removed
            reason = f"{reason}; edited into: {quoted(ladder, prepare(event.text), QUOTED)}"
        lang = pb.community.language
        appeal = how_to_appeal(lang) if pb.rules.appeals.enabled else ""
        ask = whom_to_ask(lang, pb.rules.appeals.contact)
        privately = write_privately(lang) if pb.rules.appeals.enabled else ""
        label = _label(worst, lang)  # the rule their name broke: an ad in it, not its format
        # a banned member reads the group's notice no more: told in private where the bot may
        # write to them
        told = (ban_notice(lang, place(ctx.group, pb.community.name), pb.rules.appeals,
                           violation=label)
                if event.carrier in PRIVATE_APPEALS else "")  # fmt: skip
        return sanction_actions(event, pb.rules.ladder, strikes, worst.kind, reason, lang,
                                self.name, weight=weight, appeal=appeal, ask=ask,
                                label=label, privately=privately,
                                banned_notice=told)  # fmt: skip

    def _probation(self, event: Message, ctx: Context, text: MessageText) -> list[Action]:
        probation = ctx.playbook.joining.probation
        joined = ctx.member.joined_at
        if (ctx.member.is_staff or probation.duration is None or joined is None
                or ctx.now - joined >= probation.duration):  # fmt: skip
            return []
        what = probation_breach(probation, event.attachments, bool(event.mentions),
                                text.normalised)  # fmt: skip
        if what is None:
            return []
        lang = ctx.playbook.community.language
        notice = say("probation", lang, nickname=event.sender.display_name or event.sender.user_id,
                   duration=human_duration(probation.duration, lang),
                   what=probation_what(what, lang))  # fmt: skip
        common = {"carrier": event.carrier, "group": event.group, "member": event.sender.user_id}
        return [
            Action(kind=ActionKind.DELETE, target=event.event_id, handler=self.name,
                   reason=f"newcomer probation: no {what}", **common),  # type: ignore[arg-type]
            Action(kind=ActionKind.REPLY, text=notice, handler=self.name,
                   reason=f"newcomer probation: no {what}", **common),  # type: ignore[arg-type]
        ]  # fmt: skip


class _Remembered:
    """A bounded set: past `most` keys, the oldest added is forgotten."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._keys

    def add(self, key: Hashable) -> None:
        self._keys[key] = None
        if len(self._keys) > self.most:
            self._keys.popitem(last=False)

    def clear(self) -> None:
        self._keys.clear()


# an edit of a message the store does not hold (sent before the bot kept messages, or in
# this very batch): nothing known of its text, none deleted
_NOT_STORED = EditedMessage(member_id=None, text="", deleted=False)


def as_edited(edit: Edit, stored: EditedMessage | None, member_id: int) -> Message:
    """The text `edit` put in, as a message of its sender standing in place of the message
    edited: what is done about it is done to that message (its carrier id is the edit's
    target). A message the store holds as someone else's (Matrix lets anyone send a
    replacement; clients show only the author's) is not theirs to answer for: the edit
    itself stands in."""
    theirs = stored is None or stored.member_id is None or stored.member_id == member_id
    return Message(carrier=edit.carrier, group=edit.group,
                   event_id=edit.target if theirs else edit.event_id, at=edit.at,
                   sender=edit.sender, text=edit.text)  # fmt: skip


def edit_alert_key(message: Message) -> str:
    """The key of an alert about what a message was edited into (`as_edited`): keyed as the
    message's own actions are (`<carrier>:<group>:<event id>:<index>`), so that staff's buttons
    on it (not an ad, delete, ban: `staff_actions.alerted_event`) find the message edited, with
    an index of its own for each second the message is edited at (the message's own actions
    count from 0; a redelivered edit is the same alert)."""
    return f"{message.carrier}:{message.group}:{message.event_id}:9{int(message.at.timestamp())}"


def _repeatable(words: str | None, *, named: bool, forms: tuple[re.Pattern[str], ...] = ()) -> str:
    """What of a member's command the repeat window compares (compact, as a message's text):
    its words after the command's name, never the name (`/rank` asked again) nor a staff
    command's (`words` None). For a command that looks names up (`named`), without what
    `own_words` takes out as the command's own: the short numbers and the `forms` it reads
    (`/vote 2 <an ad>` and `/vote 3 <an ad>`, `/join 西兰花 2份 <an ad>` and `/join 西兰花
    x3 <an ad>` are one text); the names it looks up are taken out only when the text was
    repeated (that reads the store)."""
    if not words:
        return ""
    return prepare(without_forms(words, forms) if named else words).compact


def strikes_taken(strikes: int, weight: int = 1) -> str:
    """Which of the member's live strikes this violation is, in words staff read beside the
    strike badge (`the member's 2nd strike`; a heavier violation's `2nd and 3rd strikes`):
    `strike 2` read like the strike's id."""
    taken = [ordinal(n) for n in range(max(strikes - weight + 1, 1), strikes + 1)]
    if len(taken) == 1:
        return f"the member's {taken[0]} strike"
    return f"the member's {', '.join(taken[:-1])} and {taken[-1]} strikes"


def ordinal(n: int) -> str:
    """`1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _label(finding: Finding, language: Language) -> str:
    """A finding's violation as staff and the member read it; a display name that
    advertises, or poses as staff, is told from one that breaks the nickname format."""
    if finding.kind == ViolationKind.NICKNAME:
        for opening, kind in ((ADVERT_NAME, "nickname_advert"), (POSING_NAME, "nickname_staff")):
            if finding.explanation.startswith(opening):
                return violation_name(kind, language)
    return violation_name(finding.kind, language)


def _posing(name: str, ctx: Context) -> str | None:
    """The staff title or authority word `name` wears (`text.posing`): a member may wear
    none; staff their own role's title and any authority word (they are staff)."""
    roles = ctx.playbook.structure.roles
    titles = tuple(role.title for key, role in roles.items() if key != ctx.member.role)
    worn = title_worn(name, titles)
    if worn is None and not ctx.member.is_staff:
        worn = posing_as(name)
    return worn


def _how_named(event: Join | Rename | Edit) -> str:
    """The text saying how the member came to be read under the name an alert is about."""
    if isinstance(event, Join):
        return "joined"
    return "renamed" if isinstance(event, Rename) else "edited"


def nickname_alert_key(community_id: int, member_id: int, name: str) -> str:
    """The alert's key for a member's display name: the inbox and the outbox keep one alert
    per key, so the same name is not reported again after a restart either."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return f"nickname:{community_id}:{member_id}:{digest}"
