"""`hearth playbook validate` says every located problem in one run: a field the schema
refuses, a reference across sections and a warning, together (an operator who fixed the first
batch used to meet a second one they could have seen at once)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.playbook import validate_file
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
