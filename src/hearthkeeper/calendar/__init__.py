"""The content calendar: schedule firings across DST, content libraries, and the agenda (pure)."""

from hearthkeeper.calendar.agenda import Agenda, Firing, LibraryReport, build_agenda
from hearthkeeper.calendar.coverage import Coverage, coverage
from hearthkeeper.calendar.firings import (
    AnniversaryFiring,
    SessionMoment,
    anniversary_firings,
    firings_between,
    iter_firings,
    session_moments,
    to_instant,
)
from hearthkeeper.calendar.library import (
    ContentItem,
    ContentLibrary,
    LibraryProblem,
    load_library,
    next_item,
    with_tags,
)

__all__ = [
    "Agenda",
    "AnniversaryFiring",
    "ContentItem",
    "ContentLibrary",
    "Coverage",
    "Firing",
    "LibraryProblem",
    "LibraryReport",
    "SessionMoment",
    "anniversary_firings",
    "build_agenda",
    "coverage",
    "firings_between",
    "iter_firings",
    "load_library",
    "next_item",
    "session_moments",
    "to_instant",
    "with_tags",
]
