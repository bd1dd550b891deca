"""Polls: staff start one (`/poll 周末去哪 | 爬山 | 看展 [多选] [匿名] [截止 21:00]`), members
vote by replying with the option's number or letter (`1`, `A`, `1 3`) or `/vote 2`, results
are posted at the deadline. One open poll per group, so a bare `2` always means that poll."""

from __future__ import annotations

from functools import lru_cache

from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Takes,
    naming,
    reply,
)
from hearthkeeper.capabilities.lists_common.access import asking, staff_command, starting
from hearthkeeper.capabilities.lists_common.actions import Say, ask
from hearthkeeper.capabilities.lists_common.install import install
from hearthkeeper.capabilities.lists_common.reading import normal
from hearthkeeper.capabilities.polls import requests as rq
from hearthkeeper.capabilities.polls.decide import decide_vote
from hearthkeeper.capabilities.polls.effects import register_effects
from hearthkeeper.capabilities.polls.parse import PollSpec, names_by_text, read_poll, read_vote
from hearthkeeper.capabilities.polls.render import TEXTS, problem_text
from hearthkeeper.capabilities.polls.repository import SqlPolls
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import NOTHING, Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.mechanisms import Polls
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.text.normalise import TEXTS_REMEMBERED

NAME = "polls"
ZH, EN = Language.ZH_CN, Language.EN
LONGEST_VOTE = 30  # characters: a longer message is never a bare vote

# What the last short texts vote for (pure, and read by moderation, the check and the handler
# of each message): chat repeats itself, and only texts of at most `LONGEST_VOTE` are read
_remembered_vote = lru_cache(maxsize=TEXTS_REMEMBERED)(read_vote)


class VoteReplies:
    """A bare vote (`2`, `B`, `1 3`, `选2`, `我选杭州`) while a poll is open. Only a message the open poll
    takes as a vote (or answers, as `1 3` in a single-choice poll) stops later handlers: with
    no poll open, or as a number or letters naming no option, it is chat like any other."""

    name = NAME

    def check(self, event: Event, ctx: Context) -> bool:
        return (
            isinstance(event, Message)
            and not event.sender.is_bot
            and len(event.text) <= LONGEST_VOTE
            and (_remembered_vote(event.text) is not None or names_by_text(event.text))
        )

    def own(self, event: Event, ctx: Context) -> str:
        """Nothing of a vote is the member's own: numbers and letters, or an option's text."""
        return ""

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        short = len(event.text) <= LONGEST_VOTE
        choices = (_remembered_vote(event.text) if short else read_vote(event.text)) or ()
        vote = rq.CastVote(choices=choices, said=event.text[:LONGEST_VOTE])
        if ctx.reads is not None:  # chat, for the later handlers, unless the open poll takes it
            poll = SqlPolls.on(ctx.reads).current(ctx.group.id)
            if poll is None or decide_vote(poll, vote, "", ctx.playbook.community.language) \
                    == Say():  # fmt: skip
                return NOTHING
        return Outcome((ask(event, vote, NAME),), stop=True)


def _start(settings: Polls) -> Command:
    def request_of(spec: PollSpec) -> rq.PollStart:
        anonymous = settings.anonymous if spec.anonymous is None else spec.anonymous
        return rq.PollStart(question=spec.question, options=spec.options, multiple=spec.multiple,
                            anonymous=anonymous, deadline=spec.deadline)  # fmt: skip

    run = starting(read_poll, settings.default_duration, request_of, problem_text, handler=NAME,
                   unreadable="unreadable poll command")  # fmt: skip
    return staff_command("poll", ("投票", "发起投票"), {
        ZH: "发起投票（单选或多选，实名或匿名，可设截止时间）",
        EN: "start a poll (single or multiple choice, named or anonymous, with a deadline)",
    }, run, started_by=settings.started_by, permission=Permission.START_POLLS, handler=NAME,
       takes=Takes.TEXT,
       usage={
        ZH: "/投票 周末活动去哪 | 爬山 | 看展 | 桌游 | 多选 | 匿名 | 截止 21:00",
        EN: "/poll Where to? | hike | museum | multiple | anonymous | until 21:00",
    })  # fmt: skip


def _end(settings: Polls) -> Command:
    return staff_command("endpoll", ("结束投票",), {
        ZH: "提前结束投票并公布结果", EN: "close the poll now and post the results",
    }, asking(rq.PollClose(), NAME), started_by=settings.started_by,
       permission=Permission.START_POLLS, handler=NAME)  # fmt: skip


def _options(ctx: Context) -> list[str] | None:
    """What `/vote`'s words may name: the options of the group's latest poll (a vote just
    after it closed names them too)."""
    if ctx.reads is None:
        return None
    poll = SqlPolls.on(ctx.reads).latest(ctx.group.id)
    return [] if poll is None else list(poll.options)


def _member_commands() -> list[Command]:
    def vote(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        choices = read_vote(invocation.rest)
        if choices is None and not 0 < len(normal(invocation.rest)) <= 100:
            lang = ctx.playbook.community.language
            return Outcome((reply(event, TEXTS.say("vote_usage", lang), handler=NAME,
                                  reason="unreadable vote"),))  # fmt: skip
        # `/vote 爬山`: an option's own text, which the effect compares with the poll's options
        vote = rq.CastVote(choices=choices or (), explicit=True, said=invocation.rest[:100])
        return Outcome((ask(event, vote, NAME),))

    return [
        Command("vote", ("投", "选"), {
            ZH: "投票（也可以直接回复序号）", EN: "vote (or just reply with the number)",
        }, vote, usage={ZH: "/投 2 或 /投 爬山；多选 /投 1 3",
                           EN: "/vote 2 or /vote hike; multiple: /vote 1 3"},
                own=naming(_options)),
        Command("unvote", ("撤票", "取消投票"), {ZH: "撤回自己的投票", EN: "take back your vote"},
                asking(rq.WithdrawVote(), NAME), takes=Takes.NOTHING),
        Command("results", ("投票结果", "结果"), {
            ZH: "查看投票结果", EN: "show the poll's standings"}, asking(rq.PollResults(), NAME),
                takes=Takes.NOTHING),
    ]  # fmt: skip


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add this mechanism's handlers, effects and commands."""
    settings = playbook.mechanisms.polls
    if settings.enabled:
        install(registry, commands, effects=register_effects,
                commands=[_start(settings), _end(settings), *_member_commands()],
                replies=VoteReplies(), stage=Stage.MECHANISMS + 3)  # fmt: skip
