"""Applying a playbook posted to the REST API: read the body, validate, apply, say what changed.

Nothing is stored unless the text is a valid playbook for this very community; the answer is
then the new version and its field-level changes from the version before.
"""

from __future__ import annotations

import json
from typing import Any, Final

from fastapi import Request

from hearthkeeper.apply import stored_group_names
from hearthkeeper.capabilities.activities.left import left_behind
from hearthkeeper.capabilities.billing.dropped import dropped_plans
from hearthkeeper.capabilities.moderation.expiry import expiry_changed
from hearthkeeper.playbook import LoadedPlaybook, PlaybookError, Problem, parse_playbook
from hearthkeeper.playbook.diff import diff_content, playbook_content
from hearthkeeper.playbook.loader import MAX_PLAYBOOK_BYTES, KiB
from hearthkeeper.store import Community, StoreError
from hearthkeeper.web.api_models import (
    AppliedOut,
    ChangeOut,
    PlaybookIn,
    PlaybookInvalidOut,
    ProblemOut,
)
from hearthkeeper.web.context import Web

POSTED: Final = "<posted playbook>"
YAML_TYPES: Final = frozenset(
    {"text/yaml", "application/yaml", "application/x-yaml", "text/x-yaml", "text/plain", ""}
)
JSON_TYPE: Final = "application/json"
# A playbook is parsed, validated and diffed on the request, so its size is bounded (the same
# bound as any playbook's, `playbook/loader.py`): a larger body is refused before it is read.
# JSON writes a Chinese character as \uXXXX (6 bytes for 3 in UTF-8): room for the envelope.
MAX_BODY_BYTES: Final = 4 * MAX_PLAYBOOK_BYTES
Answer = tuple[int, dict[str, Any]]

# The request body the OpenAPI document shows: the YAML itself, or JSON {"source": ...}.
PLAYBOOK_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/yaml": {"schema": {"type": "string"}},
            JSON_TYPE: {"schema": PlaybookIn.model_json_schema()},
        },
    },
}


def too_large(size: int | None = None) -> Answer:
    """The 413 answer for a playbook over the limit (`size` in bytes when known)."""
    what = f"The playbook is {size:,} bytes" if size is not None else "The body is too large"
    return 413, {
        "detail": f"{what}; a playbook may be at most {MAX_PLAYBOOK_BYTES // KiB} KiB of UTF-8 "
        "text. Nothing was applied. Keep long texts in content libraries "
        "(calendar.posts[].content.library) rather than in the playbook itself."
    }


async def read_body(request: Request) -> bytes | Answer:
    """The request body, read no further than the limit: bytes, or the 413 answer."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return too_large()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return too_large()
    return bytes(body)


def apply_body(web: Web, community: Community, content_type: str, body: bytes, by: str) -> Answer:
    """Apply the posted body as `community`'s next playbook: (HTTP status, JSON answer)."""
    text = _source(content_type, body)
    if isinstance(text, tuple):
        return text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_PLAYBOOK_BYTES:
        return too_large(size)
    try:
        loaded = parse_playbook(text, POSTED, now=web.clock.now(),
                                groups=stored_group_names(web.store))  # fmt: skip
    except PlaybookError as exc:
        return _invalid(exc)
    wanted = loaded.playbook.community.slug
    if wanted != community.slug:
        return 409, {
            "detail": f"This playbook is for community {wanted!r} (its community.slug), not "
            f"{community.slug!r}: post it to /api/v1/communities/{wanted}/playbook, or correct "
            "community.slug."
        }
    return _apply(web, community, loaded, by)


def _apply(web: Web, community: Community, loaded: LoadedPlaybook, by: str) -> Answer:
    previous = web.store.latest_playbook_version(community.id)
    held = [] if previous is None else dropped_plans(web.store, community.id, previous.content,
                                                     loaded.playbook)  # fmt: skip
    left = [] if previous is None else left_behind(web.store, community.id, loaded.playbook,
                                                   web.clock.now())  # fmt: skip
    redated = [] if previous is None else expiry_changed(
        web.store, community.id, previous.content, loaded.playbook, web.clock.now(),
        write=False, done=True)  # the apply below re-dates them  # fmt: skip
    try:
        version = web.playbooks.replace(community.id, loaded, by)
    except PlaybookError as exc:
        return _invalid(exc)
    except (StoreError, ValueError) as exc:
        return 409, {"detail": f"The playbook was not applied: {exc}"}
    unchanged = previous is not None and version.version == previous.version
    changes = []
    if previous is not None and not unchanged:
        changes = diff_content(previous.content, playbook_content(loaded.playbook))
    answer = AppliedOut(
        version=version.version,
        unchanged=unchanged,
        changes=[ChangeOut(kind=c.kind.value, path=c.path, old=c.old, new=c.new) for c in changes],
        warnings=[_out(w) for w in loaded.warnings]
        + [ProblemOut(line=0, column=0, path="monetisation.plans", message=m) for m in held]
        + [ProblemOut(line=0, column=0, path="activities", message=m) for m in left]
        + [ProblemOut(line=0, column=0, path="rules.strike_expiry", message=m) for m in redated],
    )
    return 200, answer.model_dump(mode="json")


def _source(content_type: str, body: bytes) -> str | Answer:
    """The playbook text in the body, or the error answer."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON_TYPE:
        try:
            data = json.loads(body)
        except ValueError as exc:
            return 400, {"detail": f"The JSON body could not be read: {exc}."}
        except RecursionError:
            return 400, {"detail": "The JSON body nests objects or lists too deeply to be read."}
        if not isinstance(data, dict) or not isinstance(data.get("source"), str):
            return 400, {"detail": 'Send JSON {"source": "<the playbook YAML>"}, or the YAML '
                         "itself as text/yaml."}  # fmt: skip
        source: str = data["source"]
        return source
    if media not in YAML_TYPES:
        return 415, {"detail": f"Send the playbook as text/yaml (or JSON {{\"source\": ...}}), "
                     f"not as {media}."}  # fmt: skip
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        problem = Problem(POSTED, line, 1, "", "the text is not UTF-8: send it as UTF-8")
        return _invalid(PlaybookError([problem]))


def _invalid(exc: PlaybookError) -> Answer:
    count = len(exc.problems)
    answer = PlaybookInvalidOut(
        detail=f"The playbook is not valid ({count} problem{'s' if count != 1 else ''}); "
        "nothing was applied.",
        problems=[_out(p) for p in exc.problems],
    )
    return 422, answer.model_dump(mode="json")


def _out(problem: Problem) -> ProblemOut:
    return ProblemOut(
        line=problem.line, column=problem.column, path=problem.path, message=problem.message
    )
