"""What makes a picture one every carrier takes: the one check of a picture's header.

A picture is accepted when Pillow recognises it as PNG, JPEG, GIF or WebP, it passes
`Image.verify()`, neither side exceeds `MAX_SIDE` pixels and — unless it is a JPEG, which is
decoded at a reduced scale — it has at most `DECODE_PIXELS` pixels, so that moderation can
look for QR codes in every picture it lets through (`text/qr.py`). All of this is read from
the header: no pixel is decoded. The web chat checks members' uploads and scheduled posts'
pictures with it (`webchat/uploads.py`), Matrix, Telegram and QQ the pictures they fetch for
moderation (`pictures.py`), Matrix and Telegram a scheduled post's picture before showing it
as one (`assets.py`). The refusal says why in the language asked for (members', or staff's).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.carriers.sizes import over
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.qr import DECODE_PIXELS

MAX_SIDE = 8000
FORMATS = {  # Pillow's format name → (file extension, Content-Type)
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}

EN, ZH = Language.EN, Language.ZH_CN
TEXTS = Phrasebook({
    "too_large": {EN: "picture too large: {size} (at most {limit})",
                  ZH: "图片太大：{size}（最多 {limit}）"},
    "empty": {EN: "the file is empty; choose a picture (PNG, JPEG, GIF or WebP)",
              ZH: "文件是空的；请选择一张图片（PNG、JPEG、GIF 或 WebP）"},
    "kind": {EN: "{what}: upload a PNG, JPEG, GIF or WebP picture",
             ZH: "{what}：请上传 PNG、JPEG、GIF 或 WebP 图片"},
    "an_image_of": {EN: "a {format} image", ZH: "{format} 图片"},
    "not_a_picture": {EN: "not a picture", ZH: "不是图片"},
    "sides": {EN: "picture too big: {width}×{height} pixels (at most {most})",
              ZH: "图片太大：{width}×{height} 像素（每边最多 {most}）"},
    "pixels": {EN: "picture too big: {width}×{height} pixels is {mega}; a {format} may have "
                   "{most} at most (a JPEG up to {side} pixels a side)",
               ZH: "图片太大：{width}×{height} 像素共 {mega}；{format} 最多 {most}"
                   "（JPEG 每边最多 {side} 像素）"},
    "bomb": {EN: "picture too big (at most {most} pixels a side)",
             ZH: "图片太大（每边最多 {most} 像素）"},
})  # fmt: skip


class PictureRefused(Exception):
    """A picture that is not accepted; `status` is the HTTP status to answer an upload with
    (413: too many bytes, 415: not a picture taken, 422: too many pixels)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def oversized(self) -> bool:
        """Whether it is a picture refused only for its size (bytes or pixels): a carrier that
        sends files may still send it as one."""
        return self.status in (413, 422)


@dataclass(frozen=True)
class PictureFacts:
    """What the header of an accepted picture says."""

    extension: str
    mime: str
    width: int
    height: int


def too_large(size: int, limit: int, language: Language = Language.EN) -> PictureRefused:
    """The refusal for a picture of `size` bytes over `limit`."""
    said, most = over(size, limit)
    return PictureRefused(413, TEXTS.say("too_large", language, size=said, limit=most))


def check_picture(data: bytes, limit: int, language: Language = Language.EN) -> PictureFacts:
    """The facts of an acceptable picture of at most `limit` bytes; else PictureRefused,
    saying why in `language`."""
    if len(data) > limit:
        raise too_large(len(data), limit, language)
    if not data:
        raise PictureRefused(415, TEXTS.say("empty", language))
    try:
        # Pillow warns above ~89 M pixels and refuses above twice that; either is far over
        # MAX_SIDE², which is refused below before any pixel is decoded.
        with Image.open(io.BytesIO(data)) as image:
            found, (width, height) = image.format, image.size
            if found not in FORMATS:
                what = TEXTS.say("an_image_of", language, format=found)
                raise PictureRefused(415, TEXTS.say("kind", language, what=what))
            if width > MAX_SIDE or height > MAX_SIDE:
                raise PictureRefused(422, TEXTS.say("sides", language, width=width,
                                                    height=height, most=MAX_SIDE))  # fmt: skip
            if found != "JPEG" and width * height > DECODE_PIXELS:
                raise PictureRefused(422, TEXTS.say(
                    "pixels", language, width=width, height=height,
                    mega=_mega(width * height), format=found, most=_mega(DECODE_PIXELS),
                    side=MAX_SIDE,
                ))  # fmt: skip
            image.verify()
    except PictureRefused:
        raise
    except Image.DecompressionBombError:
        raise PictureRefused(422, TEXTS.say("bomb", language, most=MAX_SIDE)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        what = TEXTS.say("not_a_picture", language)
        raise PictureRefused(415, TEXTS.say("kind", language, what=what)) from None
    extension, mime = FORMATS[found]
    return PictureFacts(extension, mime, width, height)


def _mega(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f} megapixels"
