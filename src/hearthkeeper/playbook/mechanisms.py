"""Interaction mechanisms: FAQ answers, check-ins, polls, sign-ups, points, titles, tags,
referrals and crisis watch."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from hearthkeeper.playbook.base import (
    MAX_COUNT,
    ClockTime,
    Duration,
    Id,
    Name,
    Schedule,
    Section,
    Text,
    parse_duration,
)


class FaqEntry(Section):
    """A question the bot answers."""

    question: Text = Field(description="The question as members ask it.")
    keywords: list[Text] = Field(
        default_factory=list,
        description="Words that point to this entry besides the question's own.",
    )
    answer: Text = Field(description="The answer the bot posts.")


class Faq(Section):
    """Automatic answers, with a human fallback (seed 001, step 6)."""

    entries: list[FaqEntry] = Field(default_factory=list, description="Questions and answers.")
    cooldown: Duration = Field(
        parse_duration("10m"),
        description="The same entry is answered at most once per cooldown per group.",
    )
    mention_only: bool = Field(False, description="Answer only when the bot is @-mentioned.")
    unanswered_alert_after: Duration = Field(
        parse_duration("30m"),
        description="A question nobody answered within this time alerts staff.",
    )


class Milestone(Section):
    """A check-in streak that earns a reward."""

    days: int = Field(ge=2, le=MAX_COUNT, description="Streak length in days.")
    points: int = Field(0, ge=0, le=MAX_COUNT, description="Points awarded on reaching it.")
    title: Text | None = Field(None, description="A title awarded on reaching it.")


def default_milestones() -> list[Milestone]:
    """A week, a month, a hundred days."""
    return [
        Milestone(days=7, points=5),
        Milestone(days=30, points=30),
        Milestone(days=100, points=100),
    ]


WEEKLY = frozenset({"week", "weekly", "周", "每周"})  # a `period` that asks for a weekly check-in


class CheckIn(Section):
    """Daily check-ins (打卡): one per member per day in the community's time zone."""

    enabled: bool = Field(True, description="Members can check in.")
    keywords: list[Text] = Field(
        default_factory=lambda: ["打卡", "签到", "check in", "checkin"],
        description="Messages that count as a check-in.",
    )
    points: int = Field(
        1,
        ge=0,
        le=MAX_COUNT,
        description="Points per check-in (when mechanisms.points is enabled).",
    )
    milestones: list[Milestone] = Field(
        default_factory=default_milestones, description="Streak rewards."
    )
    daily_summary: ClockTime | None = Field(
        None, description="Time to post the day's check-in summary (HH:MM). None: no summary."
    )
    period: str = Field(
        "day",
        description="How often a member can check in: `day`, once a day in the community's "
        "time zone, for all the keywords together. `week` is not supported yet.",
    )

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> object:
        """`day` only: a check-in is stored once per member and day, so a weekly one (周复盘)
        has no record of its own yet; refused here rather than run as a daily one."""
        if value == "day":
            return value
        if isinstance(value, str) and value.strip().casefold() in WEEKLY:
            raise ValueError(
                "weekly check-ins are not supported yet: a check-in is recorded once per "
                "member and day for all the keywords together, so a weekly review (周复盘) "
                "sent on a day the member already checked in would be answered 'already "
                "checked in today' and would not count as the week's; write `period: day` "
                "or leave it out"
            )
        raise ValueError(f"write `period: day` (once a day in the community's time zone), "
                         f"not {value!r}")  # fmt: skip


class Polls(Section):
    """Votes started by staff."""

    enabled: bool = Field(True, description="Staff can start polls.")
    started_by: list[Id] | None = Field(
        None, description="Roles that may start polls. None: roles with the start_polls permission."
    )
    anonymous: bool = Field(False, description="Default for new polls: hide who voted for what.")
    default_duration: Duration = Field(
        parse_duration("24h"), description="Poll deadline when none is given."
    )


class SignUps(Section):
    """Sign-up lists and group-buys (接龙)."""

    enabled: bool = Field(True, description="Staff can start sign-up lists.")
    started_by: list[Id] | None = Field(
        None,
        description="Roles that may start lists. None: roles with the start_signups permission.",
    )
    join_keywords: list[Text] = Field(
        default_factory=lambda: ["+1", "接龙", "报名"],
        description="Replies that join the open list.",
    )
    cancel_keywords: list[Text] = Field(
        default_factory=lambda: ["-1", "取消接龙", "取消报名"], description="Replies that leave it."
    )
    default_duration: Duration = Field(
        parse_duration("24h"), description="Deadline when none is given."
    )


class Reward(Section):
    """Something points can be redeemed for."""

    id: Id = Field(description="Identifier used when redeeming.")
    name: Text = Field(description="What the member gets.")
    cost: int = Field(ge=1, le=MAX_COUNT, description="Points it costs.")
    stock: int | None = Field(
        None, ge=0, le=MAX_COUNT, description="How many there are; None: unlimited."
    )


