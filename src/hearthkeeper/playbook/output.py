"""Output: the content calendar, rituals and live sessions (ISOOC: Output)."""

from __future__ import annotations

from datetime import time, timedelta
from enum import StrEnum
from typing import Self

from pydantic import Field, field_validator, model_validator

from hearthkeeper.playbook.base import (
    MAX_TEXT,
    ClockTime,
    Duration,
    Id,
    Schedule,
    Section,
    Text,
    parse_duration,
)
from hearthkeeper.playbook.joining import check_placeholders

# The most characters a scheduled post may have (inline text, a library item, the anniversary's
# text): as any playbook text (`MAX_TEXT`, why that figure). A long article is a post; a book is
# not.
MAX_POST = MAX_TEXT


class ContentKind(StrEnum):
    """Content kinds, in the seeds' claimed order of spread (text > picture > ... > file)."""

    TEXT = "text"
    PICTURE = "picture"
    VIDEO = "video"
    VOICE = "voice"
    LINK = "link"
    FILE = "file"


class Order(StrEnum):
    """How items are taken from a content library."""

    NEXT = "next"  # the next item not yet posted; runs out
    ROTATION = "rotation"  # start again after the last


class PostMode(StrEnum):
    """Who presses send."""

    AUTO = "auto"
    REMIND = "remind"  # remind staff, who confirm in one step


class Content(Section):
    """What a scheduled post says: inline text, or items from a content folder."""

    text: Text | None = Field(None, description="Inline text, posted every time.")
    library: Text | None = Field(
        None, description="Folder of Markdown/YAML items, relative to the playbook file."
    )
    order: Order = Field(
        Order.NEXT, description="next: each item once; rotation: start again after the last."
    )
    kind: ContentKind = Field(
        ContentKind.TEXT,
        description="Content kind of inline text (text, picture, video, voice, link, file).",
    )
    tags: list[Text] = Field(
        default_factory=list, description="Only library items with these tags."
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.text is None) == (self.library is None):
            raise ValueError("give exactly one of `text` (inline) or `library` (a content folder)")
        return self


# The most options a poll may have: a scheduled one, or one staff start with `/poll`.
MAX_POLL_OPTIONS = 20


