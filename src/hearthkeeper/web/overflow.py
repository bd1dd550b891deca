"""Numbers too large for the store. An id like 99999999999999999999 in an address (or a
number in a form or body) cannot be bound by SQLite, whose driver raises `OverflowError`
(a date past year 9999 raises it too): answered 404 when an id in the address is beyond any
row's, else 400 naming what overflowed, instead of a 500. The transaction that was open
rolls back, so nothing was changed."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.text.controls import shown_input


def overflow_answer(request: Request, exc: OverflowError) -> tuple[int, str]:
    """The status and the message for `exc`, raised while answering `request`."""
    for name, value in request.path_params.items():
        digits = value.lstrip("0") if isinstance(value, str) and value.isdigit() else ""
        if len(digits) > len(str(MAX_ID)) or (digits and int(digits) > MAX_ID):
            what = name.removesuffix("_id").replace("_", " ")
            return 404, f"There is no {what} {shown_input(value)}: ids go up to {MAX_ID}."
    return 400, (f"A number or date in this request is out of range ({exc}); write a smaller "
                 "one. Nothing was changed.")  # fmt: skip


async def _answer(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OverflowError)
    status, message = overflow_answer(request, exc)
    return JSONResponse({"detail": message}, status_code=status)


def install_overflow(app: FastAPI) -> None:
    """Answer an `OverflowError` out of any route of `app` as a 4xx saying what."""
    app.add_exception_handler(OverflowError, _answer)
