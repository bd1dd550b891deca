"""Applying a playbook: store it as the next version of its community, and say what changed."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.playbook import LoadedPlaybook, Playbook, PlaybookError, Problem, parse_playbook
from hearthkeeper.playbook.checks import GroupsOf
from hearthkeeper.playbook.diff import Change, diff_content, playbook_content
from hearthkeeper.store import Community, PlaybookVersion, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    """The outcome of `apply_playbook`."""

    community: Community
    version: PlaybookVersion
    previous: PlaybookVersion | None
    changes: list[Change]
    unchanged: bool
    # what the change does to members (a plan they hold dropped, their open strikes re-dated)
    warnings: tuple[str, ...] = ()


def apply_playbook(
    store: Store, loaded: LoadedPlaybook, actor: str, *, now: datetime | None = None
) -> Applied:
    """Store `loaded` as a new version (in one transaction) unless identical to the latest.
    With `now`, its warnings name the events still ahead that the change leaves behind."""
    pb = loaded.playbook
    content = playbook_content(pb)
    digest = hashlib.sha256(loaded.source_text.encode("utf-8")).hexdigest()
    with store.transaction() as tx:
        community = tx.ensure_community(pb.community.slug, pb.community.name)
        # Two applies at once take turns from here: each compares with what the other stored
        # (the same file is stored once; the second's diff is against the first's version).
        tx.lock_community(community.id)
        previous = tx.latest_playbook_version(community.id)
        if previous is not None and previous.sha256 == digest:
            return Applied(community, previous, previous, [], unchanged=True)
        changes = diff_content(previous.content, content) if previous is not None else []
        version = tx.add_playbook_version(
            community.id, loaded.source_text, content, applied_by=actor
        )
        tx.audit(
            actor,
            "playbook.apply",
            community_id=community.id,
            target=f"playbook v{version.version}",
            detail={"file": loaded.file, "changes": len(changes), "sha256": digest},
        )
        warnings: list[str] = []
        if previous is not None:
            from hearthkeeper.capabilities.billing.dropped import dropped_plans
            from hearthkeeper.capabilities.moderation.expiry import expiry_changed

            warnings = dropped_plans(tx, community.id, previous.content, pb)
            # open strikes follow a changed strike_expiry (`moderation/expiry.py`)
            warnings += expiry_changed(tx, community.id, previous.content, pb, now, write=True)
            if now is not None:
                from hearthkeeper.capabilities.activities.left import left_behind

                warnings += left_behind(tx, community.id, pb, now)
    return Applied(community, version, previous, changes, unchanged=False,
                   warnings=tuple(warnings))  # fmt: skip


def stored_group_names(store: Store) -> GroupsOf:
    """The names of a community's groups as `store` keeps them, by its slug (none for a
    community not stored yet): what the checks of a playbook being applied know of them."""

    def names(slug: str) -> list[str]:
        community = store.get_community(slug)
        return [] if community is None else [g.name for g in store.list_groups(community.id)]

    return names


def community_playbook(store: Store, community_id: int) -> Playbook | None:
    """The playbook the community runs now (None: none applied, or it no longer parses: then
    a warning says which version, why and what to do, once per process)."""
    version = store.latest_playbook_version(community_id)
    if version is None:
        return None
    found = stored_playbook(version.source_text, version.version)
    if found is None:
        slug = next((c.slug for c in store.list_communities() if c.id == community_id),
                    str(community_id))  # fmt: skip
        _say_unreadable(slug, version.version, version.source_text)
    return found


@functools.lru_cache(maxsize=32)
def _say_unreadable(slug: str, version: int, source_text: str) -> None:
    log.warning("%s", unreadable_note(slug, version, source_text))


def unreadable_note(slug: str, version: int, source_text: str) -> str:
    """What to say of a stored version this release cannot read (a check added since it was
    applied refuses it): which, why, and that what reads the playbook goes without it."""
    try:
        parse_playbook(source_text, as_stored=True)
        why = ""
    except PlaybookError as exc:
        first = exc.problems[0]
        why = f" ({first.path}: {first.message})" if first.path else f" ({first.message})"
    return (f"community {slug!r} runs stored playbook version {version}, which this release "
            f"cannot read{why}: what reads its playbook goes without it (hearth serve refuses "
            "to start); fix the playbook file and apply it (`hearth apply FILE`)")  # fmt: skip


@functools.lru_cache(maxsize=32)
def stored_playbook(source_text: str, version: int) -> Playbook | None:
    """A stored version parsed once (the report's money figures and the console's pages ask
    for every community's playbook on each load), as it was accepted: a bound it passes over,
    added by a later release, is logged as a warning (`over_limit_note`), once per process."""
    loaded = _read_stored(source_text)
    if loaded is None:
        return None
    for note in stored_notes(loaded.playbook.community.slug, version, loaded):
        log.warning("%s", note)
    return loaded.playbook


def stored_over_limit(source_text: str) -> tuple[Problem, ...]:
    """The bounds a stored version passes over, located in its text (none: it keeps within
    them, or it no longer parses)."""
    loaded = _read_stored(source_text)
    return () if loaded is None else loaded.over_limit


def stored_refused_since(source_text: str) -> tuple[Problem, ...]:
    """What checks added since a stored version was applied refuse in it, located in its text
    (none: nothing, or it no longer parses)."""
    loaded = _read_stored(source_text)
    return () if loaded is None else loaded.refused_since


@functools.lru_cache(maxsize=32)
def _read_stored(source_text: str) -> LoadedPlaybook | None:
    try:
        return parse_playbook(source_text, as_stored=True)
    except PlaybookError:
        return None


NOTES_IN_FULL = 3  # bounds said in full; the rest named in one line (every command says them)
NAMED_AFTER = 10  # the fields that one line names, by path and line


def stored_notes(slug: str, version: int, loaded: LoadedPlaybook, file: str = "",
                 command: str = "") -> list[str]:  # fmt: skip
    """What to say of a stored version that passes what a new version may not: the bounds it
    passes over (`over_limit_notes`), then what checks added since refuse in it
    (`refused_since_notes`)."""
    return [*over_limit_notes(slug, version, loaded.over_limit, file, command),
            *refused_since_notes(slug, version, loaded.refused_since, file, command)]  # fmt: skip


def over_limit_notes(slug: str, version: int, problems: Sequence[Problem], file: str = "",
                     command: str = "") -> list[str]:  # fmt: skip
    """What to say of the bounds a stored version passes over (`over_limit_note`): the first
    `NOTES_IN_FULL` in full, then one line naming the others (a version with sixty texts over
    printed sixty paragraphs before every command's output)."""
    notes = [over_limit_note(slug, version, p, file, command) for p in problems[:NOTES_IN_FULL]]
    return notes + _the_rest(problems, f"playbook version {version} of community {slug!r} "
                             "passes over {count} more limits this release sets")  # fmt: skip


def refused_since_notes(slug: str, version: int, problems: Sequence[Problem], file: str = "",
                        command: str = "") -> list[str]:  # fmt: skip
    """What to say of what checks added since a stored version was applied refuse in it
    (`refused_since_note`): the first `NOTES_IN_FULL` in full, then one line naming the others."""
    notes = [refused_since_note(slug, version, p, file, command)
             for p in problems[:NOTES_IN_FULL]]  # fmt: skip
    return notes + _the_rest(problems, f"playbook version {version} of community {slug!r} "
                             "holds {count} more values this release refuses in a new "
                             "version")  # fmt: skip


def _the_rest(problems: Sequence[Problem], head: str) -> list[str]:
    """One line naming the problems after the first `NOTES_IN_FULL` (none: there are no more);
    `head` says how many with `{count}`."""
    rest = problems[NOTES_IN_FULL:]
    if not rest:
        return []
    named = ", ".join(f"{p.path or 'the playbook'} (line {p.line})" for p in rest[:NAMED_AFTER])
    more = f" and {len(rest) - NAMED_AFTER} more" if len(rest) > NAMED_AFTER else ""
    return [f"{head.format(count=len(rest))}, the same way: {named}{more}; `hearth playbook "
            "validate` on its file lists each"]  # fmt: skip


def over_limit_note(
    slug: str, version: int, problem: Problem, file: str = "", command: str = ""
) -> str:
    """What to say of a stored version that passes over a bound added since it was applied
    (`problem`, located in the version's text): it runs as it was accepted, and a fixed file
    is to be applied (`file`: the community's playbook file, when known; `command`: the
    command applying it)."""
    where = f"its {problem.path}" if problem.path else "the playbook"  # not "its the playbook"
    command = command or f"hearth apply {file}"
    fix = f"fix {file} and apply it (`{command}`)" if file else "apply a fixed file"
    return (f"community {slug!r} runs playbook version {version} as it was stored, but "
            f"{where} is over a limit this release sets (line {problem.line}): "
            f"{problem.message}. Nothing is lost and it keeps running; {fix}: a new version "
            "is refused until it keeps within the limit")  # fmt: skip


def refused_since_note(
    slug: str, version: int, problem: Problem, file: str = "", command: str = ""
) -> str:
    """What to say of a stored version holding a value a check added since it was applied
    refuses (`problem`, located in the version's text; `base.REFUSED_SINCE`): it runs as it
    was accepted, doing what it did before the upgrade, and a fixed file is to be applied."""
    command = command or f"hearth apply {file}"
    fix = f"fix {file} and apply it (`{command}`)" if file else "apply a fixed file"
    return (f"community {slug!r} runs playbook version {version} as it was stored, but its "
            f"{problem.path} holds what this release refuses in a new version (line "
            f"{problem.line}): {problem.message}. It keeps running as it was accepted, doing "
            f"what it did before this release; {fix}: a new version is refused until this is "
            "fixed")  # fmt: skip
