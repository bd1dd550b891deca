"""Load a playbook from YAML, turning every problem into a located, readable message."""

from __future__ import annotations

import codecs
import copy
import hashlib
import itertools
import os
import re
import stat
import types
import typing
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from hearthkeeper.playbook.base import AS_STORED, OVER_LIMIT, STORED_PASSES
from hearthkeeper.playbook.checks import CarrierKinds, GroupsOf, check_carriers, check_playbook
from hearthkeeper.playbook.model import Playbook
from hearthkeeper.playbook.starts import start_warnings
from hearthkeeper.playbook.suggest import did_you_mean
from hearthkeeper.playbook.yamlsource import Position, Source, YamlProblem, read_yaml
from hearthkeeper.text.controls import quoted, shown_input

Loc = tuple[str | int, ...]

KiB = 1024
# The most a playbook may be, in bytes of UTF-8, wherever it comes from (a file, the REST API,
# the console): the four templates are 11-14 KiB; long texts belong in content libraries. A
# playbook is parsed, validated and stored (twice, as text and as JSON) with each version.
MAX_PLAYBOOK_BYTES = 256 * KiB
# The most of a playbook file read: a larger one is refused by its size alone, neither read to
# its end nor parsed (a YAML file's every value is built before any is checked: 18 MB of short
# list items took 15 s and 1 GB; `/dev/zero` was read until the machine ran out of memory).
# Up to it, the texts that make a file too large are located beside its size.
MAX_READ_BYTES = 4 * MAX_PLAYBOOK_BYTES


