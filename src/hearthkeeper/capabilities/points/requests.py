"""What points and level handlers ask the engine to do (typed effect requests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import Request


@dataclass(frozen=True)
class Target:
    """Whom a staff command points at: an @-mentioned carrier user id, a `@name` typed, or the
    message replied to (nothing set: nobody)."""

    user_id: str | None = None
    name: str | None = None
    reply_to: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.user_id, self.name, self.reply_to))

    @property
    def only_a_reply(self) -> bool:
        """Pointed at only by replying to a message (no mention, no name)."""
        return self.reply_to is not None and self.user_id is None and self.name is None

    def meant(self) -> str:
        """How the command named the member it could not find."""
        return "@" + self.name if self.name is not None else self.user_id or ""


class Pointing(Request):
    """A request about the member a staff command points at (see `Target`)."""

    user_id: str | None = None
    name: str | None = None
    reply_to: str | None = None

    @property
    def target(self) -> Target:
        return Target(self.user_id, self.name, self.reply_to)


class PointsShare(Request, effect="points.share"):
    """The sharing reward for a picture or video, at most once a day."""


class PointsBalance(Request, effect="points.balance"):
    """The sender's balance and the rewards."""


class PointsAward(Pointing, effect="points.award"):
    """Staff give (or take) the member pointed at `points`, for `reason`."""

    points: int
    reason: str = ""


class PointsRedeem(Request, effect="points.redeem"):
    """Spend the sender's points on the reward with id `reward`."""

    reward: str


class LevelsEvaluate(Request, effect="levels.evaluate"):
    """Promote after points-earning activity: the sender's, or (after a staff award) that of
    `member_id`, announced as `name`."""

    member_id: int | None = None
    name: str = ""


class LevelsPlan(Request, effect="levels.plan"):
    """Make sure the community's morning round is planned."""


class LevelsRound(Request, effect="levels.round"):
    """Scheduled: the community's morning round of `day`."""

    day: date


def follow(trigger: Action, request: Request) -> Action:
    """A further effect for the same event, member and handler as `trigger`."""
    return request.action(carrier=trigger.carrier, group=trigger.group, member=trigger.member,
                          target=trigger.target, handler=trigger.handler,
                          reason=trigger.reason)  # fmt: skip
