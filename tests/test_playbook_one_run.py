"""`hearth playbook validate` says every located problem in one run: a field the schema
refuses, a reference across sections and a warning, together (an operator who fixed the first
batch used to meet a second one they could have seen at once)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.playbook import validate_file
from hearthkeeper.playbook.checks import CarrierKinds
from tests.playbook_samples import MINIMAL

MIXED = (
    MINIMAL
    + """\
structure:
  groups:
    capacity: lots
alerts:
  recipients: [captain]
  urgnt: [flood]
  quiet_hours: '22:00-22:00'
"""
)


def test_a_schema_slip_a_wrong_role_and_a_warning_are_said_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "pb.yaml"
    path.write_text(MIXED, encoding="utf-8")
    result = CliRunner().invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "structure.groups.capacity",
        "alerts.recipients[0]",
        "alerts.urgnt",
        "alerts.quiet_hours",
    ]
    assert "role 'captain' is not defined in structure.roles" in lines[1]
    assert "warning: '22:00-22:00' starts and ends at the same time" in lines[3]


def test_a_reference_error_comes_with_the_warnings(tmp_path: Path) -> None:
    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL + "alerts:\n  recipients: [captain]\n  quiet_hours: '08:00-08:00'\n")
    found = validate_file(path)
    assert [(p.path, p.is_warning) for p in found] == [
        ("alerts.recipients[0]", False),
        ("alerts.quiet_hours", True),
    ]


def test_nothing_is_said_from_the_default_put_in_place_of_a_refused_value(tmp_path: Path) -> None:
    # kind: paied is refused; read as the default (open), the questions would draw a warning
    # that they are never asked: not what the operator wrote
    path = tmp_path / "pb.yaml"
    path.write_text(
        MINIMAL + "joining:\n  threshold:\n    kind: paied\n    questions: [Why?]\n"
        "alerts:\n  recipients: [captain]\n"
    )
    found = validate_file(path)
    assert [p.path for p in found] == ["joining.threshold.kind", "alerts.recipients[0]"]
    assert "did you mean 'paid'" in found[0].message


def test_a_missing_required_field_leaves_the_cross_checks_for_later(tmp_path: Path) -> None:
    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL.replace("  name: Tea Friends\n", "") + "alerts:\n  recipients: [x]\n")
    assert [p.path for p in validate_file(path)] == ["community.name"]


REFUSED_KINDS = MINIMAL.replace("kind: behaviour", "kind: behavior") + (
    "structure:\n  carriers:\n    - kind: webchat\n    - kind: telegarm\n"
    "alerts:\n  recipients: [captain]\n  quiet_hours: '22:00-22:00'\n"
)


def test_a_refused_kind_of_a_required_field_still_lets_the_other_checks_speak(
    tmp_path: Path,
) -> None:
    """A required field refused (a kind misspelt: `behavior`, `telegarm`) held back every
    check across sections: the undefined role and the warning came only after it was fixed.
    Each could be any of its few kinds: the checks run with each, and what they find whatever
    the kind is said, at once."""
    path = tmp_path / "pb.yaml"
    path.write_text(REFUSED_KINDS, encoding="utf-8")
    result = CliRunner().invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "community.interest.kind",
        "structure.carriers[1].kind",
        "alerts.recipients[0]",
        "alerts.quiet_hours",
    ], result.output
    assert "did you mean 'behaviour'" in lines[0] and "did you mean 'telegram'" in lines[1]
    assert "role 'captain' is not defined in structure.roles" in lines[2]
    assert "warning: '22:00-22:00' starts and ends at the same time" in lines[3]


def test_nothing_is_said_of_the_kinds_tried_in_place_of_a_refused_one(tmp_path: Path) -> None:
    """Tried as each carrier kind, the misspelt one would draw "no 'slack' carrier is
    installed" and the like: none of it is what the operator wrote."""
    path = tmp_path / "pb.yaml"
    path.write_text(REFUSED_KINDS, encoding="utf-8")
    found = validate_file(path, carriers=CarrierKinds(frozenset({"webchat", "telegram"})))
    assert [p.path for p in found] == [
        "community.interest.kind",
        "structure.carriers[1].kind",
        "alerts.recipients[0]",
        "alerts.quiet_hours",
    ]
    assert not any("installed" in p.message for p in found)


def test_a_missing_required_kind_is_said_with_the_other_checks(tmp_path: Path) -> None:
    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL + "structure:\n  carriers:\n    - name: Our chat\n"
                    "alerts:\n  recipients: [captain]\n")  # fmt: skip
    found = validate_file(path)
    assert [p.path for p in found] == ["structure.carriers[0].kind", "alerts.recipients[0]"]
    assert found[0].message == "required field is missing"
