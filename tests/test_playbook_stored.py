"""A playbook version stored before a bound existed (a text's length, the playbook's size) keeps
running after an upgrade, with a warning naming the field and what to do; a playbook written
now (validated, applied, uploaded, `hearth serve` applying its file) keeps within the bounds."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import Applied, apply_playbook, community_playbook, stored_playbook
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import PlaybookError, base, loader, parse_playbook, positioning, rules
from hearthkeeper.playbook.loader import MAX_PLAYBOOK_BYTES, MAX_READ_BYTES, Severity
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.serve import Host
from hearthkeeper.store import Store, create_engine_for, sqlite_url
from tests.console_setup import BASE, Console
from tests.playbook_samples import MINIMAL
from tests.serve_setup import build, project, settings_for
from tests.test_serve_cli import BOUND, hearth, read_until, stop

PURPOSE = "purpose: Share good tea and where to buy it."
SKINCARE_PURPOSE = "  purpose: 用专业、靠谱的护肤知识"
LONG_PURPOSE = "护" * 1_001  # over community.purpose's 1,000 characters


@contextmanager
def an_older_release(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Validation as a release before the texts' bounds had it: any length was accepted."""
    with monkeypatch.context() as older:
        older.setattr(base, "MAX_TEXT", 10**9)
        older.setattr(rules, "MAX_TEXT", 10**9)
        older.setattr(positioning, "MAX_PURPOSE", 10**9)
        yield


def stored_by_an_older_release(
    monkeypatch: pytest.MonkeyPatch, store: Store, text: str, file: str
) -> Applied:
    """`text` applied as a release before the bounds did: the version written to the
    database as it was."""
    with an_older_release(monkeypatch):
        return apply_playbook(store, parse_playbook(text, file), "older release")


def over_purpose(playbook: Path) -> str:
    """The skincare playbook at `playbook` with a purpose over its bound, written to the file."""
    text = playbook.read_text(encoding="utf-8")
    assert SKINCARE_PURPOSE in text
    lines = [f"  purpose: {LONG_PURPOSE}" if line.startswith(SKINCARE_PURPOSE) else line
             for line in text.splitlines()]  # fmt: skip
    text = "\n".join(lines) + "\n"
    playbook.write_text(text, encoding="utf-8")
    return text


def test_a_stored_text_over_a_bound_is_read_as_it_was_accepted_with_the_bound_located() -> None:
    text = MINIMAL.replace(PURPOSE, "purpose: " + "a" * 1_001) + (
        "joining:\n  ceremony:\n    welcome: '" + "w" * 8_001 + "'\n"
        "rules:\n  texts:\n" + f"    - '{'r' * 5_000}'\n" * 2
    )
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, "pb.yaml")
    written = [(p.line, p.path) for p in refused.value.problems]
    assert written == [(6, "community.purpose"), (12, "joining.ceremony.welcome"),
                       (15, "rules.texts")]  # fmt: skip

    stored = parse_playbook(text, "pb.yaml", as_stored=True)
    assert stored.playbook.community.purpose == "a" * 1_001
    assert stored.playbook.joining.ceremony.welcome == "w" * 8_001
    assert len(stored.playbook.rules.texts) == 2
    assert [(p.line, p.path) for p in stored.over_limit] == written
    assert all(p.severity is Severity.WARNING for p in stored.over_limit)
    assert [p.message for p in stored.over_limit] == [p.message for p in refused.value.problems]
    assert parse_playbook(MINIMAL, as_stored=True).over_limit == ()


def test_a_stored_playbook_over_the_size_bound_is_read_with_the_size_said() -> None:
    padded = MINIMAL + "#" * MAX_PLAYBOOK_BYTES
    [size] = parse_playbook(padded, "pb.yaml", as_stored=True).over_limit
    assert size.path == "" and f"{len(padded):,} bytes" in size.message


def test_a_stored_version_with_another_problem_is_still_refused() -> None:
    """Only the bounds added since are passed over: a version this release cannot run (an
    unknown time zone, say) is refused whole, as before."""
    text = MINIMAL.replace(PURPOSE, "purpose: " + "a" * 1_001).replace(
        "Europe/London", "Asia/Atlantis"
    )
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, "pb.yaml", as_stored=True)
    assert "community.timezone" in [p.path for p in refused.value.problems]


