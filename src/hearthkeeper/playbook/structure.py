"""Structure: staff roles, the member pyramid, carriers and group sizes (ISOOC: Structure)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from hearthkeeper.playbook.base import MAX_COUNT, Duration, Id, Section, Text, parse_duration


class Permission(StrEnum):
    """What a staff role may do."""

    MODERATE = "moderate"  # /warn, /mute
    BAN = "ban"  # /ban
    PARDON = "pardon"  # /pardon: lift mutes and bans, take back a strike
    REVIEW_APPLICATIONS = "review_applications"
    ANSWER_QUESTIONS = "answer_questions"
    POST = "post"  # confirm scheduled posts, post announcements
    MANAGE_CALENDAR = "manage_calendar"
    START_POLLS = "start_polls"
    START_SIGNUPS = "start_signups"
    MANAGE_MEMBERS = "manage_members"  # tags, notes, levels, titles
    AWARD_POINTS = "award_points"
    RECEIVE_ALERTS = "receive_alerts"
    EDIT_PLAYBOOK = "edit_playbook"


class RoleKind(StrEnum):
    """The seeds' staff positions (seed 001, step 3)."""

    CREATOR = "creator"  # the soul figure / KOL who outputs energy
    MANAGER = "manager"  # the daily manager, "community secretary"
    ACQUISITION = "acquisition"  # brings in new members
    PARTNER = "partner"  # partners and invited experts
    EXPERT = "expert"
    OTHER = "other"


class Role(Section):
    """A staff role; the key in `structure.roles` is its id, `title` its displayed name."""

    title: Text = Field(description="The name members see (rename freely, e.g. 院长, 群秘书).")
    kind: RoleKind = Field(
        RoleKind.OTHER, description="creator, manager, acquisition, partner, expert or other."
    )
    permissions: list[Permission] = Field(
        default_factory=list,
        description="What this role may do in chat: moderate (/warn, /mute), ban (/ban), pardon "
        "(/pardon), award_points (/award), manage_members (/tag others), start_polls, "
        "start_signups, post (/confirm), manage_calendar (/calendar, /skip, /postnow), "
        "answer_questions; receive_alerts and review_applications name who is told. "
        "edit_playbook allows nothing yet (staff edit the playbook in the console or with "
        "`hearth`).",
    )


ALL_PERMISSIONS = list(Permission)
# What a role given every working permission may do: edit_playbook allows nothing yet, so a
# default creator does not carry a permission `playbook show` would have to call a gap.
WORKING_PERMISSIONS = [p for p in Permission if p is not Permission.EDIT_PLAYBOOK]


# The default roles' titles as members read them, by community.language (ids stay the same)
ROLE_TITLES = {
    "en": ("Creator", "Manager", "Growth", "Partner"),
    "zh-CN": ("创始人", "管理员", "拉新专员", "合伙人"),
}


DEFAULT_ROLE_IDS = ("creator", "manager", "acquisition", "partner")


def default_role_alias(roles: dict[str, str], typed: str) -> str | None:
    """The default role a default title in any language names (`Growth` in a zh-CN community,
    whose acquisition role is titled 拉新专员; `创始人` in an English one): its id, when
    `roles` (id → title) has that role still under a default title; else None. Titles
    changed with the language, and staff keep typing the ones they knew."""
    said = typed.strip().casefold()
    for titles in ROLE_TITLES.values():
        for position, (role_id, title) in enumerate(zip(DEFAULT_ROLE_IDS, titles, strict=True)):
            if title.casefold() != said or role_id not in roles:
                continue
            if any(roles[role_id] == t[position] for t in ROLE_TITLES.values()):
                return role_id
    return None


def default_roles(language: str = "en") -> dict[str, Role]:
    """The four staff positions of a commercial community (seed 001, step 3), titled in
    `language` (the playbook titles them in its community's language)."""
    creator, manager, growth, partner = ROLE_TITLES.get(language, ROLE_TITLES["en"])
    return {
        "creator": Role(title=creator, kind=RoleKind.CREATOR, permissions=WORKING_PERMISSIONS),
        "manager": Role(
            title=manager,
            kind=RoleKind.MANAGER,
            permissions=WORKING_PERMISSIONS,
        ),
        "acquisition": Role(
            title=growth,
            kind=RoleKind.ACQUISITION,
            permissions=[
                Permission.REVIEW_APPLICATIONS,
                Permission.POST,
            ],
        ),
        "partner": Role(
            title=partner,
            kind=RoleKind.PARTNER,
            permissions=[
                Permission.ANSWER_QUESTIONS,
                Permission.START_POLLS,
            ],
        ),
    }


class Criteria(Section):
    """Activity over a window that earns (or keeps) a level; every given threshold must hold."""

    points: int | None = Field(
        None, ge=0, le=MAX_COUNT, description="Points earned within the window."
    )
    messages: int | None = Field(
        None, ge=0, le=MAX_COUNT, description="Messages posted within the window."
    )
    active_days: int | None = Field(
        None, ge=0, le=MAX_COUNT, description="Days with at least one message within the window."
    )
    check_ins: int | None = Field(
        None, ge=0, le=MAX_COUNT, description="Check-ins within the window."
    )
    window: Duration = Field(parse_duration("30d"), description="How far back activity counts.")

    @model_validator(mode="after")
    def _some_threshold(self) -> Self:
        if all(v is None for v in (self.points, self.messages, self.active_days, self.check_ins)):
            raise ValueError("give at least one of points, messages, active_days, check_ins")
        return self


