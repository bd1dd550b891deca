"""Reading YAML while remembering where every value came from, so errors can say file:line:col."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from hearthkeeper.text.controls import quoted

Path = tuple[str | int, ...]


class _Loader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """YAML close to 1.2, for people: `20:00`, `+1`, `on` and `no` stay text, not numbers or booleans."""


_Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:-?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN\0"),
    ("tag:yaml.org,2002:merge", r"^<<$", "<"),
    ("tag:yaml.org,2002:timestamp", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "0123456789"),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))
# An empty plain scalar resolves through the "" key.
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])


class WrittenInt(int):
    """A whole number written otherwise than Python prints it (`007`, `0x1F`): where a text
    is wanted (a keyword, a name) it reads as written, not as `7` or `31`."""

    written: str

    def __str__(self) -> str:
        return self.written


class WrittenFloat(float):
    """A number written otherwise than Python prints it (`+1`, `1.10`, `1e3`): where a text
    is wanted (the sign-up keyword `+1`) it reads as written, not as `1.0`."""

    written: str

    def __str__(self) -> str:
        return self.written


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """Integers as YAML 1.2 reads them: `08` is eight (YAML 1.1 would try octal and fail)."""
    text = str(loader.construct_scalar(node))
    try:
        if text.startswith(("0o", "0x")):
            value = int(text[2:], 8 if text[1] == "o" else 16)
        else:
            value = int(text, 10)
    except ValueError:  # `!!int foo`: located like every other YAML mistake
        digits = text.lstrip("+-").replace("_", "")
        said = (f"{quoted(text)} is a number of {len(digits):,} digits, larger than any here"
                if digits.isdigit() else f"{quoted(text)} is not a whole number")  # fmt: skip
        raise yaml.constructor.ConstructorError(None, None, said, node.start_mark) from None
    if str(value) == text:
        return value
    written = WrittenInt(value)
    written.written = text
    return written


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    value = float(yaml.SafeLoader.construct_yaml_float(loader, node))
    text = str(loader.construct_scalar(node))
    if str(value) == text or not math.isfinite(value):
        return value
    written = WrittenFloat(value)
    written.written = text
    return written


def _construct_date(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """A date (`2024-03-18`); one that does not exist (`2025-02-30`) stays the text written,
    so the field it is given to says, located, what is wrong with it (PyYAML raised, and
    `hearth playbook validate` reported a bug in Hearthkeeper)."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


