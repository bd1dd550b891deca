"""What the store hands out: small frozen records that outlive any database session."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any, NamedTuple

IMPORTED = "import:"  # the carrier prefix of groups an import registers (import:csv …)


class MessageKind(StrEnum):
    """What a chat message carries (stored as its string value)."""

    TEXT = "text"
    PICTURE = "picture"
    VIDEO = "video"
    VOICE = "voice"
    LINK = "link"
    FILE = "file"
    STICKER = "sticker"
    SYSTEM = "system"
    OTHER = "other"


@dataclass(frozen=True)
class Community:
    id: int
    slug: str
    name: str
    created_at: datetime

    @property
    def shown(self) -> str:
        """How a refusal listing communities names it: `slug (name)`, the slug alone when the
        name is the same."""
        return self.slug if self.name == self.slug else f"{self.slug} ({self.name})"


def find_community(communities: Sequence[Community], typed: str) -> Community | None:
    """The community `typed` names: its slug, else its name, as typed; else either whatever
    the case, the width (`Ｔｅａ`), the Unicode form (`e` + accent for `é`) and the spaces
    around it (how every command and API finds one). None when it names none, or several
    alike but for those (`several_meant` says which): a guess could act on the wrong one."""
    meant = communities_meant(communities, typed)
    return meant[0] if len(meant) == 1 else None


def communities_meant(communities: Sequence[Community], typed: str) -> list[Community]:
    """The communities `typed` names at the first step that finds any (see `find_community`)."""
    from hearthkeeper.text.folding import fold

    wanted = fold(typed)
    # a slug before a name at each step: `TEA` is the community `tea`, not one named `Tea`
    # listed before it
    steps = (lambda c: c.slug == typed, lambda c: c.name == typed,
             lambda c: fold(c.slug) == wanted, lambda c: fold(c.name) == wanted)  # fmt: skip
    for step in steps:
        found = [c for c in communities if step(c)]
        if found:
            return found
    return []


def several_meant(communities: Sequence[Community], typed: str) -> str | None:
    """What to say when `typed` names several communities (`Tea Club` and `tea club`), each as
    `slug (name)`; None when it names one or none."""
    from hearthkeeper.text.controls import quoted

    meant = communities_meant(communities, typed)
    if len(meant) < 2:
        return None
    return (f"{quoted(typed)} names {len(meant)} communities: "
            f"{', '.join(c.shown for c in meant)}; say which by its slug")  # fmt: skip


@dataclass(frozen=True)
class Group:
    id: int
    community_id: int
    name: str
    carrier: str
    carrier_group_id: str
    capacity: int | None
    created_at: datetime
    closed_at: datetime | None = None  # closed (`hearth groups close`): no newcomers, no posts
    closed_by: str | None = None
    closed_into: int | None = None  # the group its members were sent to

    @property
    def closed(self) -> bool:
        """Closed by an operator: its history stays, it takes no newcomers and no posts."""
        return self.closed_at is not None

    @property
    def imported(self) -> bool:
        """Registered by an import (`import:csv` …): history only, no chat to act on."""
        return self.carrier.startswith(IMPORTED)


@dataclass(frozen=True)
class Member:
    """A person, across every community and carrier they were seen on."""

    id: int
    display_name: str
    profile: Mapping[str, Any]
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class StaffStay:
    """A staff role a member holds in a group now, with how the group's carrier names them
    (None: no identity there)."""

    member_id: int
    name: str
    role: str
    group: str
    carrier: str
    carrier_user_id: str | None


@dataclass(frozen=True)
class Identity:
    """How one carrier names a member."""

    member_id: int
    carrier: str
    carrier_user_id: str


@dataclass(frozen=True)
class MemberTag:
    tag: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class Membership:
    """One stay of a member in a group; a rejoin is a new stay."""

    id: int
    member_id: int
    group_id: int
    role: str | None
    level: int | None
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class Message:
    id: int
    group_id: int
    member_id: int | None
    carrier_event_id: str
    kind: MessageKind
    text: str
    sent_at: datetime
    recorded_at: datetime
    reply_to_id: int | None
    reply_to_event_id: str | None
    mentions: tuple[int, ...]
    deleted_at: datetime | None = None  # the bot deleted it (counted by nothing since)
    deleted_by: str | None = None  # who decided: a handler's name, or "staff:<operator>"


@dataclass(frozen=True)
class PlaybookVersion:
    id: int
    community_id: int
    version: int
    source_text: str
    content: Mapping[str, Any]
    sha256: str
    applied_at: datetime
    applied_by: str


# The audit action of a staff role given or taken away (`hearth staff set`): its detail's
# "role" is the role id, None when taken away; the member's page reads its history from it
STAFF_ROLE = "staff role"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    community_id: int | None
    action: str
    target: str
    detail: Mapping[str, Any]


class EventType(StrEnum):
    """What kind of event the engine processed (the engine's event types, plus timers)."""

    MESSAGE = "message"
    JOIN = "join"
    LEAVE = "leave"
    EDIT = "edit"
    REACTION = "reaction"
    COMMAND = "command"
    RENAME = "rename"  # a member's new name, reported by the carrier: kept, counted as nothing
    TIMER = "timer"


@dataclass(frozen=True)
class RecordedEvent:
    id: int
    group_id: int
    carrier_event_id: str
    type: EventType
    member_id: int | None
    at: datetime
    recorded_at: datetime


class ApplicationStatus(StrEnum):
    """Where an application to join a community is (`applications.status`): staff decide
    a pending one; an approved one lets the applicant in (now, or once there is room), a
    refused one keeps them out. The admission capability and the store read the same."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class OutboxStatus(StrEnum):
    """Where an outbound action is: pending → sending → done, or back to pending to retry,
    or failed for good; skipped is a dry run's record of what it did not perform,
    cancelled a delayed action called off before it was claimed."""

    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Done:
    """An outbox item the carrier performed: its receipt and when (for `mark_done_many`).
    With `claim` (the item as claimed), it is marked only if that claim is still its own."""

    item_id: int
    receipt: str | None
    at: datetime
    claim: OutboxItem | None = None


@dataclass(frozen=True)
class OutboxItem:
    """An action to perform once; `action` is the engine's `Action.to_json()`."""

    id: int
    key: str
    carrier: str
    event_id: int | None
    group_id: int | None
    priority: int
    action: Mapping[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    claimed_at: datetime | None
    done_at: datetime | None
    receipt: str | None
    last_error: str | None
    claimed_by: int | None = None  # the worker that claimed it last (`Store.worker`)
    rate_waits: int = 0  # the times a platform's rate limit made it wait (not `attempts`)


@dataclass(frozen=True)
class Strike:
    id: int
    community_id: int
    member_id: int
    violation: str
    group_id: int | None
    event_id: int | None
    explanation: str
    at: datetime
    expires_at: datetime | None
    pardoned_at: datetime | None
    pardoned_by: str | None

    def live(self, now: datetime) -> bool:
        """Whether the strike still counts at `now`: not pardoned and not expired."""
        return self.pardoned_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True, slots=True)
class ModerationNews:
    """The strikes and sanctions written past two ids (`SanctionQueries.moderation_since`)."""

    strike_mark: int  # the newest strike id read (the one asked from when none is newer)
    sanction_mark: int  # the same for sanctions
    struck: tuple[tuple[int, int], ...] = ()  # (community, member) of each new strike
    # (community, or None for every community; member) of each new blacklisting
    blacklisted: tuple[tuple[int | None, int], ...] = ()


class SanctionKind(StrEnum):
    MUTE = "mute"  # in one group, until a time
    BAN = "ban"  # from one group
    BLACKLIST = "blacklist"  # from every group of a community, or of all communities
    # removed from one group: in force briefly (`until`), while the carrier removes them, so
    # that what they post meanwhile is only deleted (one kick, not one per message)
    KICK = "kick"


@dataclass(frozen=True)
class Sanction:
    """A mute, ban, kick or blacklist; `community_id` None on a blacklist means all
    communities."""

    id: int
    kind: SanctionKind
    community_id: int | None
    group_id: int | None
    member_id: int
    reason: str
    at: datetime
    until: datetime | None
    lifted_at: datetime | None
    lifted_by: str | None
    lift_event_key: str | None


@dataclass(frozen=True)
class PointsEntry:
    id: int
    community_id: int
    member_id: int
    points: int
    reason: str
    at: datetime
    event_id: int | None


# --- inputs of the bulk methods -----------------------------------------------------------


@dataclass(frozen=True)
class NewEvent:
    group_id: int
    carrier_event_id: str
    type: EventType | str
    member_id: int | None
    at: datetime


ImportRow = tuple[int, int | None, str, MessageKind | str, str, datetime, str | None]
"""A message as an import writes it: (group id, member id, carrier event id, kind, text,
sent at, carrier event id of the message it replies to)."""


@dataclass(frozen=True, slots=True)
class MessageEdit:
    """A stored message its author edited to read `text` (`Store.edit_messages`)."""

    group_id: int
    carrier_event_id: str
    member_id: int
    text: str


@dataclass(frozen=True, slots=True)
class MessageDeletion:
    """A stored message the bot deletes: `by` decided it (a handler's name, or staff) at `at`."""

    group_id: int
    carrier_event_id: str
    by: str
    at: datetime


@dataclass(frozen=True)
class NewMessage:
    group_id: int
    carrier_event_id: str
    member_id: int | None
    kind: MessageKind | str
    text: str
    sent_at: datetime
    reply_to_event_id: str | None = None
    mentions: tuple[int, ...] = ()


@dataclass(frozen=True)
class NewOutboxItem:
    key: str
    carrier: str
    action: Mapping[str, Any]
    priority: int
    event_id: int | None = None
    group_id: int | None = None
    at: datetime | None = None  # when it may be performed; default now
    status: OutboxStatus | str = OutboxStatus.PENDING


@dataclass(frozen=True)
class NewAudit:
    """An audit entry to write in bulk (`Store.audit_bulk`)."""

    actor: str
    action: str
    community_id: int | None
    target: str
    detail: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True)
