"""Playbook fields this Hearthkeeper validates but does not act on yet.

A field that exists only in the schema must not look like a working feature: when a playbook
uses one, `hearth playbook show` names it as a gap, under the ISOOC element it belongs to.
Each entry goes when the feature is built (the step that builds it is named).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hearthkeeper.playbook.model import Playbook

NOT_BUILT = "not built in this version"


@dataclass(frozen=True)
class Unhonoured:
    """A field the playbook uses that nothing runs: where, what it means for the operator."""

    element: str  # the ISOOC element's first word: Interest, Structure, Output, Operation ...
    message: str


def unhonoured(pb: Playbook) -> Iterator[Unhonoured]:
    """The fields `pb` sets that this version validates but does not act on."""
    for n, carrier in enumerate(pb.structure.carriers):
        if carrier.settings:
            yield Unhonoured(
                "Structure",
                f"structure.carriers[{n}].settings: not read — a server's carriers are set in "
                f"hearth.toml, [carriers.{carrier.kind.value}]",
            )