class PollPost(Section):
    """A poll a scheduled post opens in each of its groups (the weekly discussion poll), as a
    staff member's `/poll` would: members vote by replying, the results are posted when it
    closes."""

    question: Text = Field(description="The question asked.")
    options: list[Text] = Field(
        description=f"The options, 2 to {MAX_POLL_OPTIONS}, each different."
    )
    multiple: bool = Field(False, description="Members may vote for several options.")
    anonymous: bool | None = Field(
        None, description="Hide who voted for what. None: mechanisms.polls.anonymous."
    )
    closes_after: Duration | None = Field(
        None,
        description="How long the poll stays open; it must close before the next firing. "
        "None: mechanisms.polls.default_duration.",
    )

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str]) -> list[str]:
        blank = [n + 1 for n, o in enumerate(options) if not o.strip()]
        if blank:
            raise ValueError(f"option {blank[0]} is blank")
        if len(options) < 2:
            raise ValueError(f"a poll needs at least two options, not {len(options)}")
        if len(options) > MAX_POLL_OPTIONS:
            raise ValueError(f"a poll has at most {MAX_POLL_OPTIONS} options, not {len(options)}")
        seen: dict[str, str] = {}
        for option in options:
            key = "".join(option.casefold().split())
            if key in seen:
                raise ValueError(f"the option {option!r} is there twice (as {seen[key]!r})")
            seen[key] = option
        return options

    @field_validator("closes_after")
    @classmethod
    def _closes_after(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(minutes=1):
            raise ValueError("a poll stays open at least a minute ('30m', '24h', '6d')")
        return value


class ScheduledPost(Section):
    """A post that goes out on a schedule (the two-minute morning knowledge pack), or a poll
    opened on a schedule (the weekly discussion poll)."""

    id: Id = Field(description="Identifier of the post series.")
    schedule: Schedule = Field(
        description="When: 'every day 08:00', 'Mon,Wed,Fri,Sun 20:00', cron ..."
    )
    content: Content | None = Field(None, description="What is posted (give this or `poll`).")
    poll: PollPost | None = Field(
        None,
        description="A poll opened at each firing instead of a post (give this or `content`).",
    )
    mode: PostMode = Field(
        PostMode.AUTO, description="auto: post; remind: remind staff to confirm."
    )
    groups: list[Text] = Field(
        default_factory=list,
        description="Group names to post to, each matched exactly; empty: every group of the "
        "community. A name nearly but not exactly one copy.naming makes, a `groups:` key or "
        "alerts.staff_group ('深读会9群' for '深读会 9群') is warned about: it reaches only a "
        "group created on the carrier by that very name.",
    )
    grace: Duration = Field(
        parse_duration("1h"),
        description="A firing missed (server down) is still posted within this time, otherwise skipped.",
    )

    @model_validator(mode="after")
    def _content_or_poll(self) -> Self:
        if (self.content is None) == (self.poll is None):
            raise ValueError("give exactly one of `content` (a post) or `poll` (a poll to open)")
        if self.poll is not None and self.mode is PostMode.REMIND:
            raise ValueError("a scheduled poll opens by itself: `mode: remind` is for posts")
        return self

    @property
    def body(self) -> Content:
        """The content of a post (not a poll): ValueError for a poll, which has none."""
        if self.content is None:
            raise ValueError(f"scheduled post {self.id} is a poll: it has no content")
        return self.content

    @property
    def content_kind(self) -> str:
        """What a firing records as its content's kind: the inline text's, or `poll`."""
        return "poll" if self.content is None else self.content.kind.value

    @property
    def library(self) -> str | None:
        """The content folder the post takes its items from (None: inline text, or a poll)."""
        return None if self.content is None else self.content.library


class Anniversary(Section):
    """The monthly anniversary ritual ("we are N months old today", seed 004)."""

    enabled: bool = Field(True, description="Hold the ritual.")
    day: int | None = Field(
        None,
        ge=1,
        le=31,
        description="Day of the month; default: the day of `community.founded`. A month "
        "without that day (day 31 in April, 29–31 in February) holds it on its last day.",
    )
    at: ClockTime = Field(time(20, 0), description="Time of day.")
    text: Text | None = Field(
        None,
        description="What is posted; placeholders {months} and {community}. Default: a built-in text.",
    )

    @field_validator("text")
    @classmethod
    def _placeholders(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return check_placeholders(value, ("months", "community"))


class Rituals(Section):
    """Recurring rituals that build a subculture."""

    anniversary: Anniversary | None = Field(
        None, description="The monthly anniversary. None: none."
    )
    welcome_week_digest: bool = Field(
        True, description="Send newcomers a digest of their first week."
    )


class LiveSession(Section):
    """A scheduled sharing session with a named speaker (micro-sharing, seed 002)."""

    id: Id = Field(description="Identifier of the session series.")
    title: Text = Field(description="Topic shown in reminders.")
    speaker: Text = Field(description="Who speaks (a name or a member handle).")
    schedule: Schedule = Field(description="When it starts.")
    duration: Duration = Field(
        parse_duration("30m"), description="How long it lasts; the digest follows."
    )
    remind_before: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=1), timedelta(minutes=10)],
        description="Reminders to the speaker and the group before the start.",
    )
    digest: bool = Field(
        True,
        description="Post a digest afterwards; when nobody spoke, staff get an alert instead.",
    )
    groups: list[Text] = Field(
        default_factory=list,
        description="Group names, matched exactly (warned about as for posts); empty: every group.",
    )


class Calendar(Section):
    """Stable output, on time."""

    posts: list[ScheduledPost] = Field(default_factory=list, description="Scheduled posts.")
    rituals: Rituals = Field(default_factory=Rituals, description="Rituals.")
    live_sessions: list[LiveSession] = Field(
        default_factory=list, description="Live sharing sessions."
    )
    exhaustion_alert: Duration = Field(
        parse_duration("3d"), description="Alert staff this long before a content library runs out."
    )
