"""Ready-made playbooks modelled on the seeds' cases, shipped inside the package.

Each template is a complete YAML playbook an operator copies and adapts; the text is returned
as written (comments included), so the explanations travel with it.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from hearthkeeper.playbook.suggest import did_you_mean

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Template:
    """A playbook template: its short name, a title, what it is for, and the file."""

    name: str
    title: str
    description: str
    path: Path


class UnknownTemplate(ValueError):
    """A template name that is not in `TEMPLATES`."""

    def __init__(self, name: str) -> None:
        hint = did_you_mean(name, TEMPLATES) or f" (available: {', '.join(TEMPLATES)})"
        super().__init__(f"unknown template {name!r}{hint}")
        self.name = name


def _template(name: str, title: str, description: str) -> Template:
    return Template(name=name, title=title, description=description, path=_HERE / f"{name}.yaml")


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _template(
            "skincare",
            "Skin-care product community with a paid upgrade (zh-CN)",
            "Seed 002: a product community whose free group is upgraded to a paid half-year "
            "membership; morning knowledge pack, group-buy solitaire, micro-sharing with tutors "
            "on Mon/Wed/Fri/Sun, fun titles, skin-type tags with expert finder, refunds.",
        ),
        _template(
            "club",
            "High-end members' club (en)",
            "Seeds 000/001: an auxiliary community for connections; application reviewed by "
            "staff, a soul figure, strict advertising rules, small circles, wine tastings and "
            "private views with limited places, annual membership.",
        ),
        _template(
            "ppt",
            "Skills community for PPT learners (zh-CN)",
            "Seeds 000/004: a paid yearly community around the PPTer tag; daily practice "
            "check-ins with streak milestones, weekly sessions by named speakers, the monthly "
            "anniversary ritual, nickname format 城市-昵称-行业, points and rewards.",
        ),
        _template(
            "repurchase",
            "E-commerce repurchase community for past buyers (zh-CN)",
            "Seed 001: an auxiliary group for a clothing brand's past customers, joined by "
            "invite code; weekly deals, size/returns/shipping FAQ, two staff, groups of 500 "
            "with the next group opened before the 200-member join-by-code cap.",
        ),
    )
}


def template_text(name: str) -> str:
    """The YAML text of the template called `name`; raise `UnknownTemplate` if there is none."""
    template = TEMPLATES.get(name)
    if template is None:
        raise UnknownTemplate(name)
    return template.path.read_text(encoding="utf-8")


def content_folders(name: str) -> list[str]:
    """The content-library folders (relative paths) the template's scheduled posts use."""
    return list(_folders_named_in(template_text(name)))


@functools.lru_cache(maxsize=16)
def _folders_named_in(text: str) -> tuple[str, ...]:
    """The content-library folders a template's text names, read once per text (reading the
    YAML took ~20 ms of CPU, paid by every site, console and server built from a template)."""
    data = yaml.safe_load(text) or {}
    posts = (data.get("calendar") or {}).get("posts") or []
    folders = [str((p.get("content") or {}).get("library")) for p in posts
               if isinstance(p, dict) and (p.get("content") or {}).get("library")]  # fmt: skip
    return tuple(dict.fromkeys(folders))


def copy_content(name: str, destination: Path) -> list[Path]:
    """Copy the template's sample content folders next to a playbook written from it; folders
    that already exist are left alone. Returns the folders written."""
    written = []
    for folder in content_folders(name):
        source, target = _HERE / folder, destination / folder
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target)
            written.append(target)
    return written
