"""Invites: other groups' links, invite phrases, and QR codes hidden in pictures."""

from __future__ import annotations

import io

import pytest
import segno
from PIL import Image

from hearthkeeper.text.invites import InviteDetector
from hearthkeeper.text.normalise import prepare
from hearthkeeper.text.qr import contains_qr, read_qr_codes

DETECTOR = InviteDetector(
    keywords=["进群", "拉你进群", "加群", "t.me/joinchat", "discord.gg", "chat.whatsapp.com"],
    allowed_domains=["example.org"],
)


def invites(text: str) -> list[str]:
    return [finding.explanation for finding in DETECTOR(prepare(text))]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("join https://t.me/joinchat/AAAAAEkk2Wdo", "Telegram group invite"),
        ("t.me/+Xy12abcDEF 免费信号", "Telegram group invite"),
        ("t . me / joinchat / AbCdEf", "Telegram group invite"),  # spaced
        ("t.mе/jоinсhаt/AAAAxyz", "Telegram group invite"),  # Cyrillic look-alikes
        ("discord.gg/freenitro", "Discord server invite"),
        ("discord . gg / nitro-free", "Discord server invite"),
        ("https://discord.com/invite/abc", "Discord server invite"),
        ("chat.whatsapp.com/Ed2IWHc8s4d", "WhatsApp group invite"),
        ("https://weixin.qq.com/g/AbCdEfGh123 扫码", "WeChat group QR link"),
        ("matrix.to/#/#free-crypto:evil.example", "Matrix room link"),
        ("hxxps://chat。whatsapp。com/AbC", "WhatsApp group invite"),
    ],
)
def test_an_invite_link_is_found(text: str, what: str) -> None:
    (explanation,) = invites(text)
    assert explanation.startswith(what)


def test_a_matrix_room_on_an_allowed_server_is_no_invite() -> None:
    assert invites("matrix.to/#/#welcome:example.org") == []


def test_an_invite_on_an_allowed_domain_is_no_invite() -> None:
    detector = InviteDetector(allowed_domains=["discord.gg"])
    assert detector(prepare("discord.gg/ourserver")) == []


def test_link_patterns_from_the_playbook_match_links() -> None:
    detector = InviteDetector(keywords=["t.me/joinchat", "vk.com/club"])
    (finding,) = detector(prepare("vk . com / club12345"))
    assert "vk.com/club" in finding.explanation


@pytest.mark.parametrize(
    "text", ["拉你进群，群里天天有红包", "进 群 领 福 利", "進群領福利", "加**群**"]
)
def test_invite_phrases_are_found(text: str) -> None:
    assert len(invites(text)) == 1


@pytest.mark.parametrize(
    "text",
    ["我已经在群里问过客服了", "t.me/somechannel is public", "see example.org/page", "群里好热闹"],
)
def test_ordinary_chat_is_no_invite(text: str) -> None:
    assert invites(text) == []


# --- QR codes in pictures ----------------------------------------------------------------------


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=5, border=4)
    return buffer.getvalue()


def photo_with(qr: bytes) -> bytes:
    """A JPEG 'photo' with the QR code pasted in a corner, as posters are shared."""
    photo = Image.new("RGB", (1200, 900), (205, 180, 160))
    photo.paste(Image.open(io.BytesIO(qr)).convert("RGB"), (800, 550))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def plain_picture() -> bytes:
    picture = Image.new("RGB", (640, 480), (250, 250, 250))
    for x in range(0, 640, 40):
        picture.paste((30, 90, 160), (x, 100, x + 20, 380))  # stripes, not a code
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_qr_code_is_read_from_a_picture() -> None:
    qr = qr_png("https://weixin.qq.com/g/AbCdEf")
    assert read_qr_codes(qr) == ["https://weixin.qq.com/g/AbCdEf"]
    assert contains_qr(photo_with(qr))


def test_a_picture_without_a_qr_code_is_not_flagged() -> None:
    assert not contains_qr(plain_picture())


@pytest.mark.parametrize("data", [b"", b"not a picture", qr_png("x")[:40]])
def test_a_broken_picture_is_not_flagged_and_does_not_fail(data: bytes) -> None:
    assert not contains_qr(data)


def test_a_qr_code_is_an_invite_unless_it_links_to_an_allowed_domain() -> None:
    (finding,) = DETECTOR.picture(qr_png("https://u.wechat.com/abc"))
    assert finding.kind == "invites"
    assert "QR code" in finding.explanation
    assert DETECTOR.picture(qr_png("https://example.org/menu")) == []
    assert InviteDetector(qr_codes=False).picture(qr_png("https://u.wechat.com/abc")) == []
