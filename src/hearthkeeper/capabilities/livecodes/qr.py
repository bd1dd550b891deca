"""A live code's QR image (segno): the stable link, for a poster."""

from __future__ import annotations

import io
from typing import Literal

import segno

Kind = Literal["png", "svg"]
MEDIA = {"png": "image/png", "svg": "image/svg+xml"}


def qr_image(link: str, kind: Kind, *, scale: int = 10) -> bytes:
    """The QR code of `link` as PNG or SVG, with the quiet zone scanners need; error
    correction level M survives a crease or a smudge on a printed poster."""
    code = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind=kind, scale=scale, border=4)
    return out.getvalue()
