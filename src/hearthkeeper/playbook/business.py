"""Belonging offline, money, copying groups, and who hears alerts."""

from __future__ import annotations

import math
import re
import string
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from hearthkeeper.playbook.base import (
    MAX_COUNT,
    MAX_DURATION,
    Duration,
    Id,
    Name,
    Schedule,
    Section,
    Text,
    When,
    as_stored,
    over_limit,
    parse_duration,
)
from hearthkeeper.playbook.joining import check_placeholders
from hearthkeeper.text.controls import quoted, shown_input

# How long a priced event holds an unpaid place by default: a day spans the member's own
# day (signed up in the evening, paid the next morning) and the day in which staff, who
# record fees by hand, see the transfer; longer stalls a small event's waitlist.
PAY_WITHIN = parse_duration("24h")

_PERIOD = re.compile(r"^(\d+)\s*(day|days|天|week|weeks|周|month|months|个月|月|year|years|年)$")
_PERIOD_UNIT = {
    "day": "days",
    "days": "days",
    "天": "days",
    "week": "weeks",
    "weeks": "weeks",
    "周": "weeks",
    "month": "months",
    "months": "months",
    "个月": "months",
    "月": "months",
    "year": "years",
    "years": "years",
    "年": "years",
}

_PERIOD_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 365}


def parse_period(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("write a service period such as '6 months', '1 year' or '30 days'")
    match = _PERIOD.match(value.strip().lower())
    too_long = f"{quoted(value)} is too long: a service period is at most 100 years"
    if match and len(match[1].lstrip("0")) > len(str(MAX_DURATION.days)):  # days in any unit
        raise ValueError(too_long)
    if not match or int(match[1]) < 1:
        if re.search(r"[\u4e00-\u9fff]", value):  # `一年`, `半年`: the number in digits
            raise ValueError(
                f"{quoted(value)} is not a service period: write the number in digits, e.g. "
                "'6个月', '1年', '30天' (or '6 months', '1 year', '30 days')"
            )
        raise ValueError(
            f"{quoted(value)} is not a service period: write e.g. '6 months', '1 year', '30 days'"
        )
    count, unit = int(match[1]), _PERIOD_UNIT[match[2]]
    if count * _PERIOD_DAYS[unit] > MAX_DURATION.days:
        raise ValueError(too_long)
    return f"{count} {unit[:-1] if count == 1 else unit}"


Period = Annotated[str, BeforeValidator(parse_period)]
"""A calendar period (`6 months`, `1 year`, `30 days`), normalised to English."""


def every_period(period: str) -> str:
    """A normalised period as a price's in English: '1 month' is 'a month' ('9 GBP a month',
    not 'per 1 month'), '3 months' 'every 3 months'."""
    count, _, unit = period.partition(" ")
    return f"a {unit}" if count == "1" else f"every {period}"


class Activity(Section):
    """An offline activity: a dinner, a night run, a sharing session (seed 004)."""

    id: Id = Field(description="Identifier used for sign-ups.")
    name: Name = Field(description="What it is.")
    when: When | None = Field(
        None,
        description="Start (YYYY-MM-DD HH:MM) for a one-off activity; a date alone (starts "
        "at 00:00) or a start already past is a warning.",
    )
    schedule: Schedule | None = Field(
        None, description="For a recurring activity, when it repeats."
    )
    place: Name | None = Field(None, description="Where.")
    capacity: int | None = Field(
        None,
        ge=1,
        le=MAX_COUNT,
        description="Places; sign-ups beyond go on a waitlist. None: unlimited.",
    )
    sign_up: bool = Field(True, description="Members sign up in the group.")
    price: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="Fee per person."
    )
    currency: str = Field(
        "CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code of the fee."
    )
    pay_within: Duration | None = Field(
        PAY_WITHIN,
        description="A priced activity: an unpaid place is held this long (at most until the "
        "start), the member reminded before it lapses; then the first waiting moves up. "
        "None: held until paid.",
    )

    @model_validator(mode="after")
    def _one_time(self) -> Self:
        if self.when is not None and self.schedule is not None:
            raise ValueError(
                "give `when` for a one-off activity or `schedule` for a recurring one, not both"
            )
        return self


class Plan(Section):
    """A membership plan (seed 002's paid half-year community)."""

    id: Id = Field(description="Identifier used by `joining.threshold.plan`.")
    name: Text = Field(description="The plan's name.")
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="Price per period.")
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")
    period: Period = Field(description="Service period: '6 months', '1 year', '30 days'.")
    trial: Duration | None = Field(
        None,
        description="Free trial before the first payment, once per person (and once per "
        "connection per 30 days on the web chat's join page: docs/membership.md). None: no "
        "trial.",
    )
    refund_window: Duration | None = Field(
        parse_duration("7d"),
        description="Refunds are possible this long after paying. None: no refunds.",
    )
    renewal_reminder: Duration | None = Field(
        parse_duration("7d"),
        description="Remind members this long before their period ends (a trial shorter than "
        "this: a day before it ends).",
    )
    grace: Duration | None = Field(
        parse_duration("3d"),
        description="Members stay this long after their period ends unpaid before they are "
        "removed. None: removed when the period ends. A free trial nobody paid for has no "
        "grace: it ends at its end.",
    )