def test_serve_runs_a_stored_version_over_a_bound_and_warns_and_apply_refuses_the_file(
    tmp_path: Path,
    database_url: str,
    store_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An upgrade stopped a running community: its version, stored by the release before the
    bounds, was refused at `hearth serve` ('cannot load'), and every command reading it found
    no playbook. It runs as it was accepted, with a warning naming the field and the fix;
    applying the same file again is refused with the located message."""
    playbook = project(tmp_path / "site")
    host = build(playbook, database_url, store_clock)  # version 1, within the bounds
    host.close()
    text = over_purpose(playbook)
    store = Store(create_engine_for(database_url), store_clock)
    try:
        applied = stored_by_an_older_release(monkeypatch, store, text, str(playbook))
        assert applied.version.version == 2

        settings, web_settings = settings_for(playbook, database_url)
        host = Host.build(settings, web_settings, clock=store_clock)
        try:
            [running] = host.running
            assert running.version.version == 2 and running.is_file
            runtime = host.runtimes[running.community.id]
            assert runtime.playbook.community.purpose == LONG_PURPOSE
            [note] = host.stored_notes
            assert "community 'yan-academy-skincare' runs playbook version 2" in note
            assert "community.purpose is over a limit" in note
            assert "`purpose` is 1,001 characters; it is at most 1,000" in note
            assert f"fix {playbook} and apply it (`hearth apply {playbook}`)" in note
        finally:
            host.close()

        # a command reading the stored version (the report, billing, groups …) finds it, and
        # the warning is logged
        caplog.set_level(logging.WARNING, logger="hearthkeeper.apply")
        stored_playbook.cache_clear()  # said once per process: this one may have read it
        read = community_playbook(store, applied.community.id)
        assert read is not None and read.community.purpose == LONG_PURPOSE
        assert any("community.purpose is over a limit" in r.getMessage() for r in caplog.records)
        assert len(store.playbook_versions(applied.community.id)) == 2, "nothing lost or added"
    finally:
        store.engine.dispose()

    config = tmp_path / "site" / "hearth.toml"
    config.write_text(f'database_url = "{database_url}"\nplaybooks = ["playbook.yaml"]\n',
                      encoding="utf-8")  # fmt: skip
    refused = CliRunner().invoke(app, ["playbook", "apply", str(playbook), "-c", str(config)])
    assert refused.exit_code == 1
    line = 1 + text.splitlines().index(f"  purpose: {LONG_PURPOSE}")
    assert (f"{playbook}:{line}:12: community.purpose: `purpose` is 1,001 characters; it is at "
            "most 1,000") in refused.output  # fmt: skip


def test_serve_refuses_a_file_over_a_bound_that_is_not_stored_and_applies_nothing(
    tmp_path: Path, database_url: str, store_clock: FrozenClock
) -> None:
    """Read as stored only when it is: a file over a bound that `hearth serve` would apply
    as a new version is refused, located, as `hearth apply` refuses it."""
    playbook = project(tmp_path / "site")
    host = build(playbook, database_url, store_clock)
    community = host.running[0].community.id
    host.close()
    text = over_purpose(playbook)
    settings, web_settings = settings_for(playbook, database_url)
    with pytest.raises(PlaybookError) as refused:
        Host.build(settings, web_settings, clock=store_clock)
    [problem] = refused.value.problems
    line = 1 + text.splitlines().index(f"  purpose: {LONG_PURPOSE}")
    assert str(problem).startswith(f"{playbook}:{line}:12: community.purpose: `purpose` is 1,001")
    assert not problem.is_warning
    store = Store(create_engine_for(database_url), store_clock)
    try:
        assert len(store.playbook_versions(community)) == 1
    finally:
        store.engine.dispose()


def test_serve_runs_a_stored_version_whose_file_is_over_the_read_bound_and_warns(
    tmp_path: Path, database_url: str, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version stored before the playbook's size bound (a big FAQ, say) whose file is over
    the 1 MiB a playbook file is read to: `hearth serve` refused it by its size alone, as a
    file being written ('the playbook is … bytes'), and the community stopped. It runs as it
    was accepted, its size said as a warning; a file as large that is no stored version is
    still refused, unread, and applies nothing."""
    playbook = project(tmp_path / "site")
    build(playbook, database_url, store_clock).close()  # version 1, within the bounds
    text = playbook.read_text(encoding="utf-8") + "#" * MAX_READ_BYTES + "\n"
    playbook.write_text(text, encoding="utf-8")
    store = Store(create_engine_for(database_url), store_clock)
    try:
        with monkeypatch.context() as older:  # a release before the playbook's size bound
            older.setattr(loader, "MAX_PLAYBOOK_BYTES", 10**9)
            applied = apply_playbook(store, parse_playbook(text, str(playbook)), "older release")
        assert applied.version.version == 2
    finally:
        store.engine.dispose()

    settings, web_settings = settings_for(playbook, database_url)
    host = Host.build(settings, web_settings, clock=store_clock)
    try:
        [running] = host.running
        assert running.version.version == 2 and running.is_file
        [note] = host.stored_notes
        assert "community 'yan-academy-skincare' runs playbook version 2" in note
        assert f"the playbook is {len(text.encode()):,} bytes" in note
        assert f"fix {playbook} and apply it" in note
    finally:
        host.close()

    playbook.write_text(text + "#\n", encoding="utf-8")  # no version stored is this
    with pytest.raises(PlaybookError) as refused:
        Host.build(settings, web_settings, clock=store_clock)
    [problem] = refused.value.problems
    assert str(problem).startswith(f"{playbook}:1:1: (document): the playbook is ")
    assert not problem.is_warning
    store = Store(create_engine_for(database_url), store_clock)
    try:
        assert len(store.playbook_versions(applied.community.id)) == 2, "nothing applied"
    finally:
        store.engine.dispose()


def test_a_file_too_large_to_read_is_known_by_the_digest_its_stored_version_has(
    tmp_path: Path,
) -> None:
    """What `hearth serve` tells a stored version by: its text's SHA-256 as stored, a file
    saved with a byte-order mark too; nothing past `most` bytes is read."""
    import hashlib

    from hearthkeeper.playbook.loader import file_digest

    text = MINIMAL + "# 茶\n"
    path = tmp_path / "pb.yaml"
    path.write_text(text, encoding="utf-8-sig")
    stored = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert file_digest(path, len(text.encode())) == stored
    assert file_digest(path, len(text.encode()) - 1) is None


def test_a_version_over_a_bound_applied_beside_the_server_is_followed_with_a_warning(
    tmp_path: Path,
    database_url: str,
    store_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A node of the release before the bounds applies a longer purpose while this one runs:
    this one follows it (it logged 'cannot load' and kept the older version)."""
    playbook = project(tmp_path / "site")
    host = build(playbook, database_url, store_clock)
    try:
        community = host.running[0].community.id
        text = over_purpose(playbook)
        stored_by_an_older_release(monkeypatch, host.store, text, str(playbook))
        caplog.set_level(logging.WARNING, logger="hearthkeeper.serve.host")
        assert host.follow_playbooks() == 1
        assert host.runtimes[community].playbook.community.purpose == LONG_PURPOSE
        [warned] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert "runs playbook version 2" in warned and "community.purpose" in warned
        assert "apply a fixed file" in warned
    finally:
        host.close()


def test_hearth_serve_prints_the_warning_and_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_clock: FrozenClock
) -> None:
    """What the operator sees: `hearth serve` starts, and says on standard error which field
    is over which limit and how to fix it (it exited 1 with 'cannot load')."""
    monkeypatch.chdir(tmp_path)
    for name in ("HEARTH_DATABASE_URL", "HEARTH_CONFIG", "HEARTH_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["init", "site", "--template", "skincare"]).exit_code == 0
    config = str(tmp_path / "site" / "hearth.toml")
    assert runner.invoke(app, ["db", "upgrade", "--config", config]).exit_code == 0
    playbook = tmp_path / "site" / "playbook.yaml"
    text = over_purpose(playbook)
    url = sqlite_url(tmp_path / "site" / "data")
    store = Store(create_engine_for(url), store_clock)
    try:
        stored_by_an_older_release(monkeypatch, store, text, str(playbook))
    finally:
        store.engine.dispose()
    server = hearth("serve", "--config", config, "--port", "0")
    try:
        shown = read_until(server, "Ctrl-C stops the server")
        assert "颜学院护肤社 (yan-academy-skincare): version 1" in shown
        console = re.search(r"Console: (http://127\.0\.0\.1:\d+/console)", shown)
        assert console is not None, shown
        assert httpx.get(f"{console[1]}/sign-in", timeout=BOUND).status_code == 200
        code, _, err = stop(server, signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert code == 0, err
    said = " ".join(err.split())  # as printed, wrapped or not
    assert (
        "warning: community 'yan-academy-skincare' runs playbook version 1 as it was stored" in said
    )
    assert "community.purpose is over a limit" in said
    assert f"fix {playbook} and apply it (`hearth apply {playbook} --config {config}`)" in said


def test_the_console_shows_the_version_running_and_what_it_passes_over(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console's Playbook page of a community running such a version (it said the
    community had no valid playbook): the version, and the limits it passes over, located."""
    assert "passes over limits" not in console.client.get(f"{BASE}/playbook").text
    text = template_text("skincare")
    lines = [f"  purpose: {LONG_PURPOSE}" if line.startswith(SKINCARE_PURPOSE) else line
             for line in text.splitlines()]  # fmt: skip
    applied = stored_by_an_older_release(monkeypatch, console.store, "\n".join(lines) + "\n",
                                         "playbook.yaml")  # fmt: skip
    page = console.client.get(f"{BASE}/playbook")
    assert page.status_code == 200
    shown = " ".join(page.text.split())
    assert f"Version {applied.version.version}, running" in shown
    assert "This version passes over limits this release of Hearthkeeper sets" in shown
    line = 1 + lines.index(f"  purpose: {LONG_PURPOSE}")
    assert (f"line {line}, column 12</span>: <code>community.purpose</code>: `purpose` is 1,001 "
            "characters; it is at most 1,000") in shown  # fmt: skip


# Session 33's review: the aliases' bound (P3) came in beside the stored versions' reading
# (P2); a version an earlier release stored with aliases past it made `hearth serve` exit
# 'cannot load', as the texts' bounds did before P2.
ALIASED = "  goals:\n    - &long " + "g" * 7_999 + "\n" + "    - *long\n" * 40


def test_a_stored_version_with_aliases_past_their_bound_is_read_with_the_bound_located() -> None:
    from hearthkeeper.playbook import CarrierKinds, carrier_warnings

    text = MINIMAL + ALIASED
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, "pb.yaml")
    [written] = refused.value.problems

    stored = parse_playbook(text, "pb.yaml", as_stored=True)
    assert len(stored.playbook.community.goals) == 41
    [over] = stored.over_limit
    assert (over.line, over.path, over.message) == (written.line, written.path, written.message)
    assert over.severity is Severity.WARNING and over.path == "community.goals[33]"
    # what `hearth serve` says of the carriers it reads the same text for
    assert carrier_warnings(stored, CarrierKinds(installed=frozenset({"webchat"}))) == []


def test_serve_runs_a_version_stored_with_aliases_past_their_bound(
    tmp_path: Path, database_url: str, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hearthkeeper.playbook import yamlsource

    playbook = project(tmp_path / "site")
    build(playbook, database_url, store_clock).close()  # version 1, within the bounds
    text = playbook.read_text(encoding="utf-8").replace("  goals:\n", ALIASED, 1)
    playbook.write_text(text, encoding="utf-8")
    store = Store(create_engine_for(database_url), store_clock)
    try:
        with monkeypatch.context() as older:  # a release before the aliases' bound
            older.setattr(yamlsource, "MAX_ALIASED_CHARS", 10**9)
            applied = apply_playbook(store, parse_playbook(text, str(playbook)), "older release")
        assert applied.version.version == 2
    finally:
        store.engine.dispose()

    host = build(playbook, database_url, store_clock)
    try:
        [running] = host.running
        assert running.version.version == 2
        goals = host.runtimes[running.community.id].playbook.community.goals
        assert goals[:41] == ["g" * 7_999] * 41 and len(goals) == 44
        [note] = host.stored_notes
        assert "community.goals[33]" in note and "aliases (*name) repeat more than" in note
    finally:
        host.close()


@pytest.mark.parametrize("written", ["0.66667", "66.667%"])
def test_a_stored_share_finer_than_is_kept_now_is_read_as_it_was_accepted(written: str) -> None:
    """Session 33's review: `copy.open_new_group_at` written to more places than is kept now
    (two thirds as 0.66667) was accepted by the release before; its stored version made
    `hearth serve` exit 'cannot load'. It runs as accepted, the bound a warning; a playbook
    written now is still refused."""
    text = MINIMAL + f"copy:\n  open_new_group_at: {written}\n"
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, "pb.yaml")
    [written_now] = refused.value.problems
    assert written_now.path == "copy.open_new_group_at"

    stored = parse_playbook(text, "pb.yaml", as_stored=True)
    assert stored.playbook.replication.open_new_group_at == pytest.approx(0.66667)
    [over] = stored.over_limit
    assert (over.path, over.message) == (written_now.path, written_now.message)
    assert over.severity is Severity.WARNING


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_stored_version_this_release_cannot_read_is_said_by_the_commands_that_read_it(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A version a later check refuses for another reason than a bound (a field since
    removed): `hearth report` wrote the report without its playbook without a word, and
    `hearth alerts show` said 'has no valid playbook; `hearth apply` one first' of a community
    that has one. Each says which version, why, and to fix the file and apply it."""
    monkeypatch.chdir(tmp_path)
    applied = apply_playbook(store, parse_playbook(MINIMAL, "pb.yaml"), "test")
    community = applied.community
    retired = MINIMAL.replace(PURPOSE, PURPOSE + "\n  retired_field: 1")
    assert retired != MINIMAL
    store.add_playbook_version(community.id, retired, {}, "an older release")
    note = (f"community '{community.slug}' runs stored playbook version 2, which this release "
            "cannot read (community.retired_field: unknown field 'retired_field'")  # fmt: skip
    fix = "fix the playbook file and apply it (`hearth apply FILE`)"

    def hearth_run(*args: str) -> subprocess.CompletedProcess[str]:
        # a process of its own: the warning is said once per process, as the log prints it
        env = {**os.environ, "HEARTH_DATABASE_URL": database_url}
        return subprocess.run([sys.executable, "-m", "hearthkeeper", *args], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=BOUND)  # fmt: skip

    alerts = hearth_run("alerts", "show")
    assert alerts.returncode == 1
    said = " ".join(alerts.stderr.split())
    assert note in said and fix in said, said
    assert (f"error: {community.slug}'s playbook does not load with this release (above); fix "
            "the file and apply it") in said, said  # fmt: skip
    assert "`hearth apply` one first" not in said
    report = hearth_run("report", "--community", community.slug)
    assert report.returncode == 0, report.stderr
    said = " ".join(report.stderr.split())
    assert note in said and fix in said, said


def test_a_stored_version_over_many_bounds_says_three_then_names_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A stored version with sixty goals over the texts' bound printed sixty paragraphs (26 KB)
    on standard error before every command's output, and its size bound read 'but its the
    playbook is over a limit'."""
    goals = "".join(f"  - '{'g' * 8_001}{n}'\n" for n in range(60))
    text = MINIMAL.replace(PURPOSE, PURPOSE + "\n  goals:\n" + goals.replace("  - ", "    - "))
    assert len(parse_playbook(text, "pb.yaml", as_stored=True).over_limit) == 61  # size too
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.apply"):
        assert stored_playbook(text, 7) is not None
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 4, said
    assert said[0].startswith("community 'tea' runs playbook version 7 as it was stored, but the "
                              "playbook is over a limit this release sets (line 1)")  # fmt: skip
    assert said[1].startswith("community 'tea' runs playbook version 7 as it was stored, but its "
                              "community.goals[0] is over a limit")  # fmt: skip
    assert said[3].startswith("playbook version 7 of community 'tea' passes over 58 more limits "
                              "this release sets, the same way: community.goals[2] (line ")  # fmt: skip
    assert said[3].endswith(" and 48 more; `hearth playbook validate` on its file lists each")
    assert said[3].count("community.goals[") == 10


# Session 40: what a check added after its field was released refuses (`base.REFUSED_SINCE`),
# as a stored version holds it: the text, the field, and words of the message. Each stopped
# `hearth serve` ('cannot load') on a version an earlier release had accepted and run.
FAQ_COMMA = ("mechanisms:\n  faq:\n    entries:\n      - question: 怎么退款？\n"
             "        keywords: [退款，退费]\n        answer: 找客服小美办理退款。\n")  # fmt: skip
LADDER_BRACES = ("rules:\n  ladder:\n    - at: 1\n      do: [delete, warn]\n"
                 "      message: '请看 {群规} 第 3 条，{nickname}'\n")  # fmt: skip
REFUSED_SINCE = [
    pytest.param(MINIMAL + FAQ_COMMA, "mechanisms.faq.entries[0].keywords[0]",
                 "several words joined by '，'", id="faq-keyword-chinese-comma"),
    pytest.param(MINIMAL + "mechanisms:\n  signups:\n    join_keywords: [报名，接龙]\n",
                 "mechanisms.signups.join_keywords[0]", "several words joined by '，'",
                 id="signup-keyword-chinese-comma"),
    pytest.param(MINIMAL + LADDER_BRACES, "rules.ladder[0].message",
                 "unknown placeholder {群规}", id="ladder-message-braces"),
    pytest.param(MINIMAL + "rules:\n  violations:\n    advertising:\n"
                 "      extra_keywords: ['\\d{11}']\n",
                 "rules.violations.advertising.extra_keywords[0]",
                 "looks like a regular expression", id="regex-keyword"),
    pytest.param(MINIMAL + "rules:\n  violations:\n    insults:\n      extra_keywords: [x]\n",
                 "rules.violations.insults.extra_keywords[0]", "the single character 'x'",
                 id="one-letter-keyword"),
    pytest.param(MINIMAL + "rules:\n  violations:\n    insults:\n      extra_keywords: ['!!!']\n",
                 "rules.violations.insults.extra_keywords[0]", "can never match",
                 id="keyword-without-letters"),
    pytest.param(MINIMAL + "alerts:\n  urgent: [moderaton]\n", "alerts.urgent[0]",
                 "no violation kind or alert source", id="urgent-alert-name"),
    pytest.param(MINIMAL + "joining:\n  ceremony:\n    welcome: 42\n",
                 "joining.ceremony.welcome", "42 is a number", id="number-as-text"),
    pytest.param(MINIMAL.replace("name: Tea Friends", 'name: "Tea \\u202eFriends"'),
                 "community.name", "carries U+202E", id="name-hidden-character"),
    pytest.param(MINIMAL + "activities:\n  - id: salon\n    name: Salon\n    when: 20261220\n",
                 "activities[0].when", "is a number, not a date", id="date-as-number"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "path", "said"), REFUSED_SINCE)
def test_a_stored_version_passes_a_check_added_since_with_the_problem_located(
    text: str, path: str, said: str
) -> None:
    """A playbook written now is refused for it, located; the same text read as a stored
    version loads, the problem the same, located the same, as a warning (it was an error that
    stopped the server)."""
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, "pb.yaml")
    [written] = [p for p in refused.value.problems if p.path == path]
    assert said in written.message and not written.is_warning

    stored = parse_playbook(text, "pb.yaml", as_stored=True)
    [passed] = stored.refused_since
    assert (passed.line, passed.column, passed.path, passed.message) == (
        written.line, written.column, written.path, written.message)  # fmt: skip
    assert passed.is_warning and stored.over_limit == ()


def test_a_stored_version_with_another_problem_says_what_refuses_it_first() -> None:
    """What a stored version passes is no reason to refuse it: beside a problem that does
    (an unknown time zone), it is a warning, and the reason said first is the real one."""
    text = (MINIMAL + FAQ_COMMA).replace("Europe/London", "Asia/Atlantis")
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, "pb.yaml", as_stored=True)
    assert [p.path for p in refused.value.problems] == ["community.timezone"]
    assert [p.path for p in refused.value.warnings if "joined by" in p.message] == [
        "mechanisms.faq.entries[0].keywords[0]"
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the load path, no query
def test_serve_runs_a_version_stored_before_a_check_and_a_new_file_is_refused(
    tmp_path: Path, database_url: str, store_clock: FrozenClock
) -> None:
    """An upgrade to session 39 stopped a community whose stored version had an FAQ keyword
    list typed with a Chinese comma and a ladder message with a brace of its own. `hearth
    serve` runs it as it was accepted and says each problem located with the fix; the FAQ
    answers what it answered before (a message saying 退款退费), the ladder message is sent
    with its own braces as typed (a KeyError on format, were it read); the same text as a new
    version is refused by `hearth serve` and `hearth playbook apply`, and nothing is stored."""
    from hearthkeeper.engine.actions import ActionKind
    from hearthkeeper.engine.engine import Engine
    from hearthkeeper.testing import EventBuilder, FakeCarrier
    from tests.migrated import migrate

    migrate(database_url)
    playbook = tmp_path / "site" / "playbook.yaml"
    playbook.parent.mkdir()
    text = MINIMAL + FAQ_COMMA + LADDER_BRACES
    playbook.write_text(text, encoding="utf-8")
    line = 1 + text.splitlines().index("        keywords: [退款，退费]")
    store = Store(create_engine_for(database_url), store_clock)
    try:  # as a release before the checks stored it: version 1 as written
        applied = apply_playbook(store, parse_playbook(MINIMAL, str(playbook)), "older release")
        store.add_playbook_version(applied.community.id, text, {}, "older release")
    finally:
        store.engine.dispose()

    settings, web_settings = settings_for(playbook, database_url)
    host = Host.build(settings, web_settings, clock=store_clock)
    try:
        [running] = host.running
        assert running.version.version == 2 and running.is_file
        faq, ladder = host.stored_notes
        assert faq.startswith("community 'tea' runs playbook version 2 as it was stored, but its "
                              "mechanisms.faq.entries[0].keywords[0] holds what this release "
                              f"refuses in a new version (line {line}): keyword '退款，退费' is several "
                              "words joined by '，'")  # fmt: skip
        assert "write each as a keyword of its own: [退款, 退费]" in faq
        assert f"fix {playbook} and apply it (`hearth apply {playbook}`)" in faq
        assert "rules.ladder[0].message holds what this release refuses" in ladder
        assert "unknown placeholder {群规}; available: {rule}, {count}, {nickname}" in ladder

        runtime = host.runtimes[running.community.id]
        carrier = FakeCarrier("fake")
        engine = Engine(host.store, store_clock, [runtime], {"fake": carrier},
                        adopt_groups_into=runtime.community_id)  # fmt: skip
        events = EventBuilder(store_clock.now())
        [answered] = engine.process([events.message("amy", "请问退款退费怎么弄")])
        assert [a.text for a in answered.actions if a.kind is ActionKind.REPLY] == [
            "找客服小美办理退款。"
        ]
        [struck] = engine.process([events.message("ben", "加我微信 abc12345 代购面膜")])
        [warned] = [a.text for a in struck.actions if a.kind is ActionKind.WARN]
        assert warned is not None and warned.startswith("请看 {群规} 第 3 条，ben\n")
    finally:
        host.close()

    playbook.write_text(text + "# edited\n", encoding="utf-8")  # no version stored is this
    with pytest.raises(PlaybookError) as refused:
        Host.build(settings, web_settings, clock=store_clock)
    assert [(p.path, p.is_warning) for p in refused.value.problems] == [
        ("mechanisms.faq.entries[0].keywords[0]", False),
        ("rules.ladder[0].message", False),
    ]
    config = tmp_path / "site" / "hearth.toml"
    config.write_text(f'database_url = "{database_url}"\nplaybooks = ["playbook.yaml"]\n',
                      encoding="utf-8")  # fmt: skip
    cli = CliRunner().invoke(app, ["playbook", "apply", str(playbook), "-c", str(config)])
    assert cli.exit_code == 1
    assert f"{playbook}:{line}:20: mechanisms.faq.entries[0].keywords[0]: keyword '退款，退费'" in (
        cli.output
    )
    store = Store(create_engine_for(database_url), store_clock)
    try:
        assert len(store.playbook_versions(applied.community.id)) == 2, "nothing applied"
    finally:
        store.engine.dispose()


def test_the_console_shows_what_a_stored_version_holds_that_checks_since_refuse(
    console: Console,
) -> None:
    """The console's Playbook page of a community running such a version: it runs, and the
    problem is listed, located, with what to do."""
    assert "refused-since" not in console.client.get(f"{BASE}/playbook").text
    lines = template_text("skincare").splitlines()
    at = lines.index("        keywords: [下单, 付款, 怎么买, 链接]")  # an FAQ entry's
    lines[at] = "        keywords: [下单，付款, 怎么买, 链接]"
    community = console.store.get_community("yan-academy-skincare")
    assert community is not None
    console.store.add_playbook_version(community.id, "\n".join(lines) + "\n", {}, "older release")
    page = console.client.get(f"{BASE}/playbook")
    assert page.status_code == 200
    shown = " ".join(page.text.split())
    assert "Version 2, running" in shown
    assert "checks added to Hearthkeeper since it was applied refuse in a new playbook" in shown
    assert (f"line {at + 1}, column 20</span>: <code>mechanisms.faq.entries[0].keywords[0]"
            "</code>: keyword &#39;下单，付款&#39; is several words") in shown  # fmt: skip
