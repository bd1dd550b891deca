"""Content libraries: a folder of Markdown/YAML items, loaded with located problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hearthkeeper.playbook.output import MAX_POST, ContentKind, Order, ScheduledPost

_ITEM_FILES = {".md": "markdown", ".markdown": "markdown", ".yaml": "yaml", ".yml": "yaml"}
_FIELDS = {"kind", "tags", "order", "title", "asset", "url", "text"}
_NEEDS_ASSET = {ContentKind.PICTURE, ContentKind.VIDEO, ContentKind.VOICE, ContentKind.FILE}


@dataclass(frozen=True)
class LibraryProblem:
    """Something wrong in a content folder, where it is and how to fix it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


@dataclass(frozen=True)
class ContentItem:
    """One postable item: its id (file name, `#n` for the n-th item of a YAML list), kind and body."""

    id: str
    title: str
    kind: ContentKind
    text: str = ""
    tags: tuple[str, ...] = ()
    order: int | None = None
    asset: Path | None = None
    url: str | None = None

    @property
    def posted(self) -> str:
        """The text a post of this item says: its text (else its title), and its address when
        the text does not hold it (a carrier without link previews still shows it)."""
        text = self.text or self.title
        return f"{text}\n{self.url}" if self.url and self.url not in text else text


def too_long(item: ContentItem) -> int | None:
    """The length of the item's post when it is longer than a post may be (`MAX_POST`)."""
    return len(item.posted) if len(item.posted) > MAX_POST else None


@dataclass(frozen=True)
class ContentLibrary:
    """A loaded content folder: its usable items in posting order, and what was wrong."""

    folder: Path
    items: tuple[ContentItem, ...] = ()
    problems: tuple[LibraryProblem, ...] = field(default_factory=tuple)
    missing: bool = False


def load_library(folder: Path) -> ContentLibrary:
    """Load every item of a content folder; broken items become problems, never exceptions."""
    if not folder.is_dir():
        problem = LibraryProblem(
            str(folder), 0, "content folder not found: create it and add Markdown or YAML items"
        )
        return ContentLibrary(folder=folder, problems=(problem,), missing=True)
    items: list[tuple[int | None, str, int, ContentItem]] = []
    problems: list[LibraryProblem] = []
    for path in sorted(folder.iterdir()):
        form = _ITEM_FILES.get(path.suffix.lower())
        if form is None or path.name.startswith(".") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(LibraryProblem(str(path), 0, f"cannot read the file: {exc}"))
            continue
        entries = _markdown_entries(path, text) if form == "markdown" else _yaml_entries(path, text)
        for index, entry in enumerate(entries):
            if isinstance(entry, LibraryProblem):
                problems.append(entry)
                continue
            items.append((entry.order, path.name, index, entry))
            length = too_long(entry)
            if (
                length is not None
            ):  # kept in its place: it is held, not skipped, when its turn comes
                problems.append(LibraryProblem(str(path), 0, _too_long_message(entry, length)))
    items.sort(key=lambda row: (row[0] is None, row[0] or 0, row[1], row[2]))
    return ContentLibrary(
        folder=folder, items=tuple(row[3] for row in items), problems=tuple(problems)
    )


_Entry = ContentItem | LibraryProblem


def _markdown_entries(path: Path, text: str) -> list[_Entry]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return [_item(path, path.name, {}, {}, _body(lines), 1)]
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if closing is None:
        return [LibraryProblem(str(path), 1, "front matter opened with '---' is never closed")]
    parsed = _parse_yaml(path, "\n".join(lines[1:closing]), first_line=2, what="front matter: ")
    if isinstance(parsed, LibraryProblem):
        return [parsed]
    node, data = parsed
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        return [LibraryProblem(str(path), 2, "front matter must be a mapping (kind:, tags:, ...)")]
    lines_of = _key_lines(node, offset=2)
    body = _body(lines[closing + 1 :])
    return [_item(path, path.name, data, lines_of, body, 2)]


def _too_long_message(item: ContentItem, length: int) -> str:
    which = "" if "#" not in item.id else f"item {item.id.rsplit('#', 1)[1]}: "
    return (f"{which}the post is {length:,} characters, over the {MAX_POST:,} a post may have; "
            "it is not posted until it is shortened or split into several items")  # fmt: skip


def _body(lines: list[str]) -> str:
    return "\n".join(lines).strip()


