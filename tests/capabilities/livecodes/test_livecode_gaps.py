"""`hearth playbook show` names what live codes cannot do on the carriers the playbook uses."""

from __future__ import annotations

from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.summary import summarise
from tests.playbook_samples import MINIMAL


def copy_gaps(text: str) -> list[str]:
    pb = parse_playbook(text).playbook
    return [g.message for el in summarise(pb) if el.title.startswith("Copy") for g in el.gaps]


def test_a_playbook_on_matrix_is_told_live_codes_cannot_open_matrix_groups() -> None:
    text = MINIMAL + "structure:\n  carriers: [{kind: webchat}, {kind: matrix}]\n"
    assert any(g.startswith("opening new Matrix groups") for g in copy_gaps(text))
    assert not any("opening new" in g for g in copy_gaps(MINIMAL))
