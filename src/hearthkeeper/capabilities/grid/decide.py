"""The matrix's warnings, decided from the groups' lines alone (no store).

| warning   | when | suggests |
|-----------|------|----------|
| overload  | a staff member is in charge of more groups than `copy.max_groups_per_manager` | hand groups to another manager |
| capacity  | a group holds at least 90% of its capacity | newcomers need another group |
| open-next | every group holds at least `copy.open_new_group_at` of its by-code limit (the smaller of its capacity and `structure.groups.join_by_code_cap`) | open the next group |
| circle    | a group of at least 3 × `structure.groups.small_circle_size` members, with at least 50 messages in 28 days, where the top `small_circle_size` members wrote at least 80% of them | split the circle into a group of its own |
| dying     | the group's stage is dying (stage.py) | merge it or close it (`hearth groups close`) |
| override  | a `groups:` override of the playbook names no group of the community | fix the name |

Each warning has a key naming its condition (`capacity:<group id>` ...): staff are alerted
once per condition while it holds (watch.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from hearthkeeper.capabilities.grid.stage import Pulse, Stage, collapsing, stage_of
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.counts import counted, weekly
from hearthkeeper.text.folding import fold, name_order

NEAR_CAPACITY = 0.9
CIRCLE_SHARE = 0.8
CIRCLE_FACTOR = 3  # "much larger" than the small circle: three times its size
CIRCLE_MIN_MESSAGES = 50  # a quiet group's few messages say nothing about circles
GROUPS_NAMED = 5  # groups listed in an overload warning
SUMMARY_NAMED = 10  # groups listed in one alert about many groups


@dataclass(frozen=True)
class Keeper:
    """A staff member in charge of a group: `assigned` on the matrix page or by `hearth grid
    assign`, else holding a manager role (kind `manager`) in the group."""

    member_id: int
    name: str
    assigned: bool


@dataclass(frozen=True)
class GroupLine:
    """One group of the matrix."""

    group_id: int
    name: str
    carrier: str
    carrier_group_id: str
    members: int
    capacity: int | None
    pulse: Pulse
    speakers_7d: int
    top_messages_28d: int  # messages of its `small_circle_size` most active members, 28 days
    health: int | None
    keepers: tuple[Keeper, ...] = ()
    closed: bool = False  # closed by an operator: shown as closed, warned of no more

    @property
    def fill(self) -> float | None:
        """Members as a share of capacity (None: no capacity)."""
        return self.members / self.capacity if self.capacity else None

    @property
    def stage(self) -> Stage:
        return Stage.CLOSED if self.closed else stage_of(self.pulse)

    @property
    def messages_7d(self) -> int:
        return self.pulse.this_week


_STAGES: Final = {s: i for i, s in enumerate(Stage)}
# the order a narrowing by stage offers them: the stages that need the operator first
STAGE_FILTER: Final = (Stage.DYING, Stage.DECLINING, Stage.NEW, Stage.GROWING, Stage.MATURE,
                       Stage.CLOSED)  # fmt: skip
MAX_FIND: Final = 100  # characters of a search kept (a group's name is at most 200)
SORTS: Final[dict[str, Callable[[GroupLine], Any]]] = {
    "group": lambda line: line.group_id,
    "name": lambda line: name_order(line.name),
    "members": lambda line: line.members,
    "fill": lambda line: line.fill if line.fill is not None else -1.0,
    "messages": lambda line: line.messages_7d,
    "speakers": lambda line: line.speakers_7d,
    "health": lambda line: line.health if line.health is not None else -1,
    "stage": lambda line: _STAGES[line.stage],
    "keepers": lambda line: ", ".join(k.name for k in line.keepers).casefold(),
}


def sorted_lines(lines: Sequence[GroupLine], sort: str, *,
                 descending: bool = False) -> list[GroupLine]:  # fmt: skip
    """The lines by `SORTS[sort]` (an unknown key: by name, `name_order`), ties by opening."""
    key = SORTS.get(sort, SORTS["name"])
    return sorted(lines, key=lambda line: (key(line), line.group_id), reverse=descending)


def holds(find: str, name: str, carrier_group_id: str) -> bool:
    """Whether a group's name or carrier id holds `find` (folded: width and case ignored;
    empty: every group) — the matrix's, `hearth grid show --find`'s and the Groups page's
    search."""
    wanted = fold(find)
    return not wanted or wanted in fold(name) or wanted in fold(carrier_group_id)


def narrowed(lines: Sequence[GroupLine], stage: Stage | None, find: str) -> list[GroupLine]:
    """The lines at `stage` (None: any) whose name or carrier id holds `find` (`holds`)."""
    return [line for line in lines
            if (stage is None or line.stage is stage)
            and holds(find, line.name, line.carrier_group_id)]  # fmt: skip


class Kind(StrEnum):
    OVERLOAD = "overload"
    CAPACITY = "capacity"
    OPEN_NEXT = "open-next"
    CIRCLE = "circle"
    DYING = "dying"
    OVERRIDE = "override"


TEXTS = Phrasebook({
    "overload": {
        Language.EN: "{name} is in charge of {count} groups ({groups}); "
                     "copy.max_groups_per_manager is {limit}: hand {over} of them to another "
                     "manager before opening more — groups nobody looks after turn into ad groups.",
        Language.ZH_CN: "{name} 负责 {count} 个群（{groups}），超过每位管理者最多 {limit} 个群"
                        "（copy.max_groups_per_manager）：请把其中 {over} 个群交给其他管理者，"
                        "再开新群——没人管的群会变成广告群。",
    },
    "capacity": {
        Language.EN: "{group} holds {members} of {capacity} members ({percent}%): near capacity "
                     "— newcomers will soon need another group.",
        Language.ZH_CN: "「{group}」已有 {members}/{capacity} 人（{percent}%），快满了："
                        "新成员很快需要另一个群。",
    },
    "full": {
        Language.EN: "{group} holds {members} of {capacity} members ({percent}%): full "
                     "— newcomers need another group now.",
        Language.ZH_CN: "「{group}」已有 {members}/{capacity} 人（{percent}%），已经满了："
                        "新成员现在就需要另一个群。",
    },
    "open-next": {
        Language.EN: "Every group holds at least {percent}% of its by-code limit "
                     "(copy.open_new_group_at): open the next group so newcomers have room.",
        Language.ZH_CN: "所有群都已达到扫码进群上限的 {percent}%（copy.open_new_group_at）："
                        "请开下一个群，给新成员留位置。",
    },
    "circle": {
        Language.EN: "In {group} ({members} members), {circle} members wrote {percent}% of the "
                     "{messages} messages of the last 28 days: the talk lives in a small circle "
                     "— consider splitting them into a group of their own "
                     "(structure.groups.small_circle_size: {circle}).",
        Language.ZH_CN: "「{group}」有 {members} 人，但最近 28 天的 {messages} 条消息中 {percent}% "
                        "来自 {circle} 个人：讨论集中在小圈子里，可以考虑把他们拆成一个小群"
                        "（structure.groups.small_circle_size：{circle}）。",
    },
    "dying": {
        Language.EN: "{group} is dying: {messages} this week vs {before}/week over the four "
                     "weeks before — merge it into a livelier group or close it before it turns "
                     "into an ad group (hearth groups close \"{group}\" --into OTHER).",
        Language.ZH_CN: "「{group}」正在沉寂：本周 {this} 条消息，之前四周平均每周 {before} 条——"
                        "请把它并入更活跃的群或关闭它，免得变成广告群"
                        "（hearth groups close \"{group}\" --into 其他群）。",
    },
    "dead": {
        Language.EN: "{group} is dying: not one message in the last 28 days, with {members} "
                     "members in it — merge it into a livelier group or close it before it turns "
                     "into an ad group (hearth groups close \"{group}\" --into OTHER).",
        Language.ZH_CN: "「{group}」正在沉寂：最近 28 天没有一条消息，群里还有 {members} 人——"
                        "请把它并入更活跃的群或关闭它，免得变成广告群"
                        "（hearth groups close \"{group}\" --into 其他群）。",
    },
    # The Matrix page's: its Close… link beside the warning does what the command would
    "dying-linked": {
        Language.EN: "{group} is dying: {messages} this week vs {before}/week over the four "
                     "weeks before — merge it into a livelier group or close it before it turns "
                     "into an ad group (Close… names the group its members carry on in).",
        Language.ZH_CN: "「{group}」正在沉寂：本周 {this} 条消息，之前四周平均每周 {before} 条——"
                        "请把它并入更活跃的群或关闭它，免得变成广告群（「关闭…」可指定成员转去的群）。",
    },
    "dead-linked": {
        Language.EN: "{group} is dying: not one message in the last 28 days, with {members} "
                     "members in it — merge it into a livelier group or close it before it turns "
                     "into an ad group (Close… names the group its members carry on in).",
        Language.ZH_CN: "「{group}」正在沉寂：最近 28 天没有一条消息，群里还有 {members} 人——"
                        "请把它并入更活跃的群或关闭它，免得变成广告群（「关闭…」可指定成员转去的群）。",
    },
    "many-dying": {
        Language.EN: "{count} groups are dying: {groups} — merge each into a livelier group or "
                     "close it before it turns into an ad group (hearth groups close GROUP --into "
                     "OTHER; the matrix page lists them all).",
        Language.ZH_CN: "{count} 个群正在沉寂：{groups}——请把它们并入更活跃的群或关闭，"
                        "免得变成广告群（hearth groups close 群名 --into 其他群；群矩阵页面列出全部）。",
    },
    "many-capacity": {
        Language.EN: "{count} groups are near capacity or full: {groups} — newcomers will need "
                     "other groups (the matrix page lists them all).",
        Language.ZH_CN: "{count} 个群快满或已满：{groups}——新成员需要其他群（群矩阵页面列出全部）。",
    },
    "many-circle": {
        Language.EN: "In {count} groups the talk lives in a small circle: {groups} — consider "
                     "splitting those circles into groups of their own (the matrix page lists "
                     "them all).",
        Language.ZH_CN: "{count} 个群的讨论集中在小圈子里：{groups}——可以考虑把小圈子拆成小群"
                        "（群矩阵页面列出全部）。",
    },
    "override": {
        Language.EN: "The playbook's groups: override “{name}” names no group of this community "
                     "(by name or carrier id), so it changes nothing.",
        Language.ZH_CN: "剧本 groups: 中的「{name}」不是本社群任何群的名称或平台 id，所以不起作用。",
    },
})  # fmt: skip


@dataclass(frozen=True)
class MatrixWarning:
    """One warning: which condition (`key`), about which group or member, and its text."""

    kind: Kind
    key: str
    text_key: str
    values: Mapping[str, object] = field(default_factory=dict)
    group_id: int | None = None
    member_id: int | None = None

    def text(self, language: Language = Language.EN, *, linked: bool = False) -> str:
        """What staff read, in `language` (the console and the report read English);
        `linked`: beside a link that closes the group (the Matrix page), which it names
        instead of the `hearth groups close` command said where there is none."""
        key = f"{self.text_key}-linked" if linked and self.closes else self.text_key
        return TEXTS.say(key, language, **self.values)

    @property
    def closes(self) -> bool:
        """Whether it suggests closing its group (a dying group)."""
        return self.kind is Kind.DYING and self.group_id is not None

    @property
    def alerts(self) -> bool:
        """Whether staff are alerted of it (a misnamed override is the playbook's problem,
        shown where the playbook is read)."""
        return self.kind is not Kind.OVERRIDE


def summary_text(kind: Kind, names: Sequence[str], language: Language) -> str:
    """One alert about many groups with a warning of `kind` (dying, capacity or circle)."""
    shown = ("、" if language is Language.ZH_CN else ", ").join(names[:SUMMARY_NAMED])
    more = len(names) - SUMMARY_NAMED
    if more > 0:
        shown += f" 等（另有 {more} 个）" if language is Language.ZH_CN else f" and {more} more"
    return TEXTS.say(f"many-{kind.value}", language, count=len(names), groups=shown)


def _percent(part: float, whole: float) -> int:
    return math.floor(100 * part / whole + 0.5) if whole else 0


def matrix_warnings(lines: Sequence[GroupLine], playbook: Playbook,
                    names: Mapping[int, str] | None = None) -> list[MatrixWarning]:  # fmt: skip
    """Every warning the matrix shows, in a stable order: staff first, then by group.
    `names` gives keepers' display names (default: those on the lines). A closed group is
    warned of no more (its name still counts for the overrides)."""
    every, lines = lines, [line for line in lines if not line.closed]
    found = _overloads(lines, playbook, names)
    found += _open_next(lines, playbook)
    circle = playbook.structure.groups.small_circle_size
    for line in lines:
        found += _capacity(line)
        found += _circle(line, circle)
        found += _dying(line)
    found += _unknown_overrides(every, playbook)
    return found


def _overloads(lines: Sequence[GroupLine], playbook: Playbook,
               names: Mapping[int, str] | None) -> list[MatrixWarning]:  # fmt: skip
    limit = playbook.replication.max_groups_per_manager
    groups: dict[int, list[str]] = {}
    known: dict[int, str] = dict(names or {})
    for line in lines:
        for keeper in line.keepers:
            groups.setdefault(keeper.member_id, []).append(line.name)
            known.setdefault(keeper.member_id, keeper.name)
    found = []
    for member_id, held in sorted(groups.items()):
        if len(held) > limit:
            shown = ", ".join(held[:GROUPS_NAMED]) + (" …" if len(held) > GROUPS_NAMED else "")
            found.append(MatrixWarning(
                Kind.OVERLOAD, f"overload:{member_id}", "overload",
                {"name": known.get(member_id, f"member {member_id}"), "count": len(held),
                 "groups": shown, "limit": limit, "over": len(held) - limit},
                member_id=member_id,
            ))  # fmt: skip
    return found


def by_code_limit(line: GroupLine, playbook: Playbook) -> int:
    """How many members the group takes by code (as live codes count it)."""
    capacity = line.capacity if line.capacity is not None else playbook.structure.groups.capacity
    return min(capacity, playbook.structure.groups.join_by_code_cap)


def _open_next(lines: Sequence[GroupLine], playbook: Playbook) -> list[MatrixWarning]:
    open_at = playbook.replication.open_new_group_at
    if not lines or any(
        line.members < math.ceil(open_at * by_code_limit(line, playbook)) for line in lines
    ):
        return []
    return [MatrixWarning(Kind.OPEN_NEXT, "open-next", "open-next",
                          {"percent": _percent(open_at, 1)})]  # fmt: skip


def _capacity(line: GroupLine) -> list[MatrixWarning]:
    fill = line.fill
    if fill is None or fill < NEAR_CAPACITY:
        return []
    said = "full" if line.capacity is not None and line.members >= line.capacity else "capacity"
    return [MatrixWarning(Kind.CAPACITY, f"capacity:{line.group_id}", said,
                          {"group": line.name, "members": line.members,
                           "capacity": line.capacity, "percent": _percent(fill, 1)},
                          group_id=line.group_id)]  # fmt: skip


def concentrated(line: GroupLine, circle: int) -> bool:
    """Whether the group's talk lives in a small circle (the table above)."""
    messages = line.pulse.messages_28d
    return (line.members >= CIRCLE_FACTOR * circle and messages >= CIRCLE_MIN_MESSAGES
            and line.top_messages_28d >= CIRCLE_SHARE * messages)  # fmt: skip


