"""The docs are complete: every playbook field and every CLI command and option is documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

from hearthkeeper.cli import app
from hearthkeeper.playbook.reference import field_docs, with_reference

DOCS = Path(__file__).resolve().parent.parent / "docs"


def commands(group: Any, prefix: str = "hearth") -> Iterator[tuple[str, Any]]:
    if hasattr(group, "commands"):
        for name, command in group.commands.items():
            yield from commands(command, f"{prefix} {name}")
    else:
        yield prefix, group


def test_playbook_reference_in_docs_is_current() -> None:
    text = (DOCS / "playbook.md").read_text(encoding="utf-8")
    assert with_reference(text) == text, "docs/playbook.md is stale: run `make docs`"


def test_every_playbook_field_is_documented() -> None:
    text = (DOCS / "playbook.md").read_text(encoding="utf-8")
    missing = [doc.path for doc in field_docs() if f"`{doc.path}`" not in text]
    assert missing == []
    undescribed = [doc.path for doc in field_docs() if not doc.description]
    assert undescribed == []


def test_every_cli_command_and_option_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    found = list(commands(typer.main.get_command(app)))
    assert len(found) >= 9
    for name, command in found:
        heading = next((line for line in text.splitlines() if line.startswith(f"## `{name}")), None)
        assert heading is not None, f"{name} has no section in docs/cli.md"
        for param in command.params:
            is_option = any(opt.startswith("-") for opt in param.opts)
            if is_option and "--help" not in param.opts:
                assert param.opts[0] in text, f"{name} {param.opts[0]} is not documented"


def test_architecture_map_names_every_package() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    package = Path(__file__).resolve().parent.parent / "src" / "hearthkeeper"
    for path in sorted(package.iterdir()):
        if path.name.startswith("_") or path.name in {"py.typed"}:
            continue
        name = path.stem if path.suffix == ".py" else path.name
        assert f"{name}" in text, f"docs/architecture.md does not mention {name}"
