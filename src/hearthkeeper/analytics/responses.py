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
    return stats_of(len(asked), [w for w in map(wait, asked) if w is not None])


def wait(timing: QuestionTiming) -> float | None:
    """Minutes from the question to its first answer (None: not answered)."""
    if timing.answered_at is None:
        return None
    return (timing.answered_at - timing.asked_at).total_seconds() / 60


def stats_of(questions: int, waits: list[float]) -> ResponseStats:
    """The figures of `questions` questions, of which those answered waited `waits`
    minutes (in any order)."""
    median = statistics.median(waits) if waits else None
    return ResponseStats(questions, len(waits), median)
