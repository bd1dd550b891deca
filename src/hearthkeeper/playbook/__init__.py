"""The operator's playbook: schema, loading with located errors, summary, diff and templates."""

from hearthkeeper.playbook.checks import CarrierKinds
from hearthkeeper.playbook.loader import (
    LoadedPlaybook,
    PlaybookError,
    Problem,
    Severity,
    carrier_warnings,
    load_playbook,
    parse_playbook,
    validate_file,
)
from hearthkeeper.playbook.model import Playbook

__all__ = [
    "CarrierKinds",
    "LoadedPlaybook",
    "Playbook",
    "PlaybookError",
    "Problem",
    "Severity",
    "carrier_warnings",
    "load_playbook",
    "parse_playbook",
    "validate_file",
]