@dataclass(frozen=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class Source:
    """A parsed YAML document with the position of every key and value."""

    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    # Each value YAML read as a number (written without quotes), as written
    numbers: dict[Path, str] = field(default_factory=dict)
    # Read unbounded (a version already stored): where aliases first repeat more than
    # `MAX_ALIASED_CHARS`, the problem a playbook being written would be refused with
    aliased_over: YamlProblem | None = None

    def locate(self, path: Path, *, key: bool = False) -> Position:
        """The position of `path`, or of its nearest ancestor that exists in the file."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return Position(1, 1)


class YamlProblem(Exception):
    """A YAML syntax or structure problem with its position."""

    def __init__(self, position: Position, path: Path, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.path = path
        self.message = message


def _unreadable(text: str, exc: yaml.reader.ReaderError) -> YamlProblem:
    before = text[: exc.position]
    position = Position(before.count("\n") + 1, len(before) - before.rfind("\n"))
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return YamlProblem(position, (), f"character U+{char:04X} is not allowed in YAML: remove it")


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def read_yaml(text: str, *, bounded: bool = True) -> Source:
    """Parse one YAML document; raise `YamlProblem` for syntax errors and duplicate keys.
    Not `bounded` (a version stored before the aliases' bound): aliases repeating more than
    `MAX_ALIASED_CHARS` are read, the place kept as `Source.aliased_over`."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _unreadable(text, exc) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return Source(data=None)
        source = Source(data=None)
        _walk(node, (), source, _Tally(bounded=bounded), repeated=False)
        source.data = _string_keys(loader.construct_document(node))
        return source
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        if "cannot start any token" in message and "\t" in text:
            message += " (indent with spaces: YAML does not allow tabs there)"
        if "alias" in message:
            message += " (a value starting with * or & must be quoted, e.g. cron '*/5 * * * *')"
        if "invalid Unicode character escape code" in message and _SURROGATE.search(text):
            # what json.dumps writes for an emoji: YAML reads \U0001F600, not a UTF-16 pair
            message += (" (a character such as an emoji is written as itself, or as \\U0001F600:"
                        " the pair \\ud83d\\ude00 that JSON writes for it is not read)")  # fmt: skip
        if "expected a single document" in message:
            message = "the file holds more than one YAML document (---); a playbook is one"
        wide = _wide_punctuation(text, mark.line if mark else 0)
        if wide is not None:
            position, hint = wide
            message += f" ({hint})"
        raise YamlProblem(position, (), f"YAML syntax: {message}") from None
    except yaml.reader.ReaderError as exc:
        raise _unreadable(text, exc) from None
    except RecursionError:
        raise YamlProblem(Position(1, 1), (), "the document is nested too deeply") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Position(1, 1), (), f"YAML: {exc}") from None
    finally:
        loader.dispose()


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# What a Chinese input method types instead of YAML's own marks: a full-width colon after a
# key (`name：茶友会`) and a full-width space in the indentation
_WIDE_COLON = re.compile(r"^[ ]*(?:-[ ]+)?([^\s:#'\"{\[][^:#]*?)[ ]*：")
_WIDE_INDENT = re.compile(r"^[ ]*\u3000")


def _wide_punctuation(text: str, line: int) -> tuple[Position, str] | None:
    """Where a YAML syntax error at (0-based) `line` comes from a full-width colon after a key
    or a full-width space in the indentation, on that line or the two before it (YAML often
    notices on the next line), and what to write instead."""
    lines = text.splitlines()
    for at in (line, line - 1, line - 2):
        if not 0 <= at < len(lines):
            continue
        written = lines[at]
        indent = _WIDE_INDENT.match(written)
        # as wide as two spaces on screen, typed for one or for two
        if indent is not None and any(_fixed_by(lines, at, written.replace("\u3000", spaces), line)
                                      for spaces in ("  ", " ")):  # fmt: skip
            return Position(at + 1, indent.end()), (
                f"line {at + 1} is indented with a full-width space '\u3000' (U+3000): "
                "indent with ASCII spaces"
            )
        colon = _WIDE_COLON.match(written)
        if colon is not None and _fixed_by(lines, at, written.replace("：", ": ", 1), line):
            key = colon.group(1)
            return Position(at + 1, colon.end()), (
                f"line {at + 1} has a full-width colon '：' after {key!r}: a key is followed "
                f"by an ASCII colon and a space, '{key}: …'"
            )
    return None


def _fixed_by(lines: list[str], at: int, instead: str, failed: int) -> bool:
    """Whether writing `instead` on (0-based) line `at` gets the parser past the line it failed
    on: a full-width colon inside a text (`- 违规处理：第一次警告`) is no cause of the error."""
    text = "\n".join([*lines[:at], instead, *lines[at + 1 :]])
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and mark.line > failed
    except (yaml.YAMLError, RecursionError):
        return False
    return True


MAX_NODES = 100_000
# The most characters aliases may add to a document's values (each `*name` repeats its anchor's
# value; counted for every repetition): as many as a playbook may have bytes (256 KiB), so a
# playbook that uses no alias never meets it. 30,000 aliases of one 8,000-character text in a
# 240 KiB file made 240 MB of values, stored as JSON with every version applied.
MAX_ALIASED_CHARS = 256 * 1024
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


@dataclass
class _Tally:
    """What `_walk` has met so far: values (aliases included), the nodes already walked (a
    node met again is an alias), and the characters aliases added."""

    values: int = 0
    walked: set[int] = field(default_factory=set)
    aliased_chars: int = 0
    bounded: bool = True


def _string_keys(data: Any) -> Any:
    """YAML allows `1:` or `true:` as keys; a playbook's keys are names, so make them strings."""
    if isinstance(data, dict):
        return {str(k): _string_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_string_keys(v) for v in data]
    return data


def _walk(node: yaml.Node, path: Path, source: Source, tally: _Tally, *, repeated: bool) -> None:
    tally.values += 1
    if tally.values > MAX_NODES:
        raise YamlProblem(
            _pos(node), path, f"the document has more than {MAX_NODES} values (aliases included)"
        )
    repeated = repeated or id(node) in tally.walked
    tally.walked.add(id(node))
    source.values[path] = _pos(node)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in seen:
                first = seen[key]
                raise YamlProblem(
                    _pos(key_node),
                    (*path, key),
                    f"duplicate key {quoted(key)} (first at line {first.line}); keep only one",
                )
            seen[key] = _pos(key_node)
            source.keys[(*path, key)] = _pos(key_node)
            _walk(value_node, (*path, key), source, tally, repeated=repeated)
    elif isinstance(node, yaml.ScalarNode):
        if repeated:
            tally.aliased_chars += len(str(node.value))
            if tally.aliased_chars > MAX_ALIASED_CHARS and source.aliased_over is None:
                over = YamlProblem(
                    _pos(node),
                    path,
                    f"aliases (*name) repeat more than {MAX_ALIASED_CHARS:,} characters by "
                    "here; written out, a playbook may be at most 256 KiB: repeat a long text "
                    "fewer times",
                )
                if tally.bounded:
                    raise over
                source.aliased_over = over
        if not node.style and node.tag in _NUMBERS:
            source.numbers[path] = str(node.value)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), source, tally, repeated=repeated)
