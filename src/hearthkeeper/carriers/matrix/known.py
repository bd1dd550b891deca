"""Whether a Matrix ID typed on the join page belongs to an account, asked of the bot's
homeserver before the bot invites it. Synapse accepts an invitation to an ID on its own server
that nobody registered, so a typo (`@alcie:server`) would look like success and nobody would
ever arrive.

The client-server API's profile lookup, `GET /_matrix/client/v3/profile/{userId}` (the path
matrix-nio's `get_profile` asks), answers 404 for a user who does not exist. What Synapse (1.163) does behind it:

- an ID on its own server: it reads its `profiles` table: no row (nobody registered the ID) is
  404 `M_UNKNOWN` "No row found (profiles)"; a row with neither display name nor avatar is 404
  `M_NOT_FOUND` (an account that cleared both looks unknown too: such a person is told so and
  can still open the room by its matrix.to link on the page);
- an ID on another server: it asks that server over federation and passes its 404 on; a server
  it cannot reach answers 502, one federation may not reach 403.

So a 404 carrying `M_NOT_FOUND` or `M_UNKNOWN` means "no such account". Anything else — the
other server down, slow or out of federation's reach, lookups limited to people who share a
room (403), a rate limit, a 404 without a Matrix error (a proxy) or `M_UNRECOGNIZED` (a server
without the endpoint), our own homeserver away — means the homeserver cannot tell, and the
invitation goes ahead as it did before: nobody is turned away because their server could not
be asked."""

from __future__ import annotations

import asyncio
import enum
import json
import logging

import aiohttp
from nio import Api

log = logging.getLogger(__name__)
LOOKUP_TIMEOUT_S = 10.0  # a remote server that takes longer cannot tell: the invitation goes on
NO_ACCOUNT = frozenset({"M_NOT_FOUND", "M_UNKNOWN"})  # with HTTP 404


class Known(enum.Enum):
    """What the homeserver says of an ID."""

    YES = "yes"  # it has a profile: someone uses it
    NO = "no"  # no such account (404 M_NOT_FOUND)
    CANNOT_TELL = "cannot tell"  # no answer, or one that says nothing about the account


def known_from(status: int | None, errcode: str | None) -> Known:
    """What a profile lookup's answer says of the account: its HTTP `status` and the Matrix
    `errcode` of an error (None: the answer was a profile)."""
    if errcode is None and status is not None and 200 <= status < 300:
        return Known.YES
    return Known.NO if status == 404 and errcode in NO_ACCOUNT else Known.CANNOT_TELL


async def look_up(homeserver: str, user_id: str, access_token: str | None,
                  timeout: float = LOOKUP_TIMEOUT_S) -> Known:  # fmt: skip
    """Ask `homeserver` (as the bot, when its `access_token` is given: some servers answer
    only those who signed in) whether `user_id` has an account. A request of its own on the
    caller's loop: it works whether or not the bot runs in this process."""
    # Asked directly, not through matrix-nio's get_profile: nio checks an error body against
    # the profile schema and logs a WARNING ("Error validating response") for every unknown
    # ID, so each ordinary typo would put a warning in the operator's log.
    _, path = Api.profile_get(user_id)
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    try:
        async with (
            asyncio.timeout(timeout),
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(homeserver.rstrip("/") + path, headers=headers) as answer,
        ):
            status = answer.status
            body = await answer.read()
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        log.info("matrix: %s could not say whether %s exists (%s); inviting anyway", homeserver,
                 user_id, str(exc) or type(exc).__name__)  # fmt: skip
        return Known.CANNOT_TELL
    errcode = matrix_errcode(status, body)
    found = known_from(status, errcode)
    if found is Known.CANNOT_TELL:
        log.info("matrix: %s could not say whether %s exists (HTTP %s %s); inviting anyway",
                 homeserver, user_id, status, errcode or "without a Matrix error")  # fmt: skip
    return found


def matrix_errcode(status: int, body: bytes) -> str | None:
    """The Matrix `errcode` of a lookup's answer: None for a profile (a 2xx without one), ""
    for an answer that is not a Matrix error (a proxy's page, a body that is not JSON)."""
    try:
        parsed = json.loads(body)
    except ValueError:  # also a body that is not UTF-8
        parsed = None
    errcode = parsed.get("errcode") if isinstance(parsed, dict) else None
    if isinstance(errcode, str):
        return errcode
    return None if 200 <= status < 300 and isinstance(parsed, dict) else ""
