"""Pictures members post in the carriers' scenario tests: a photo with another group's QR code
pasted in (how an advertiser shares a group), and an ordinary one."""

from __future__ import annotations

import io

import segno
from PIL import Image

GROUP_INVITE = "https://weixin.qq.com/g/AbCdEfGh12"


def qr_photo(text: str = GROUP_INVITE, size: tuple[int, int] = (900, 700)) -> bytes:
    """A PNG 'photo' carrying `text` as a QR code, as a poster is shared."""
    code = io.BytesIO()
    segno.make(text, error="m").save(code, kind="png", scale=6, border=4)
    picture = Image.new("RGB", size, (200, 170, 150))
    picture.paste(Image.open(code).convert("RGB"), (120, 90))
    return _png(picture)


def plain_photo(size: tuple[int, int] = (900, 700)) -> bytes:
    """A PNG 'photo' of nothing in particular (a face cream on a shelf, say)."""
    picture = Image.new("RGB", size, (230, 220, 200))
    picture.paste((90, 140, 200), (300, 200, 600, 500))
    return _png(picture)


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def as_webp(png: bytes) -> bytes:
    """`png` as a lossless WebP (how a still sticker is kept)."""
    out = io.BytesIO()
    with Image.open(io.BytesIO(png)) as picture:
        picture.save(out, "WEBP", lossless=True)
    return out.getvalue()


# a PDF's first bytes (a price list, say): not a picture, never downloaded
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
