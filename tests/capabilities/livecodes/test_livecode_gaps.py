"""`hearth playbook show` names what live codes cannot do on the carriers the playbook uses."""

from __future__ import annotations

from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.summary import summarise
from tests.playbook_samples import MINIMAL


def copy_gaps(text: str) -> list[str]:
    pb = parse_playbook(text).playbook
    return [g.message for el in summarise(pb) if el.title.startswith("Copy") for g in el.gaps]


def test_matrix_opens_groups_and_its_arrivals_are_attributed() -> None:
    text = MINIMAL + "structure:\n  carriers: [{kind: webchat}, {kind: matrix}]\n"
    gaps = copy_gaps(text)
    assert not any("opening new" in g or "channel" in g for g in gaps)
    assert not any("opening new" in g or "channel" in g for g in copy_gaps(MINIMAL))


def test_a_carrier_that_cannot_open_groups_is_named_as_a_gap() -> None:
    text = MINIMAL + "structure:\n  carriers: [{kind: webchat}, {kind: telegram}]\n"
    assert any(g.startswith("opening new Telegram groups") for g in copy_gaps(text))


def test_telegram_newcomers_are_attributed_but_its_groups_are_not_opened() -> None:
    text = MINIMAL + "structure:\n  carriers: [{kind: webchat}, {kind: telegram}]\n"
    gaps = copy_gaps(text)
    assert (
        "opening new Telegram groups: live codes send telegram newcomers only to existing groups"
        in gaps
    )
    assert not any("cannot tell" in g for g in gaps)
    qq = copy_gaps(MINIMAL + "structure:\n  carriers: [{kind: webchat}, {kind: qq}]\n")
    assert any(
        g.startswith("opening new QQ groups") and "cannot tell which channel" in g for g in qq
    )
