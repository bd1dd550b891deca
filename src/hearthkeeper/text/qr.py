"""QR codes in pictures: the usual way an advertiser shares another group or a private contact.

Decoding works on a bounded thumbnail, whatever the picture claims to be: the size is read
from the header before any pixel is decoded; a JPEG is decoded at a reduced scale (`draft`);
a picture that would still decode to more than `DECODE_PIXELS` pixels is not decoded at all
(a decompression bomb costs nothing), and the QR decoder sees at most `QR_SIDE` pixels a
side. A chat picture is a few megapixels, and a QR code meant to be scanned from a screen
survives the shrinking.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

QR_SIDE = 2048  # pixels a side the QR decoder is given, at most
DECODE_PIXELS = 24_000_000  # pixels decoded for one picture, at most (a 6000×4000 photo)


def read_qr_codes(image: bytes) -> list[str]:
    """The texts of the QR codes in a picture (PNG, JPEG, GIF, WebP ...); [] if none, if it
    is unreadable, or if it has more pixels than `DECODE_PIXELS` even at a reduced scale."""
    try:
        grey = qr_thumbnail(image)
        if grey is None:
            return []
        return [code.text for code in zxingcpp.read_barcodes(grey, formats=_qr_formats())]
    except Exception:  # a broken picture from a member must never stop moderation
        return []


def contains_qr(image: bytes) -> bool:
    """Whether a picture carries a QR code."""
    return bool(read_qr_codes(image))


def qr_thumbnail(
    image: bytes, *, side: int = QR_SIDE, budget: int = DECODE_PIXELS
) -> Image.Image | None:
    """The picture in grey, at most `side` pixels a side, for the QR decoder; None when it
    would take decoding more than `budget` pixels. Raises on a picture Pillow cannot read."""
    with Image.open(io.BytesIO(image)) as picture:  # reads the header, no pixels yet
        picture.draft("L", (side, side))  # JPEG: decode at 1/2, 1/4 or 1/8 of the size
        if picture.width * picture.height > budget:
            return None
        if picture.mode in ("L", "RGB", "P", "1", "CMYK", "YCbCr") and not _transparent(picture):
            grey = picture.convert("L")  # one byte a pixel, before it is shrunk
        else:  # shrunk in its own mode first, so that only the decoded picture is full size
            picture.thumbnail((side, side), reducing_gap=2.0)
            grey = _grey(picture)
    grey.thumbnail((side, side), reducing_gap=2.0)
    return grey


def _grey(picture: Image.Image) -> Image.Image:
    """The picture in 8-bit grey: 16-bit grey scaled (not clipped) to 8 bits, transparency
    laid on white (a QR code drawn on a transparent background stays dark on light, as a
    viewer shows it)."""
    if picture.mode == "L":
        return picture.copy()
    if picture.mode.startswith("I") or picture.mode == "F":
        wide = picture if picture.mode in ("I", "F") else picture.convert("I")
        return wide.point(lambda value: value / 256).convert("L")
    if _transparent(picture):
        rgba = picture.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        return white.convert("L")
    return picture.convert("L")


def _transparent(picture: Image.Image) -> bool:
    return "A" in picture.getbands() or "transparency" in picture.info


def _qr_formats() -> zxingcpp.BarcodeFormats:
    """Made per call, not held by the module: a zxing-cpp object still alive when the
    interpreter exits makes its bindings print a page of "leaked instance" warnings."""
    return zxingcpp.BarcodeFormats(
        [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode]
    )
