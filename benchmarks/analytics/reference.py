"""The report's minimum aggregates computed without Hearthkeeper: by DuckDB over the CSV file,
and by one direct SQL query per grain over the `messages` table of either database.

Per group: messages, members (distinct senders), first_ts, last_ts. Per group and local
calendar day (the community's time zone): messages, active members (distinct senders).
Groups are named as in the CSV's `group` column, which is what an import calls them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text


@dataclass(frozen=True)
class GroupTotals:
    messages: int
    members: int
    first_ts: datetime
    last_ts: datetime


@dataclass
class Aggregates:
    """What is compared: totals per group name, and (messages, active members) per group
    name and local day."""

    groups: dict[str, GroupTotals] = field(default_factory=dict)
    daily: dict[tuple[str, date], tuple[int, int]] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        return sum(totals.messages for totals in self.groups.values())


def over_csv(path: Path, timezone: str) -> Aggregates:
    """The aggregates by DuckDB, reading the CSV file itself."""
    import duckdb  # a dev dependency; only this reference needs it

    connection = duckdb.connect()
    try:
        connection.execute(
            'CREATE TEMP TABLE m AS SELECT "group" AS g, sender AS s, timestamp AS ts '
            "FROM read_csv(?, header = true, quote = '\"', escape = '\"', columns = {"
            "'id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'group': 'VARCHAR', "
            "'sender': 'VARCHAR', 'sender_name': 'VARCHAR', 'kind': 'VARCHAR', "
            "'text': 'VARCHAR', 'reply_to': 'VARCHAR'})",
            [str(path)],
        )
        groups = connection.execute(
            "SELECT g, count(*), count(DISTINCT s), epoch_us(min(ts)), epoch_us(max(ts)) "
            "FROM m GROUP BY g"
        ).fetchall()
        daily = connection.execute(
            "SELECT g, CAST(timezone(?, ts) AS DATE) AS d, count(*), count(DISTINCT s) "
            "FROM m GROUP BY g, d",
            [timezone],
        ).fetchall()
    finally:
        connection.close()
    return Aggregates(
        groups={
            str(g): GroupTotals(int(n), int(s), _from_epoch_us(first), _from_epoch_us(last))
            for g, n, s, first, last in groups
        },
        daily={(str(g), d): (int(n), int(s)) for g, d, n, s in daily},
    )


def over_store(engine: Engine, community_id: int, timezone: str) -> Aggregates:
    """The aggregates by one direct SQL query per grain over `messages` joined to `groups`."""
    dialect = engine.dialect.name
    scope = "FROM messages m JOIN groups g ON g.id = m.group_id WHERE g.community_id = :c"
    with engine.connect() as connection:
        groups = connection.execute(
            text(
                "SELECT g.name, count(*), count(DISTINCT m.member_id), min(m.sent_at), "
                f"max(m.sent_at) {scope} GROUP BY g.name"
            ),
            {"c": community_id},
        ).all()
        totals = {
            str(name): GroupTotals(int(n), int(s), _instant(first), _instant(last))
            for name, n, s, first, last in groups
        }
        if not totals:
            return Aggregates()
        start = min(t.first_ts for t in totals.values())
        end = max(t.last_ts for t in totals.values())
        day = _local_day_sql(dialect, timezone, start, end)
        daily = connection.execute(
            text(
                f"SELECT g.name, {day} AS d, count(*), count(DISTINCT m.member_id) {scope} "
                "GROUP BY g.name, d"
            ),
            {"c": community_id, "tz": timezone},
        ).all()
    return Aggregates(
        groups=totals,
        daily={(str(g), _day(d)): (int(n), int(s)) for g, d, n, s in daily},
    )


def from_report(report: Mapping[str, Any]) -> Aggregates:
    """The same aggregates as `build_report(...).to_json()` gives them."""
    found = Aggregates()
    for group in report["groups"]:
        name = str(group["name"])
        found.groups[name] = GroupTotals(
            int(group["messages"]),
            int(group["members"]),
            _instant(group["first_ts"]),
            _instant(group["last_ts"]),
        )
        for point in group["daily"]:
            messages, active = int(point["messages"]), int(point["active_members"])
            if messages or active:  # a report may list quiet days; the references do not
                found.daily[(name, _day(point["date"]))] = (messages, active)
    return found


def differences(expected: Aggregates, found: Aggregates, limit: int = 10) -> list[str]:
    """Where `found` differs from `expected`, in words; the first `limit` of them."""
    problems: list[str] = []
    for name in sorted(expected.groups.keys() | found.groups.keys()):
        want, got = expected.groups.get(name), found.groups.get(name)
        if want != got:
            problems.append(f"group {name!r}: expected {want}, found {got}")
    for key in sorted(expected.daily.keys() | found.daily.keys()):
        want_day, got_day = expected.daily.get(key), found.daily.get(key)
        if want_day != got_day:
            problems.append(
                f"group {key[0]!r} on {key[1]}: expected (messages, active members) "
                f"{want_day}, found {got_day}"
            )
    if len(problems) > limit:
        return [*problems[:limit], f"... and {len(problems) - limit} more"]
    return problems


def _local_day_sql(dialect: str, timezone: str, start: datetime, end: datetime) -> str:
    """An SQL expression for the local calendar day of `m.sent_at`, valid over [start, end].

    PostgreSQL knows time zones. SQLite keeps UTC as text and does not, so the expression
    spells out the zone's UTC offsets over the range: one CASE branch per offset change."""
    if dialect == "postgresql":
        return "CAST(m.sent_at AT TIME ZONE :tz AS DATE)"
    changes = list(_offset_changes(ZoneInfo(timezone), start, end))
    branches = [
        f"WHEN m.sent_at < '{until:%Y-%m-%d %H:%M:%S}' THEN date(m.sent_at, '{offset:+d} seconds')"
        for until, offset in changes[:-1]
    ]
    last = f"date(m.sent_at, '{changes[-1][1]:+d} seconds')"
    return f"CASE {' '.join(branches)} ELSE {last} END" if branches else last


def _offset_changes(
    zone: ZoneInfo, start: datetime, end: datetime
) -> Iterable[tuple[datetime, int]]:
    """(until, offset in seconds) for each offset the zone has over [start, end]: the offset
    holds up to `until` (naive UTC); the last one holds to the end."""
    step = timedelta(minutes=15)  # offset changes fall on quarter hours in every zone
    at = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    offset = _offset(zone, at)
    while at <= end:
        at += step
        now = _offset(zone, at)
        if now != offset:
            yield at.replace(tzinfo=None), offset
            offset = now
    yield end.replace(tzinfo=None), offset


def _offset(zone: ZoneInfo, at: datetime) -> int:
    delta = at.astimezone(zone).utcoffset()
    assert delta is not None
    return int(delta.total_seconds())


def _instant(value: object) -> datetime:
    """An aware UTC datetime from what a database or a JSON report gives back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a point in time: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _from_epoch_us(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(value))