class Monetisation(Section):
    """How the community earns (seed 001, step 7)."""

    plans: list[Plan] = Field(default_factory=list, description="Membership plans.")


_NOT_A_SHARE = (
    "{} is not a share: write a percentage (80%) or a share of the group's by-code limit (0.8)"
)


PERCENT_PLACES = 2
"""The decimal places a percentage is written with (87.5%, 33.33%; a share 0.3333): a finer one
(0.00001%) is no share an operator means, and no group's seats tell it from none."""


def _places(written: str) -> int:
    """The decimal places of the number `written` (trailing zeros not counted); 0 when it is
    none."""
    try:
        exponent = Decimal(written).normalize().as_tuple().exponent
    except (InvalidOperation, ValueError):
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# The default `copy.naming` by community.language: 群 (group) means nothing to an English
# reader ('Tea Friends 1群'), so an English community's groups are 'Tea Friends #1'
NAMINGS = {"zh-CN": "{name} {n}群", "en": "{name} #{n}"}


class Replication(Section):
    """Copying groups: only after the first four elements hold (seed 000)."""

    naming: Text = Field(
        NAMINGS["zh-CN"],
        description="Name of the n-th group; placeholders {name} (community name) and {n} "
        "(required); the names it makes hold at most 200 characters (up to group 9999). "
        "The default follows community.language: '{name} {n}群' for zh-CN (茶友 1群), "
        "'{name} #{n}' for en (Tea Friends #1); a naming written here is kept as written. "
        "Groups already open keep their names; an English community whose groups were opened "
        "when '{name} {n}群' was every default (Tea Friends 1群, 2群) goes on in that series "
        "(Tea Friends 3群) until a naming is written.",
    )
    max_groups_per_manager: int = Field(
        10,
        ge=1,
        le=MAX_COUNT,
        description="Groups one manager can look after; beyond it, Hearthkeeper warns.",
    )
    open_new_group_at: float = Field(
        0.9,
        gt=0,
        le=1,
        description="Open the next group when the newest is this full: a share of its "
        "by-code limit (the smaller of its capacity and structure.groups.join_by_code_cap), "
        "written 0.8 or 80% for 80%, to a hundredth of a percent (87.5%, 33.33% or 0.3333).",
    )

    @field_validator("open_new_group_at", mode="before")
    @classmethod
    def _share(cls, value: Any, info: ValidationInfo) -> Any:
        """`80%` is the share 0.8; a bare number above 1 (`80`, meant as a percentage) is
        refused saying how a share is written, not pydantic's 'less than or equal to 1'. A
        share finer than is kept is a bound (`OVER_LIMIT`) a version stored before it passes."""
        stored = as_stored(info)
        if isinstance(value, str):
            text = value.strip().replace("％", "%")
            if text.endswith("%"):
                try:
                    share = float(text[:-1].strip()) / 100
                except ValueError:
                    raise ValueError(_NOT_A_SHARE.format(quoted(value))) from None
                if math.isnan(share):
                    raise ValueError(_NOT_A_SHARE.format(quoted(value)))
                if share > 1:
                    raise ValueError(
                        f"{shown_input(text)} is more than the whole group: at most 100%"
                    )
                if _places(text[:-1].strip()) > PERCENT_PLACES and not stored:
                    raise over_limit(
                        f"{shown_input(text)} is finer than a share is kept: a percentage has at "
                        f"most {PERCENT_PLACES} decimal places (0.01% at the least), e.g. 80% or "
                        "87.5%"
                    )
                return share
        number: Any = value
        if isinstance(value, str):  # quoted ('80'): read as the number it holds, as pydantic does
            try:
                number = float(value.strip())
            except ValueError:
                return value  # not a number: pydantic says so
        if isinstance(number, float) and math.isnan(number):  # `.nan`, 'nan': no share at all
            raise ValueError(_NOT_A_SHARE.format(quoted(value)))
        if isinstance(number, int | float) and not isinstance(number, bool) and number > 1:
            shown = shown_input(value.strip() if isinstance(value, str) else value)
            raise ValueError(
                f"{shown} is more than the whole group: this is a share of the group's by-code "
                f"limit, 0.8 or 80% for 80% (at most 1, or 100%)"
            )
        if isinstance(number, float) and _places(str(number)) > PERCENT_PLACES + 2 and not stored:
            shown = shown_input(value.strip() if isinstance(value, str) else value)
            raise over_limit(
                f"{shown} is finer than a share is kept: a share has at most "
                f"{PERCENT_PLACES + 2} decimal places (0.0001, 0.01%, at the least), e.g. 0.8 "
                "or 0.875"
            )
        return value

    @field_validator("naming")
    @classmethod
    def _naming(cls, value: str) -> str:
        check_placeholders(value, ("name", "n"))
        if "n" not in {field for _, field, _, _ in string.Formatter().parse(value)}:
            raise ValueError("the group naming pattern needs {n}, e.g. '{name} {n}群'")
        return value


