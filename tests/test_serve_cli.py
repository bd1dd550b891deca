"""`hearth serve` and `hearth demo` as separate processes: they print where to go, serve,
and stop cleanly on Ctrl-C (SIGINT) or SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.serve import open_socket
from tests.migrated import migrated_sqlite

# Seconds any step of these processes (starting, answering, stopping) may take before the
# test gives up on it: a guard against a hang, not a measure of speed. `hearth demo` took over
# 60 s to start on 2 cores at a load of 12; below the 300 s each test gets (pyproject.toml),
# so the test's own message, with what the process printed, comes first.
BOUND = 240


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("HEARTH_DATABASE_URL", "HEARTH_CONFIG", "HEARTH_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def made_site(here: Path) -> str:
    """`hearth init site --template skincare`, then `hearth db upgrade`: its configuration file.
    Its database starts as a copy of the process's migrated SQLite file (tests/migrated.py), so
    neither command runs every migration again (`hearth init` migrating an empty folder is
    tested in tests/test_cli.py); both must still succeed on it."""
    migrated_sqlite(here / "site" / "data")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "site", "--template", "skincare"]).exit_code == 0
    config = str(here / "site" / "hearth.toml")
    assert runner.invoke(app, ["db", "upgrade", "--config", config]).exit_code == 0
    return config


def hearth(*args: str, run: tuple[str, ...] = ("-m", "hearthkeeper")) -> subprocess.Popen[str]:
    """`hearth ARGS` in a process of its own, its output line by line as it comes (`run`:
    how Python starts it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
    env["PYTHONUNBUFFERED"] = "1"
    return subprocess.Popen(
        [sys.executable, *run, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def read_until(process: subprocess.Popen[str], marker: str) -> str:
    """Standard output up to the line containing `marker` (the process is killed if it takes
    longer than BOUND seconds)."""
    timer = threading.Timer(BOUND, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in iter(process.stdout.readline, ""):
            lines.append(line)
            if marker in line:
                return "".join(lines)
        _, err = process.communicate()
        raise AssertionError(f"{marker!r} never came:\n{''.join(lines)}\n{err}")
    finally:
        timer.cancel()


def stop(process: subprocess.Popen[str], how: signal.Signals) -> tuple[int, str, str]:
    """Send `how` and wait for the process to end; exit status, the rest of stdout, stderr."""
    process.send_signal(how)
    try:
        out, err = process.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"did not stop on {how.name}:\n{out}\n{err}") from None
    return process.returncode, out, err


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_ctrl_c_stops_the_demo_cleanly(here: Path, processes: list[subprocess.Popen[str]]) -> None:
    demo = hearth("demo", "--port", "0", "--data-dir", str(here / "demo"))
    processes.append(demo)
    shown = read_until(demo, "Ctrl-C stops the demo")
    console = re.search(r"Console: +(http://127\.0\.0\.1:\d+/console)", shown)
    assert console is not None, shown
    assert re.search(r"sign in: operator / \S+", shown)
    assert len(re.findall(r"/join/\S+", shown)) == 3
    page = httpx.get(f"{console[1]}/sign-in", timeout=BOUND)
    assert page.status_code == 200
    # the demo records its address as `hearth serve` does: a command's links reach it
    made = CliRunner().invoke(app, ["livecodes", "create", "flyer", "-c",
                                    str(here / "demo" / "hearth.toml")])  # fmt: skip
    assert made.exit_code == 0, made.output
    assert f"{console[1].removesuffix('/console')}/go/flyer" in made.output
    assert "public_url" not in made.output, made.output
    code, out, err = stop(demo, signal.SIGINT)
    assert code == 0, err
    assert out.strip().endswith("stopped")
    assert "Traceback" not in err and "Error" not in err


def test_serve_runs_the_configured_playbooks_until_sigterm(
    here: Path, processes: list[subprocess.Popen[str]]
) -> None:
    config = made_site(here)
    server = hearth("serve", "--config", config, "--port", "0")
    processes.append(server)
    shown = read_until(server, "Ctrl-C stops the server")
    assert "applied" in shown and "version 1" in shown
    console = re.search(r"Console: (http://127\.0\.0\.1:\d+/console)", shown)
    assert console is not None, shown
    assert re.search(r"Web chat 颜学院护肤社 1群: http://127\.0\.0\.1:\d+/join/\S+", shown)
    assert httpx.get(f"{console[1]}/sign-in", timeout=BOUND).status_code == 200
    code, out, err = stop(server, signal.SIGTERM)
    assert code == 0, err
    assert out.strip() == "stopped"
    assert "hearth operator add NAME" in err, "the operator is told nobody can sign in"
    assert f"`hearth operator add NAME --config {config}`" in err, "one command, to copy whole"
    assert "Traceback" not in err


def test_a_busy_port_stops_serve_and_demo_with_what_to_do(here: Path) -> None:
    taken = open_socket("127.0.0.1", 0)
    try:
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(app, ["demo", "--port", port, "--data-dir", "demo"])
        assert result.exit_code == 1 and "already in use" in result.output
        assert "--port" in result.output and not (here / "demo").exists()
        assert CliRunner().invoke(app, ["init", "site"]).exit_code == 0
        result = CliRunner().invoke(app, ["serve", "--config", "site/hearth.toml", "--port", port])
        assert result.exit_code == 1 and "already in use" in result.output
    finally:
        taken.close()


@pytest.fixture
def site(here: Path) -> str:
    """A fresh site made by `hearth init` on SQLite, migrated; its configuration file."""
    return made_site(here)


@pytest.mark.parametrize(
    ("first", "second", "when"),
    [
        (signal.SIGINT, signal.SIGINT, "at once"),  # Ctrl-C pressed twice
        (signal.SIGTERM, signal.SIGINT, "at once"),  # `timeout make demo`: make and the server
        (signal.SIGINT, signal.SIGINT, "once stopped"),  # while the process closes and exits
    ],
)
def test_a_second_stop_signal_never_prints_a_traceback(
    site: str, processes: list[subprocess.Popen[str]],
    first: signal.Signals, second: signal.Signals, when: str,
) -> None:  # fmt: skip
    server = hearth("serve", "--config", site, "--port", "0")
    processes.append(server)
    shown = read_until(server, "Ctrl-C stops the server")
    console = re.search(r"Console: (http://127\.0\.0\.1:\d+/console)", shown)
    assert console is not None, shown
    assert httpx.get(f"{console[1]}/sign-in", timeout=BOUND).status_code == 200
    server.send_signal(first)
    if when == "once stopped":
        read_until(server, "stopped")
    code, out, err = stop(server, second)
    assert "Traceback" not in err and "CancelledError" not in err, err
    assert code == 0, (code, err)
    assert "stopped" in out or when == "once stopped"


def test_a_stop_signal_just_after_serving_stopped_is_still_ignored() -> None:
    """The moment the test above can only sometimes hit: the server has stopped and `hearth`
    is printing "stopped" when the second Ctrl-C arrives. Sent at exactly that moment here."""
    script = (
        "import os, signal\n"
        "from hearthkeeper import process\n"
        "from hearthkeeper.serve.runner import stopping_quietly\n"
        "process.mark_as_one_command()\n"
        "with stopping_quietly():\n"
        "    pass\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "print('stopped', flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=BOUND
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "stopped\n", "")


# `hearth serve` (ARGS from the command line) where, once serving began to stop, every step
# the main thread takes (each line of Python, the first time it runs) is preceded by a SIGINT
# and a SIGTERM to the process: a second stop signal at any moment of the stop.
_AT_EVERY_STEP = """
import os, signal, sys
import hearthkeeper.serve as served
from hearthkeeper.cli.root import main

serve = served.serve
seen = set()

def second_signals(frame, event, arg):
    if event == "line" and (frame.f_code, frame.f_lineno) not in seen:
        seen.add((frame.f_code, frame.f_lineno))
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
    return second_signals

def until_stopping(frame, event, arg):
    if frame.f_code is not serve.__code__:
        return None
    stop = frame.f_locals.get("stop")
    if event != "line" or stop is None or not stop.is_set():
        return until_stopping
    sys.settrace(second_signals)
    while frame is not None:
        frame.f_trace = second_signals
        frame = frame.f_back
    return second_signals

async def traced(*args, **kwargs):
    sys.settrace(until_stopping)
    return await serve(*args, **kwargs)

served.serve = traced
sys.argv = ["hearth", *sys.argv[1:]]
try:
    main()
finally:
    print(f"signalled before {len(seen)} steps", file=sys.stderr)
"""


def test_a_second_stop_signal_at_any_step_of_the_stop_is_ignored(
    site: str, processes: list[subprocess.Popen[str]]
) -> None:
    """What the test above meets by chance, at every moment: the second SIGINT and SIGTERM
    arrive before each step the stopping server takes, up to its exit."""
    server = hearth("serve", "--config", site, "--port", "0", run=("-c", _AT_EVERY_STEP))
    processes.append(server)
    shown = read_until(server, "Ctrl-C stops the server")
    console = re.search(r"Console: (http://127\.0\.0\.1:\d+/console)", shown)
    assert console is not None, shown
    assert httpx.get(f"{console[1]}/sign-in", timeout=BOUND).status_code == 200
    code, out, err = stop(server, signal.SIGINT)
    assert (code, out.strip()) == (0, "stopped"), err
    assert "Traceback" not in err, err
    steps = re.search(r"signalled before (\d+) steps", err)
    assert steps is not None and int(steps[1]) > 100, err


def test_commands_run_inside_another_process_get_its_stop_signals_back() -> None:
    """A test or an embedding program that invokes `hearth serve` in its own process keeps its
    Ctrl-C once the command is over."""
    from hearthkeeper.serve import runner
    from hearthkeeper.serve.runner import stopping_quietly

    before = signal.getsignal(signal.SIGINT)
    with stopping_quietly():
        signal.raise_signal(signal.SIGINT)  # kept for `serve`, no KeyboardInterrupt
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
    # kept for a `serve` inside the command only: a later server in this process is not
    # stopped by it (one started by a test in the same worker stopped before it was ready)
    assert not runner._early.taken()


# `hearth serve` (ARGS from the command line) sent a SIGTERM after it printed "Ctrl-C stops the
# server." and before `serve` took the signals over: the moment a `systemctl stop` or a
# `timeout` right after start can meet, made certain here.
_STOPPED_WHILE_STARTING = """
import os, signal, sys
import hearthkeeper.serve as served
from hearthkeeper.cli.root import main

serve = served.serve

async def signalled_first(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    return await serve(*args, **kwargs)

served.serve = signalled_first
sys.argv = ["hearth", *sys.argv[1:]]
main()
"""


def test_a_stop_signal_while_the_server_starts_stops_it(
    site: str, processes: list[subprocess.Popen[str]]
) -> None:
    """A SIGTERM that arrived after "Ctrl-C stops the server." and before the server handled
    signals was dropped: the server served on until killed. Now it stops once started."""
    server = hearth("serve", "--config", site, "--port", "0", run=("-c", _STOPPED_WHILE_STARTING))
    processes.append(server)
    out, err = server.communicate(timeout=BOUND)
    assert server.returncode == 0, err
    assert "Ctrl-C stops the server." in out and out.rstrip().endswith("stopped"), out
    assert "Traceback" not in err, err


def test_links_printed_while_serve_runs_on_another_port_lead_to_it(
    here: Path, processes: list[subprocess.Popen[str]]
) -> None:
    """With no public_url, `hearth livecodes create` printed http://127.0.0.1:8470/go/… (the
    configured port) while the server ran on `--port 0`'s free port: the poster led nowhere.
    Now the link starts with the address the running server listens on; with no server, it
    is the configured one and the command says so and how to set public_url."""
    runner = CliRunner()
    config = made_site(here)
    server = hearth("serve", "--config", config, "--port", "0")
    processes.append(server)
    shown = read_until(server, "Ctrl-C stops the server")
    served = re.search(r"Console: (http://127\.0\.0\.1:\d+)/console", shown)
    assert served is not None, shown
    assert not served[1].endswith(":8470")
    made = runner.invoke(app, ["livecodes", "create", "poster", "--config", config])
    assert made.exit_code == 0, made.output
    assert f"{served[1]}/go/poster" in made.output
    assert "public_url" not in made.output, "the link is where the server is: no note"
    listed = runner.invoke(app, ["livecodes", "list", "--config", config])
    assert f"{served[1]}/go/poster" in listed.output
    code, _, err = stop(server, signal.SIGTERM)
    assert code == 0, err
    after = runner.invoke(app, ["livecodes", "create", "flyer", "--config", config])
    assert after.exit_code == 0, after.output
    assert "http://127.0.0.1:8470/go/flyer" in after.output
    assert "set public_url in the [server] table" in after.output


def test_serve_names_a_few_invite_links_per_community_and_where_the_rest_are() -> None:
    """`hearth serve` printed one line per web chat group at start: 310 lines on a matrix of
    310 groups before "Ctrl-C stops the server". It prints a community's first three links,
    then how many more there are and the console page that lists them all."""
    from datetime import UTC, datetime

    from hearthkeeper.serve.host import Invite
    from hearthkeeper.store import Community, Group

    at = datetime(2026, 12, 6, tzinfo=UTC)
    tea = Community(id=1, slug="tea", name="Tea Friends", created_at=at)
    chess = Community(id=2, slug="chess", name="Chess Club", created_at=at)
    invites = [Invite(c, Group(n, c.id, f"{c.name} #{n}", "webchat", f"{c.slug}-{n}", 500, at),
                      f"http://127.0.0.1:8470/join/{c.slug}{n}")
               for c, count in ((tea, 150), (chess, 2)) for n in range(1, count + 1)]  # fmt: skip
    assert _shown(invites) == [
        "Console: http://127.0.0.1:8470/console",
        "Web chat Tea Friends #1: http://127.0.0.1:8470/join/tea1",
        "Web chat Tea Friends #2: http://127.0.0.1:8470/join/tea2",
        "Web chat Tea Friends #3: http://127.0.0.1:8470/join/tea3",
        "… and 147 more web chat groups of Tea Friends: every invite link is on "
        "http://127.0.0.1:8470/console/c/tea/groups",
        "Web chat Chess Club #1: http://127.0.0.1:8470/join/chess1",
        "Web chat Chess Club #2: http://127.0.0.1:8470/join/chess2",
    ]


def test_serve_prints_no_invite_link_of_a_closed_group() -> None:
    """`hearth serve` printed a closed group's invite link first ('Web chat Tea Friends #1:
    …/join/tea1'), the link an operator copies to a poster, which seats nobody new. Closed
    groups are left out of the links printed and of the count of the rest."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from hearthkeeper.serve.host import Invite
    from hearthkeeper.store import Community, Group

    at = datetime(2026, 12, 6, tzinfo=UTC)
    tea = Community(id=1, slug="tea", name="Tea Friends", created_at=at)
    groups = [Group(n, 1, f"Tea Friends #{n}", "webchat", f"tea-{n}", 500, at) for n in range(1, 6)]
    groups[0] = replace(groups[0], closed_at=at, closed_by="ops")
    groups[2] = replace(groups[2], closed_at=at, closed_by="ops")
    invites = [Invite(tea, g, f"http://127.0.0.1:8470/join/tea{g.id}") for g in groups]
    assert _shown(invites) == [
        "Console: http://127.0.0.1:8470/console",
        "Web chat Tea Friends #2: http://127.0.0.1:8470/join/tea2",
        "Web chat Tea Friends #4: http://127.0.0.1:8470/join/tea4",
        "Web chat Tea Friends #5: http://127.0.0.1:8470/join/tea5",
    ]


def _shown(invites: object) -> list[str]:
    """The lines `hearth serve` prints at start for a host holding `invites`."""
    from types import SimpleNamespace

    from hearthkeeper.cli.output import console
    from hearthkeeper.cli.serve_cmd import show
    from hearthkeeper.roles import Role

    host = SimpleNamespace(running=[], cluster=None, role=Role.ALL,
                           console_url=lambda: "http://127.0.0.1:8470/console",
                           invites=lambda: invites, status=lambda: [],
                           alerts_unsaid=lambda: [])  # fmt: skip
    with console.capture() as captured:
        show(host)  # type: ignore[arg-type]
    return captured.get().splitlines()


def test_serve_on_this_machine_says_a_paid_trial_is_given_once_to_all_its_browsers(
    tmp_path: Path,
) -> None:
    """An operator trying a paid community with a free trial on `hearth serve` (127.0.0.1)
    got the trial in the first browser only, with no word why until a member's refusal; the
    start says so and names the setting, unless a network is exempt or a proxy is trusted, and
    a server listening for other machines says nothing."""
    from dataclasses import replace

    from hearthkeeper.cli.serve_cmd import local_trial_notes
    from hearthkeeper.playbook import parse_playbook
    from hearthkeeper.playbook.templates import template_text
    from hearthkeeper.web.clientaddr import parse_proxies
    from hearthkeeper.web.context import WebSettings

    skincare = template_text("skincare")  # paid, its plan without a trial
    trial = parse_playbook(skincare.replace("period: 6 months", "period: 6 months\n      "
                                            "trial: 3d", 1)).playbook  # fmt: skip
    web = WebSettings(data_dir=tmp_path)
    [note] = local_trial_notes([trial, parse_playbook(skincare).playbook], "127.0.0.1", web)
    assert note == (
        "颜学院护肤社 gives one free trial per client network in 30 days, and every browser on "
        "this machine is 127.0.0.1: only the first you try it in gets a trial. To test with "
        'several, set [server] trial_limit_exempt = ["127.0.0.1", "::1"] in hearth.toml '
        "(docs/membership.md)"
    )
    assert local_trial_notes([trial], "::1", web) == [note]
    exempt = replace(web, trial_limit_exempt=parse_proxies(["127.0.0.1"]))
    proxied = replace(web, trusted_proxies=parse_proxies(["127.0.0.1"]))
    assert local_trial_notes([trial], "127.0.0.1", exempt) == []
    assert local_trial_notes([trial], "127.0.0.1", proxied) == []
    assert local_trial_notes([trial], "0.0.0.0", web) == []


def test_serve_warns_when_trial_limit_exempt_hands_trials_to_everyone(tmp_path: Path) -> None:
    """`trial_limit_exempt = ["127.0.0.1", "::1"]`, kept from testing on a server then put
    behind nginx on the same machine (public_url https://…, no trusted_proxies), gave every
    visitor of the internet a free trial without a word at start; so did `0.0.0.0/0`."""
    from dataclasses import replace

    from hearthkeeper.cli.serve_cmd import exempt_trial_warnings
    from hearthkeeper.playbook import parse_playbook
    from hearthkeeper.playbook.templates import template_text
    from hearthkeeper.web.clientaddr import parse_proxies
    from hearthkeeper.web.context import WebSettings

    skincare = template_text("skincare")
    trial = parse_playbook(skincare.replace("period: 6 months", "period: 6 months\n      "
                                            "trial: 3d", 1)).playbook  # fmt: skip
    tested = WebSettings(data_dir=tmp_path, public_url="https://club.example.com",
                         trial_limit_exempt=parse_proxies(["127.0.0.1", "::1"]))  # fmt: skip
    [behind] = exempt_trial_warnings([trial], tested)
    assert behind == (
        "[server] trial_limit_exempt exempts this machine (127.0.0.1/32, ::1/128) while the "
        "server is reached at https://club.example.com: behind a reverse proxy on this machine "
        "that [server] trusted_proxies does not name, every visitor is 127.0.0.1 and may start "
        "a free trial. Name the proxy in trusted_proxies, or remove the exemption before the "
        "community opens (docs/membership.md)"
    )
    everyone = replace(tested, public_url="http://127.0.0.1:8470",
                       trial_limit_exempt=parse_proxies(["0.0.0.0/0"]))  # fmt: skip
    [anywhere] = exempt_trial_warnings([trial], everyone)
    assert anywhere.startswith("[server] trial_limit_exempt names 0.0.0.0/0, every client "
                               "address: every newcomer from anywhere may start a free trial")  # fmt: skip
    # testing on this machine, a proxy trusted, or no trial to give: nothing to say
    assert exempt_trial_warnings([trial], replace(tested, public_url="http://[::1]:8470")) == []
    trusted = replace(tested, trusted_proxies=parse_proxies(["127.0.0.1"]))
    assert exempt_trial_warnings([trial], trusted) == []
    assert exempt_trial_warnings([parse_playbook(skincare).playbook], tested) == []
