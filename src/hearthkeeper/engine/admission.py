"""Admission: whether someone who asks to join a group may, decided before they are in.

A carrier that can screen a joiner before they see the group (the web chat's join page, a
Matrix knock, a Telegram join request, a QQ add request) builds a `JoinRequest` and asks the
server's `Admission`. The community's playbook names the threshold (`joining.threshold.kind`);
the capability that owns a kind registers its check with `Registry.add_threshold`, and the
check answers with a `Verdict`: admit, pending (an application waits for staff) or refuse,
with the reason said in the community's language. Blacklisted people are refused whatever the
threshold. A kind no capability checks is refused, never waved through: a paid community does
not open to strangers because a module is missing.

The check runs in a store transaction of its own and may write (an application, an invite
code's use), so asking twice with the same request must not count twice. The web chat's join
page also asks before anything is typed, to show what the form needs: such a request is a
`probe` (no code, no answers; `user_id` "" for a visitor it does not know yet), and a check
must give nothing that counts for it (a trial, a code's use, an application).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.controls import shown_name

if TYPE_CHECKING:
    from hearthkeeper.clock import Clock
    from hearthkeeper.engine.executor import Runtime
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.playbook.joining import Threshold
    from hearthkeeper.store import Community, Group, Store
    from hearthkeeper.store.scope import StoreBase


class Entry(StrEnum):
    """What becomes of a join request."""

    ADMIT = "admit"  # let them in now
    PENDING = "pending"  # wait: staff review an application, or a payment is on its way
    REFUSE = "refuse"  # not let in; `Verdict.reason` says why and what would let them in


@dataclass(frozen=True, kw_only=True)
class JoinRequest:
    """Someone asking to join a group, with what they brought: an invite code they typed or
    their link carried, the link's `source` (a live code's channel, a member's referral
    link: the capability that made the link reads it), answers to the application questions."""

    carrier: str
    group_id: int
    user_id: str  # the carrier's id of the person
    display_name: str = ""
    code: str | None = None  # an invite code
    source: str | None = None  # the opaque token of the link they came by
    answers: tuple[str, ...] = ()
    # a form with a field for each question (the join pages): one answer stands for all only
    # where there is one free-text field (a Matrix knock's reason, a Telegram bio)
    field_per_question: bool = False
    probe: bool = False  # only looking (the join page before anything is typed): count nothing
    # the client network a web join page was asked from (`web.clientaddr.client_network`):
    # a paid community gives one free trial per network in a while; None where unknown
    network: str | None = None
    # the same client network whatever the operator exempted from the trial limit: one
    # network's pending applications hold few seats (`store/rooms.py`); None where unknown
    client: str | None = None

    def __post_init__(self) -> None:  # as staff read it in the application (see `Sender`)
        object.__setattr__(self, "display_name", shown_name(self.display_name))


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The answer to a join request. `reason` is for the person asking, in the community's
    language; `questions` are what they still have to answer (an application form)."""

    entry: Entry
    reason: str = ""
    questions: tuple[str, ...] = ()
    asks_code: bool = False  # the form should offer a field for an invite code
    keeps_form: bool = False  # a refusal that asking again can turn (once paid, say): the
    # form stays; otherwise a refusal with no questions and no code field closes the door

    @property
    def admitted(self) -> bool:
        return self.entry is Entry.ADMIT


ADMIT = Verdict(entry=Entry.ADMIT)

# What the door itself says (a threshold's check says the rest), in the community's language.
_SAID: dict[str, dict[Language, str]] = {
    "not_here": {Language.EN: "This group is not run here.",
                 Language.ZH_CN: "这个群不在本服务器上运营。"},
    "blacklisted": {Language.EN: "You cannot join this community.",
                    Language.ZH_CN: "你不能加入这个社群。"},
    "closed": {Language.EN: "{group} is closed: it takes no newcomers.",
               Language.ZH_CN: "{group}已关闭，不再接收新成员。"},
    "closed_into": {Language.EN: "{group} is closed: it takes no newcomers. Its members carry "
                                 "on in {other}.",
                    Language.ZH_CN: "{group}已关闭，不再接收新成员。成员们移步「{other}」继续交流。"},
    "unchecked": {Language.EN: "This community admits by {kind!r}, which this server cannot "
                               "check; ask its staff.",
                  Language.ZH_CN: "本社群的入群方式（{kind}）本服务器无法核验，请联系管理员。"},
}  # fmt: skip


