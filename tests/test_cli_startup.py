"""`hearth` starts without importing what the command does not need: `--help` and `playbook
validate` (run by editors and pre-commit hooks) import no database, web or chat client library,
`playbook show` no language model.
Checked in a fresh process, since this test session has imported everything already."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import hearthkeeper
from hearthkeeper.carriers.installed import CARRIERS

SRC = Path(hearthkeeper.__file__).resolve().parent.parent
TEMPLATE = SRC / "hearthkeeper" / "playbook" / "templates" / "skincare.yaml"
HEAVY = {"jieba", "pypinyin", "fastapi", "starlette", "sqlalchemy", "alembic", "aiogram", "nio"}

# Runs `hearth ARGS` in-process, then prints the heavy libraries it imported on the last line.
RUNNER = """
import sys
from hearthkeeper.cli import main
sys.argv = ["hearth", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = set(%r)
print("imported:", ",".join(sorted({name.split(".")[0] for name in sys.modules} & heavy)))
"""


def heavy_imports(*args: str) -> tuple[set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER % sorted(HEAVY), *args],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        check=True,
    )
    *shown, last = done.stdout.splitlines()
    assert last.startswith("imported:")
    names = last.removeprefix("imported:").strip()
    return ({name for name in names.split(",") if name}, "\n".join(shown))


def test_help_lists_every_command_without_importing_them() -> None:
    imported, shown = heavy_imports("--help")
    assert imported == set()
    for name in ("playbook", "serve", "billing", "events", "matrix", "telegram", "posts"):
        assert f"\n  {name} " in shown


def test_validate_imports_no_store_web_or_chat_library() -> None:
    imported, shown = heavy_imports("playbook", "validate", str(TEMPLATE))
    assert imported == set()
    assert shown == f"{TEMPLATE}: ok"


def test_show_names_the_gaps_without_loading_the_chinese_word_dictionary() -> None:
    """`playbook show` builds the playbook's registry to find its gaps; the FAQ cuts its
    entries into words only when it first reads a message, so jieba (0.7 s of loading) is
    not imported at all."""
    imported, shown = heavy_imports("playbook", "show", str(TEMPLATE))
    assert "FAQ: 8 entries" in shown
    # every field the template uses works at run time: a new operator's first look at a
    # template shows no gap (edit_playbook, which nothing asks for yet, is not given)
    assert shown.rstrip().endswith("No gaps found.")
    assert "not built in this version" not in shown
    assert "jieba" not in imported
    assert "pypinyin" not in imported


def test_plugin_kinds_are_their_carriers_names() -> None:
    """The plug-ins name their kind without importing their carrier: the same name."""
    from hearthkeeper.carriers.onebot import translate as onebot
    from hearthkeeper.carriers.telegram import translate as telegram

    kinds = {plugin.kind for plugin in CARRIERS}
    assert {telegram.CARRIER, onebot.CARRIER} <= kinds
