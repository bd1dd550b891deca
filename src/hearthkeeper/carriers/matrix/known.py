"""Whether a Matrix ID typed on the join page belongs to an account, asked of the bot's
homeserver before the bot invites it. Synapse accepts an invitation to an ID on its own server
that nobody registered, so a typo (`@alcie:server`) would look like success and nobody would
ever arrive.

The client-server API's profile lookup, `GET /_matrix/client/v3/profile/{userId}` (matrix-nio's
`get_profile`), answers 404 for a user who does not exist. What Synapse (1.163) does behind it:

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
import logging

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ProfileGetError

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
    only those who signed in) whether `user_id` has an account. A client of its own on the
    caller's loop: it works whether or not the bot runs in this process."""
    config = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, request_timeout=timeout,
                               encryption_enabled=False, store_sync_tokens=False)  # fmt: skip
    client = AsyncClient(homeserver, config=config)
    client.access_token = access_token or ""
    try:
        async with asyncio.timeout(timeout):
            answer = await client.get_profile(user_id)
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        log.info("matrix: %s could not say whether %s exists (%s); inviting anyway", homeserver,
                 user_id, str(exc) or type(exc).__name__)  # fmt: skip
        return Known.CANNOT_TELL
    finally:
        await client.close()
    transport = getattr(answer, "transport_response", None)
    status = getattr(transport, "status", None)
    errcode = answer.status_code if isinstance(answer, ProfileGetError) else None
    if isinstance(answer, ProfileGetError) and errcode is None:
        errcode = ""  # an error without a Matrix errcode: not a Matrix answer
    found = known_from(status if isinstance(status, int) else None, errcode)
    if found is Known.CANNOT_TELL:
        log.info("matrix: %s could not say whether %s exists (%s); inviting anyway", homeserver,
                 user_id, answer)  # fmt: skip
    return found