class NewStrike:
    """A strike to write in bulk (`Store.add_strikes_bulk`)."""

    community_id: int
    member_id: int
    violation: str
    explanation: str
    at: datetime
    expires_at: datetime | None
    group_id: int | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class Scheduled:
    """Work to run at `due_at`: the effect `effect` with `payload`."""

    id: int
    key: str
    community_id: int
    group_id: int | None
    effect: str
    payload: Mapping[str, Any]
    due_at: datetime
    status: str  # pending | done | cancelled
    done_at: datetime | None


@dataclass(frozen=True)
class Operator:
    """Someone who signs in to the console or calls the REST API."""

    id: int
    username: str
    created_at: datetime
    last_sign_in_at: datetime | None
    disabled: bool


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in browser (the cookie's token is never kept, only its hash)."""

    id: int
    operator: Operator
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ApiToken:
    """A REST API token of an operator (only its hash is kept)."""

    id: int
    operator: Operator
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewStaffAlert:
    """An alert for the staff inbox, as the executor writes it; `key` is its outbox key."""

    key: str
    community_id: int
    group_id: int | None
    member_id: int | None
    violation: str | None
    handler: str
    text: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class StaffAlert:
    """An entry of the staff inbox: open until someone marks it handled."""

    id: int
    key: str
    community_id: int
    group_id: int | None
    member_id: int | None
    violation: str | None
    handler: str
    text: str
    reason: str
    at: datetime
    handled_at: datetime | None
    handled_by: str | None


# --- the console's directory and live numbers (step 5) ------------------------------------


@dataclass(frozen=True)
class MemberSummary:
    """A line of the console's member list: who, where now, and how they are doing."""

    member_id: int
    display_name: str
    groups: tuple[str, ...]  # names of the community's groups the member is in now
    level: str | None  # a `structure.levels` id; None: never placed (the bottom level)
    points: int
    live_strikes: int
    last_message_at: datetime | None
    first_joined_at: datetime | None  # None: seen only through messages


@dataclass(frozen=True)
class RecentMessage:
    """A member's message as the console lists it, with the group it was said in, and
    whether the bot deleted it already (when, and who decided)."""

    id: int
    group_id: int
    group_name: str
    kind: MessageKind
    text: str
    sent_at: datetime
    deleted_at: datetime | None = None
    deleted_by: str | None = None  # a handler's name (`moderation`), or "staff:<who>"


@dataclass(frozen=True)
class LiveNumbers:
    """What happened in a community since a moment (the start of its day, usually)."""

    messages: int
    active_members: int  # distinct members who sent a message
    joins: int
    leaves: int
    strikes: int


# --- step 6: rollups for analytics --------------------------------------------------------------


class ActivityDay(NamedTuple):
    """Messages one member sent in one group on one local day; `questions`: those with ?/？.
    A named tuple, not a dataclass: a report reads hundreds of thousands of them."""

    group_id: int
    member_id: int
    day: date
    messages: int
    questions: int


class GroupDayActivity(NamedTuple):
    """One group's local day in the activity rollups: its `ActivityDay` rows gathered, so
    that a report reads one record per group and day (17,800 at 1M messages), not one per
    member and day (403,000). `members` are those with a row that day, in no particular
    order; `messages[i]` is how many `members[i]` sent; `questions` is the day's sum."""

    group_id: int
    day: date
    members: tuple[int, ...]
    messages: tuple[int, ...]
    questions: int

    def posters(self) -> tuple[int, ...]:
        """The members who sent more than 0 messages that day."""
        if min(self.messages, default=1) > 0:
            return self.members
        return tuple(m for m, n in zip(self.members, self.messages, strict=True) if n > 0)


class GroupDay(NamedTuple):
    """One group's local day: messages, stays opened and closed, staff messages, strikes."""

    group_id: int
    day: date
    messages: int
    joins: int
    leaves: int
    staff_messages: int
    violations: int


class GroupDayKind(NamedTuple):
    """Messages of one kind in one group on one local day."""

    group_id: int
    day: date
    kind: str
    messages: int


@dataclass(frozen=True)
class NewReaction:
    """A reaction to record: `target_event_id` is the carrier's id of what was reacted to."""

    group_id: int
    member_id: int | None
    carrier_event_id: str
    target_event_id: str
    emoji: str
    at: datetime


@dataclass(frozen=True)
class Stay:
    """A stay of a member in a group, as analytics needs it."""

    group_id: int
    member_id: int
    role: str | None
    joined_at: datetime
    left_at: datetime | None


class QuestionTiming(NamedTuple):
    """A question asked in a group and when a person first answered it (None: not yet), and
    whether the FAQ answered it automatically while no person did (`by_faq`). A named tuple:
    a report at a million messages builds about 200,000 of them."""

    group_id: int
    member_id: int | None
    asked_at: datetime
    answered_at: datetime | None
    by_faq: bool = False


@dataclass(frozen=True)
class QuestionDays:
    """The questions of `question_timings` counted per group and local day, with the answered
    ones listed (in order of time asked): what the report measures of them. At a million
    messages there are about 200,000 questions, a tenth of them answered."""

    asked: dict[tuple[int, date], int]  # (group, local day) → questions asked
    answered: list[QuestionTiming]
    # (group, local day) → questions the FAQ answered automatically and no person answered
    by_faq: dict[tuple[int, date], int] = field(default_factory=dict)

    @classmethod
    def of(cls, timings: Iterable[QuestionTiming], zone: tzinfo) -> QuestionDays:
        """`timings` (in order of time asked) counted by local day in `zone`."""
        asked: dict[tuple[int, date], int] = {}
        by_faq: dict[tuple[int, date], int] = {}
        answered = []
        for q in timings:
            key = (q.group_id, q.asked_at.astimezone(zone).date())
            asked[key] = asked.get(key, 0) + 1
            if q.answered_at is not None:
                answered.append(q)
            elif q.by_faq:
                by_faq[key] = by_faq.get(key, 0) + 1
        return cls(asked, answered, by_faq)


@dataclass(frozen=True)
class SignUpReach:
    """A sign-up list or group-buy: who could see it and who joined it."""

    list_id: int
    group_id: int
    started_at: datetime
    group_buy: bool  # it offers items (团购); else a plain sign-up list
    saw: frozenset[int]  # members in the group when it started, and anyone who joined it
    joined: frozenset[int]  # members with an entry not cancelled
