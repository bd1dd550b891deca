"""What the REST API answers, as Pydantic models: the OpenAPI document is generated from them.

Most are read from the store's records (`Model.model_validate(record)`); times are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """Base of every answer: built from the store's records by attribute."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(Out):
    """An error: what went wrong and what to do."""

    detail: str


class CommunityOut(Out):
    slug: str
    name: str
    created_at: datetime


class LiveOut(Out):
    """What happened in the community since the start of its day (in its time zone)."""

    since: datetime = Field(description="Midnight today in the community's time zone, in UTC.")
    timezone: str
    messages: int
    active_members: int = Field(description="Distinct members who sent a message.")
    joins: int
    leaves: int
    strikes: int


class CommunityDetailOut(CommunityOut):
    groups: int = Field(description="How many groups the community has.")
    playbook_version: int | None = Field(description="The version in force (None: none yet).")
    inbox: int = Field(description="Unanswered questions plus staff alerts not yet handled.")
    live: LiveOut


class GroupOut(Out):
    id: int
    name: str
    carrier: str
    carrier_group_id: str
    capacity: int | None
    members: int = Field(description="Members in the group now.")
    invite_url: str | None = Field(description="The join link of a web chat group, else None.")


class MemberSummaryOut(Out):
    member_id: int
    display_name: str
    groups: list[str] = Field(
        description="Names of the community's groups the member is in now, by name as the "
        "groups are listed (`group 2` before `group 10`)."
    )
    level: str | None
    points: int
    live_strikes: int
    last_message_at: datetime | None
    first_joined_at: datetime | None


class MemberPageOut(Out):
    total: int = Field(description="How many members match, over all pages.")
    limit: int
    offset: int
    members: list[MemberSummaryOut]


class IdentityOut(Out):
    carrier: str
    carrier_user_id: str


class TagOut(Out):
    tag: str
    set_by: str
    set_at: datetime


class StrikeOut(Out):
    id: int
    community_id: int
    member_id: int
    violation: str
    group_id: int | None
    explanation: str
    at: datetime
    expires_at: datetime | None
    pardoned_at: datetime | None
    pardoned_by: str | None
    live: bool = Field(description="Whether it counts now: neither expired nor pardoned.")


class SanctionOut(Out):
    id: int
    kind: str = Field(description="mute, ban or blacklist.")
    community_id: int | None = Field(description="None on a blacklist: every community.")
    group_id: int | None
    member_id: int
    reason: str
    at: datetime
    until: datetime | None
    lifted_at: datetime | None
    lifted_by: str | None
    in_force: bool


class LiftedOut(Out):
    sanction: SanctionOut
    undo_actions: int = Field(description="Unmutes or unbans queued for the carriers.")


class RemovedOut(Out):
    message_id: int
    deleted: bool = Field(description="The deletion is queued for the carrier (once).")
    bans: list[SanctionOut] = Field(description="Bans given (on a ban), one per group.")


class MessageOut(Out):
    id: int
    group_id: int
    group_name: str
    kind: str
    text: str
    sent_at: datetime


class MemberDetailOut(Out):
    id: int
    display_name: str
    profile: dict[str, Any]
    notes: str
    created_at: datetime
    identities: list[IdentityOut]
    tags: list[TagOut]
    level: str | None
    points: int
    strikes: list[StrikeOut]
    sanctions: list[SanctionOut]
    recent_messages: list[MessageOut]


class QuestionOut(Out):
    id: int
    group_id: int
    group_name: str
    member_id: int
    asker: str
    text: str
    asked_at: datetime
    status: str = Field(description="open, or alerted (staff were told).")


class AlertOut(Out):
    id: int
    group_id: int | None
    member_id: int | None
    violation: str | None
    handler: str
    text: str
    reason: str
    at: datetime
    handled_at: datetime | None
    handled_by: str | None


class InboxOut(Out):
    questions: list[QuestionOut] = Field(description="Unanswered questions, oldest first.")
    alerts: list[AlertOut] = Field(description="Open staff alerts, newest first.")


class AuditOut(Out):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


class VersionOut(Out):
    version: int
    sha256: str
    applied_at: datetime
    applied_by: str


class PlaybookOut(VersionOut):
    source_text: str


class ChangeOut(Out):
    kind: str = Field(description="'+' added, '-' removed, '~' changed.")
    path: str
    old: Any
    new: Any


class ProblemOut(Out):
    line: int
    column: int
    path: str
    message: str


class AppliedOut(Out):
    version: int
    unchanged: bool = Field(description="True when the text is the version already in force.")
    changes: list[ChangeOut]
    warnings: list[ProblemOut] = Field(
        default_factory=list,
        description="What is allowed but probably not meant (a schedule firing every few "
        "minutes, a two-letter keyword); the playbook was applied all the same.",
    )


class PlaybookInvalidOut(Out):
    detail: str
    problems: list[ProblemOut]


class PlaybookIn(BaseModel):
    """A new playbook version as JSON (or send the YAML itself as text/yaml)."""

    source: str


class AppealOut(Out):
    id: int
    community: str = Field(description="The community's slug.")
    member_id: int
    member_name: str
    group_id: int = Field(description="Where the member appealed (a ban: the group banned from).")
    group_name: str
    against: str = Field(description="strike, mute, ban or blacklist.")
    violation: str | None = Field(description="The strike's rule, when against a strike.")
    strike_id: int | None
    sanction_id: int | None
    why: str = Field(description="The member's own words.")
    at: datetime
    status: str = Field(description="waiting, pardoned or upheld.")
    decided_at: datetime | None
    decided_by: str | None
    note: str | None = Field(description="Staff's words with their decision, if any.")


class DecidedOut(Out):
    appeal: AppealOut
    lifted: bool = Field(description="A mute or ban was lifted with the pardon.")


class DecisionIn(BaseModel):
    note: str = Field("", max_length=500,
                      description="Your words to the member, said with the decision and kept "
                      "in the audit log.")  # fmt: skip


class ReportOut(Out):
    id: int = Field(description="The reported message's id (one per message, however many "
                    "reported it).")  # fmt: skip
    community: str = Field(description="The community's slug.")
    group_id: int
    group_name: str
    message_id: int
    author_id: int
    author_name: str
    text: str = Field(description="The message as its author wrote it.")
    reports: int = Field(description="How many members reported it.")
    counting: int = Field(description="Those of members in good standing, which hide it.")
    hidden: bool = Field(description="Reports hid it until staff looked.")
    at: datetime = Field(description="The first report.")
    status: str = Field(description="waiting, upheld or dismissed.")
    decided_at: datetime | None
    decided_by: str | None


class ReportDecisionIn(BaseModel):
    violation: str = Field("", max_length=64,
                           description="With uphold: the rule the author is struck on (a "
                           "violation kind of the playbook that is on, or staff_warning).")  # fmt: skip