class Points(Section):
    """Points for taking part, and what they buy."""

    enabled: bool = Field(True, description="Keep points at all.")
    helpful_answer: int = Field(
        5, ge=0, le=MAX_COUNT, description="Points when staff mark an answer helpful."
    )
    share: int = Field(
        3,
        ge=0,
        le=MAX_COUNT,
        description="Points for sharing own use (a picture or video of the product).",
    )
    event: int = Field(10, ge=0, le=MAX_COUNT, description="Points for attending an event.")
    rewards: list[Reward] = Field(
        default_factory=list, description="What points can be redeemed for."
    )


class Title(Section):
    """A fun title members claim (seed 002's water-drinking committee member)."""

    name: Name = Field(description="The title, e.g. 喝水委员.")
    duty: Text | None = Field(None, description="What the holder does for the group.")
    reminder: Schedule | None = Field(None, description="When the holder is reminded of the duty.")
    holders: int = Field(1, ge=1, le=MAX_COUNT, description="How many members may hold it at once.")


class TagSet(Section):
    """A kind of member tag (skin type, city, specialty) and the expert finder behind it."""

    name: Id = Field(description="Tag kind, e.g. skin_type, city, specialty.")
    values: list[Text] = Field(
        default_factory=list, description="Allowed values; empty: any value."
    )
    self_service: bool = Field(True, description="Members may set this tag themselves.")
    expert_topics: dict[Text, list[Text]] = Field(
        default_factory=dict,
        description="Tag value → keywords; a question with those keywords @-mentions members with that value.",
    )


class ReferralReward(Section):
    """What a member earns once, when enough of the friends they invited stayed."""

    points: int = Field(
        0, ge=0, le=MAX_COUNT, description="Points awarded (when mechanisms.points is enabled)."
    )
    title: Text | None = Field(None, description="A title awarded, e.g. 拉新达人.")
    reward: Id | None = Field(
        None,
        description="A reward item (a mechanisms.points.rewards id) given free, from its stock; "
        "staff are alerted to hand it over.",
    )
    membership_days: int = Field(
        0,
        ge=0,
        le=3650,
        description="Days of paid membership given free (7: a week), as `hearth billing give` "
        "gives them: the inviter's membership ends that much later, or, holding none, a period "
        "of that many days of the plan they last held (else the only plan) starts. Needs "
        "monetisation.plans (one plan, or members who held one).",
    )


class Referrals(Section):
    """Fission (裂变): each member's own invite link, and a task "invite N friends who stay D
    days" with a reward. A friend counts once, however often invited; one who leaves early,
    or stays without a word (an account made only to be counted), counts nothing."""

    enabled: bool = Field(False, description="Give members invite links and run the task.")
    invites: int = Field(
        3,
        ge=1,
        le=MAX_COUNT,
        description="Friends a member must bring, each staying `stay`, to earn the reward.",
    )
    stay: Duration = Field(
        parse_duration("7d"),
        description="How long an invited friend must stay in the community to count.",
    )
    posts: int = Field(
        1,
        ge=0,
        le=MAX_COUNT,
        description="Messages an invited friend must post in the community's groups during "
        "`stay` to count (typing the words that accept the rules, and messages moderation or "
        "staff deleted, count none): accounts made only to be counted say nothing. 0: "
        "staying is enough.",
    )
    reward: ReferralReward = Field(
        default_factory=ReferralReward, description="What reaching `invites` earns, once."
    )


class Crisis(Section):
    """Crisis watch (seeds 002, 003: negative news spreads panic fast): staff are alerted, with
    the messages, when alarming messages (panic words such as 退款/过敏/scam, or clearly
    negative ones) spike in a group against the group's own usual share (docs/crisis.md)."""

    enabled: bool = Field(True, description="Watch every group for spikes of alarming messages.")
    sensitivity: Literal["low", "normal", "high"] = Field(
        "normal",
        description="How readily a spike counts: normal needs 5 alarming messages from 3 members "
        "in 30 minutes, 30% of members' messages and 3× the group's usual share; high 3 from 2, "
        "20%, 2×; low 8 from 4, 40%, 4×.",
    )


class Mechanisms(Section):
    """Everything that gives members something to do (ceremony, participation, organisation, belonging)."""

    faq: Faq = Field(default_factory=Faq, description="Automatic answers.")
    check_in: CheckIn = Field(default_factory=CheckIn, description="Daily check-ins.")
    polls: Polls = Field(default_factory=Polls, description="Polls.")
    signups: SignUps = Field(default_factory=SignUps, description="Sign-ups and group-buys.")
    points: Points = Field(default_factory=Points, description="Points and rewards.")
    titles: list[Title] = Field(default_factory=list, description="Titles members can claim.")
    tags: list[TagSet] = Field(
        default_factory=list, description="Member tag kinds and the expert finder."
    )
    referrals: Referrals = Field(
        default_factory=Referrals, description="Members' invite links and the invite task."
    )
    crisis: Crisis = Field(
        default_factory=Crisis, description="Alerts on spikes of negative or panicked messages."
    )
