"""The range of the store's ids, without importing the store (the CLI's arguments and the web
chat's frames check it at the edge)."""

MAX_ID = 2**63 - 1  # the largest id a row can have (SQLite's INTEGER, PostgreSQL's bigint)


def split_reference(text: str) -> tuple[str, str, bool]:
    """`text` as `member:ID` or `CARRIER:USER_ID` reads it: (prefix, id, whether there was a
    colon), the prefix in lower case (carrier kinds are) and both without the spaces around
    them: `Member: 42`, `WebChat : w-1`, and the colon a Chinese keyboard types, `member：42`.
    One reading for every command that takes a member."""
    colon = min((at for at in (text.find(":"), text.find("：")) if at >= 0), default=-1)
    if colon < 0:
        return text.strip().casefold(), "", False
    return text[:colon].strip().casefold(), text[colon + 1 :].strip(), True


def typed_id(text: str) -> int | None:
    """The id `text` types (`member:ID`'s ID, an event's number), in ASCII digits or another
    script's (a Chinese keyboard's full-width `４２`, Arabic-Indic `٤٢`); None when `text` is not
    digits alone or is past the ids' range (no row has it; thousands of digits are not read)."""
    if not text.isdecimal() or len(text.lstrip("0０")) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
