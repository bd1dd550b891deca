"""`text/` is the bottom layer (docs/architecture.md): its modules read nothing of the
capabilities, the engine, the store or the carriers above them, so moderation's text work and
the segmenter it shares with the FAQ and crisis watch can be used and tested alone."""

from __future__ import annotations

import ast
from pathlib import Path

import hearthkeeper.text

# what `text/` may import of Hearthkeeper: itself, the playbook's pure rules, lazy exports
ALLOWED = ("hearthkeeper.text", "hearthkeeper.playbook", "hearthkeeper.lazy")


def parsed(source: str) -> ast.Module:
    """`ast.parse`, once more when CPython 3.11's converter to Python objects raised
    "AST constructor recursion depth mismatch": it keeps its depth in state shared by every
    thread, and another thread of the test process (a server left from an earlier test
    formatting a traceback, which parses the failing line on 3.11) may convert at the same time."""
    try:
        return ast.parse(source)
    except SystemError:
        return ast.parse(source)


def imported(path: Path) -> set[str]:
    """Every Hearthkeeper module a file imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(parsed(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] == "hearthkeeper"}


def test_text_imports_nothing_above_it() -> None:
    root = Path(hearthkeeper.text.__file__).parent
    above = {
        f"{path.relative_to(root)}: {name}"
        for path in sorted(root.rglob("*.py"))
        for name in imported(path)
        if not any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED)
    }
    assert above == set()
