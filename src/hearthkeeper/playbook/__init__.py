"""The operator's playbook: schema, loading with located errors, summary, diff and templates.

The names below are imported from their modules on first use, so that importing one small
module of the package (`playbook.output`, `playbook.suggest`) does not load the whole schema
and its checks: every `hearth` command imports a few of them just to list its options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.lazy import exports

if TYPE_CHECKING:
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

__getattr__ = exports(
    __name__,
    {
        "CarrierKinds": ".checks",
        "LoadedPlaybook": ".loader",
        "PlaybookError": ".loader",
        "Problem": ".loader",
        "Severity": ".loader",
        "carrier_warnings": ".loader",
        "load_playbook": ".loader",
        "parse_playbook": ".loader",
        "validate_file": ".loader",
        "Playbook": ".model",
    },
)

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
