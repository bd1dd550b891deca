"""Contact offered in disguise, read as advertising where sharing contact details is allowed.

A playbook may turn contact detection off (a connections club: exchanging details is the
point). A member who writes "my WhatsApp is +44 …" is then left alone, but one who writes
`+V`, `v❤️`, `w.e.i.x.i.n`, `VX搜索 …`, `V信：abc_123`, `w e i x i n : abc123456` or a phone
number in Chinese, circled or keycap digits or digit by digit is hiding the offer from
moderation — which an honest member has no reason to do. So these disguises count as
advertising, whatever the contact rule says.
"""

from __future__ import annotations

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.contact import (
    DISGUISED_NAMES,
    find_contact_offers,
    find_messaging_ids,
    find_phone_numbers,
)
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.normalise import MessageText

_ADVERTISING = ViolationKind.ADVERTISING.value


_KEYCAP = ("\ufe0f", "\u20e3")  # 1️⃣: a digit, then the emoji presentation and keycap marks
_SINGLE_DIGITS = 6  # `1 3 9 0 0 0 0 1 1 1 1`: no phone format writes six digits apart


def _plain_digits(original: str) -> str:
    """The digits a message was written with as plain ASCII digits (not keycaps), in order."""
    return "".join(
        char
        for at, char in enumerate(original)
        if char.isascii() and char.isdigit() and original[at + 1 : at + 2] not in _KEYCAP
    )


def _digits_disguised(number: str, plain: str) -> bool:
    """Whether a phone number was written otherwise than in plain digits (一三八, ①③⑧, １３８,
    keycaps 1️⃣3️⃣8️⃣) or digit by digit (`1 3 9 0 0 0 …`, `1.3.9.0…`); `plain`: the message's
    `_plain_digits`, read once per message (not per number: 1,700 numbers in a message of
    20,000 characters took 5 s)."""
    digits = "".join(char for char in number if char.isdigit())
    if digits not in plain:
        return True
    runs = "".join(char if char.isdigit() else " " for char in number).split()
    return sum(len(run) == 1 for run in runs) >= _SINGLE_DIGITS


class DisguisedContactDetector:
    """Advertising by contact offers that hide: stand-in names, symbols, spelled-out digits."""

    def __call__(self, message: MessageText) -> list[Finding]:
        """A finding (kind advertising) per disguised contact offer."""
        findings = [
            Finding(_ADVERTISING, offer.matched, f"{offer.what}, in disguise")
            for offer in find_contact_offers(message)
            if offer.disguised
        ]
        findings += [
            Finding(_ADVERTISING, handle, f"private-contact id offered after '{cue}'")
            for cue, handle in find_messaging_ids(message.normalised)
            if cue in DISGUISED_NAMES
        ]
        numbers = find_phone_numbers(message.normalised)
        plain = _plain_digits(message.original) if numbers else ""
        findings += [
            Finding(_ADVERTISING, number, "phone number written in disguise")
            for number in numbers
            if _digits_disguised(number, plain)
        ]
        return findings
