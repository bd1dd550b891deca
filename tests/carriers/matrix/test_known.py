"""What a homeserver's profile lookup says of a Matrix ID typed on the join page (`known.py`):
only a 404 naming no account refuses it; any answer that cannot tell lets the invitation go
ahead. (On a real Synapse: test_livecode_rooms.py.)"""

from __future__ import annotations

import socket

import pytest

from hearthkeeper.carriers.matrix.known import Known, known_from, look_up, matrix_errcode


@pytest.mark.parametrize(("status", "errcode", "known"), [
    (200, None, Known.YES),
    (404, "M_NOT_FOUND", Known.NO),  # the specification's answer; Synapse's for an empty profile
    (404, "M_UNKNOWN", Known.NO),  # Synapse's for an ID nobody registered ("No row found")
    (404, "M_UNRECOGNIZED", Known.CANNOT_TELL),  # a server without the endpoint
    (404, "", Known.CANNOT_TELL),  # a proxy's page, not a Matrix answer
    (502, "M_UNKNOWN", Known.CANNOT_TELL),  # "Failed to fetch profile": the other server is away
    (403, "M_FORBIDDEN", Known.CANNOT_TELL),  # federation closed, or lookups limited to rooms
    (429, "M_LIMIT_EXCEEDED", Known.CANNOT_TELL),
    (None, "M_UNKNOWN", Known.CANNOT_TELL),
])  # fmt: skip
def test_only_a_404_naming_no_account_says_there_is_none(
    status: int | None, errcode: str | None, known: Known
) -> None:
    assert known_from(status, errcode) is known


@pytest.mark.asyncio
async def test_a_homeserver_that_cannot_be_reached_cannot_tell() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    found = await look_up(f"http://127.0.0.1:{port}", "@mei:example.org", None, timeout=5)
    assert found is Known.CANNOT_TELL


@pytest.mark.parametrize(("status", "body", "errcode"), [
    (200, b'{"displayname": "Mei"}', None),
    (200, b"{}", None),  # an account that set neither name nor avatar on some servers
    (404, b'{"errcode": "M_UNKNOWN", "error": "No row found (profiles)"}', "M_UNKNOWN"),
    (404, b"<html>Not Found</html>", ""),  # a proxy's page
    (200, b"<html>welcome</html>", ""),  # a captive portal: not a profile
    (502, b"\xff\xfe", ""),
])  # fmt: skip
def test_the_answer_is_read_as_a_profile_or_a_matrix_error(
    status: int, body: bytes, errcode: str | None
) -> None:
    assert matrix_errcode(status, body) == errcode
