"""`hearth bench engine --database-url`: the engine figure measured on a database it is given
(a throwaway PostgreSQL one), and never on one that holds a community already."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from hearthkeeper.cli import app


def test_the_engine_benchmark_runs_on_the_empty_database_it_is_given(database_url: str) -> None:
    done = CliRunner().invoke(
        app, ["bench", "engine", "-n", "40", "--database-url", database_url, "--json"]
    )
    assert done.exit_code == 0, done.output
    figures = json.loads(done.stdout)
    assert figures["messages"] == 40
    assert figures["database"] == database_url.split(":")[0].split("+")[0]
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:  # the run's messages are in that database
            assert db.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 40
    finally:
        engine.dispose()

    again = CliRunner().invoke(app, ["bench", "engine", "-n", "40", "--database-url", database_url])
    assert again.exit_code == 1
    assert "holds 1 community already" in again.output
    assert "give it an empty one" in again.output
    with engine.connect() as db:  # nothing added by the refused run
        assert db.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 40
    engine.dispose()


def test_the_engine_benchmark_names_a_database_it_cannot_reach() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"
    done = CliRunner().invoke(app, ["bench", "engine", "-n", "5", "--database-url", url])
    assert done.exit_code == 1
    assert done.output.startswith("error: --database-url:"), done.output
    assert "Traceback" not in done.output


def test_the_engine_benchmark_refuses_a_database_holding_another_applications_tables(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as db:
            db.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
            db.exec_driver_sql("INSERT INTO invoices VALUES (1, 99)")
        done = CliRunner().invoke(
            app, ["bench", "engine", "-n", "5", "--database-url", database_url]
        )
        assert done.exit_code == 1, done.output
        assert "holds 1 table of something else (invoices)" in done.output
        assert "give it an empty one" in done.output
        with engine.connect() as db:  # left as it was: not migrated into
            assert set(inspect(db).get_table_names()) == {"invoices"}
            assert db.exec_driver_sql("SELECT total FROM invoices").scalar() == 99
    finally:
        engine.dispose()
