"""Interest and positioning: who the community is for and why it exists (ISOOC: Interest)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from hearthkeeper.playbook.base import (
    Day,
    Name,
    Section,
    Text,
    TimeZoneName,
    as_stored,
    check_shown,
    over_limit,
)
from hearthkeeper.text.controls import quoted

MAX_PURPOSE = 1_000
"""The most characters of `community.purpose`: a sentence or a paragraph, quoted in every
welcome and welcome back (beside the welcome's own text and the rules) and a Matrix room's
topic."""


BOT_NAME = "Hearthkeeper"
"""What the bot is called where no playbook names it (`community.bot_name`)."""

MAX_BOT_NAME = 32
"""The most characters of `community.bot_name`: as many as a member's web chat nickname."""

_MENTION_SIGNS = "@＠"


def check_bot_name(value: str) -> str:
    """A bot's name members read beside its messages: one line of visible text (`Name`),
    as long as a nickname at most, without spaces around it or an @ (members @ the bot by
    its name)."""
    if not value.strip():
        raise ValueError("the bot's name is empty; leave the field out for Hearthkeeper")
    if len(value) > MAX_BOT_NAME:
        raise ValueError(f"{quoted(value)} is {len(value)} characters; a bot's name is at most "
                         f"{MAX_BOT_NAME}, as a member's nickname")  # fmt: skip
    if value != value.strip():
        raise ValueError(f"{quoted(value)} starts or ends with a space; write the name alone")
    if any(sign in value for sign in _MENTION_SIGNS):
        raise ValueError(f"{quoted(value)} carries an @; members write @ before the bot's "
                         "name to mention it, so the name itself has none")  # fmt: skip
    return value


BotName = Annotated[str, AfterValidator(check_bot_name), AfterValidator(check_shown)]


class Language(StrEnum):
    """Language of everything the bot says to members."""

    ZH_CN = "zh-CN"
    EN = "en"


class CommunityType(StrEnum):
    """Seed 001's two positionings."""

    AUXILIARY = "auxiliary"  # serves a main business: repurchase, research, connections
    COMMERCIAL = "commercial"  # the community is the business: fees, sales, sponsorship


class InterestKind(StrEnum):
    """Seed 000's six kinds of common interest."""

    PRODUCT = "product"
    BEHAVIOUR = "behaviour"
    TAG = "tag"
    PLACE = "place"
    EMOTION = "emotion"
    VALUES = "values"


class Interest(Section):
    """The common interest: the answer to "what is this group for?"."""

    kind: InterestKind = Field(
        description="What the members share: product, behaviour, tag, place, emotion or values."
    )
    description: Text = Field(
        description="The interest in one sentence, for staff: `hearth playbook show` and the "
        "console's playbook page; newcomers read `purpose`, in the welcome."
    )


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]


class Community(Section):
    """Positioning: name, language, time zone, type, purpose, interest, goals and values."""

    slug: Slug = Field(
        description="Stable identifier of the community in the store: lowercase letters, digits and '-'."
    )
    name: Name = Field(description="The community's name, used in group names and bot texts.")
    bot_name: BotName = Field(
        BOT_NAME,
        description=f"What the bot is called where members read it: the sender of its "
        f"messages in the web chat (a member may not take it, or a name that looks like it, as "
        f"a nickname); at most {MAX_BOT_NAME} characters, one line, no @. E.g. 小助手 or "
        f"Tea Club Bot.",
    )
    language: Language = Field(
        Language.ZH_CN,
        description="Language of what members read: the bot's texts and the web chat's pages; "
        "zh-CN or en.",
    )
    timezone: TimeZoneName = Field(
        "Asia/Shanghai", description="IANA time zone for schedules, check-in days and reports."
    )
    type: CommunityType = Field(
        CommunityType.AUXILIARY,
        description="auxiliary (serves a main business) or commercial (the community is the business).",
    )
    purpose: Text = Field(
        description=f"Why the community exists (seed 001, step 1); at most {MAX_PURPOSE:,} "
        "characters: every welcome quotes it, and it is the topic of a Matrix room."
    )
    interest: Interest = Field(description="The common interest (ISOOC's I).")
    goals: list[Text] = Field(
        default_factory=list,
        description="Goals the community works towards (seed 001, step 2); stating goals or "
        "values is the lifecycle's third stage (docs/metrics.md).",
    )
    values: list[Text] = Field(
        default_factory=list,
        description="Values to say out loud to members (seed 001, step 2). The bot does not "
        "post them itself: put them in the welcome or the rule texts.",
    )
    founded: Day | None = Field(
        None,
        description="Founding date (YYYY-MM-DD); the monthly anniversary ritual counts from it.",
    )
    stage: int | None = Field(
        None,
        ge=1,
        le=7,
        description="Current stage of seed 001's seven (1 gathered … 5 division of labour … 7 commercialised).",
    )

    @field_validator("purpose", mode="before")
    @classmethod
    def _short_purpose(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and len(value) > MAX_PURPOSE and not as_stored(info):
            raise over_limit(
                f"`purpose` is {len(value):,} characters; it is at most {MAX_PURPOSE:,}, as "
                "every welcome quotes it: say why the community exists in a paragraph (a "
                "longer text belongs in the welcome or a post)"
            )
        return value
