"""Bytecode for the test run, compiled once before the xdist workers start.

This host (and CI, which runs with its environment) sets `PYTHONDONTWRITEBYTECODE=1`, so no
process ever kept what it compiled: each xdist worker rewrote the asserts of every test module
(~16 s CPU at collection for the ~375 modules) and compiled the package from source (~2.5 s),
and each `hearth` process a test starts compiled the package again (0.5–1 s a start). Before
the workers start, the controller writes, in a pool of one process per worker:

- for each test module and conftest under the run's paths, the assert-rewritten code pytest
  itself would cache (pytest's own rewriting and file format, which it checks against the
  source's hash before using it);
- for every other module under the run's paths and every module of the package when it lies
  inside the checkout, an ordinary `.pyc` (`compileall`, checked against the source's time and
  size as Python checks it).

Nothing else is written: the files go to `__pycache__` beside their sources, inside the
checkout and ignored by git (or under `PYTHONPYCACHEPREFIX` if one is set), where Python and
pytest look for them even with `PYTHONDONTWRITEBYTECODE` set; libraries keep the bytecode pip
compiled when it installed them. A prefix set here for the run would have made every process
ignore that and compile every library again into it (collection 31 → 42 s CPU cold).
A file already up to date is left alone; one that does not compile is left to pytest, which
reports it as it would have. If pytest's rewriting is not where this expects it, the test
modules are left to pytest too (`tests/test_bytecode.py` fails then, saying so)."""

from __future__ import annotations

import fnmatch
import importlib.util
import multiprocessing
import py_compile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import hearthkeeper

# The run's configuration, for the forked pool (pytest's rewriting reads its options).
_config: pytest.Config | None = None


def rewrites(path: Path, config: pytest.Config) -> bool:
    """Whether pytest rewrites the asserts of the module at `path` when it imports it: a
    conftest, or a file named like a test module (`python_files`)."""
    if path.name == "conftest.py":
        return True
    return any(fnmatch.fnmatch(path.name, pattern) for pattern in config.getini("python_files"))


def _sources(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file() and path.suffix == ".py":
            yield path
        elif path.is_dir():
            for found in sorted(path.rglob("*.py")):
                if "__pycache__" not in found.parts:
                    yield found


def run_paths(config: pytest.Config) -> list[Path]:
    """The files and folders this run collects from (`config.args`, less any `::test` part),
    and the conftest files above them that its workers load too."""
    paths: list[Path] = []
    root = config.rootpath.resolve()
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if not path.exists():
            continue
        paths.append(path)
        for folder in path.parents:
            if not folder.is_relative_to(root):
                break
            if (folder / "conftest.py").is_file():
                paths.append(folder / "conftest.py")
    return paths


def package_folder(config: pytest.Config) -> Path | None:
    """The folder the package is imported from, when it is this checkout's (an installed copy
    was compiled by pip)."""
    folder = Path(hearthkeeper.__file__).resolve().parent
    return folder if folder.is_relative_to(config.rootpath.resolve()) else None


def _rewritten_is_current(source: Path, pyc: Path) -> bool:
    """pytest's own check of a cached rewritten module, without loading its code."""
    try:
        with pyc.open("rb") as cached:
            head = cached.read(16)
    except OSError:
        return False
    return (
        head[:4] == importlib.util.MAGIC_NUMBER
        and head[4:8] == b"\x03\x00\x00\x00"
        and head[8:16] == importlib.util.source_hash(source.read_bytes())[:8]
    )


def _plain_is_current(source: Path) -> bool:
    """Python's own check of a timestamped `.pyc` (its source's time and size)."""
    try:
        with open(importlib.util.cache_from_source(str(source)), "rb") as cached:
            head = cached.read(16)
        stat = source.stat()
    except OSError:
        return False
    stamp = (int(stat.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
    size = (stat.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    return head == importlib.util.MAGIC_NUMBER + b"\x00\x00\x00\x00" + stamp + size


def _rewritten_pyc(source: Path) -> Path:
    from _pytest.assertion.rewrite import PYC_TAIL, get_cache_dir

    return get_cache_dir(source) / (source.name[:-3] + PYC_TAIL)


def current(source: Path, *, rewritten: bool) -> bool:
    """Whether the bytecode cached for `source` is what Python (or pytest, for a module whose
    asserts it rewrites) would load rather than compile again."""
    if rewritten:
        return _rewritten_is_current(source, _rewritten_pyc(source))
    return _plain_is_current(source)


def _compile(job: tuple[str, bool]) -> bool:
    """Write one module's bytecode if it is not current; whether anything was written."""
    name, rewritten = job
    source = Path(name)
    if current(source, rewritten=rewritten):
        return False
    if not rewritten:
        try:
            py_compile.compile(
                name, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP
            )
        except py_compile.PyCompileError:
            return False  # Python reports it where the module is imported
        except OSError:
            return False  # not writable here (a read-only checkout): Python compiles it itself
        return True
    from _pytest.assertion.rewrite import _rewrite_test, _write_pyc, assertstate_key

    assert _config is not None
    pyc = _rewritten_pyc(source)
    try:
        source_hash, code = _rewrite_test(source, _config)
    except SyntaxError:
        return False  # pytest reports it when it collects the file
    try:
        pyc.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False  # not writable here: pytest rewrites it itself, as it would have
    return _write_pyc(_config.stash[assertstate_key], code, source_hash, pyc)


def rewriting_available() -> bool:
    """Whether pytest's rewriting has the parts used here (it is pytest's inside)."""
    try:
        from _pytest.assertion.rewrite import (  # noqa: F401
            PYC_TAIL,
            _rewrite_test,
            _write_pyc,
            assertstate_key,
            get_cache_dir,
        )
    except ImportError:
        return False
    return True


def jobs(config: pytest.Config, folders: Iterable[Path]) -> list[tuple[str, bool]]:
    """Every module under `folders` (files or folders), and whether pytest rewrites it."""
    rewrite = config.getoption("assertmode") == "rewrite" and rewriting_available()
    found: dict[str, bool] = {}
    for source in _sources(folders):
        found.setdefault(str(source), rewrite and rewrites(source, config))
    return sorted(found.items())


def run_folders(config: pytest.Config) -> list[Path]:
    """What this run compiles: the paths it collects from and the package if it is the
    checkout's."""
    folders = run_paths(config)
    package = package_folder(config)
    if package is not None:
        folders.append(package)
    return folders


def precompile(config: pytest.Config, processes: int, folders: Iterable[Path]) -> int:
    """Write the bytecode of the modules under `folders` that is not current, in `processes`
    processes; how many files were written (0 when everything was current)."""
    global _config
    todo = jobs(config, folders)
    if not todo:
        return 0
    _config = config
    try:
        if processes <= 1 or threading.active_count() > 1:
            # one process, or threads running (a test's own worker): no fork
            return sum(map(_compile, todo))
        # forked, so the pool has the run's configuration and imports nothing again
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max(1, processes), mp_context=context) as pool:
            return sum(pool.map(_compile, todo, chunksize=max(1, len(todo) // (8 * processes))))
    finally:
        _config = None


def workers(config: pytest.Config) -> int:
    """How many xdist workers this process starts (0 in a worker, or without xdist)."""
    if hasattr(config, "workerinput") or not config.pluginmanager.has_plugin("dsession"):
        return 0
    return int(getattr(config.option, "numprocesses", 0) or len(config.getoption("tx") or []))
