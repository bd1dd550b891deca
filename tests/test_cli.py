"""The `hearth` command as an operator uses it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.cli import app
from hearthkeeper.clock import SystemClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import TEMPLATES
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.web.auth import verify_password
from tests.playbook_samples import MINIMAL

PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<path>\S+): .+$")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("HEARTH_DATABASE_URL", "HEARTH_CONFIG", "HEARTH_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_validate_accepts_every_template(here: Path) -> None:
    files = []
    for name in TEMPLATES:
        code, _ = run("playbook", "new", "--template", name, "-o", f"{name}.yaml")
        assert code == 0
        files.append(f"{name}.yaml")
    code, out = run("playbook", "validate", *files)
    assert code == 0
    assert out.splitlines() == [f"{f}: ok" for f in files]


def test_validate_reports_located_problems_and_exits_1(here: Path) -> None:
    (here / "good.yaml").write_text(MINIMAL)
    broken = MINIMAL.replace("Europe/London", "Mars/Olympus") + "rulez: {}\n"
    (here / "bad.yaml").write_text(broken)
    code, out = run("playbook", "validate", "good.yaml", "bad.yaml")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "good.yaml: ok"
    problems = [PROBLEM_LINE.match(line) for line in lines[1:]]
    assert all(problems), lines
    assert [(m["file"], m["line"], m["path"]) for m in problems if m] == [
        ("bad.yaml", "5", "community.timezone"),
        ("bad.yaml", "10", "rulez"),
    ]
    assert "did you mean 'rules'" in lines[2]


def test_validate_locates_a_million_character_purpose_and_the_size(here: Path) -> None:
    # It validated; its welcome went out as one 5,000,837-character message, and each version
    # applied stored about 30 MB.
    purpose = "purpose: Share good tea and where to buy it."
    (here / "big.yaml").write_text(MINIMAL.replace(purpose, "purpose: " + "a" * 1_000_000))
    code, out = run("playbook", "validate", "big.yaml")
    assert code == 1
    matched = [PROBLEM_LINE.match(line[:400]) for line in out.splitlines()]
    assert [(m["line"], m["path"]) for m in matched if m] == [("1", "(document)"),
                                                             ("6", "community.purpose")]  # fmt: skip
    size, long = out.splitlines()
    assert "1,000,171 bytes" in size and "at most 256 KiB" in size
    assert "1,000,000 characters" in long and "at most 1,000" in long


def test_a_playbook_file_over_a_mebibyte_is_refused_by_its_size_alone(here: Path) -> None:
    """18 MB of short list items took 15 s and 1 GB to be told 'more than 100000 values' (every
    value was built before any was checked), and `--playbook /dev/zero` read until the machine
    ran out of memory: past 1 MiB a file is neither read to its end nor parsed."""
    (here / "items.yaml").write_text(MINIMAL + "extra:\n" + "- a\n" * 1_300_000)
    code, out = run("playbook", "validate", "items.yaml")
    assert code == 1
    [size] = out.splitlines()
    assert size.startswith("items.yaml:1:1: (document): the playbook is 5,200,")
    assert "at most 256 KiB" in size


def test_a_playbook_over_256_kib_with_a_yaml_mistake_is_told_both(here: Path) -> None:
    (here / "items.yaml").write_text(MINIMAL + "extra:\n" + "- a\n" * 70_000 + "- [b\n")
    code, out = run("playbook", "validate", "items.yaml")
    assert code == 1
    size, mistake = out.splitlines()
    assert "the playbook is 280," in size and "at most 256 KiB" in size
    assert mistake.startswith("items.yaml:70") and "YAML syntax" in mistake


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_nobody_writes_to_is_refused_not_waited_on(here: Path) -> None:
    """`hearth init site --playbook pipe` (and `playbook validate pipe`) waited for ever for a
    program to write to the named pipe; a pipe that is written to is read."""
    os.mkfifo(here / "pipe")
    for args in (["playbook", "validate", "pipe"], ["init", "site", "--playbook", "pipe"]):
        done = subprocess.run([sys.executable, "-m", "hearthkeeper", *args], cwd=here,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert done.stdout.startswith("pipe:0:0: (document): nothing to read: it is not a file")
    assert not (here / "site").exists()
    (here / "tea.yaml").write_text(MINIMAL)
    written = subprocess.run(["bash", "-c", f"'{sys.executable}' -m hearthkeeper playbook "
                              "validate <(cat tea.yaml)"], cwd=here, capture_output=True,
                             text=True, timeout=300)  # fmt: skip
    assert written.returncode == 0 and written.stdout.endswith(": ok\n"), written.stdout


def test_validate_a_file_that_is_not_there(here: Path) -> None:
    code, out = run("playbook", "validate", "missing.yaml")
    assert code == 1 and "missing.yaml" in out and "cannot read" in out


def test_show_summarises_by_isooc_and_names_gaps(here: Path) -> None:
    (here / "pb.yaml").write_text(MINIMAL)
    code, out = run("playbook", "show", "pb.yaml")
    assert code == 0
    for title in ("Interest", "Structure", "Output", "Operation", "Copy"):
        assert title in out
    assert "Gap: calendar.posts: nothing scheduled" in out and "seed 001" in out


def test_show_with_a_deployment_names_groups_as_the_next_one_will_be(here: Path) -> None:
    """An English community whose groups are `Tea Friends 1群`, `2群` (the default before it
    followed the language) opens `Tea Friends 3群` next; `playbook show` said
    "Group names: {name} #{n}". With `-c` it reads the groups and says the series."""
    (here / "pb.yaml").write_text(MINIMAL)
    (here / "hearth.toml").write_text('data_dir = "data"\n')
    assert run("db", "upgrade", "-c", "hearth.toml")[0] == 0
    assert run("apply", "pb.yaml", "-c", "hearth.toml")[0] == 0
    store = Store(create_engine_for(f"sqlite:///{here / 'data' / 'hearth.db'}"), SystemClock())
    tea = store.get_community("tea")
    assert tea is not None
    for n in (1, 2):
        store.add_group(tea.id, f"Tea Friends {n}群", "webchat", f"tea-{n}")
    store.engine.dispose()
    code, out = run("playbook", "show", "pb.yaml", "-c", "hearth.toml")
    assert code == 0, out
    assert "Group names: {name} {n}群, the series its groups are in" in " ".join(out.split())
    code, out = run("playbook", "show", "pb.yaml")  # no database read: the playbook's naming
    assert code == 0 and "Group names: {name} #{n};" in out


def test_commands_given_a_deployment_name_the_carriers_its_hearth_toml_does_not_run(
    here: Path,
) -> None:
    """A brand's playbook names Telegram and QQ beside the web chat; its hearth.toml sets up
    Telegram only. `hearth serve` warned that QQ runs no group, but `playbook show -c`,
    `playbook validate -c` and `apply` said nothing, and `show` listed both under Carriers
    as if their groups were served."""
    carriers = "structure:\n  carriers: [{kind: webchat}, {kind: telegram}, {kind: qq}]\n"
    (here / "pb.yaml").write_text(MINIMAL + carriers)
    (here / "hearth.toml").write_text('data_dir = "data"\n[carriers.telegram]\nmode = "polling"\n')
    token = {"HEARTH_TELEGRAM_TOKEN": "123456789:AAE-not-a-real-bot-token"}  # read with the table
    assert run("db", "upgrade", "-c", "hearth.toml", env=token)[0] == 0
    not_run = (
        "structure.carriers[2].kind: warning: the 'qq' carrier is not configured on this server"
    )
    code, out = run("apply", "pb.yaml", "-c", "hearth.toml", env=token)
    assert code == 0 and not_run in out and "add a [carriers.onebot] table" in out
    code, out = run("playbook", "validate", "pb.yaml", "-c", "hearth.toml", env=token)
    assert code == 0 and not_run in out and "pb.yaml: ok (1 warning)" in out
    assert "'telegram' carrier is not configured" not in out
    code, out = run("playbook", "show", "pb.yaml", "-c", "hearth.toml", env=token)
    said = " ".join(out.split())
    assert code == 0 and "Gap: structure.carriers[2]: the 'qq' carrier is not configured" in said
    assert "'telegram' carrier is not configured" not in said
    assert "Run only where hearth.toml sets them up" not in said  # it was read
    code, out = run("playbook", "show", "pb.yaml")  # no hearth.toml read: said so, no guess
    said = " ".join(out.split())
    assert code == 0 and "not configured" not in said
    assert (
        "Carriers: webchat, telegram, qq Run only where hearth.toml sets them up: telegram "
        "([carriers.telegram]), qq ([carriers.onebot]); the web chat always runs"
    ) in said
    (here / "web.yaml").write_text(MINIMAL)
    assert "Run only where" not in run("playbook", "show", "web.yaml")[1]


def test_templates_lists_the_four_cases(here: Path) -> None:
    code, out = run("playbook", "templates")
    assert code == 0
    for name in ("skincare", "club", "ppt", "repurchase"):
        assert name in out


def test_new_never_overwrites_without_force(here: Path) -> None:
    assert run("playbook", "new", "-t", "club", "-o", "pb.yaml")[0] == 0
    (here / "pb.yaml").write_text("my edits")
    code, out = run("playbook", "new", "-t", "club", "-o", "pb.yaml")
    assert code == 1 and "--force" in out
    assert (here / "pb.yaml").read_text() == "my edits"
    code, out = run("playbook", "new", "-t", "clubb")
    assert code == 1 and "did you mean 'club'" in out


def test_init_then_apply_versions_and_diffs(here: Path) -> None:
    code, out = run("init", "site", "--template", "ppt")
    assert code == 0, out
    assert (here / "site" / "hearth.toml").is_file() and (
        here / "site" / "data" / "hearth.db"
    ).is_file()
    config = str(here / "site" / "hearth.toml")
    playbook = here / "site" / "playbook.yaml"

    code, out = run("apply", str(playbook), "--config", config)
    assert code == 0 and "stored version 1" in out
    # A first version says what comes next: a sign-in for the console, then serving it.
    assert f"Next: `hearth operator add NAME --config {config}`" in " ".join(out.split())
    assert f"`hearth serve --config {config}` runs it" in " ".join(out.split())

    playbook.write_text(playbook.read_text().replace("capacity: 500", "capacity: 450", 1))
    code, out = run("apply", str(playbook), "--config", config, "--as", "alice")
    assert code == 0 and "stored version 2" in out
    assert "~ structure.groups.capacity: 500 → 450" in out

    code, out = run("apply", str(playbook), "--config", config)
    assert code == 0 and "nothing stored" in out

    # a new `groups:` entry: the diff printed `+ groups.一页PPT研习社 50群: {…}`
    with playbook.open("a") as appended:
        appended.write('groups:\n  "一页PPT研习社 50群":\n    capacity: 50\n'
                       "    calendar_posts: []\n")  # fmt: skip
    code, out = run("apply", str(playbook), "--config", config)
    assert code == 0 and "stored version 3" in out, out
    assert "+ groups.一页PPT研习社 50群: {capacity: 50, calendar_posts: []}" in out, out

    code, out = run("init", "site")
    assert code == 1 and "never overwrites" in out


WRITTEN = (
    MINIMAL
    + """calendar:
  posts:
    - id: tips
      schedule: every day 08:00
      content: {library: content/tips}