class Severity(StrEnum):
    """An error stops a playbook from being used; a warning is said and the playbook runs."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a playbook, and where."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_warning(self) -> bool:
        """Whether this is only a warning (the playbook is still valid)."""
        return self.severity is Severity.WARNING

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: {self.path or '(document)'}"
        return (
            f"{where}: warning: {self.message}" if self.is_warning else f"{where}: {self.message}"
        )


class PlaybookError(Exception):
    """A playbook that cannot be used; `problems` says what and where. `warnings`: what is
    allowed but probably not meant, found in the same run (said beside the errors by
    `validate_file`, so fixing the errors brings no second batch)."""

    def __init__(self, problems: list[Problem], warnings: tuple[Problem, ...] = ()) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        self.warnings = warnings


class FileTooLarge(PlaybookError):
    """A playbook file over `MAX_READ_BYTES`, refused by its size alone, unread. `regular`: a
    file of a known size, which `file_digest` can tell from a stored version (a pipe or a
    device is not read further)."""

    def __init__(self, problems: list[Problem], *, regular: bool) -> None:
        super().__init__(problems)
        self.regular = regular


@dataclass(frozen=True)
class LoadedPlaybook:
    """A valid playbook with the text it was read from, and its warnings (located).
    Read as stored (`parse_playbook(as_stored=True)`), what it passes that a new version may
    not, located, as warnings: `over_limit`, the bounds it passes over (a text's length, the
    playbook's size); `refused_since`, what checks added since its fields were released
    refuse (`base.REFUSED_SINCE`: a keyword joined by a Chinese comma, say)."""

    playbook: Playbook
    source_text: str
    file: str
    warnings: tuple[Problem, ...] = ()
    over_limit: tuple[Problem, ...] = ()
    refused_since: tuple[Problem, ...] = ()

    @property
    def passed(self) -> tuple[Problem, ...]:
        """Everything a stored version passes that a new version may not, as errors, in order."""
        both = sorted([*self.over_limit, *self.refused_since], key=_place)
        return tuple(replace(p, severity=Severity.ERROR) for p in both)


def format_path(loc: Loc) -> str:
    """`("rules", "ladder", 1, "do")` → `rules.ladder[1].do`."""
    out = ""
    for part in loc:
        key = shown_input(part)  # a key of a thousand characters is named by its start
        out += f"[{part}]" if isinstance(part, int) else (f".{key}" if out else key)
    return out


def parse_playbook(
    text: str,
    file: str = "<playbook>",
    *,
    carriers: CarrierKinds | None = None,
    now: datetime | None = None,
    as_stored: bool = False,
    groups: GroupsOf | None = None,
) -> LoadedPlaybook:
    """Validate playbook text; raise `PlaybookError` listing every problem found. With
    `carriers`, a carrier the playbook names that cannot run here is a located warning; with
    `now` (aware), so is a one-off activity that starts before it; with `groups`, the names
    the community's groups have are known (a post naming one is not a slip).

    `as_stored`: the text is a version already stored, perhaps by an earlier release that had
    no bound on a text's length or the playbook's size, or no check a later release added to a
    field (`base.REFUSED_SINCE`): it is read as it was accepted, and the bounds it passes over
    are `LoadedPlaybook.over_limit`, what those checks refuse `LoadedPlaybook.refused_since`,
    warnings, not errors. A playbook being written (validated, applied, uploaded) passes them."""
    size = _too_large(file, text)
    known = _Known(groups)
    try:
        source = read_yaml(text, bounded=not as_stored)
    except YamlProblem as exc:
        mistake = _problem(file, exc.position, exc.path, exc.message)
        raise PlaybookError([*size, mistake]) from None
    if source.data is None:
        raise PlaybookError([_problem(file, Position(1, 1), (), "the playbook is empty")])
    if not isinstance(source.data, dict):
        raise PlaybookError(
            [
                _problem(
                    file,
                    Position(1, 1),
                    (),
                    "a playbook is a mapping of sections (community:, structure:, rules: ...)",
                )
            ]
        )
    over: list[Problem] = []
    since: list[Problem] = []
    try:
        playbook = Playbook.model_validate(source.data)
    except ValidationError as exc:
        if not as_stored or any(e["type"] not in STORED_PASSES for e in exc.errors()):
            _refuse(file, source, exc, size, carriers, now, known, as_stored=as_stored)
        # only what a stored version passes: read again as it was accepted (its other
        # problems, if any, are said then: a model's own checks do not run while one of its
        # fields is refused)
        for e in exc.errors():
            (over if e["type"] == OVER_LIMIT else since).append(_from_pydantic(file, source, e))
        try:
            playbook = Playbook.model_validate(source.data, context={AS_STORED: True})
        except ValidationError as again:
            _refuse(file, source, again, [], carriers, now, known, as_stored=as_stored)
    errors, refused, warnings = _checked(file, source, playbook, carriers, now, known)
    if as_stored:
        aliased = source.aliased_over
        if aliased is not None:  # the aliases' bound came after it was stored
            size = [*size, _problem(file, aliased.position, aliased.path, aliased.message)]
        over = [replace(p, severity=Severity.WARNING) for p in [*size, *over]]
        since = [replace(p, severity=Severity.WARNING)
                 for p in sorted([*since, *refused], key=_place)]  # fmt: skip
        size = []
    else:
        errors = sorted([*errors, *refused], key=_place)
    if errors or size:
        raise PlaybookError([*size, *errors], warnings)
    return LoadedPlaybook(playbook=playbook, source_text=text, file=file, warnings=warnings,
                          over_limit=tuple(over), refused_since=tuple(since))  # fmt: skip


def _refuse(
    file: str,
    source: Source,
    exc: ValidationError,
    size: list[Problem],
    carriers: CarrierKinds | None,
    now: datetime | None,
    known: _Known,
    *,
    as_stored: bool = False,
) -> typing.NoReturn:
    """Raise the `PlaybookError` of a playbook the schema refused: every error located, and
    what the checks across sections find in the rest (`_checked_without`). `as_stored`: what a
    stored version passes is a warning beside the errors that refuse it."""
    problems = [_from_pydantic(file, source, error) for error in exc.errors()
                if not as_stored or error["type"] not in STORED_PASSES]  # fmt: skip
    passed = [replace(_from_pydantic(file, source, error), severity=Severity.WARNING)
              for error in exc.errors() if as_stored and error["type"] in STORED_PASSES]  # fmt: skip
    later, refused, warnings = _checked_without(file, source, exc.errors(), carriers, now, known)
    if as_stored:
        passed += [replace(p, severity=Severity.WARNING) for p in refused]
    else:
        later = [*later, *refused]
    located = sorted(_dedupe([*problems, *later]), key=_place)
    raise PlaybookError(
        [*size, *located], tuple(sorted([*passed, *warnings], key=_place))
    ) from None


def _checked(
    file: str,
    source: Source,
    playbook: Playbook,
    carriers: CarrierKinds | None,
    now: datetime | None,
    known: _Known,
    keep: typing.Callable[[Loc], bool] = lambda loc: True,
) -> tuple[list[Problem], list[Problem], tuple[Problem, ...]]:
    """The checks across sections of a schema-valid playbook, located: its errors, what the
    checks added since its fields were released refuse (`Checked.refused_since`, errors too
    until the caller says otherwise), and its warnings (those whose place `keep` accepts)."""
    findings, since, warned = check_playbook(playbook, known.of(playbook.community.slug))
    if carriers is not None:
        warned = [*warned, *check_carriers(playbook, carriers)]
    warned = [*warned, *start_warnings(playbook, source.data, now)]
    # a bare number as a text members read (session 30): sent as written, as before
    since = [*since, *_numbers_as_messages(source, playbook)]
    errors = [_from_finding(file, source, loc, msg) for loc, msg in findings if keep(loc)]
    refused = [_from_finding(file, source, loc, msg) for loc, msg in since if keep(loc)]
    warnings = [
        _from_finding(file, source, loc, msg, Severity.WARNING) for loc, msg in warned if keep(loc)
    ]
    return (sorted(errors, key=_place), sorted(refused, key=_place),
            tuple(sorted(warnings, key=_place)))  # fmt: skip


class _Known:
    """The groups' names `groups` gives, asked once per community for all the checks' runs."""

    def __init__(self, groups: GroupsOf | None) -> None:
        self._groups = groups
        self._names: dict[str, Collection[str]] = {}

    def of(self, slug: str) -> Collection[str] | None:
        """The names of the groups of community `slug` (None: not known here)."""
        if self._groups is None:
            return None
        if slug not in self._names:
            self._names[slug] = self._groups(slug)
        return self._names[slug]


def _place(problem: Problem) -> tuple[int, int]:
    return problem.line, problem.column


# Findings elsewhere that a field's value decides: left unsaid when that field is refused (a
# refused `community.founded` leaves the anniversary without a day, which is not the mistake)
_DERIVED: dict[Loc, tuple[Loc, ...]] = {
    ("community", "founded"): (("calendar", "rituals", "anniversary"),),
}


def _checked_without(
    file: str,
    source: Source,
    errors: list[ErrorDetails],
    carriers: CarrierKinds | None,
    now: datetime | None,
    known: _Known,
) -> tuple[list[Problem], list[Problem], tuple[Problem, ...]]:
    """The checks across sections, run on the playbook without the fields the schema refused
    (so an operator sees a wrong role name beside a mistyped number, not after fixing it).
    Feasible only when each refused field can simply be left out (an unknown field, or a
    single value with a default) or is a required field of a few possible values (a kind, a
    yes/no): the checks then run once with each value it could hold, and only what they find
    whatever the value is said. Nothing is checked when another required field (a name, a
    number) or a whole section would go. A finding beside a left-out value is not said: it may
    come from the default."""
    pruned = copy.deepcopy(source.data)
    near: list[Loc] = []
    removed: set[Loc] = set()
    choices: list[tuple[dict[str | int, Any], str | int, tuple[Any, ...]]] = []
    for error in errors:
        loc = _input_path(source.data, tuple(error["loc"]))
        if loc in removed:
            continue
        removed.add(loc)
        parent = _at(pruned, loc[:-1]) if loc else None
        if not isinstance(parent, dict):
            return [], [], ()
        if error["type"] == "extra_forbidden":  # an unknown field meant nothing anyway
            if loc[-1] not in parent:
                return [], [], ()
            del parent[loc[-1]]
            continue
        info = _field_info(Playbook, loc)
        if info is None:
            return [], [], ()
        if info.is_required():  # left out, the playbook would not be read at all
            values = _every_value(info.annotation)
            if not values:
                return [], [], ()
            choices.append((parent, loc[-1], values))
            near.append(loc[:-1])
            near.extend(_DERIVED.get(loc, ()))
            continue
        if loc[-1] not in parent or isinstance(parent[loc[-1]], dict | list):
            return [], [], ()
        near.append(loc[:-1])
        near.extend(_DERIVED.get(loc, ()))
        del parent[loc[-1]]
    runs = list(itertools.product(*(values for _, _, values in choices)))
    if len(runs) > _MOST_RUNS:
        return [], [], ()
    found: list[tuple[list[Problem], list[Problem], tuple[Problem, ...]]] = []
    for run in runs:
        for (parent, key, _), value in zip(choices, run, strict=True):
            parent[key] = value
        try:
            playbook = Playbook.model_validate(pruned)
        except ValidationError:
            return [], [], ()
        found.append(_checked(file, source, playbook, carriers, now, known,
                              lambda loc: not any(loc[: len(n)] == n for n in near)))  # fmt: skip
    first_errors, first_refused, first_warnings = found[0]
    return (
        [p for p in first_errors if all(p in errs for errs, _, _ in found)],
        [p for p in first_refused if all(p in refused for _, refused, _ in found)],
        tuple(p for p in first_warnings if all(p in warned for _, _, warned in found)),
    )


# The most runs of the checks across sections, one for each combination of the values the
# refused required fields could hold (a kind has up to about ten)
_MOST_RUNS = 64


def _field_info(model: type[BaseModel], loc: Loc) -> FieldInfo | None:
    """The model's field at `loc` (named as the YAML names it); None: not a field."""
    if not loc or not isinstance(loc[-1], str):
        return None
    annotation: Any = model
    for part in loc[:-1]:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    target = _model_in(annotation)
    if target is None:
        return None
    for name, info in target.model_fields.items():
        if loc[-1] in (name, info.alias):
            return info
    return None


def _every_value(annotation: Any) -> tuple[Any, ...]:
    """Every value a field of this type can hold, when they are few (a kind, a yes/no);
    otherwise none."""
    if annotation is bool:
        return (True, False)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(member.value for member in annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _every_value(typing.get_args(annotation)[0])
    return ()


# The fields holding a message members read (a welcome, a rule, an answer, a post): a bare
# number there is a slip (`welcome_back: 42`, meant as days perhaps), which YAML would
# otherwise hand over as the text "42"
_MESSAGES = frozenset(
    {"purpose", "description", "welcome", "welcome_back", "texts", "message", "answer", "text"}
)


def _numbers_as_messages(source: Source, playbook: Playbook) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for loc, written in source.numbers.items():
        named = [part for part in loc if isinstance(part, str)]
        if not named or named[-1] not in _MESSAGES or not isinstance(_read(playbook, loc), str):
            continue
        number = shown_input(written)
        found.append((loc, f"{number} is a number, but this is a text members read: "
                           f"write the words (in quotes, '{number}', if the number is the whole "
                           "text)"))  # fmt: skip
    return found


def _read(model: Any, loc: Loc) -> Any:
    """The value at `loc` in a validated playbook (fields named as the YAML names them)."""
    node = model
    for part in loc:
        if isinstance(node, BaseModel) and isinstance(part, str):
            names = {info.alias or name: name for name, info in type(node).model_fields.items()}
            node = getattr(node, names.get(part, part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list | tuple) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        found, data = _child(data, part)
        if not found:
            return None
    return data


def carrier_warnings(loaded: LoadedPlaybook, carriers: CarrierKinds) -> list[Problem]:
    """The located warnings about carriers `loaded` names that cannot run here (see
    `check_carriers`): what `hearth serve` says of a playbook it loads."""
    source = read_yaml(loaded.source_text, bounded=False)  # read already: maybe as stored
    found = [
        _from_finding(loaded.file, source, loc, msg, Severity.WARNING)
        for loc, msg in check_carriers(loaded.playbook, carriers)
    ]
    return sorted(found, key=lambda p: (p.line, p.column))


def _too_large(file: str, text: str) -> list[Problem]:
    """The problem of a playbook over `MAX_PLAYBOOK_BYTES` (said beside the texts that make
    it so, located by validation), or none."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_PLAYBOOK_BYTES:
        return []
    return [_size_problem(file, f"{size:,} bytes")]


def _size_problem(file: str, size: str) -> Problem:
    message = (f"the playbook is {size}; a playbook may be at most "
               f"{MAX_PLAYBOOK_BYTES // KiB} KiB of UTF-8 text: keep long texts in content "
               "libraries (calendar.posts[].content.library)")  # fmt: skip
    return Problem(file, 1, 1, "", message)


def _read_at_most(path: Path, limit: int) -> tuple[bytes, os.stat_result]:
    """At most `limit` bytes of the file at `path`, and what it is. Opened without waiting, so
    a named pipe no program writes to reads as empty instead of waiting for ever; a pipe that is
    written to (`<(…)`) is read as it comes."""
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0))
    with open(fd, "rb", buffering=0) as file:
        if nonblocking:
            os.set_blocking(fd, True)
        kept = bytearray()
        while len(kept) < limit and (chunk := file.read(min(limit - len(kept), 1 << 20))):
            kept += chunk
        return bytes(kept), os.fstat(fd)


def load_playbook(
    path: Path,
    *,
    carriers: CarrierKinds | None = None,
    now: datetime | None = None,
    as_stored: bool = False,
    groups: GroupsOf | None = None,
) -> LoadedPlaybook:
    """Read and validate a playbook file (`carriers`, `now`, `as_stored`, `groups`: see
    `parse_playbook`)."""
    try:
        raw, info = _read_at_most(path, MAX_READ_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PlaybookError(
            [Problem(str(path), 0, 0, "", f"cannot read the file: {reason}")]
        ) from None
    regular = stat.S_ISREG(info.st_mode)
    if len(raw) > MAX_READ_BYTES:
        size = f"{info.st_size:,} bytes" if regular else f"more than {MAX_READ_BYTES:,} bytes"
        raise FileTooLarge([_size_problem(str(path), size)], regular=regular)
    if not raw and not regular:
        raise PlaybookError([Problem(str(path), 0, 0, "", "nothing to read: it is not a file "
                                     "but a pipe or a device that gave nothing; give the "
                                     "playbook's file")])  # fmt: skip
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlaybookError(
            [
                Problem(
                    str(path),
                    line,
                    1,
                    "",
                    "the file is not UTF-8 text: save it as UTF-8",
                )
            ]
        ) from None
    return parse_playbook(text, str(path), carriers=carriers, now=now, as_stored=as_stored,
                          groups=groups)  # fmt: skip


def file_digest(path: Path, most: int) -> str | None:
    """The SHA-256 of the playbook file at `path` as a stored version's is taken (its UTF-8
    text, without a byte-order mark), read a chunk at a time; None when it holds more than
    `most` bytes (it is then not read to its end) or cannot be read."""
    digest = hashlib.sha256()
    read = 0
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                if read == 0 and chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8) :]
                read += len(chunk)
                if read > most:
                    return None
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def validate_file(
    path: Path,
    *,
    carriers: CarrierKinds | None = None,
    now: datetime | None = None,
    groups: GroupsOf | None = None,
) -> list[Problem]:
    """Every problem in a playbook file, errors and warnings (`Problem.is_warning`) together
    in the order of the file; empty when there is nothing to say."""
    try:
        return list(load_playbook(path, carriers=carriers, now=now, groups=groups).warnings)
    except PlaybookError as exc:
        return sorted([*exc.problems, *exc.warnings], key=lambda p: (p.line, p.column))


# --- turning pydantic errors into located problems ---------------------------------------------


def _problem(
    file: str, pos: Position, loc: Loc, message: str, severity: Severity = Severity.ERROR
) -> Problem:
    return Problem(file, pos.line, pos.column, format_path(loc), message, severity)


def _from_finding(
    file: str, source: Source, loc: Loc, message: str, severity: Severity = Severity.ERROR
) -> Problem:
    return _problem(file, source.locate(loc), loc, message, severity)


def _input_path(data: Any, loc: Loc) -> Loc:
    """Keep the parts of a pydantic location that exist in the input (drops union/validator tags)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        found, child = _child(node, part)
        if found:
            node = child
            path.append(part)
        elif index == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _child(node: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(node, dict) and isinstance(part, str) and part in node:
        return True, node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _from_pydantic(file: str, source: Source, error: ErrorDetails) -> Problem:
    loc = _input_path(source.data, tuple(error["loc"]))
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        fields = _fields_at(Playbook, loc[:-1])
        hint = did_you_mean(key, fields) if fields else ""
        where = f"; known here: {', '.join(fields)}" if fields and not hint else ""
        message = f"unknown field {quoted(key)}{hint}{where}"
        return _problem(file, source.locate(loc, key=True), loc, message)
    if kind == "missing":
        return _problem(file, source.locate(loc[:-1]), loc, "required field is missing")
    if kind in ("model_type", "dict_type") and not isinstance(error.get("input"), dict):
        # a dict's own keys are the operator's (role ids…): no fields to list for it
        fields = _fields_at(Playbook, loc) if kind == "model_type" else []
        message = _not_a_section(error.get("input"), fields)
        return _problem(file, source.locate(loc), loc, message)
    message = _message(error)
    if "is not a valid id" in message:  # a role's title, perhaps, where its id is wanted
        message = _role_title(source.data, error.get("input")) or message
    return _problem(file, source.locate(loc), loc, message)


def _not_a_section(value: Any, fields: list[str]) -> str:
    """Where a section (fields under it) is wanted and something else was written: pydantic
    said "Input should be a valid dictionary or instance of Structure" of `structure:` left
    empty, and of `carriers: [webchat]`."""
    if value is None:
        found = "nothing is written under it"
    else:
        shown = repr(_as_written(value))
        found = f"{shown[:60]}… is written" if len(shown) > 60 else f"{shown} is written"
    known = f" ({', '.join(fields)})" if fields else ""
    message = (f"a section is wanted here, what it holds under it, one `name: value` a line"
               f"{known}, but {found}")  # fmt: skip
    if value is None:
        message += ": fill it in, or remove the line to keep its defaults"
    return message


def _role_title(data: Any, value: Any) -> str:
    """When a role is named by its title (`社长`) where its id (`president`) is wanted: the id
    to write (titles are what members read; ids are what the playbook refers to)."""
    structure = data.get("structure") if isinstance(data, dict) else None
    roles = structure.get("roles") if isinstance(structure, dict) else None
    if not isinstance(value, str) or not isinstance(roles, dict):
        return ""
    for role_id, role in roles.items():
        if isinstance(role, dict) and str(role.get("title", "")).strip() == value.strip():
            return (f"{value!r} is the title of role {role_id!r}; roles are named by their id "
                    f"here: write {role_id}")  # fmt: skip
    return ""


# pydantic's words for a number it could not read ("Input should be a valid decimal"), said
# with the value typed and what to write instead
_NUMBERS = {
    "int_parsing": "a whole number (an integer: 40)",
    "int_from_float": "a whole number (an integer: 40)",
    "decimal_parsing": "a number (365 or 99.50)",
    "float_parsing": "a number (0.9)",
}
# pydantic's words for a date or a date and time it could not read ("Input should be a valid
# datetime or date, invalid character in year"), said with the value typed and the form to write
_DATES = {
    "datetime_from_date_parsing": "a date and time: write YYYY-MM-DD HH:MM, e.g. 2026-12-19 19:30",
    "datetime_parsing": "a date and time: write YYYY-MM-DD HH:MM, e.g. 2026-12-19 19:30",
    "datetime_type": "a date and time: write YYYY-MM-DD HH:MM, e.g. 2026-12-19 19:30",
    "date_from_datetime_parsing": "a date: write YYYY-MM-DD, e.g. 2024-03-18",
    "date_parsing": "a date: write YYYY-MM-DD, e.g. 2024-03-18",
    "date_type": "a date: write YYYY-MM-DD, e.g. 2024-03-18",
}
# what people write beside a price: its currency, which the playbook keeps apart
_MONEY = {"元", "块", "圆", "¥", "￥", "$", "£", "€", "rmb", "cny", "usd", "gbp", "eur", "hkd"}
_DIGITS = re.compile(r"[\d.,\s]+")


def _as_written(value: Any) -> Any:
    """`value` with the dates YAML read in it as the operator wrote them (2023-05-04), not as
    Python spells them (datetime.date(2023, 5, 4))."""
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_as_written(each) for each in value]
    return value


def _message(error: ErrorDetails) -> str:
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if error["type"] in _NUMBERS and isinstance(value, str):
        message = f"{quoted(value)} is not {_NUMBERS[error['type']]}"
        if any(c.isdigit() for c in value):
            message += ": write the number alone"
        if _DIGITS.sub("", value).casefold() in _MONEY:
            message += "; the currency is the `currency` field (CNY, GBP…)"
    if error["type"] == "date_from_datetime_inexact":  # a day written with a time of day
        message = (f"{quoted(_as_written(value))} is a date and time: write the day alone, "
                   "YYYY-MM-DD, e.g. 2024-03-18")  # fmt: skip
    if error["type"] in _DATES and not isinstance(value, bool):
        # the reason pydantic gives after its comma ("month value is outside expected range of
        # 1-12") is kept when it says more than that the text did not fit
        why = message.partition(", ")[2]
        message = f"{quoted(_as_written(value))} is not {_DATES[error['type']]}"
        if why and not why.startswith(
            (
                "input is too short",
                "unexpected extra characters",
                "invalid character",
                "invalid date separator",
            )
        ):
            message += f" ({why})"
    if error["type"] == "string_type" and isinstance(value, bool):
        message = (f"YAML reads {str(value).lower()} as yes/no, but a text is wanted here: write "
                   f"the words (in quotes, '{str(value).lower()}', for the word itself)")  # fmt: skip
    if error["type"] == "list_type" and isinstance(value, str):
        parts = [p.strip() for p in re.split(r"[,，、；]", value) if p.strip()]
        message = (f"{quoted(value)} is one text, but a list is wanted here: write it in "
                   f"brackets, [{', '.join(parts)}], or one item a line after '- '")  # fmt: skip
    if error["type"] in ("enum", "literal_error") and isinstance(value, str):
        raw = str(ctx.get("expected", "")).replace(" or ", ",").split(",")
        expected = [e.strip(" '") for e in raw if e.strip(" '")]
        message = f"{quoted(value)} is not allowed here{did_you_mean(value, expected)}"
        message += f"; choose one of: {', '.join(expected)}"
    return message


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[int, int, str, str]] = set()
    out = []
    for p in problems:
        key = (p.line, p.column, p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names (as written in YAML) accepted at `loc`, for did-you-mean."""
    annotation: Any = model
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    target = _model_in(annotation)
    if target is None:
        return []
    return [info.alias or name for name, info in target.model_fields.items()]


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None and isinstance(part, str):
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (list, tuple, set) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in args:
            found = _step(arg, part)
            if found is not None:
                return found
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return None
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
