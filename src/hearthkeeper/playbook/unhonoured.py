"""Playbook fields this Hearthkeeper validates but does not act on yet.

A field that exists only in the schema must not look like a working feature: when a playbook
uses one, `hearth playbook show` names it as a gap, under the ISOOC element it belongs to.
Each entry goes when the feature is built (the step that builds it is named).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hearthkeeper.playbook.model import Playbook
from hearthkeeper.playbook.structure import CarrierKind, Permission

NOT_BUILT = "not built in this version"

# Permissions no in-chat command or screen asks for: staff edit the playbook in the console
# or with `hearth`, where every signed-in operator may do all of it. (`moderate`, `ban` and
# `pardon` are asked for by /warn, /mute, /ban and /pardon: capabilities/moderation/commands.py;
# `manage_calendar` by /calendar, /skip, /postnow: capabilities/calendar/staff.py; `review_applications`
# names who is told of applications: admission/checks.py.)
UNCHECKED = (Permission.EDIT_PLAYBOOK,)

# Carriers whose pictures reach moderation as bytes (read for QR codes): the web chat's
# uploads; Matrix's, Telegram's and QQ's, downloaded by the bot (`carriers/pictures.py`).
# The other kinds have no carrier in this version.
READS_PICTURES = (CarrierKind.WEBCHAT, CarrierKind.MATRIX, CarrierKind.TELEGRAM, CarrierKind.QQ)


@dataclass(frozen=True)
class Unhonoured:
    """A field the playbook uses that nothing runs: where, what it means for the operator."""

    element: str  # the ISOOC element's first word: Interest, Structure, Output, Operation ...
    message: str  # begins with `path`

    @property
    def path(self) -> str:
        """The playbook field the message is about (what comes before its first colon)."""
        return self.message.split(": ", 1)[0]


def unhonoured(pb: Playbook) -> Iterator[Unhonoured]:
    """The fields `pb` sets that this version validates but does not act on."""
    seen: set[CarrierKind] = set()
    for n, carrier in enumerate(pb.structure.carriers):
        if carrier.settings:
            yield Unhonoured(
                "Structure",
                f"structure.carriers[{n}].settings: not read — a server's carriers are set in "
                f"hearth.toml, [carriers.{carrier.kind.value}]",
            )
        if carrier.kind in seen:
            yield Unhonoured(
                "Structure",
                f"structure.carriers[{n}]: {carrier.kind.value} is named twice, but a server "
                f"runs one {carrier.kind.value} carrier (hearth.toml's [carriers."
                f"{carrier.kind.value}] table): both entries are the same groups, and `name` "
                "is a label only",
            )
        seen.add(carrier.kind)
    if CarrierKind.WEBCHAT not in seen:
        yield Unhonoured(
            "Structure",
            "structure.carriers: the web chat is left out, but every community keeps a web "
            "chat group all the same (its join link lets people in, and it counts in the "
            "figures): hearth.toml decides which carriers run; this list names the platforms "
            "for warnings and gaps",
        )
    yield from _permissions(pb)
    invites = pb.rules.violations.invites
    blind = sorted(
        {c.kind.value for c in pb.structure.carriers} - {k.value for k in READS_PICTURES}
    )
    if invites.enabled and invites.qr_codes and blind:
        yield Unhonoured(
            "Structure",
            "rules.violations.invites.qr_codes: pictures are read for QR codes on "
            f"{_listed([k.value for k in READS_PICTURES])} only; on {', '.join(blind)} the "
            "bot does not download them, so another group's "
            "QR code in a picture goes unseen (during probation, joining.probation.no_links "
            "still counts a newcomer's picture as a link)",
        )


def _listed(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _permissions(pb: Playbook) -> Iterator[Unhonoured]:
    """Permissions the playbook's own roles are given that nothing checks yet, said once (the
    default roles, which an operator did not write, hold them too, and are not named)."""
    if "roles" not in pb.structure.model_fields_set:
        return
    given = [p for p in UNCHECKED
             if any(p in role.permissions for role in pb.structure.roles.values())]  # fmt: skip
    if not given:
        return
    names = ", ".join(p.value for p in given)
    one = len(given) == 1
    yield Unhonoured(
        "Structure",
        f"structure.roles.<id>.permissions: {names} allow{'s' if one else ''} nothing yet — "
        f"no in-chat command asks for {'it' if one else 'them'}; staff edit the playbook in "
        "the console or with `hearth`, where every signed-in operator may do all of it",
    )