# What raises staff alerts, by the name an alert carries (`Action.handler`): `alerts.urgent`
# names these or a violation kind (the playbook is pure: it cannot ask the capabilities). A
# capability that raises alerts under a new name adds it here, or `alerts.urgent` cannot name it.
ALERT_SOURCES = (
    "admission", "blacklist", "calendar", "crisis", "faq", "grid", "health", "moderation",
    "points", "referrals",
)  # fmt: skip
# Alerts that are no moderation finding but carry a violation of their own.
ALERT_VIOLATIONS = ("ban_evasion",)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NAMES = {
    **{day: n for n, day in enumerate(WEEKDAYS)},
    **{day[:3]: n for n, day in enumerate(WEEKDAYS)},
    "tue": 1, "tues": 1, "thur": 3, "thurs": 3,
    **{f"{prefix}{zh}": n for prefix in ("周", "星期", "礼拜")
       for n, zh in enumerate("一二三四五六日")},
    "周天": 6, "星期天": 6, "礼拜天": 6,
}  # fmt: skip
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


class WeeklyReport(Section):
    """The week's health, sent to staff by itself (`alerts.weekly_report`)."""

    enabled: bool = Field(
        True,
        description="Send staff the week's health once a week: messages and active members "
        "against the week before, joins and leaves, newcomers who spoke, moderation, money "
        "(with membership plans), scheduled posts sent and missed, and the groups with a "
        "heat-death warning; posted to the staff channel and sent by direct message as an "
        "alert is (docs/alerts.md), and kept in the console's inbox. false: not sent.",
    )
    day: str = Field(
        "monday",
        description="The day it is sent (community time): monday … sunday, mon … sun, or "
        "周一 … 周日. It covers the seven days before that day.",
    )
    at: str = Field("09:00", description="The time it is sent, HH:MM in community time.")

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # `day: 1`: said as not a day, not as "not a string"
        if not isinstance(value, str):
            return value
        found = _WEEKDAY_NAMES.get(value.strip().lower())
        if found is None:
            raise ValueError(
                f"{quoted(value)} is not a day of the week: write monday … sunday (mon … sun), "
                "or 周一 … 周日"
            )
        return WEEKDAYS[found]

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # `at: 9`: said as not a time of day
        if not isinstance(value, str):
            return value
        match = _CLOCK.match(value.strip())
        if match is None:
            raise ValueError(
                f"{quoted(value)} is not a time of day: write HH:MM from 00:00 to 23:59, e.g. 09:00"
            )
        return f"{int(match[1]):02d}:{match[2]}"

    @property
    def weekday(self) -> int:
        """The day it is sent, Monday 0 (as `date.weekday`)."""
        return WEEKDAYS.index(self.day)

    @property
    def hour_minute(self) -> tuple[int, int]:
        """The time it is sent."""
        hours, minutes = self.at.split(":")
        return int(hours), int(minutes)


class Alerts(Section):
    """Who hears staff alerts (tricky questions, quarrels, violations that only alert)."""

    recipients: list[Id] | None = Field(
        None,
        description="Staff roles that receive alerts. None: roles with the receive_alerts permission.",
    )
    quiet_hours: (
        Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")] | None
    ) = Field(
        None,
        description="HH:MM-HH:MM (community time) in which alerts wait, except urgent ones; "
        "those held go out together when the quiet hours end.",
    )
    staff_group: Text | None = Field(
        None,
        description="The group that is the staff channel (its name or carrier id): alerts are "
        "posted there mentioning the recipients. None: no staff channel.",
    )
    staff_group_as_members: bool = Field(
        False,
        description="Run the staff channel like a member group: moderated, welcomed, sent "
        "scheduled posts and check-ins, counted in the figures and the report, a destination "
        "for live codes and invite links. False: it is staff's own, none of these.",
    )
    direct: bool = Field(
        True,
        description="Also send each recipient the alert by direct message, on carriers that "
        "have them (Matrix, Telegram; not the web chat or QQ).",
    )
    urgent: list[Id] = Field(
        default_factory=lambda: ["crisis", "ban_evasion"],
        description="Alerts that pass quiet hours: violation kinds (e.g. insults) or alert "
        "sources (crisis, ban_evasion); an alert marked urgent by its source always passes.",
    )
    weekly_report: WeeklyReport = Field(
        default_factory=WeeklyReport,
        description="The weekly health report staff get by themselves (on by default: "
        "Mondays at 09:00 community time).",
    )
