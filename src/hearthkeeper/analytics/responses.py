"""Question response: how many questions got an answer, and how fast (median)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from hearthkeeper.store import QuestionTiming


@dataclass(frozen=True)
class ResponseStats:
    """Questions asked, answered, and the median minutes to the first answer."""

    questions: int
    answered: int
    median_minutes: float | None

    @property
    def rate(self) -> float | None:
        """answered ÷ questions; None without questions."""
        return self.answered / self.questions if self.questions else None


def response_stats(timings: Iterable[QuestionTiming]) -> ResponseStats:
    """Response rate and median time to first answer of `timings`."""
    asked = list(timings)
    waits = [
        (t.answered_at - t.asked_at).total_seconds() / 60
        for t in asked
        if t.answered_at is not None
    ]
    median = statistics.median(waits) if waits else None
    return ResponseStats(len(asked), len(waits), median)
