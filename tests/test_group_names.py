"""An English community whose groups were opened before session 33, when '{name} {n}群' was
every community's default ('Tea Friends 1群'): a calendar post naming one of them by its real
name is no slip, and its next group continues the series ('Tea Friends 3群', not '#3')."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.carriers.naming import next_group_name
from hearthkeeper.carriers.webchat.groups import open_next_group
from hearthkeeper.cli import app
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.playbook_samples import MINIMAL

OLD_GROUPS = ["Tea Friends 1群", "Tea Friends 2群"]  # as the default named them before
WRITTEN = "copy:\n  naming: '{name} #{n}'\n"


def posting_to(*groups: str, text: str = MINIMAL) -> str:
    listed = ", ".join(groups)
    return text + (
        "calendar:\n  posts:\n    - id: morning\n      schedule: every day 08:00\n"
        f"      content: {{text: Good morning}}\n      groups: [{listed}]\n"
    )


def group_warnings(text: str, groups: list[str] | None) -> list[str]:
    asked: list[str] = []

    def names(slug: str) -> list[str]:
        asked.append(slug)
        return groups or []

    loaded = parse_playbook(text, "pb.yaml", groups=None if groups is None else names)
    assert asked == ([] if groups is None else ["tea"])
    return [f"{w.path}: {w.message}" for w in loaded.warnings if ".groups[" in w.path]


def test_a_post_naming_a_group_by_its_stored_name_gets_no_did_you_mean() -> None:
    """The check knew only the names copy.naming makes now ('Tea Friends #1'), so a post to
    the community's own 'Tea Friends 1群' was told "did you mean 'Tea Friends #1'?" (and
    went). Knowing the groups that exist, it says nothing of them; a slip is still told,
    located, with the group it nearly names."""
    text = posting_to("Tea Friends 1群", "Tea Friends 2 群", "Tea London")
    [slip] = group_warnings(text, OLD_GROUPS)
    assert slip.startswith("calendar.posts[0].groups[1]: no group Hearthkeeper opens is named "
                           "'Tea Friends 2 群'")  # fmt: skip
    assert "did you mean 'Tea Friends 2群'?" in slip
    # a name written as the next group will be named is no slip either
    assert group_warnings(posting_to("Tea Friends 3群"), OLD_GROUPS) == []
    # without the database (`hearth playbook validate` alone), the names are not known
    unknown = group_warnings(text, None)
    assert [w.split(":")[0] for w in unknown] == ["calendar.posts[0].groups[0]",
                                                  "calendar.posts[0].groups[1]"]  # fmt: skip


def test_a_written_naming_is_what_posts_are_checked_against_beside_the_groups() -> None:
    text = posting_to("Tea Friends 1群", "Tea Friends 3群", text=MINIMAL + WRITTEN)
    [told] = group_warnings(text, OLD_GROUPS)
    assert told.startswith("calendar.posts[0].groups[1]:")
    assert "did you mean 'Tea Friends #3'?" in told


def test_the_next_group_continues_the_series_the_groups_are_in(store: Store) -> None:
    """Opened by the web chat, a live code or the console's Open a group, the third group of
    such a community was 'Tea Friends #3' beside 'Tea Friends 1群' and '2群'."""
    playbook = parse_playbook(MINIMAL).playbook
    community = apply_playbook(store, parse_playbook(MINIMAL), "test").community.id
    assert open_next_group(store, community, playbook).name == "Tea Friends #1"  # a new one

    old = MINIMAL.replace("slug: tea", "slug: old")
    older = apply_playbook(store, parse_playbook(old), "test").community.id
    for n, name in enumerate(OLD_GROUPS, start=1):
        store.add_group(older, name, "webchat", f"old-{n}")
    playbook = parse_playbook(old).playbook
    opened = open_next_group(store, older, playbook)
    assert (opened.name, opened.carrier_group_id) == ("Tea Friends 3群", "old-3")
    assert next_group_name(store.list_groups(older), playbook, "matrix") == "Tea Friends 4群"

    written = parse_playbook(old + WRITTEN).playbook  # the operator's choice wins
    assert next_group_name(store.list_groups(older), written, "webchat") == "Tea Friends #4"


@pytest.fixture
def deployment(
    tmp_path: Path, database_url: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A deployment on `database_url` whose English community has the groups of before."""
    monkeypatch.chdir(tmp_path)
    for name in ("HEARTH_DATABASE_URL", "HEARTH_CONFIG", "HEARTH_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "hearth.toml"
    config.write_text(f'database_url = "{database_url}"\n', encoding="utf-8")
    community = apply_playbook(store, parse_playbook(MINIMAL), "test").community.id
    for n, name in enumerate(OLD_GROUPS, start=1):
        store.add_group(community, name, "webchat", f"tea-{n}")
    return config


def test_apply_and_validate_with_the_deployment_know_its_groups(deployment: Path) -> None:
    """What the operator saw on `hearth apply`: "warning: no group Hearthkeeper opens is
    named 'Tea Friends 1群' … did you mean 'Tea Friends #1'?" for their own group."""
    playbook = deployment.parent / "pb.yaml"
    playbook.write_text(posting_to("Tea Friends 1群", "Tea Friends 2 群"), encoding="utf-8")
    runner = CliRunner()
    for command in (["apply"], ["playbook", "validate"]):
        result = runner.invoke(app, [*command, str(playbook), "--config", str(deployment)])
        assert result.exit_code == 0, result.output
        assert "'Tea Friends #1'" not in result.output
        said = " ".join(result.output.split())
        assert (f"{playbook}:15:32: calendar.posts[0].groups[1]: warning: no group Hearthkeeper "
                "opens is named 'Tea Friends 2 群'") in said  # fmt: skip
        assert "did you mean 'Tea Friends 2群'?" in said
        assert "groups[0]" not in said
