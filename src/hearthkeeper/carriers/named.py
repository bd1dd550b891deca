"""Where a bot message's text names the members it mentions, for every carrier that puts a
mention where the name stands (Telegram's inline mention, QQ's `at` segment). Pure.

An action's `extra["mentions"]` holds the members' user ids on its carrier;
`extra["mention_names"]`, by user id, the name the text calls one of them, given by the
feature that wrote the text when it wrote it: a carrier finds that name, not one the server
has learnt since, so nobody is named twice (once by the text, once by the mention).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Named = tuple[str, str]  # a user id and the name the text has for them
Span = tuple[int, int, str]  # where a name stands in a text (start, end) and whose it is


def given_names(extra: Mapping[str, object]) -> dict[str, str]:
    """The names an action's text has for those it mentions (`extra["mention_names"]`)."""
    given = extra.get("mention_names")
    if not isinstance(given, Mapping):
        return {}
    return {str(user): name for user, name in given.items()
            if isinstance(name, str) and name.strip()}  # fmt: skip


def placed(text: str, names: Sequence[Named]) -> tuple[list[Span], list[Named]]:
    """Where in `text` each of `names` is named (`@Name`, else `Name` as a word of its own;
    the longest names placed first, each span once), in the order they stand, and those it
    does not name, in their order."""
    taken: list[Span] = []
    unnamed: set[Named] = set()
    for user_id, name in sorted(names, key=lambda named: -len(named[1])):
        found = _free(text, name, taken) if name.strip() else None
        if found is None:
            unnamed.add((user_id, name))
        else:
            taken.append((*found, user_id))
    return sorted(taken), [named for named in names if named in unnamed and named[1].strip()]


def _free(text: str, name: str, taken: Sequence[Span]) -> tuple[int, int] | None:
    """Where `@name` (else `name` as a word of its own: not `Li` of `Lively`) first stands in
    `text` clear of the spans `taken`."""
    for said in (f"@{name}", name):
        at = text.find(said)
        while at >= 0:
            end = at + len(said)
            alone = said[0] == "@" or not (
                _letter(text[at - 1 : at]) or _letter(text[end : end + 1])
            )
            if alone and all(end <= start or at >= stop for start, stop, _ in taken):
                return at, end
            at = text.find(said, at + 1)
    return None


def _letter(char: str) -> bool:
    """Whether `char` (one or none) continues a Latin word (a Chinese name has no spaces)."""
    return char.isascii() and char.isalnum()