def _parse_yaml(path: Path, text: str, *, first_line: int,
                what: str = "") -> tuple[yaml.Node | None, Any] | LibraryProblem:  # fmt: skip
    """`text` (starting at line `first_line` of `path`) as its YAML node and data, or the
    located problem (`what` names the part of the file it is in)."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else 1
        reason = getattr(exc, "problem", None) or "not valid YAML"
        return LibraryProblem(str(path), line, f"{what}{reason}")


def _yaml_entries(path: Path, text: str) -> list[_Entry]:
    parsed = _parse_yaml(path, text, first_line=1)
    if isinstance(parsed, LibraryProblem):
        return [parsed]
    node, data = parsed
    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        return [_item(path, path.name, data, _key_lines(node), "", node.start_mark.line + 1)]
    if isinstance(data, list) and isinstance(node, yaml.SequenceNode):
        out: list[_Entry] = []
        for n, (entry, entry_node) in enumerate(zip(data, node.value, strict=True), 1):
            line = entry_node.start_mark.line + 1
            if not isinstance(entry, dict):
                out.append(
                    LibraryProblem(str(path), line, "an item is a mapping (kind:, text: ...)")
                )
                continue
            out.append(_item(path, f"{path.name}#{n}", entry, _key_lines(entry_node), "", line))
        return out
    return [LibraryProblem(str(path), 1, "a YAML item file holds one item (a mapping) or a list")]


def _key_lines(node: Any, offset: int = 1) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + offset for key, _ in node.value}


def _item(
    path: Path, item_id: str, data: dict[Any, Any], lines: dict[str, int], body: str, line: int
) -> _Entry:
    def problem(key: str, message: str) -> LibraryProblem:
        return LibraryProblem(str(path), lines.get(key, line), f"{key}: {message}")

    unknown = sorted(str(k) for k in data if k not in _FIELDS)
    if unknown:
        return problem(unknown[0], f"unknown field (use {', '.join(sorted(_FIELDS))})")
    raw_kind = data.get("kind", "text")
    try:
        kind = ContentKind(str(raw_kind))
    except ValueError:
        kinds = ", ".join(k.value for k in ContentKind)
        return problem("kind", f"unknown kind {raw_kind!r} (use {kinds})")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return problem("tags", "write a list of words, e.g. [morning, skin]")
    order = data.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        return problem("order", f"{order!r} is not a whole number")
    text = str(data.get("text", body) or "").strip()
    asset: Path | None = None
    if kind in _NEEDS_ASSET:
        if not data.get("asset"):
            return problem("kind", f"a {kind.value} item needs `asset:` (a file in the folder)")
        written = Path(str(data["asset"]))
        if written.is_absolute() or ".." in written.parts:
            # carriers post the file to members: nothing outside the content folder
            return problem("asset", f"file {data['asset']!r} is outside the content folder; "
                           f"put it next to {path.name}")  # fmt: skip
        asset = path.parent / written
        if not asset.is_file():
            return problem("asset", f"file {data['asset']!r} not found next to {path.name}")
    url = data.get("url")
    if kind is ContentKind.LINK and not url:
        return problem("kind", "a link item needs `url:`")
    if kind is ContentKind.TEXT and not text:
        return LibraryProblem(str(path), line, "a text item has no text")
    title = str(data.get("title") or _heading(text) or path.stem)
    return ContentItem(item_id, title, kind, text, tuple(tags), order, asset, url and str(url))


def _heading(text: str) -> str | None:
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    return first.lstrip("#").strip() or None if first.startswith("#") else None


def with_tags(items: Sequence[ContentItem], tags: Sequence[str]) -> list[ContentItem]:
    """The items that carry every one of `tags` (all items when `tags` is empty)."""
    return [item for item in items if all(tag in item.tags for tag in tags)]


def next_item(
    items: Sequence[ContentItem], posted_ids: Sequence[str], order: Order
) -> ContentItem | None:
    """The item to post next; `posted_ids` in posting order. None: a `next` library ran out."""
    posted = set(posted_ids)
    if order is Order.ROTATION and items:
        ids = [item.id for item in items]
        last = next((i for i in reversed(posted_ids) if i in ids), None)
        return items[0] if last is None else items[(ids.index(last) + 1) % len(items)]
    return next((item for item in items if item.id not in posted), None)


def posts_with_files(posts: Sequence[ScheduledPost], root: Path) -> dict[str, frozenset[str]]:
    """The posts whose content folder (relative to `root`, the playbook's folder) holds
    pictures, videos, voice or files, by id, with the kinds it holds: a carrier that does not
    send a kind posts those items' text or title only (`hearth playbook show` names them as
    a gap for such a carrier)."""
    found: dict[str, frozenset[str]] = {}
    for post in posts:
        if post.content is None or post.content.library is None:
            continue
        items = with_tags(load_library(root / post.content.library).items, post.content.tags)
        kinds = frozenset(item.kind.value for item in items if item.kind in _NEEDS_ASSET)
        if kinds:
            found[post.id] = kinds
    return found
