"""The docs are complete: every playbook field and every CLI command and option is documented."""

from __future__ import annotations

import re
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
    # every package below them too (a capability, a carrier, `store/models/` ...), by name
    for init in sorted(package.glob("*/**/__init__.py")):
        name = init.parent.name
        assert re.search(rf"\b{name}\b", text), f"docs/architecture.md does not name {name}/"
    # and no folder it names in backticks is gone
    root = package.parent.parent
    for named in set(re.findall(r"`((?:[a-z_]+/)+)`", text)):
        where = [package / named, root / named, *package.glob(f"*/{named}")]
        assert any(p.is_dir() for p in where), f"docs/architecture.md names {named}, which is gone"


# `hearth …` where a reader would type it: at the start of a code span or of a line in a code
# block (after a `$ ` prompt), or after a shell pipe.
_TYPED = re.compile(r"(?:^|`|\$ |\| )hearth((?: +[a-z][\w-]*)+)([^`#]*)")


def _typed_commands() -> Iterator[tuple[str, str, str]]:
    """(where, the command words, the rest of the line) for each `hearth …` the docs show."""
    for path in [DOCS.parent / "README.md", *sorted(DOCS.rglob("*.md"))]:
        fence = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                fence = not fence
                continue
            texts = [line.strip()] if fence else re.findall(r"`[^`]+`", line)
            for text in texts:
                for match in _TYPED.finditer(text):
                    where = f"{path.relative_to(DOCS.parent)}:{number}"
                    yield where, match.group(1), match.group(2)


def test_every_hearth_command_the_docs_show_exists_with_its_options() -> None:
    root = typer.main.get_command(app)
    wrong: list[str] = []
    shown = 0
    for where, words, rest in _typed_commands():
        command, said = root, ["hearth"]
        unknown = None
        for word in words.split():
            if not hasattr(command, "list_commands"):
                rest = f"{word} {rest}"
                continue
            found = command.get_command(typer.Context(command), word)
            if found is None:
                unknown = word
                break
            command, said = found, [*said, word]
        shown += 1
        if unknown is not None:
            wrong.append(f"{where}: {' '.join(said)} has no command {unknown!r}")
            continue
        if hasattr(command, "list_commands"):
            continue  # a group named in passing (`hearth strikes`)
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
        for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", rest):
            if option not in options:
                wrong.append(f"{where}: {' '.join(said)} has no option {option}")
    assert shown > 100
    assert wrong == []


def test_every_community_option_says_it_takes_a_slug_or_a_name() -> None:
    """Every --community takes the slug or the name (docs/cli.md's opening paragraph); its
    heading in docs/cli.md and its --help said "SLUG" or "Community slug" on 30 commands."""
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## `hearth")]
    wrong: list[str] = []
    for name, command in commands(typer.main.get_command(app)):
        option = next((p for p in command.params if "--community" in p.opts), None)
        if option is None:
            continue
        if "name" not in (option.help or ""):
            wrong.append(f"{name} --help: {option.help!r}")
        heading = next(h for h in headings if h.startswith(f"## `{name} ") or h == f"## `{name}`")
        if "--community" in heading and "--community SLUG|NAME" not in heading:
            wrong.append(f"docs/cli.md: {heading}")
    assert wrong == []


def test_the_api_docs_state_the_subscriptions_page_and_record_the_change() -> None:
    """`GET …/subscriptions` became a page object (it was a JSON list): a client written to
    the docs must find the shape the API answers, and a note that it changed."""
    from hearthkeeper.capabilities.billing.api import SubscriptionPageOut

    text = (DOCS / "membership.md").read_text(encoding="utf-8")
    keys = ", ".join(f'"{name}"' for name in SubscriptionPageOut.model_fields)
    assert f"`{{{keys}}}`" in text.replace("\n", " ")
    [note] = [p for p in text.split("\n\n") if p.startswith("**API changes.**")]
    assert "/subscriptions" in note and "JSON list" in note


def test_the_api_docs_state_the_orders_page_and_record_the_change() -> None:
    """`GET …/orders` became a page object too (it was a JSON list of the whole ledger)."""
    from hearthkeeper.capabilities.billing.api import OrderPageOut

    text = (DOCS / "membership.md").read_text(encoding="utf-8")
    keys = ", ".join(f'"{name}"' for name in OrderPageOut.model_fields)
    assert f"`{{{keys}}}`" in " ".join(text.split())
    [note] = [p for p in text.split("\n\n") if p.startswith("**API changes.**")]
    assert "/orders" in note and "a JSON list of every order" in " ".join(note.split())
