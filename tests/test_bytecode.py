"""The bytecode the xdist controller compiles before the workers start (tests/bytecode.py) is
what pytest and Python then load, even with `PYTHONDONTWRITEBYTECODE=1`, and a changed source
is compiled afresh, never run from a stale file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import hearthkeeper
from tests import bytecode

ROOT = Path(__file__).resolve().parents[1]

SAMPLE_TEST = """
from helper import answer


def test_the_answer():
    assert answer() + 1 == 44
"""


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / "helper.py").write_text("def answer():\n    return 42\n")
    (folder / "test_sample.py").write_text(SAMPLE_TEST)
    return folder


def _environment(**more: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **more}
    for name in ("PYTHONPYCACHEPREFIX", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    return env


def _pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    """The sample's test run as a worker runs it: no bytecode written, pytest's trace on."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-p", "no:randomly", "--rootdir", str(folder), "test_sample.py"],
        cwd=folder, capture_output=True, text=True, timeout=120,
        env=_environment(PYTEST_DEBUG="1"),
    )  # fmt: skip


def test_a_precompiled_test_module_is_loaded_rewritten_from_the_cache(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    folder = _project(tmp_path)
    written = bytecode.precompile(request.config, 1, [folder])
    assert written == 2  # the test module (rewritten) and its helper (plain)

    ran = _pytest(folder)
    sample = folder / "test_sample.py"
    assert f"found cached rewritten pyc for {sample}" in ran.stderr
    assert f"rewriting {sample!r}" not in ran.stderr
    # the asserts are still rewritten: the failure says what each side was
    assert "assert (42 + 1) == 44" in ran.stdout
    assert "where 42 = answer()" in ran.stdout

    helper = subprocess.run(
        [sys.executable, "-v", "-c", "import helper"],
        cwd=folder, capture_output=True, text=True, env=_environment(),
    )  # fmt: skip
    assert f"code object from '{folder / '__pycache__'}" in helper.stderr

    assert bytecode.precompile(request.config, 1, [folder]) == 0  # all current: none written


def test_a_source_changed_after_compiling_is_run_as_changed(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    folder = _project(tmp_path)
    bytecode.precompile(request.config, 1, [folder])
    helper = folder / "helper.py"
    compiled_at = helper.stat().st_mtime
    helper.write_text("def answer():\n    return 43\n")
    # an edit a few seconds later (here within the same second, and the same size)
    os.utime(helper, (compiled_at + 5, compiled_at + 5))
    (folder / "test_sample.py").write_text(SAMPLE_TEST.replace("== 44", "== 45"))

    ran = _pytest(folder)
    assert "found cached rewritten pyc" not in ran.stderr
    assert "assert (43 + 1) == 45" in ran.stdout


def test_only_the_folders_given_are_compiled(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    folder = _project(tmp_path)
    (folder / "notes").mkdir()
    (folder / "notes" / "conftest.py").write_text("")
    outside = tmp_path / "outside.py"
    outside.write_text("x = 1\n")
    found = dict(bytecode.jobs(request.config, [folder]))
    assert found == {
        str(folder / "helper.py"): False,
        str(folder / "notes" / "conftest.py"): True,
        str(folder / "test_sample.py"): True,
    }
    bytecode.precompile(request.config, 1, [folder])
    assert not (tmp_path / "__pycache__").exists()


def test_a_folder_where_bytecode_cannot_be_written_is_left_to_python_and_pytest(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A checkout whose `__pycache__` cannot be written (a read-only mount, here a file in
    its place) stopped the whole xdist run before any test (NotADirectoryError from the
    controller's hook); Python and pytest run such modules from source, as without it."""
    folder = _project(tmp_path)
    (folder / "__pycache__").write_text("not a folder")
    assert bytecode.precompile(request.config, 1, [folder]) == 0
    ran = _pytest(folder)
    assert "assert (42 + 1) == 44" in ran.stdout  # the sample ran, its asserts rewritten


def test_an_xdist_run_compiles_the_package_and_its_test_modules_first() -> None:
    """The controller's hook in tests/conftest.py, as `make test` runs it."""
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "1", "-p", "no:cacheprovider", "-p", "no:randomly",
         "tests/test_bytecode.py", "-k", "only_the_folders_given"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=_environment(),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "files compiled before the workers started" in ran.stdout
    for module in (ROOT / "tests" / "test_bytecode.py", ROOT / "tests" / "conftest.py"):
        assert bytecode.current(module, rewritten=True), module
    assert hearthkeeper.__file__ is not None  # a package imported from files, as bytecode's
    package = Path(hearthkeeper.__file__).parent
    for module in (package / "__init__.py", package / "store" / "__init__.py"):
        assert bytecode.current(module, rewritten=False), module
