"""A command ends quietly: nothing on stderr after its answer. The QR decoder's bindings
(nanobind) print a page of "leaked instance" warnings at exit when an object of theirs is
still held by a module then; `text/qr.py` keeps none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_bench_engine_prints_its_figure_and_nothing_else(tmp_path: Path) -> None:
    done = subprocess.run(
        [Path(sys.executable).parent / "hearth", "bench", "engine", "-n", "20"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("engine (all mechanisms): 20 messages")
    assert done.stderr == ""
