"""A site made as an operator makes one (`hearth init`, then `hearth apply`) for the tests of
`hearth`'s command families, the commands run against it, and its store opened beside them.

The site's database is a copy of the process's migrated SQLite file (tests/migrated.py), put
where `hearth init` makes it: init then finds it at the newest revision instead of running
every migration for each test (a third of a second of CPU each). `hearth init` on an empty
directory, migrating for real, is tested in tests/test_cli.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.clock import Clock, SystemClock
from hearthkeeper.store import Store, create_engine_for
from tests.migrated import migrated_sqlite


def run(*args: str, clock: Clock | None = None) -> tuple[int, str]:
    """`hearth ARGS`: its exit status and what it printed (never a traceback); `clock`: the
    time the command reads (default: the wall clock's)."""
    result = CliRunner().invoke(app, list(args), obj=clock)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def made_site(folder: Path, monkeypatch: pytest.MonkeyPatch, template: str,
              name: str = "site") -> Path:  # fmt: skip
    """`hearth init NAME --template TEMPLATE` in `folder` (no HEARTH_* settings from outside),
    then `hearth apply` of its playbook: the site's config file."""
    monkeypatch.chdir(folder)
    for setting in ("HEARTH_DATABASE_URL", "HEARTH_CONFIG", "HEARTH_DATA_DIR"):
        monkeypatch.delenv(setting, raising=False)
    migrated_sqlite(folder / name / "data")
    assert run("init", name, "--template", template)[0] == 0
    config = folder / name / "hearth.toml"
    assert run("apply", str(folder / name / "playbook.yaml"), "--config", str(config))[0] == 0
    return config


@contextmanager
def site_store(site: Path, clock: Clock | None = None) -> Iterator[Store]:
    """The store of the site whose config is `site` (as `hearth` opens it), closed after."""
    engine = create_engine_for(f"sqlite:///{site.parent / 'data' / 'hearth.db'}")
    try:
        yield Store(engine, clock or SystemClock())
    finally:
        engine.dispose()
