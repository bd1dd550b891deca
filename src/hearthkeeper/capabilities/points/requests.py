"""What points and level handlers ask the engine to do (typed effect requests)."""

from __future__ import annotations

from datetime import date

from hearthkeeper.capabilities.pointing import Pointing
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import Request


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