class Level(Section):
    """A step of the member pyramid; levels are listed from the bottom (newcomers) up."""

    id: Id = Field(description="Identifier used in thresholds and reports.")
    name: Text = Field(description="The name members see.")
    promote: Criteria | None = Field(
        None,
        description="What a member of the level below must reach to be promoted here; none for the bottom level.",
    )
    keep: Criteria | None = Field(
        None,
        description="What a member must keep doing to stay; not met → demoted one level. None: never demoted.",
    )
    perks: list[Text] = Field(
        default_factory=list, description="What the level brings, shown on promotion."
    )


# The default levels' names as members read them, by community.language (ids stay the same)
LEVEL_NAMES = {
    "en": ("Newcomer", "Member", "Core member"),
    "zh-CN": ("新人", "成员", "核心成员"),
}


def default_levels(language: str = "en") -> list[Level]:
    """Newcomer → member → core, Discourse-style: earned by activity, lost again; named in
    `language` (the playbook names them in its community's language)."""
    newcomer, member, core = LEVEL_NAMES.get(language, LEVEL_NAMES["en"])
    return [
        Level(id="newcomer", name=newcomer),
        Level(id="member", name=member, promote=Criteria(active_days=3, messages=10)),
        Level(
            id="core",
            name=core,
            promote=Criteria(active_days=15, points=100),
            keep=Criteria(active_days=5),
        ),
    ]


class CarrierKind(StrEnum):
    """Chat platforms Hearthkeeper can run a group on."""

    WEBCHAT = "webchat"
    MATRIX = "matrix"
    TELEGRAM = "telegram"
    DISCORD = "discord"
    WECOM = "wecom"
    SLACK = "slack"
    QQ = "qq"


class Carrier(Section):
    """A chat platform the community uses; secrets are named environment variables, never values."""

    kind: CarrierKind = Field(description="webchat, matrix, telegram, discord, wecom, slack or qq.")
    name: str | None = Field(
        None,
        description="A label, shown by `hearth playbook show`; a server runs one carrier of "
        "each kind, so the same kind named twice is the same groups.",
    )
    settings: dict[str, str | int | bool] = Field(
        default_factory=dict,
        description="Carrier-specific settings (homeserver URL, token environment variable, ...).",
    )


class Groups(Section):
    """Group sizes: the platform's hard limits and the operator's target."""

    capacity: int = Field(
        500,
        ge=2,
        le=200_000,
        description="Most members one group holds (WeChat: 500); a change reaches the groups "
        "already open when the playbook is applied.",
    )
    join_by_code_cap: int = Field(
        200,
        ge=1,
        le=200_000,
        description="Live codes stop sending newcomers to a group at this size, leaving the "
        "rest of its capacity for invitations (WeChat stops joining by QR code at 200).",
    )
    daily_code_cap: int | None = Field(
        None,
        ge=1,
        le=200_000,
        description="Most newcomers one group takes by live code in a day (the community's "
        "day; a member who leaves and comes back by code counts once); when every group has "
        "had as many, the next group opens. None: no daily cap.",
    )
    small_circle_size: int = Field(
        20,
        ge=2,
        le=1000,
        description="Target size of small circles: 90% of users are active in groups under 20 (seed 000).",
    )


class Structure(Section):
    """Staff roles, member levels, carriers and group sizes."""

    roles: dict[Id, Role] = Field(
        default_factory=default_roles,
        description="Staff roles by id; defaults: creator, manager, acquisition, partner, "
        "titled in community.language (创始人, 管理员, 拉新专员, 合伙人; Creator, Manager, Growth, "
        "Partner). After an upgrade that renames them, a community that keeps them shows the "
        "new titles once `hearth serve` restarts on the new release (it reads the stored "
        "playbook text with the new defaults); `hearth apply`'s diff lists the rename at the "
        "next version stored (the same file again is 'unchanged').",
    )
    levels: list[Level] = Field(
        default_factory=default_levels,
        min_length=1,
        description="The member pyramid, bottom level first. Default: newcomer, member and "
        "core, named in community.language (新人, 成员, 核心成员; Newcomer, Member, Core member).",
    )
    carriers: list[Carrier] = Field(
        default_factory=lambda: [Carrier(kind=CarrierKind.WEBCHAT)],
        min_length=1,
        description="Chat platforms; default: the built-in web chat. A kind this Hearthkeeper "
        "does not have, or that a deployment's hearth.toml does not set up (`hearth serve`; "
        "`hearth apply`, and `hearth playbook validate` or `show` with --config), is a "
        "warning. Which carriers run is hearth.toml's: every community keeps a web chat "
        "group, listed here or not.",
    )
    groups: Groups = Field(
        default_factory=Groups,
        description="Group capacity, joining-by-code cap and small-circle target.",
    )
