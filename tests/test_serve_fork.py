"""The kill -9 tests' forking of `hearth serve` (serve_fork.py): arguments reach the forked
command whole (paths with spaces), and closing the forks leaves no server running or
unaccounted for."""

from __future__ import annotations

import os
from pathlib import Path

from tests.playbook_samples import MINIMAL
from tests.serve_fork import WAIT, Forks


def test_forked_commands_get_paths_with_spaces_whole_and_close_ends_every_server(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "a site"
    (folder / "my playbooks").mkdir(parents=True)
    (folder / "my playbooks" / "tea.yaml").write_text(MINIMAL, encoding="utf-8")
    (folder / "hearth.toml").write_text(
        'data_dir = "data"\nplaybooks = ["my playbooks/tea.yaml"]\n', encoding="utf-8"
    )
    forks = Forks(folder, dict(os.environ))
    try:
        checked = forks.serve(
            folder / "check log.txt", "playbook", "validate", "my playbooks/tea.yaml"
        )
        status = checked.wait(WAIT)
        log = (folder / "check log.txt").read_text(errors="replace")
        assert status == 0, f"{log}\n{forks.log()}"
        serving = forks.serve(folder / "serve log.txt", "serve", "--config", "hearth.toml",
                              "--port", "0")  # fmt: skip
        serving.pid  # noqa: B018 (forked)
    finally:
        forks.close()
    # Closed: the server it forked is ended, and says so.
    assert serving.poll() is not None
    assert serving.wait(1) == serving.returncode