def _circle(line: GroupLine, circle: int) -> list[MatrixWarning]:
    if not concentrated(line, circle):
        return []
    messages = line.pulse.messages_28d
    return [MatrixWarning(Kind.CIRCLE, f"circle:{line.group_id}", "circle",
                          {"group": line.name, "members": line.members, "circle": circle,
                           "messages": messages,
                           "percent": _percent(line.top_messages_28d, messages)},
                          group_id=line.group_id)]  # fmt: skip


def _dying(line: GroupLine) -> list[MatrixWarning]:
    if line.stage is not Stage.DYING:
        return []
    pulse = line.pulse
    if collapsing(pulse):
        values: dict[str, object] = {"group": line.name, "this": pulse.this_week,
                                     "messages": counted(pulse.this_week, "message"),
                                     "before": weekly(pulse.before)}  # fmt: skip
        return [MatrixWarning(Kind.DYING, f"dying:{line.group_id}", "dying", values,
                              group_id=line.group_id)]  # fmt: skip
    return [MatrixWarning(Kind.DYING, f"dying:{line.group_id}", "dead",
                          {"group": line.name, "members": line.members},
                          group_id=line.group_id)]  # fmt: skip


def _unknown_overrides(lines: Sequence[GroupLine], playbook: Playbook) -> list[MatrixWarning]:
    known = {line.name for line in lines} | {line.carrier_group_id for line in lines}
    return [MatrixWarning(Kind.OVERRIDE, f"override:{name}", "override", {"name": name})
            for name in playbook.groups if name not in known]  # fmt: skip
