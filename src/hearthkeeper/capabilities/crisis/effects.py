"""Crisis watch's store work (load → decide → write): record an alarming message, measure the
group's last half hour against its past week, and open or extend an episode; a new episode
alerts staff once, with the messages that made it."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.crisis.decide import (
    SENSITIVITY,
    Counts,
    Verdict,
    enough_to_spike,
    spike,
    verdict,
)
from hearthkeeper.capabilities.crisis.render import alert_text
from hearthkeeper.capabilities.crisis.repository import Mark, SqlCrisis
from hearthkeeper.capabilities.crisis.requests import NoteAlarm
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.store.scope import StoreBase


def alert_key(group_id: int, episode_id: int) -> str:
    """One alert per episode (the outbox performs a key once)."""
    return f"crisis:{group_id}:{episode_id}"


def note_alarm(scope: StoreBase, request: NoteAlarm, ctx: EffectContext) -> Sequence[Action]:
    """Record the message; alert staff if it starts an episode."""
    t = SENSITIVITY[ctx.playbook.mechanisms.crisis.sensitivity]
    group, repo = ctx.group, SqlCrisis.on(scope)
    member = ctx.member.id if ctx.member is not None else None
    mark = Mark(request.event_id, member, request.author, request.text, request.score,
                request.markers, request.at)  # fmt: skip
    if not repo.add_mark(group.id, mark):
        return ()  # seen before: it was measured then
    now = request.at
    start = now - t.window
    # Read as little as the verdict needs: the alarming messages first (a few rows), the
    # group's messages only when they could make a spike, its episodes only when they do.
    marked = repo.marked(group.id, now - t.baseline, start, now)
    if not enough_to_spike(marked.window.alarming, marked.window.authors, t):
        return ()
    said, said_before = repo.said(group.id, now - t.baseline, start, now)
    window = Counts(max(said, marked.window.alarming), marked.window.alarming,
                    marked.window.authors)  # fmt: skip
    history = Counts(max(said_before, marked.history.alarming), marked.history.alarming,
                     marked.history.authors)  # fmt: skip
    found = spike(window, history, t)
    if found is None:
        return ()
    latest = repo.latest(group.id)
    match verdict(found, latest, now, t):
        case Verdict.CALM:
            return ()
        case Verdict.EXTEND:
            assert latest is not None
            repo.extend(latest.id, group.id, start, now)
            return ()
    assert found is not None
    # the key needs the episode's id: open under a placeholder, then name it
    episode = repo.open(group.community_id, group.id, start, now, found.window, found.baseline,
                        found.bar, alert_key="")  # fmt: skip
    key = alert_key(group.id, episode)
    repo.name_alert(episode, key)
    zone = ZoneInfo(ctx.playbook.community.timezone)
    text = alert_text(ctx.playbook.community.language, group.name, found,
                      int(t.window.total_seconds() // 60), repo.marks(episode), zone)  # fmt: skip
    return (Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                   group=group.carrier_group_id, text=text, handler="crisis", key=key,
                   reason="a spike of negative or panicked messages",
                   detail=f"crisis episode {episode}: {found.window.alarming} of "
                          f"{found.window.messages} messages alarming, bar {found.bar:.2f}"),)  # fmt: skip