"""
)


def test_init_starts_from_a_playbook_already_written(here: Path) -> None:
    """A new operator who had written and validated `tea.yaml` could only start from a
    template and paste theirs over its playbook.yaml (and the template's sample content came
    along). `--playbook` validates it first (located problems, nothing made), copies it in with
    the content folders its posts read, and never takes over a community a database holds."""
    (here / "content" / "tips").mkdir(parents=True)
    (here / "content" / "tips" / "01-water.md").write_text("# Water at 90°C\n\nNot boiling.\n")
    (here / "tea.yaml").write_text(WRITTEN)
    (here / "bad.yaml").write_text(WRITTEN.replace("Europe/London", "Mars/Olympus"))
    code, out = run("init", "elsewhere", "--playbook", "bad.yaml")
    assert code == 1 and re.search(r"^bad\.yaml:5:\d+: community\.timezone: ", out, re.M), out
    assert not (here / "elsewhere").exists()

    code, out = run("init", "site", "--playbook", "tea.yaml")
    assert code == 0, out
    said = " ".join(out.split())
    assert "(a copy of tea.yaml)" in said
    assert (
        "Next: `hearth apply site/playbook.yaml --config site/hearth.toml` stores it as the "
        "community's first version (edit this copy from now on, not tea.yaml)."
    ) in said
    assert (here / "site" / "playbook.yaml").read_bytes() == (here / "tea.yaml").read_bytes()
    assert (here / "site" / "content" / "tips" / "01-water.md").is_file()
    assert not (here / "site" / "content" / "morning-pack").exists(), "no template content"
    code, out = run("apply", "site/playbook.yaml", "--config", "site/hearth.toml")
    assert code == 0 and "stored version 1 (first version)" in out, out

    code, out = run("init", "site", "--playbook", "tea.yaml")
    assert code == 1 and "never overwrites" in out
    # hearth.toml lost, the database kept: a second init would have run beside the community
    (here / "site" / "hearth.toml").unlink()
    (here / "site" / "playbook.yaml").unlink()
    code, out = run("init", "site", "--playbook", "tea.yaml")
    said = " ".join(out.split())
    assert code == 1 and "already holds the community 'tea'" in said, out
    assert "hearth apply PLAYBOOK" in said and not (here / "site" / "hearth.toml").exists()

    code, out = run("init", "site2", "--playbook", "tea.yaml", "--template", "club")
    assert code == 2 and "--template or --playbook, not both" in " ".join(out.split())
    (here / "site3").mkdir()
    (here / "site3" / "playbook.yaml").write_text(WRITTEN)
    code, out = run("init", "site3", "-p", "site3/playbook.yaml")
    assert code == 0 and "(yours, as written)" in " ".join(out.split()), out


@pytest.mark.parametrize("args, said", [
    (("init", "site", "-p", "tea.yaml", "-p", "other.yaml"), "--playbook / -p is given more than once"),
    (("init", "site", "--template", "club", "-t", "ppt"), "--template / -t is given more than once"),
    (("playbook", "new", "-t", "club", "-o", "site.yaml", "--output", "site"),
     "--output / -o is given more than once"),
])  # fmt: skip
def test_an_option_taking_one_value_given_twice_is_refused(
    here: Path, args: tuple[str, ...], said: str
) -> None:
    """`hearth init site -p tea.yaml -p other.yaml` started from other.yaml alone, silently
    (Click keeps an option's last value): a usage error naming the option, nothing made."""
    (here / "tea.yaml").write_text(WRITTEN)
    (here / "other.yaml").write_text(WRITTEN.replace("Tea", "Coffee"))
    code, out = run(*args)
    assert code == 2 and f"{said}: it takes one value; write it once" in " ".join(out.split()), out
    assert not (here / "site").exists()


def test_an_on_off_flag_given_both_ways_is_refused(here: Path) -> None:
    """`hearth moderate --evaluate C -t default --no-cross-validate --cross-validate` ran the
    five trainings (the last flag won, silently): a usage error naming both spellings."""
    (here / "c.jsonl").write_text('{"text": "hi", "label": "ham"}\n')
    for flags in (("--no-cross-validate", "--cross-validate"),
                  ("--cross-validate", "--cross-validate")):  # fmt: skip
        code, out = run("moderate", "--evaluate", "c.jsonl", "-t", "default", *flags)
        assert code == 2, out
        assert ("--cross-validate / --no-cross-validate is given more than once: say one of "
                "them, once") in " ".join(out.split()), out  # fmt: skip
    code, out = run("moderate", "--evaluate", "c.jsonl", "-t", "default", "--no-cross-validate")
    assert code == 0, out


def test_init_says_whether_a_content_folder_outside_the_new_directory_is_there(
    here: Path,
) -> None:
    """A playbook whose posts read a folder outside the new directory (`../shared/tips`):
    `hearth init` said only where the copy reads it from, not whether anything is there;
    the operator found out when the posts sent nothing."""
    (here / "work").mkdir()
    (here / "work" / "tea.yaml").write_text(WRITTEN.replace("content/tips", "../tips"))
    (here / "tips").mkdir()  # beside the playbook's folder: where the original reads it
    code, out = run("init", "site", "--playbook", "work/tea.yaml")
    assert code == 0, out
    said = " ".join(out.split())
    assert ("note: the content folder ../tips lies outside site: not copied; the copy reads it "
            "from tips, which is there") in said  # fmt: skip

    code, out = run("init", "deep/site", "--playbook", "work/tea.yaml")
    assert code == 0, out
    said = " ".join(out.split())
    assert ("note: the content folder ../tips lies outside deep/site: not copied; the copy "
            "reads it from deep/tips, which does not exist: its posts would find nothing to "
            "send. Copy tips there (the folder beside work/tea.yaml), or keep the folder inside "
            "deep/site and set calendar.posts[].content.library to its path from there"
            ) in said  # fmt: skip

    (here / "tips").rmdir()
    code, out = run("init", "other/site", "--playbook", "work/tea.yaml")
    said = " ".join(out.split())
    assert "reads it from other/tips, which does not exist" in said, out
    assert "Make it and put the posts' files in it, or keep the folder inside" in said


def test_init_inside_the_content_folder_it_copies_copies_it_once(here: Path) -> None:
    """`hearth init content/site --playbook tea.yaml`, whose posts read `content`, copied the
    folder into the new site, which lies in it, and so on into itself until the path was too
    long: 'This is a bug in Hearthkeeper' (RecursionError) and 500 nested folders left behind."""
    (here / "content" / "tips").mkdir(parents=True)
    (here / "content" / "tips" / "01-water.md").write_text("# Water at 90°C\n")
    (here / "tea.yaml").write_text(WRITTEN.replace("library: content/tips", "library: content"))
    code, out = run("init", "content/site", "--playbook", "tea.yaml")
    assert code == 0, out
    copied = here / "content" / "site" / "content"
    assert (copied / "tips" / "01-water.md").is_file()
    assert sorted(p.name for p in copied.iterdir()) == ["tips"]


def test_init_that_cannot_finish_takes_back_what_it_made(here: Path) -> None:
    """Init that could not copy a content folder (here `content` is a file in the directory)
    left playbook.yaml behind, and run again said 'site/playbook.yaml already exists;
    `hearth init` never overwrites'. What was there before stays."""
    (here / "content" / "tips").mkdir(parents=True)
    (here / "content" / "tips" / "01-water.md").write_text("# Water at 90°C\n")
    (here / "tea.yaml").write_text(WRITTEN)
    (here / "site").mkdir()
    (here / "site" / "content").write_text("my notes")
    code, out = run("init", "site", "--playbook", "tea.yaml")
    assert code == 1 and out.startswith("error: cannot write to site: "), out
    assert sorted(p.name for p in (here / "site").iterdir()) == ["content"]
    assert (here / "site" / "content").read_text() == "my notes"
    (here / "site" / "content").unlink()
    code, out = run("init", "site", "--playbook", "tea.yaml")
    assert code == 0 and (here / "site" / "content" / "tips" / "01-water.md").is_file(), out


def test_init_on_a_database_it_cannot_reach_says_so_and_makes_nothing(here: Path) -> None:
    """`HEARTH_DATABASE_URL` naming a database init cannot open (a PostgreSQL server down, a
    SQLite file in a folder that is not there) said "error: StoreError: … This is a bug in
    Hearthkeeper" and exited 2, with --playbook and with a template alike."""
    (here / "tea.yaml").write_text(MINIMAL)
    env = {"HEARTH_DATABASE_URL": f"sqlite:///{here}/no-such-folder/hearth.db"}
    for args in (["--playbook", "tea.yaml"], ["--template", "club"]):
        code, out = run("init", "site", *args, env=env)
        said = " ".join(out.split())
        assert code == 1, said
        assert said.startswith("error: cannot open the SQLite database ") and "bug" not in said
        assert not (here / "site").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_init_copies_a_content_folder_holding_a_link_to_itself_once(here: Path) -> None:
    """A content folder holding `up -> ..` was copied into itself until the path was too
    long: init failed listing hundreds of paths, and left a half-made site it then refused
    ('site/playbook.yaml already exists')."""
    tips = here / "content" / "tips"
    tips.mkdir(parents=True)
    (tips / "01-water.md").write_text("# Water at 90°C\n")
    (tips / "up").symlink_to("..")
    (here / "tea.yaml").write_text(WRITTEN)
    code, out = run("init", "site", "--playbook", "tea.yaml")
    assert code == 0, out[:500]
    copied = here / "site" / "content" / "tips"
    assert sorted(p.name for p in copied.iterdir()) == ["01-water.md"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="links and named pipes are POSIX")
def test_init_copies_a_content_folder_without_what_cannot_be_read_and_says_so(
    here: Path,
) -> None:
    """A link to a file moved away (which the library skips) failed the whole init with a
    list of every such path, and left a half-made site init then refused; a named pipe too."""
    tips = here / "content" / "tips"
    tips.mkdir(parents=True)
    (tips / "01-water.md").write_text("# Water at 90°C\n")
    for n in range(30):
        (tips / f"moved-{n}.md").symlink_to(here / "elsewhere" / f"{n}.md")
    os.mkfifo(tips / "02-pipe.md")
    (here / "tea.yaml").write_text(WRITTEN)
    code, out = run("init", "site", "--playbook", "tea.yaml")
    said = " ".join(out.split())
    assert code == 0, said[:500]
    assert ("note: the content folder content/tips was copied without 1 file(s) that could "
            "not be read, the first content/tips/02-pipe.md: ") in said  # fmt: skip
    assert "moved-" not in said
    copied = here / "site" / "content" / "tips"
    assert sorted(p.name for p in copied.iterdir()) == ["01-water.md"]
    assert (here / "site" / "hearth.toml").is_file()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_init_from_a_symlink_loop_says_it_cannot_read_it(here: Path) -> None:
    # It said 'error: RuntimeError: Symlink loop from …: This is a bug in Hearthkeeper'.
    (here / "a.yaml").symlink_to("b.yaml")
    (here / "b.yaml").symlink_to("a.yaml")
    code, out = run("init", "site", "--playbook", "a.yaml")
    assert code == 1 and out.startswith("a.yaml:0:0: (document): cannot read the file: "), out
    assert not (here / "site").exists()


def test_playbook_apply_is_hearth_apply(here: Path) -> None:
    """After `hearth playbook validate` and `hearth playbook show`, a new operator typed
    `hearth playbook apply` and got "No such command 'apply'"; it stores the version as
    `hearth apply` does."""
    assert run("init", "site", "--template", "ppt")[0] == 0
    config = str(here / "site" / "hearth.toml")
    code, out = run("playbook", "apply", "site/playbook.yaml", "--config", config)
    assert code == 0, out
    assert "stored version 1 (first version)" in out
    code, out = run("playbook", "--help")
    assert "apply      The same as `hearth apply`: store the next version." in out


def test_apply_on_either_database_keeps_every_version(here: Path, database_url: str) -> None:
    env = {"HEARTH_DATABASE_URL": database_url}
    assert run("db", "upgrade", env=env)[0] == 0
    code, out = run("db", "upgrade", env=env)
    assert code == 0 and "already up to date" in out
    (here / "pb.yaml").write_text(MINIMAL)
    assert run("apply", "pb.yaml", env=env)[0] == 0
    (here / "pb.yaml").write_text(MINIMAL.replace("Tea Friends", "Tea Circle"))
    code, out = run("apply", "pb.yaml", env=env)
    assert "~ community.name: 'Tea Friends' → 'Tea Circle'" in out

    (here / "pb.yaml").write_text(MINIMAL + "rules: [not, a, section]\n")
    code, out = run("apply", "pb.yaml", env=env)
    assert code == 1 and "pb.yaml:10:" in out

    store = Store(create_engine_for(database_url), SystemClock())
    community = store.get_community("tea")
    assert community is not None and community.name == "Tea Circle"
    versions = store.playbook_versions(community.id)
    assert [v.version for v in versions] == [1, 2]
    actions = [entry.action for entry in store.audit_log(community.id)]
    assert actions == ["playbook.apply", "playbook.apply"]


def test_apply_before_the_database_exists_says_what_to_do(here: Path) -> None:
    (here / "pb.yaml").write_text(MINIMAL)
    code, out = run("apply", "pb.yaml")
    assert code == 1 and "hearth db upgrade" in out


def test_a_command_run_outside_the_deployment_says_so_and_makes_nothing(here: Path) -> None:
    """The README's deployment lives in `site/`; run from the folder above without -c, a
    command finds no configuration and no database: it says so (not "the database is empty:
    run `hearth db upgrade`", which would make a second, empty deployment here)."""
    assert run("init", "site", "--template", "club")[0] == 0
    assert run("db", "upgrade", "-c", "site/hearth.toml")[0] == 0
    code, out = run("strikes", "list")
    assert code == 1
    assert "no hearth.toml in" in out and "-c PATH/hearth.toml" in out
    assert not (here / "data").exists()
    code, out = run("strikes", "list", "-c", "site/hearth.toml")
    assert code == 0, out


def test_a_broken_config_file_is_reported_with_its_place(here: Path) -> None:
    (here / "hearth.toml").write_text('data_dir = "data"\ndatabse_url = "x"\n')
    code, out = run("db", "upgrade")
    assert code == 1 and "hearth.toml" in out and "databse_url" in out
    (here / "hearth.toml").write_text("data_dir = \n")
    code, out = run("db", "upgrade")
    assert code == 1 and "line 1" in out


def test_demo_serves_a_fresh_community_and_refuses_to_wipe_other_data(here: Path) -> None:
    code, out = run("demo", "--data-dir", "demo", "--port", "0", "--minutes", "0.02")
    assert code == 0, out
    console_url = re.search(r"Console: +(http://127\.0\.0\.1:\d+)/console", out)
    assert console_url is not None, out
    invites = re.findall(r"颜学院护肤社 \d群: (http://\S+/join/\S+)", out)
    assert len(invites) == 3 and all(i.startswith(console_url[1]) for i in invites)
    password = re.search(r"sign in: operator / (\S+)", out)
    assert password is not None and "Ctrl-C stops the demo" in out
    assert f"{console_url[1]}/go/demo-poster" in out and "payment reference" in out
    assert out.rstrip().endswith("stopped")
    store = Store(create_engine_for(f"sqlite:///{here / 'demo' / 'hearth.db'}"), SystemClock())
    [community] = store.list_communities()
    assert [g.carrier for g in store.list_groups(community.id)] == ["webchat"] * 3
    assert [v.applied_by for v in store.playbook_versions(community.id)] == ["demo"]
    stored = store.operator_password_hash("operator")
    assert stored is not None and verify_password(stored, password[1])
    store.engine.dispose()

    code, out = run("demo", "--data-dir", "demo", "--port", "0", "--minutes", "0", "--no-simulator")
    assert code == 0 and "Simulated members" not in out, "each run starts fresh"
    # The README's commands work on the demo's database, with the -c the panel names.
    assert f"hearth strikes list --all -c {here / 'demo' / 'hearth.toml'}\n" in out
    code, listed = run("operator", "list", "-c", "demo/hearth.toml")
    assert code == 0 and listed.splitlines()[1].startswith("operator  added"), listed
    code, strikes = run("strikes", "list", "--all", "-c", "demo/hearth.toml")
    assert code == 0, strikes
    port = re.search(r"Console: +http://127\.0\.0\.1:(\d+)/console", out)
    assert port is not None
    code, made = run("livecodes", "create", "flyer", "--community", "yan-academy-skincare",
                     "-c", "demo/hearth.toml")  # fmt: skip
    assert code == 0 and f"http://127.0.0.1:{port[1]}/go/flyer" in made, "the demo's own port"
    store = Store(create_engine_for(f"sqlite:///{here / 'demo' / 'hearth.db'}"), SystemClock())
    [community] = store.list_communities()
    assert all(not SqlWebChat.on(store).history(g.id) for g in store.list_groups(community.id))
    store.engine.dispose()
    (here / "precious").mkdir()
    (here / "precious" / "notes.txt").write_text("keep me")
    code, out = run("demo", "--data-dir", "precious", "--port", "0")
    assert code == 1 and (here / "precious" / "notes.txt").exists()


def test_python_dash_m_and_the_console_script(here: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hearthkeeper", "version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("hearthkeeper ")
    hearth = Path(sys.executable).parent / "hearth"
    help_text = subprocess.run([str(hearth), "--help"], capture_output=True, text=True, check=True)
    for command in ("playbook", "apply", "init", "demo", "serve", "db"):
        assert command in help_text.stdout


def test_new_and_init_ship_the_templates_sample_content(here: Path) -> None:
    code, out = run("playbook", "new", "-t", "skincare", "-o", "mine/pb.yaml")
    assert code == 0 and "sample content" in out
    assert (here / "mine" / "content" / "morning-pack" / "01-cleanse.md").is_file()
    code, out = run("calendar", "mine/pb.yaml", "--format", "json", "--days", "3")
    assert code == 0
    items = {row["item"] for row in json.loads(out) if row["post"] == "morning-pack"}
    assert "两分钟知识包｜洗脸水温" in items
    assert run("init", "site", "-t", "repurchase")[0] == 0
    assert (here / "site" / "content" / "style-tips").is_dir()


def test_an_id_or_count_beyond_what_the_store_holds_is_refused_saying_which(
    store: Store, database_url: str
) -> None:
    """A mistyped id or count too large for the store's 64-bit integers (or days too many for
    a date) is a usage error naming the argument, not "a bug in Hearthkeeper"."""
    apply_playbook(store, parse_playbook(MINIMAL), "test")
    huge = str(10**30)
    env = {"HEARTH_DATABASE_URL": database_url}
    for args, named in (
        (["signups", "export", huge], "'LIST_ID'"),
        (["applications", "approve", huge], "'APPLICATION_ID'"),
        (["codes", "create", "--community", "tea", "--max-uses", huge], "--max-uses"),
        (["billing", "cancel", huge], "'SUBSCRIPTION'"),
        (["events", "cancel", huge], "'EVENT_ID'"),
        (["crisis", "episodes", "--community", "tea", "--days", "99999999"], "--days"),
    ):
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 2, (args, result.output)
        assert named in result.output and "bug" not in result.output, result.output


def _from_template(here: Path, template: str, name: str, old: str, new: str) -> str:
    """A playbook written by `hearth playbook new --template TEMPLATE` with `old` changed to
    `new`, as an operator edits it: the text written."""
    code, _ = run("playbook", "new", "--template", template, "-o", name)
    assert code == 0
    text = (here / name).read_text(encoding="utf-8")
    assert old in text
    edited = text.replace(old, new)
    (here / name).write_text(edited)
    return edited


def test_a_price_written_with_its_currency_is_refused_saying_what_to_write(here: Path) -> None:
    """`price: 365元` said only "Input should be a valid decimal"."""
    text = _from_template(here, "ppt", "circle.yaml", "price: 199 ", "price: 365元 ")
    (here / "rooms.yaml").write_text(MINIMAL + "structure:\n  groups:\n    capacity: 三百\n")
    code, out = run("playbook", "validate", "circle.yaml", "rooms.yaml")
    assert code == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "price: 365元 " in row)
    assert out.splitlines() == [
        f"circle.yaml:{line}:14: monetisation.plans[0].price: '365元' is not a number (365 or "
        "99.50): write the number alone; the currency is the `currency` field (CNY, GBP…)",
        "rooms.yaml:12:15: structure.groups.capacity: '三百' is not a whole number (an integer: 40)",
    ]


def test_a_role_named_by_its_title_is_answered_with_its_id(here: Path) -> None:
    """`recipients: [班长]` (the title members read) said only that '班长' is not a valid id."""
    wrote = _from_template(
        here,
        "ppt",
        "circle.yaml",
        "recipients: [monitor, president]",
        "recipients: [班长, president]",
    )
    code, out = run("playbook", "validate", "circle.yaml")
    assert code == 1
    line = next(n for n, row in enumerate(wrote.splitlines(), 1) if "recipients:" in row)
    assert out.splitlines() == [
        f"circle.yaml:{line}:16: alerts.recipients[0]: '班长' is the title of role 'monitor'; "
        "roles are named by their id here: write monitor"
    ]


def test_application_questions_left_under_an_open_threshold_are_named(here: Path) -> None:
    """The club template's kind changed to open kept its four questions and its reviewers:
    'ok', as if newcomers were still asked."""
    opened = _from_template(here, "club", "club.yaml", "    kind: application", "    kind: open")
    code, out = run("playbook", "validate", "club.yaml")
    assert code == 0
    rows = opened.splitlines()
    asked = next(n for n, row in enumerate(rows, 1) if row.strip().startswith("questions:"))
    reviewers = next(n for n, row in enumerate(rows, 1) if row.strip().startswith("reviewers:"))
    assert out.splitlines() == [
        f"club.yaml:{asked + 1}:7: joining.threshold.questions: warning: questions are asked "
        "only by `kind: application`; with `kind: open` nobody is asked them",
        f"club.yaml:{reviewers}:16: joining.threshold.reviewers: warning: reviewers review "
        "applications (`kind: application`); with `kind: open` there are none",
        "club.yaml: ok (2 warnings)",
    ]


def test_a_plan_left_under_an_application_threshold_is_named(here: Path) -> None:
    """A paid circle that also wanted applications: the ppt template's `kind: paid` changed to
    `kind: application` (questions added) kept `plan: annual`, and validate said 'ok' while
    show printed "Joining: application (plan annual)", as if payers got in or were asked to
    pay: one threshold is checked, and nobody is offered the plan at the door."""
    text = _from_template(
        here, "ppt", "circle.yaml", "    kind: paid",
        "    kind: application\n    questions: [你为什么想学 PPT？]",
    )  # fmt: skip
    code, out = run("playbook", "validate", "circle.yaml")
    assert code == 0
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "plan: annual" in row)
    assert out.splitlines() == [
        f"circle.yaml:{line}:11: joining.threshold.plan: warning: the plan is offered at the "
        "door only by `kind: paid`; with `kind: application` nobody is asked to pay or given "
        "its trial, and paying does not let anyone in (a community has one threshold: to "
        "screen by payment, write `kind: paid`)",
        "circle.yaml: ok (1 warning)",
    ]
    code, out = run("playbook", "show", "circle.yaml")
    assert code == 0
    assert "  Joining: application\n" in out, out


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_init_copies_a_content_folder_whose_links_lead_to_each_other_once(here: Path) -> None:
    """Session 33's review: `a/to-b -> ../b` beside `b/to-a -> ../a` is a loop no single link
    makes (each leads to a sibling, not to a folder it is in): followed, it was copied into
    itself until the path was too long, and init failed as with `up -> ..`."""
    tips = here / "content" / "tips"
    (tips / "a").mkdir(parents=True)
    (tips / "b").mkdir()
    (tips / "a" / "01-water.md").write_text("# Water at 90°C\n")
    (tips / "b" / "02-leaves.md").write_text("# Leaves\n")
    (tips / "a" / "to-b").symlink_to("../b")
    (tips / "b" / "to-a").symlink_to("../a")
    (here / "tea.yaml").write_text(WRITTEN)
    code, out = run("init", "site", "--playbook", "tea.yaml")
    assert code == 0, out[:500]
    copied = here / "site" / "content" / "tips"
    assert (copied / "a" / "01-water.md").is_file() and (copied / "b" / "02-leaves.md").is_file()
    # each folder's files once more at most, through the link into the other one
    assert len(list(copied.rglob("*.md"))) == 4