def _say(key: str, language: Language, **values: object) -> str:
    texts = _SAID[key]
    return texts.get(language, texts[Language.EN]).format(**values)


@dataclass(frozen=True, kw_only=True)
class Applicant:
    """What a threshold check is given besides the request: the group, its community and
    playbook, the person's member id when the store already knows them, and the time."""

    group: Group
    community: Community
    playbook: Playbook
    member_id: int | None
    now: datetime
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def threshold(self) -> Threshold:
        return self.playbook.joining.threshold


class ThresholdCheck(Protocol):
    """The check of one threshold kind, run in `scope`'s transaction."""

    def __call__(self, scope: StoreBase, request: JoinRequest, applicant: Applicant) -> Verdict:
        """Admit, hold or refuse `request`."""
        ...


class Admission:
    """The server's door: `screen` a join request by the threshold of the group's community.

    `runtimes` finds the runtime (playbook and registry) a community currently runs (a new
    playbook version replaces it); a group of a community not run here is refused."""

    def __init__(
        self, store: Store, clock: Clock, runtimes: Callable[[int], Runtime | None]
    ) -> None:
        self.store = store
        self.clock = clock
        self._runtimes = runtimes

    def screen(
        self,
        request: JoinRequest,
        then: Callable[[StoreBase], None] | None = None,
        *,
        scope: StoreBase | None = None,
    ) -> Verdict:
        """The verdict on `request`; blocking (store reads and writes): call it off the event
        loop. `then` runs in the check's transaction when the verdict admits (the carrier
        seats the joiner there): what the check counted (an invite code's use, a trial) stays
        only with the seat; if `then` raises, nothing the check wrote stays, and the
        exception goes on. `scope`: a transaction of the caller's to screen in (the check's
        writes in a savepoint of it), instead of one of its own."""
        store = self.store if scope is None else type(self.store).on(scope)
        group = store.get_group(request.group_id)
        runtime = None if group is None else self._runtimes(group.community_id)
        community = None if runtime is None else store.get_community(runtime.slug)
        if group is None or runtime is None or community is None:
            return Verdict(entry=Entry.REFUSE, reason=_say("not_here", Language.EN))
        playbook = runtime.playbook
        language = playbook.community.language
        kind = playbook.joining.threshold.kind.value
        check = runtime.registry.threshold(kind)
        found = store.find_member(request.carrier, request.user_id)
        applicant = Applicant(
            group=group,
            community=community,
            playbook=playbook,
            member_id=None if found is None else found.id,
            now=self.clock.now(),
        )
        if group.closed:  # `hearth groups close`: nobody new, whatever the threshold says
            return Verdict(entry=Entry.REFUSE, reason=self._closed(group, language))
        if found is not None and store.is_blacklisted(community.id, found.id):
            return Verdict(entry=Entry.REFUSE, reason=_say("blacklisted", language))
        if check is None:
            return Verdict(entry=Entry.REFUSE, reason=_say("unchecked", language, kind=kind))
        with store.transaction() as tx:
            verdict = check(tx, request, applicant)
            if then is not None and verdict.admitted:
                then(tx)
            return verdict

    def _closed(self, group: Group, language: Language) -> str:
        """Why a closed group refuses: it takes no newcomers, and where its members went."""
        into = None if group.closed_into is None else self.store.get_group(group.closed_into)
        if into is None or into.closed:
            return _say("closed", language, group=group.name)
        return _say("closed_into", language, group=group.name, other=into.name)


def admit_all(scope: StoreBase, request: JoinRequest, applicant: Applicant) -> Verdict:
    """The `open` threshold: everyone not blacklisted is in."""
    return ADMIT
