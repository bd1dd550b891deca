"""Joining: the threshold that screens, the ceremony that welcomes, the probation that protects."""

from __future__ import annotations

import string
from enum import StrEnum

from pydantic import Field, field_validator

from hearthkeeper.playbook.base import MAX_COUNT, Duration, Id, Section, Text, parse_duration
from hearthkeeper.playbook.positioning import Slug
from hearthkeeper.text.controls import quoted, shown_input

MAX_QUESTIONS = 20
"""Application questions one form asks: join pages read this many answers."""

WELCOME_PLACEHOLDERS = ("nickname", "group", "community", "rules", "purpose", "nickname_format")
# a member who was in before has read the rules: the welcome back has no {rules}
WELCOME_BACK_PLACEHOLDERS = ("nickname", "group", "community", "purpose")


class ThresholdKind(StrEnum):
    """How a newcomer gets in (seed 001: invitation-only, payment, tasks, user level)."""

    OPEN = "open"
    INVITE_CODE = "invite_code"
    APPLICATION = "application"
    PAID = "paid"
    TASK = "task"
    MIN_LEVEL = "min_level"


class Threshold(Section):
    """The screening threshold; the fields used depend on `kind`."""

    kind: ThresholdKind = Field(
        ThresholdKind.OPEN, description="open, invite_code, application, paid, task or min_level."
    )
    questions: list[Text] = Field(
        default_factory=list,
        description=f"application: questions the applicant answers (at most {MAX_QUESTIONS}).",
    )
    reviewers: list[Id] | None = Field(
        None,
        description="application: staff roles told of each application, in the staff channel "
        "and by direct message (instead of alerts.recipients); any console operator may "
        "review. None: roles with the review_applications permission.",
    )
    plan: Id | None = Field(
        None,
        description="paid: the membership plan (monetisation.plans id) offered at the door, "
        "with its trial; a member of any plan of monetisation.plans is let in.",
    )
    unpaid_stay: Duration | None = Field(
        parse_duration("1d"),
        description="paid: how long someone who joined a group without passing the door (a "
        "direct join on Telegram, QQ or Matrix: a link that does not ask to join, added by a "
        "member) stays, told how to pay, when they hold no membership and no free trial is "
        "theirs to start; unpaid by then, they are removed. None: removed at once. A newcomer "
        "the plan has a trial for starts it instead (docs/membership.md).",
    )
    invite_friends: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="task: friends a newcomer must invite to get in."
    )
    referrals_in: list[Slug] = Field(
        default_factory=list,
        description="task: the communities (slugs) whose credited referrals count toward "
        "invite_friends, e.g. the free community a paid circle recruits from. Empty: this "
        "community's own.",
    )
    min_level: Id | None = Field(
        None,
        description="min_level: the level (structure.levels id) a member needs, e.g. for a core group.",
    )

    @field_validator("questions")
    @classmethod
    def _few_questions(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_QUESTIONS:
            raise ValueError(
                f"{len(value)} questions: at most {MAX_QUESTIONS}, the answers a join form "
                "takes (nobody could apply)"
            )
        return value


def check_placeholders(text: str, allowed: tuple[str, ...] = WELCOME_PLACEHOLDERS) -> str:
    """Reject `{unknown}` placeholders and unbalanced braces in a bot text."""
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError as exc:
        raise ValueError(
            f"broken placeholder in text ({exc}); write {{{allowed[0]}}}, or {{{{ for a brace"
        ) from None
    known = ", ".join("{" + p + "}" for p in allowed)
    for name, spec, conversion in fields:
        if name not in allowed:
            raise ValueError(f"unknown placeholder {{{name}}}; available: {known}")
        if spec or conversion:
            # `{nickname:d}` fails when the text is posted, `{nickname:>99999999}` posts
            # megabytes: a placeholder is only ever its bare name.
            written = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(
                f"placeholder {shown_input(written)} has a format or conversion; write it bare, {{{name}}} "
                f"(available: {known})"
            )
    return text


class Ceremony(Section):
    """The sense of ceremony on joining: welcome, rules to accept, a nickname format, an introduction."""

    welcome: Text | None = Field(
        None,
        description="Welcome text; placeholders {nickname} {group} {community} {rules} {purpose} {nickname_format}. Default: a built-in text in the community's language. The bot adds its own lines after it (reply to accept the rules, rename, introduce yourself: docs/joining.md): do not repeat them. Without {rules}, where newcomers must accept the rules (accept_rules), a warning: they would be asked to accept rules they were not shown.",
    )
    welcome_back: Text | None = Field(
        None,
        description="What a returning member reads when they join again (they left, were "
        "removed, or their paid membership lapsed and they paid again): a short welcome back "
        "instead of the newcomer's welcome, rules and introduction request; placeholders "
        "{nickname} {group} {community} {purpose}. Default: a built-in text in the "
        "community's language (\"Welcome back to {group}, {nickname}! Good to see you "
        'again.", "欢迎回来，{nickname}！很高兴在「{group}」再见到你。").',
    )
    accept_rules: bool = Field(
        True, description="Newcomers must accept the rules before they can post."
    )
    nickname_format: Text | None = Field(
        None,
        description="Required nickname shape, parts joined by '-', e.g. 城市-昵称-行业. None: any nickname.",
    )
    intro_deadline: Duration | None = Field(
        parse_duration("24h"),
        description="Newcomers are reminded to introduce themselves within this time. None: no reminder.",
    )

    @field_validator("welcome")
    @classmethod
    def _welcome_placeholders(cls, value: str | None) -> str | None:
        return None if value is None else check_placeholders(value)

    @field_validator("welcome_back")
    @classmethod
    def _welcome_back_placeholders(cls, value: str | None) -> str | None:
        return None if value is None else check_placeholders(value, WELCOME_BACK_PLACEHOLDERS)

    @field_validator("nickname_format")
    @classmethod
    def _format_has_parts(cls, value: str | None) -> str | None:
        if value is not None and len([p for p in value.split("-") if p.strip()]) < 2:
            raise ValueError(
                f"{quoted(value)} has one part; join the parts with '-', e.g. '城市-昵称-行业'"
            )
        return value


class Probation(Section):
    """Limits on newcomers during their first hours (most advertisers post at once)."""

    duration: Duration | None = Field(
        parse_duration("24h"), description="How long newcomer limits last. None: no probation."
    )
    no_links: bool = Field(True, description="Newcomers may not post links.")
    no_files: bool = Field(False, description="Newcomers may not post files.")
    no_pictures: bool = Field(
        False, description="Newcomers may not post pictures (QR codes hide in pictures)."
    )
    no_mentions: bool = Field(False, description="Newcomers may not @-mention members.")


class Joining(Section):
    """Who may join, and how."""

    threshold: Threshold = Field(default_factory=Threshold, description="The screening threshold.")
    ceremony: Ceremony = Field(
        default_factory=Ceremony,
        description="Welcome, rules acceptance, nickname format, introduction.",
    )
    probation: Probation = Field(default_factory=Probation, description="Newcomer limits.")