def test_an_unknown_command_suggests_the_one_meant_in_every_group() -> None:
    """The brand operator typed `hearth playbook check` (the command is `validate`) and read
    only "No such command 'check'": by spelling alone nothing is near it. The words operators
    use for a command are understood in every group, and at the top a group's command is
    named in full."""
    code, out = run("playbook", "check", "playbook.yaml")
    assert code == 2 and "No such command 'check'. Did you mean 'validate'?" in out, out
    assert "Did you mean 'revoke'?" in run("codes", "delete")[1]  # a lazy group's too
    assert "Did you mean 'open'?" in run("groups", "new")[1]
    assert "Did you mean 'show'?" in run("grid", "shw")[1]  # spelt alike, as before
    code, out = run("validate", "playbook.yaml")
    assert code == 2 and "Did you mean 'hearth playbook validate'?" in out, out
    assert "Did you mean 'hearth db upgrade', 'moderate'?" in run("migrate")[1]
    # each command named in full is one (the carriers' own groups import their clients:
    # seconds, so they are left to docs/carriers/)
    import typer.main

    from hearthkeeper.cli.commands import TOP_MEANT

    top = typer.main.get_command(app)
    named = {tuple(f.split()) for fulls in TOP_MEANT.values() for f in fulls}
    assert {(g, c) for g, c in named if g not in ("matrix", "telegram")
            and c not in top.commands[g].commands} == set()  # type: ignore[attr-defined]  # fmt: skip
