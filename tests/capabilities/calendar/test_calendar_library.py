"""Content libraries: loading with located problems, next/rotation order, coverage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthkeeper.capabilities.calendar.coverage import coverage
from hearthkeeper.capabilities.calendar.library import (
    ContentItem,
    load_library,
    next_item,
    with_tags,
)
from hearthkeeper.playbook.output import ContentKind, Order

SHANGHAI = ZoneInfo("Asia/Shanghai")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def good_library(folder: Path) -> Path:
    write(folder, "b-sunscreen.md", "# Sunscreen every day\n\nEven when it rains.\n")
    write(folder, "a-cleanse.md", "---\norder: 2\ntags: [morning]\n---\n# Cleanse gently\nBody.\n")
    write(folder, "photo.jpg", "not really a picture")
    write(
        folder,
        "c-more.yaml",
        "- {kind: picture, asset: photo.jpg, title: Before and after, order: 1}\n"
        "- {kind: link, url: 'https://example.org/spf', title: SPF explained, tags: [morning]}\n",
    )
    write(folder, "notes.txt", "ignored: not an item file")
    return folder


def test_items_are_ordered_by_order_then_file_name(tmp_path: Path) -> None:
    library = load_library(good_library(tmp_path))
    assert library.problems == ()
    assert [i.id for i in library.items] == [
        "c-more.yaml#1",
        "a-cleanse.md",
        "b-sunscreen.md",
        "c-more.yaml#2",
    ]
    first, cleanse, sunscreen, link = library.items
    assert first.kind is ContentKind.PICTURE and first.asset == tmp_path / "photo.jpg"
    assert cleanse.title == "Cleanse gently" and cleanse.tags == ("morning",)
    assert sunscreen.text == "# Sunscreen every day\n\nEven when it rains."
    assert link.url == "https://example.org/spf"
    assert [i.id for i in with_tags(library.items, ["morning"])] == [
        "a-cleanse.md",
        "c-more.yaml#2",
    ]


def test_an_asset_outside_the_content_folder_is_refused(tmp_path: Path) -> None:
    """Carriers post an item's file to members: a path climbing out of the folder (or an
    absolute one) would post any file the server can read."""
    folder = tmp_path / "pictures"
    folder.mkdir()
    write(tmp_path, "secret.png", "not for members")
    write(folder, "up.md", "---\nkind: picture\nasset: ../secret.png\n---\nHi\n")
    write(folder, "root.md", f"---\nkind: file\nasset: {tmp_path}/secret.png\n---\nHi\n")
    library = load_library(folder)
    assert library.items == ()
    messages = sorted(str(p).removeprefix(f"{folder}/") for p in library.problems)
    assert messages == [
        f"root.md:3: asset: file '{tmp_path}/secret.png' is outside the content folder; put it "
        "next to root.md",
        "up.md:3: asset: file '../secret.png' is outside the content folder; put it next to up.md",
    ]


def test_broken_items_are_located_and_the_good_ones_kept(tmp_path: Path) -> None:
    write(tmp_path, "ok.md", "Fine.\n")
    write(tmp_path, "kind.md", "---\ntitle: x\nkind: gif\n---\nbody\n")
    write(tmp_path, "asset.md", "---\nkind: video\nasset: clip.mp4\n---\n")
    write(tmp_path, "yaml.md", "---\ntitle: [unclosed\n---\nbody\n")
    write(tmp_path, "open.md", "---\ntitle: never closed\n")
    write(tmp_path, "list.yaml", "- text: one\n- kind: link\n  title: no url\n- 3\n")
    write(tmp_path, "field.yaml", "text: hi\ncolour: red\n")
    library = load_library(tmp_path)
    assert [i.id for i in library.items] == ["list.yaml#1", "ok.md"]
    messages = sorted(str(p).removeprefix(f"{tmp_path}/") for p in library.problems)
    assert messages == [
        "asset.md:3: asset: file 'clip.mp4' not found next to asset.md",
        "field.yaml:2: colour: unknown field (use asset, kind, order, tags, text, title, url)",
        "kind.md:3: kind: unknown kind 'gif' (use text, picture, video, voice, link, file)",
        "list.yaml:2: kind: a link item needs `url:`",
        "list.yaml:4: an item is a mapping (kind:, text: ...)",
        "open.md:1: front matter opened with '---' is never closed",
        "yaml.md:2: front matter: expected ',' or ']', but got '<stream end>'",
    ]


def test_a_yaml_item_that_is_not_yaml_is_located_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "kind: text\ntitle: [unclosed\n")
    [problem] = load_library(tmp_path).problems
    assert str(problem) == f"{tmp_path}/bad.yaml:3: expected ',' or ']', but got '<stream end>'"


def test_an_item_longer_than_a_post_is_named_and_kept_in_its_place(tmp_path: Path) -> None:
    write(tmp_path, "01.md", "short")
    write(tmp_path, "02.md", "a" * 8_001)
    write(tmp_path, "03.yaml", "- {text: fine}\n- {text: '" + "b" * 9_000 + "'}\n")
    lib = load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [
        f"{tmp_path / '02.md'}: the post is 8,001 characters, over the 8,000 a post may have; "
        "it is not posted until it is shortened or split into several items",
        f"{tmp_path / '03.yaml'}: item 2: the post is 9,000 characters, over the 8,000 a post "
        "may have; it is not posted until it is shortened or split into several items",
    ]
    # kept, so its turn holds the post until the file is fixed (nothing after it is lost)
    assert [i.id for i in lib.items] == ["01.md", "02.md", "03.yaml#1", "03.yaml#2"]


def test_a_missing_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    library = load_library(tmp_path / "nowhere")
    assert library.missing and library.items == ()
    assert "content folder not found" in str(library.problems[0])


def items(*ids: str) -> list[ContentItem]:
    return [ContentItem(i, i.upper(), ContentKind.TEXT, i) for i in ids]


def test_next_order_takes_the_first_unposted_item_and_runs_out() -> None:
    pool = items("a", "b", "c")
    assert next_item(pool, [], Order.NEXT) == pool[0]
    assert next_item(pool, ["a", "c"], Order.NEXT) == pool[1]
    assert next_item(pool, ["a", "b", "c"], Order.NEXT) is None


def test_rotation_order_follows_the_last_posted_item_and_starts_again() -> None:
    pool = items("a", "b", "c")
    assert next_item(pool, [], Order.ROTATION) == pool[0]
    assert next_item(pool, ["a", "b"], Order.ROTATION) == pool[2]
    assert next_item(pool, ["a", "b", "c"], Order.ROTATION) == pool[0]
    assert next_item(pool, ["c", "gone"], Order.ROTATION) == pool[0]
    assert next_item([], [], Order.ROTATION) is None


def test_coverage_counts_the_firings_left_and_when_the_library_runs_out() -> None:
    now = datetime(2026, 11, 22, 1, tzinfo=UTC)  # 09:00 in Shanghai, after today's 07:30
    cover = coverage(items("a", "b", "c", "d"), ["a"], Order.NEXT, "every day 07:30", SHANGHAI, now)
    assert cover.remaining == 3
    assert cover.runs_out == datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 26 Nov 07:30 local
    assert cover.days == 4
    assert not cover.alert_due(now, timedelta(days=3))
    assert cover.alert_due(now, timedelta(days=7))


def test_coverage_of_a_weekly_library_in_days() -> None:
    now = datetime(2026, 11, 23, tzinfo=SHANGHAI)  # a Monday
    cover = coverage(items("a", "b"), [], Order.NEXT, "every Friday 20:00", SHANGHAI, now)
    assert cover.runs_out is not None
    assert cover.runs_out.astimezone(SHANGHAI).date().isoformat() == "2026-12-11"
    assert cover.days == 18


def test_an_empty_library_runs_out_at_its_next_firing_and_rotation_never() -> None:
    now = datetime(2026, 11, 23, tzinfo=SHANGHAI)
    empty = coverage([], [], Order.ROTATION, "every day 08:00", SHANGHAI, now)
    assert empty.remaining == 0 and empty.days == 0
    endless = coverage(items("a"), ["a"], Order.ROTATION, "every day 08:00", SHANGHAI, now)
    assert endless.runs_out is None and not endless.alert_due(now, timedelta(days=99))


def test_a_schedule_that_never_fires_never_runs_out() -> None:
    now = datetime(2026, 11, 23, tzinfo=SHANGHAI)
    cover = coverage(items("a"), [], Order.NEXT, "0 8 30 2 *", SHANGHAI, now)
    assert (cover.remaining, cover.runs_out, cover.days) == (1, None, None)


FRONT_MATTER_BITS = st.sampled_from(
    [
        "---\n",
        "kind: ",
        "picture",
        "link",
        "gif",
        "tags: ",
        "[a, b]",
        "order: ",
        "3",
        "x",
        "\n",
        "asset: ",
        "url: ",
        "title: ",
        "- ",
        "{",
        "]",
        ":",
        "\t",
        "#",
        "é",
        "text: ",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.lists(FRONT_MATTER_BITS, max_size=30).map("".join),
    suffix=st.sampled_from([".md", ".yaml"]),
)
def test_any_item_file_loads_or_is_a_located_problem(
    tmp_path: Path, text: str, suffix: str
) -> None:
    folder = tmp_path / "lib"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    write(folder, f"item{suffix}", text)
    library = load_library(folder)
    assert all(str(p).startswith(str(folder / f"item{suffix}")) for p in library.problems)
    assert library.items or library.problems
