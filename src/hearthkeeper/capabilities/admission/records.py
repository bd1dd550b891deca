"""What the admission capability keeps: invite codes and applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.store.records import ApplicationStatus


@dataclass(frozen=True)
class InviteCode:
    """A code staff hand out (on a poster, to old customers); `uses` is how many people it let
    in, each counted once."""

    id: int
    community_id: int
    code: str
    label: str
    max_uses: int | None  # None: no limit
    uses: int
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: str
    created_at: datetime

    def state(self, now: datetime) -> str:
        """ "active", "revoked", "expired" or "used up", as the console and CLI say it."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "used up"
        return "active"


@dataclass(frozen=True)
class Application:
    """Someone's application to join a community, with the questions they were asked and
    their answers; `message` is what the reviewing staff said to them."""

    id: int
    community_id: int
    group_id: int  # the group they asked to join
    carrier: str
    user_id: str  # their id on `carrier`
    display_name: str
    member_id: int | None
    questions: tuple[str, ...]
    answers: tuple[str, ...]
    status: ApplicationStatus
    message: str | None
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    network: str | None = None  # the digest of the client network it came from, if known

    @property
    def answered(self) -> list[tuple[str, str]]:
        """Each question with its answer (one answer for all: a knock's single reason)."""
        if len(self.answers) == 1 and len(self.questions) > 1:
            return [(" / ".join(self.questions), self.answers[0])]
        return list(zip(self.questions, self.answers, strict=False))
