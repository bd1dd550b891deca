"""The scanner of each template's rules (and of a playbook with the defaults), built once for
the moderation tests that check a text on every template."""

from __future__ import annotations

from functools import cache

from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.text import Scanner

MINIMAL = {"community": {"slug": "c", "name": "C", "purpose": "p",
                         "interest": {"kind": "product", "description": "d"}}}  # fmt: skip
EVERY_TEMPLATE = ("default", "skincare", "repurchase", "ppt", "club")


@cache
def template_scanner(template: str) -> Scanner:
    """The scanner of `template`'s rules; "default" is a minimal playbook's."""
    if template == "default":
        return Scanner.from_rules(Playbook.model_validate(MINIMAL).rules)
    return Scanner.from_rules(parse_playbook(template_text(template), template).playbook.rules)
