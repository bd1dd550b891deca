"""Playbook fields this Hearthkeeper validates but does not act on yet.

A field that exists only in the schema must not look like a working feature: when a playbook
uses one, `hearth playbook show` names it as a gap, under the ISOOC element it belongs to.
Each entry goes when the feature is built (the step that builds it is named).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.playbook.model import Playbook
from hearthkeeper.playbook.positioning import BOT_NAME
from hearthkeeper.playbook.rules import Sanction
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

# Carriers that send direct messages (`ActionKind.DIRECT` in their capabilities), and those with
# a carrier in this version that do not besides the web chat (docs/alerts.md says the web chat
# has none, and `hearth serve` says so when that leaves alerts in the console's Inbox alone):
# a QQ bot can message only its friends. `tests/test_playbook_gaps.py` checks both against the
# carriers' capabilities.
SENDS_DIRECT = (CarrierKind.MATRIX, CarrierKind.TELEGRAM)
NO_DIRECT = (CarrierKind.QQ,)

# Carriers whose ban cannot be lifted by the bot: OneBot v11 has no call that undoes
# `reject_add_request` (no `ActionKind.UNBAN` in QQ's capabilities; docs/carriers/qq.md).
BANS_FOR_GOOD = (CarrierKind.QQ,)

# Carriers whose members' files never reach the engine as messages: a QQ group file arrives as
# a `group_upload` notice, which OneBot v11 can neither fetch nor delete (docs/carriers/qq.md).
FILES_UNSEEN = (CarrierKind.QQ,)

# Carriers whose door takes one answer from an applicant however many questions the playbook
# asks: Telegram's join request carries the requester's bio, QQ's its single answer field
# (docs/joining.md); staff read that answer under each question.
ONE_ANSWER = (CarrierKind.TELEGRAM, CarrierKind.QQ)


# Carriers that cannot show a message in a group to one member alone (`private_replies` in
# their capabilities; the web chat can): a door code is cut to its last two characters there
# (capabilities/activities/texts.py, docs/activities.md). `tests/test_playbook_gaps.py`
# checks it against the carriers' capabilities.
NO_PRIVATE_REPLIES = (CarrierKind.QQ, CarrierKind.TELEGRAM, CarrierKind.MATRIX)


@dataclass(frozen=True)
class Unhonoured:
    """A field the playbook uses that nothing runs: where, what it means for the operator."""

    element: str  # the ISOOC element's first word: Interest, Structure, Output, Operation ...
    message: str  # begins with `path`
    # Why nothing runs it: not built here yet, or a limit of the platform (`limit_of`), which
    # no version of Hearthkeeper lifts: `hearth playbook show` says it after the gap
    source: str = NOT_BUILT

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
    named = [c.kind for c in pb.structure.carriers]
    yield from _direct(pb, named)
    yield from _bans(pb, named)
    yield from _one_answer(pb, named)
    yield from _door_codes(pb, named)
    yield from _bot_name(pb, named)
    probation = pb.joining.probation
    unseen = _named(named, FILES_UNSEEN)
    if probation.duration is not None and probation.no_files and unseen:
        yield Unhonoured(
            "Operation",
            f"joining.probation.no_files: on {_listed(unseen)} a member's file goes to the "
            "group's files, which the bot is not told of and cannot delete (OneBot v11), so "
            "a newcomer's files are not held back there",
            limit_of(unseen),
        )


PLATFORMS = {CarrierKind.QQ.value: "QQ through OneBot v11", CarrierKind.TELEGRAM.value: "Telegram",
             CarrierKind.MATRIX.value: "Matrix"}  # fmt: skip


def limit_of(kinds: list[str]) -> str:
    """The source of a gap that a platform imposes, not this version (`a limit of QQ
    through OneBot v11`): said as "not built", it read as if the carrier itself were missing."""
    return "a limit of " + _listed([PLATFORMS.get(kind, kind) for kind in kinds])


def _named(named: list[CarrierKind], among: tuple[CarrierKind, ...]) -> list[str]:
    """The kinds of `among` the playbook names, in its order, each once."""
    return list(dict.fromkeys(kind.value for kind in named if kind in among))


def _direct(pb: Playbook, named: list[CarrierKind]) -> Iterator[Unhonoured]:
    """`alerts.direct` on a carrier that sends no direct messages: passed over there."""
    without = _named(named, NO_DIRECT)
    if pb.alerts.direct and without:
        yield Unhonoured(
            "Structure",
            f"alerts.direct: {_listed(without)} sends no direct messages (a QQ bot can "
            "message only its friends), so staff there read alerts in the staff channel "
            "(alerts.staff_group) and the console's Inbox only; direct messages go out on "
            f"{_listed([k.value for k in SENDS_DIRECT])}",
            limit_of(without),
        )


def _one_answer(pb: Playbook, named: list[CarrierKind]) -> Iterator[Unhonoured]:
    """An application of several questions on a carrier whose door takes one answer."""
    threshold = pb.joining.threshold
    where = _named(named, ONE_ANSWER)
    asked = len(threshold.questions)
    if threshold.kind is ThresholdKind.APPLICATION and asked > 1 and where:
        yield Unhonoured(
            "Structure",
            f"joining.threshold.questions: on {_listed(where)} an applicant gives one answer "
            f"for all {asked} questions (Telegram: their bio; QQ: the join request's answer), "
            "which staff read under each; the web chat's and the Matrix join page ask each "
            "question (a Matrix knock, too, has one reason)",
            limit_of(where),
        )


def _door_codes(pb: Playbook, named: list[CarrierKind]) -> Iterator[Unhonoured]:
    """Sign-ups, whose door codes a carrier without private replies cannot give in full."""
    where = _named(named, NO_PRIVATE_REPLIES)
    signing = [n for n, activity in enumerate(pb.activities) if activity.sign_up]
    if where and signing:
        yield Unhonoured(
            "Operation",
            f"activities[{signing[0]}].sign_up: on {_listed(where)} a member's door code cannot "
            "be shown to them alone, so the group reads only its last two characters and the "
            "member is told to ask staff, who pass the whole code on privately (the console's "
            "Events page lists each sign-up's code); the web chat shows it to the member alone",
            limit_of(where),
        )


def _bot_name(pb: Playbook, named: list[CarrierKind]) -> Iterator[Unhonoured]:
    """A bot's name of the community's own, which the web chat alone shows."""
    elsewhere = [kind for kind in dict.fromkeys(k.value for k in named) if kind != "webchat"]
    if pb.community.bot_name != BOT_NAME and elsewhere:
        yield Unhonoured(
            "Interest",
            f"community.bot_name: members read {pb.community.bot_name!r} as the bot's name in "
            f"the web chat; on {_listed(elsewhere)} the bot is called what its account is "
            "named there (set it on the platform)",
            "the bot's account on each platform",
        )


def _bans(pb: Playbook, named: list[CarrierKind]) -> Iterator[Unhonoured]:
    """A ladder that bans, on a carrier whose bans the bot cannot lift."""
    where = _named(named, BANS_FOR_GOOD)
    banning = [n for n, step in enumerate(pb.rules.ladder)
               if {Sanction.BAN, Sanction.BLACKLIST} & set(step.do)]  # fmt: skip
    if where and banning:
        yield Unhonoured(
            "Structure",
            f"rules.ladder[{banning[0]}].do: a ban or blacklisting on {_listed(where)} is for "
            "good: OneBot v11 has no call that lifts it, so a member whose ban staff lift "
            "(/pardon, the console) stays refused by the group until a group admin removes "
            "them from its blocked list in QQ",
            limit_of(where),
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
