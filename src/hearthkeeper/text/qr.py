"""QR codes in pictures: the usual way an advertiser shares another group or a private contact."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

_QR_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode]
)
# A chat picture is a few megapixels; anything far larger is shrunk before decoding, which
# keeps the time bounded and refuses decompression bombs.
_MAX_SIDE = 2048
_MAX_PIXELS = 64_000_000


def read_qr_codes(image: bytes) -> list[str]:
    """The texts of the QR codes in a picture (PNG, JPEG, GIF, WebP ...); [] if none or unreadable."""
    try:
        with Image.open(io.BytesIO(image)) as picture:
            if picture.width * picture.height > _MAX_PIXELS:
                return []
            picture.draft("L", (_MAX_SIDE, _MAX_SIDE))  # JPEG: decode at a reduced size
            grey = picture.convert("L")
        grey.thumbnail((_MAX_SIDE, _MAX_SIDE))
        return [code.text for code in zxingcpp.read_barcodes(grey, formats=_QR_FORMATS)]
    except Exception:  # a broken picture from a member must never stop moderation
        return []


def contains_qr(image: bytes) -> bool:
    """Whether a picture carries a QR code."""
    return bool(read_qr_codes(image))
