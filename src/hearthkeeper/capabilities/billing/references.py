"""Payment references: the short code a person quotes when paying (in a shop's order note,
to staff), so the payment is credited to the right person, pure.

The code is derived from the carrier and the person's id there, so it is the same every time
they are shown it; the store keeps it beside whom it names, so it resolves back even before
the person is a member. Crockford's base32 (no I, L, O, U) makes it easy to read aloud.
"""

from __future__ import annotations

import hashlib
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8  # 40 bits
ATTEMPTS = 4  # the codes tried for one person before a free one: 3 taken is ~never
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def reference_code(carrier: str, user_id: str, attempt: int = 0) -> str:
    """The person's code, `XXXX-XXXX`; `attempt` > 0 gives another one (if the first is
    taken by someone else, which one in a trillion pairs is)."""
    digest = hashlib.sha256(f"{carrier}\n{user_id}\n{attempt}".encode()).digest()
    number = int.from_bytes(digest[:5], "big")
    chars = "".join(ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_code(text: str) -> str | None:
    """A code as typed (any case, with or without the dash, O for 0) in its stored form;
    None if it cannot be one."""
    # NFKC: typed on a full-width keyboard (７ＫＱ２－Ｍ９ＸＤ) it is the same code
    plain = "".join(unicodedata.normalize("NFKC", text).split()).replace("-", "").upper()
    plain = plain.translate(_READS_AS)
    if len(plain) != LENGTH or any(c not in ALPHABET for c in plain):
        return None
    return f"{plain[:4]}-{plain[4:]}"
