"""Simulated members chatting in the demo's web chat groups, so an operator sees the engine at
work: newcomers, questions the FAQ answers, check-ins, a group-buy, adverts, a quarrel.

They use only the web chat's member API (`create_user`, `join`, `say`, `leave`), exactly as
a browser does; what the engine answers reaches the chat like any member's message. Staff
roles are given through the store, as `hearth staff set` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from hearthkeeper.carriers.webchat import BadNickname, WebChatRefused
from hearthkeeper.carriers.webchat.records import WebUser
from hearthkeeper.demo.cast import Lines, Role, load_lines
from hearthkeeper.demo.scenes import programme, random_scene
from hearthkeeper.demo.world import Beat, Scene, World
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Group, Store

# The opening (everyone arriving) moves this much faster than the conversation after it.
QUICK = 0.25


class MemberApi(Protocol):
    """What a member can do on the web chat (the carrier's member side)."""

    name: str

    def create_user(self, nickname: str) -> tuple[WebUser, str]: ...

    async def join(self, group_id: int, user_id: str) -> object: ...  # the door's verdict, if any

    async def say(
        self,
        group_id: int,
        user_id: str,
        text: str,
        *,
        picture: str | None = None,
        reply_to: int | None = None,
    ) -> int: ...

    async def leave(self, group_id: int, user_id: str) -> None: ...


class Simulator:
    """Drives the cast through scenes, one beat every `pace` seconds (a random span)."""

    def __init__(
        self,
        chat: MemberApi,
        store: Store,
        playbook: Playbook,
        groups: Sequence[Group],
        *,
        seed: int = 7,
        pace: tuple[float, float] = (1.0, 4.0),
        wait: Callable[[float], Awaitable[None]] | None = None,
        lines: Lines | None = None,
    ) -> None:
        if not groups:
            raise ValueError("the simulator needs at least one group")
        self.chat = chat
        self.store = store
        self.groups = list(groups)
        self.pace = pace
        self.performed: list[Beat] = []
        self.refusals: list[tuple[Beat, str]] = []
        self._wait = wait
        self._rng = random.Random(seed)
        self._staff_roles = _staff_roles(playbook)
        lines = _fitted(lines or load_lines(), len(self.groups))
        check_in = playbook.mechanisms.check_in
        signups = playbook.mechanisms.signups
        self.world = World(
            rng=self._rng,
            lines=lines,
            groups=len(self.groups),
            check_in_keywords=tuple(check_in.keywords) if check_in.enabled else (),
            faq_questions=tuple(e.question for e in playbook.mechanisms.faq.entries),
            group_buys_allowed=signups.enabled and "starter" in self._staff_roles,
        )
        self._users: dict[str, str] = {}
        self._scenes: dict[int, Scene | None] = {}
        self._programme = {g: programme(g) for g in range(1, len(self.groups) + 1)}

    async def run(self, stop: asyncio.Event, *, steps: int | None = None) -> int:
        """Act until `stop` is set (or `steps` beats were performed); the beats performed."""
        done = 0
        while not stop.is_set() and (steps is None or done < steps):
            beat = self._next_beat()
            if beat is None:
                break
            await self.perform(beat)
            done += 1
            await self._pause(beat, stop)
        return done

    async def perform(self, beat: Beat) -> None:
        """Do one beat through the member API; a refusal silences that member in that group."""
        w = self.world
        w.steps += 1
        group = self.groups[beat.group - 1]
        user_id = self._user(w.roles[beat.who])
        try:
            if beat.kind == "join":
                await self.chat.join(group.id, user_id)
                w.present[beat.group].add(beat.who)
            elif beat.kind == "leave":
                await self.chat.leave(group.id, user_id)
                w.present[beat.group].discard(beat.who)
            else:
                reply_to = self._latest(beat.group, beat.reply_to)
                said = await self.chat.say(group.id, user_id, beat.text, reply_to=reply_to)
                w.recent[beat.group].append((beat.who, said))
        except (WebChatRefused, BadNickname) as refused:  # a real member may have the name
            w.silenced.add((beat.who, beat.group))
            w.present[beat.group].discard(beat.who)
            self.refusals.append((beat, str(refused)))
        self.performed.append(beat)

    def _next_beat(self) -> Beat | None:
        for _ in range(100):
            g = self._rng.randint(1, len(self.groups))
            scene = self._scenes.get(g)
            if scene is None:
                todo = self._programme[g]
                scene = todo.pop(0)(self.world, g) if todo else random_scene(self.world, g)
            beat = next(scene, None)
            self._scenes[g] = None if beat is None else scene
            if beat is not None:
                return beat
        return None

    async def _pause(self, beat: Beat, stop: asyncio.Event) -> None:
        delay = self._rng.uniform(*self.pace) * (QUICK if beat.quick else 1.0)
        if self._wait is not None:
            await self._wait(delay)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)

    def _user(self, role: Role) -> str:
        """The member's web chat identity, made on first use; staff get their role then."""
        user_id = self._users.get(role.key)
        if user_id is not None:
            return user_id
        user, _token = self.chat.create_user(role.nickname)
        self._users[role.key] = user.user_id
        staff_role = self._staff_roles.get(role.staff or "")
        if staff_role is not None:
            member = self.store.member_for(self.chat.name, user.user_id, role.nickname)
            for g in role.groups:
                self.store.set_role(member.id, self.groups[g - 1].id, staff_role)
        return user.user_id

    def _latest(self, g: int, key: str | None) -> int | None:
        if key is None:
            return None
        for speaker, message_id in reversed(self.world.recent[g]):
            if speaker == key:
                return message_id
        return None


def _staff_roles(playbook: Playbook) -> dict[str, str]:
    """The playbook's role for the cast's group-buy host ("starter") and moderator."""
    roles = playbook.structure.roles
    found: dict[str, str] = {}
    started_by = playbook.mechanisms.signups.started_by
    starters = list(started_by) if started_by is not None else [
        role_id for role_id, role in roles.items() if Permission.START_SIGNUPS in role.permissions
    ]  # fmt: skip
    if starters:
        found["starter"] = starters[0]
    moderators = [r for r, role in roles.items() if Permission.MODERATE in role.permissions]
    others = [r for r in moderators if r != found.get("starter")]
    if others or moderators:
        found["moderator"] = (others or moderators)[0]
    return found


def _fitted(lines: Lines, groups: int) -> Lines:
    """The lines with every member's groups folded onto the groups there are."""
    cast = []
    for role in lines.cast:
        folded = tuple(dict.fromkeys((g - 1) % groups + 1 for g in role.groups))
        cast.append(role.model_copy(update={"groups": folded}))
    return lines.model_copy(update={"cast": tuple(cast)})
