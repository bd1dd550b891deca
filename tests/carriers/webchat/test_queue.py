"""The web chat's store is its queue for the engine, on SQLite and PostgreSQL: what members did
reaches the engine after a crash, once; what the engine had recorded does not come again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import insert

from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.webchat import WebChatCarrier
from hearthkeeper.carriers.webchat.queue_repository import SqlWebChatQueue
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Event, Join, Message
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Group, Store, create_engine_for, upgrade
from hearthkeeper.store.models import CommunityRow, EventRow, GroupRow, WebChatMessageRow
from tests.chat_clients import FAST_PLAYBOOK

BEFORE_QUEUE = "0007"  # the schema before the web chat's queue
PLAYBOOK = FAST_PLAYBOOK  # moderation would (rightly) stop test lines sent this fast


@dataclass
class Chat:
    store: Store
    clock: FrozenClock
    uploads: Path
    runtime: Runtime
    group: Group

    def carrier(self) -> WebChatCarrier:
        """The web chat as a newly started server has it: nothing in memory."""
        return WebChatCarrier(self.store, self.clock, self.uploads)

    def engine(self, carrier: WebChatCarrier) -> Engine:
        return Engine(self.store, self.clock, [self.runtime], {carrier.name: carrier})

    def recorded(self) -> list[str]:
        """The engine's record of the group's messages: their carrier event ids."""
        return [m.carrier_event_id for m in self.store.messages(self.group.id)]


@pytest.fixture
def chat(store: Store, store_clock: FrozenClock, tmp_path: Path) -> Chat:
    runtime = runtime_for(store, parse_playbook(PLAYBOOK).playbook)
    group = store.add_group(runtime.community_id, "Tea room", "webchat", "tea-1")
    return Chat(store, store_clock, tmp_path / "uploads", runtime, group)


def _member(carrier: WebChatCarrier, chat: Chat, nickname: str) -> str:
    user, _ = carrier.create_user(nickname)
    asyncio.run(carrier.join(chat.group.id, user.user_id))
    return user.user_id


async def _serve(engine: Engine, until: Callable[[], bool], what: str) -> None:
    """Run the engine until `until()` holds (failing after a generous deadline)."""
    stop = asyncio.Event()
    running = asyncio.create_task(engine.run(stop, idle=0.05))
    try:
        async with asyncio.timeout(30):
            while not until():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"never saw {what}") from None
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)


def test_after_a_crash_only_what_the_engine_had_not_recorded_comes_again(chat: Chat) -> None:
    before = chat.carrier()
    ann = _member(before, chat, "Ann")
    first = asyncio.run(before.say(chat.group.id, ann, "first"))
    second = asyncio.run(before.say(chat.group.id, ann, "@Hearthkeeper second?"))
    join, said_first, _said_second = before.take_events()
    chat.engine(before).process([join, said_first])  # then the server is killed

    after = chat.carrier()
    [again] = after.take_events()

    assert isinstance(again, Message)
    assert (again.event_id, again.text, again.mentions_bot) == (str(second), "@Hearthkeeper second?",
                                                                True)  # fmt: skip
    assert (again.sender.user_id, again.sender.display_name) == (ann, "Ann")
    assert chat.recorded() == [str(first)]


def test_the_engine_takes_the_backlog_at_start_and_the_queue_empties(chat: Chat) -> None:
    offline = chat.carrier()  # members chatted; the engine never saw any of it
    ann = _member(offline, chat, "Ann")
    said = [asyncio.run(offline.say(chat.group.id, ann, f"message {n}")) for n in range(3)]

    carrier = chat.carrier()
    queue = SqlWebChatQueue.on(chat.store)
    asyncio.run(_serve(chat.engine(carrier), lambda: queue.backlog("webchat") == [],
                       "the queue emptied"))  # fmt: skip

    assert chat.recorded() == [str(n) for n in said]
    member = chat.store.find_member("webchat", ann)
    assert member is not None and chat.store.active_members(chat.group.id)[0].member_id == member.id
    assert chat.carrier().take_events() == []  # a later start has nothing left to deliver


def test_a_member_writing_while_the_engine_runs_is_answered_once(chat: Chat) -> None:
    carrier = chat.carrier()
    engine = chat.engine(carrier)

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(engine.run(stop, idle=0.05))
        user, _ = carrier.create_user("Bo")
        await carrier.join(chat.group.id, user.user_id)
        for n in range(20):
            await carrier.say(chat.group.id, user.user_id, f"hello {n}")
        async with asyncio.timeout(30):
            while len(chat.recorded()) < 20 or SqlWebChatQueue.on(chat.store).backlog("webchat"):
                await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(running, 10)

    asyncio.run(scenario())
    assert len(chat.recorded()) == len(set(chat.recorded())) == 20


def test_the_engine_gets_a_message_only_once_the_group_was_shown_it(chat: Chat) -> None:
    """`say` commits in a worker thread, then shows the message and announces it. Were the
    feed to hand over a message it reads in between, the bot's answer could reach the
    browsers before the question (the round-trip benchmark saw it happen)."""
    carrier = chat.carrier()
    carrier.feed.grace = 3600.0  # a message nobody announces waits (in production: 2 s)
    ann = _member(carrier, chat, "Ann")
    carrier.take_events()

    async def scenario() -> tuple[list[str], list[str]]:
        stream = carrier.events()
        try:
            async with asyncio.timeout(30):
                # committed, not yet shown: as the feed may find it while `say` is under way
                unseen, _ = SqlWebChat.on(chat.store).add_message(chat.group.id, user_id=ann,
                                                                  nickname="Ann", kind="text",
                                                                  text="a question")  # fmt: skip
                shown = await carrier.say(chat.group.id, ann, "shown at once")
                waiting = asyncio.create_task(anext(stream))
                await asyncio.sleep(0.3)
                # The shown message waits behind the unseen one: a group's events keep
                # their order.
                handed_early = waiting.done()
                carrier.feed.announce(str(unseen.id))  # now the group sees it
                first = await waiting
                second = await anext(stream)
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
        assert not handed_early
        return [first.event_id, second.event_id], [str(unseen.id), str(shown)]

    handed, expected = asyncio.run(scenario())
    assert handed == expected


def test_a_row_committed_after_a_later_one_is_still_delivered(chat: Chat) -> None:
    """Across groups, ids are handed out before commit: a row can commit after a later one
    was read. (Within one group, writers take turns: the next test.)"""
    if chat.store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite writers take turns, so its ids are committed in order")
    carrier = chat.carrier()
    carrier.feed.poll = 0.05
    ann = _member(carrier, chat, "Ann")
    other = chat.store.add_group(chat.runtime.community_id, "Tea garden", "webchat", "tea-2")
    asyncio.run(carrier.join(other.id, ann))
    carrier.take_events()
    with chat.store.transaction() as slow:  # takes its id first, commits last
        late, _ = SqlWebChat.on(slow).add_message(other.id, user_id=ann, nickname="Ann",
                                                  kind="text", text="late")  # fmt: skip
        early = asyncio.run(carrier.say(chat.group.id, ann, "early"))
        assert [e.event_id for e in carrier.take_events()] == [str(early)]
    assert late.id < early

    async def next_event() -> Event:
        async with asyncio.timeout(30):
            async for event in carrier.events():
                return event
        raise AssertionError("the stream ended")

    found = asyncio.run(next_event())
    assert isinstance(found, Message) and found.event_id == str(late.id)


def test_a_groups_writers_take_turns_so_its_ids_follow_commit_order(chat: Chat) -> None:
    """A member's message waits for an earlier, uncommitted one of the same group, so a
    worker reading the group's queue by id never passes over a row committed later."""
    carrier = chat.carrier()
    ann = _member(carrier, chat, "Ann")
    carrier.take_events()

    async def scenario() -> tuple[int, int, bool]:
        with chat.store.transaction() as slow:
            first, _ = SqlWebChat.on(slow).add_message(chat.group.id, user_id=ann,
                                                       nickname="Ann", kind="text",
                                                       text="first")  # fmt: skip
            second = asyncio.create_task(carrier.say(chat.group.id, ann, "second"))
            await asyncio.sleep(0.3)
            waited = not second.done()  # it waits for the open transaction's group lock
        return first.id, await second, waited

    if chat.store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: the same turn-taking, by the database")
    first, second, waited = asyncio.run(scenario())
    assert waited and first < second
    assert [e.event_id for e in carrier.take_events()] == [str(first), str(second)]


def test_upgrading_queues_the_messages_a_crash_had_lost(
    database_url: str, store_clock: FrozenClock
) -> None:
    upgrade(database_url, to=BEFORE_QUEUE)
    now = store_clock.now()
    said = {"group_id": 1, "nickname": "Ann", "kind": "text", "mentions": [], "sent_at": now}
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as db:
            db.execute(insert(CommunityRow), [{"id": 1, "slug": "tea", "name": "Tea",
                                               "created_at": now}])  # fmt: skip
            db.execute(insert(GroupRow), [{"id": 1, "community_id": 1, "name": "Tea room",
                                           "carrier": "webchat", "carrier_group_id": "tea-1",
                                           "created_at": now}])  # fmt: skip
            db.execute(insert(WebChatMessageRow), [
                {**said, "id": 7, "user_id": "w-ann", "text": "recorded"},
                {**said, "id": 8, "user_id": "w-ann", "text": "lost"},
                {**said, "id": 9, "user_id": None, "text": "a bot reply"},
            ])  # fmt: skip
            db.execute(insert(EventRow), [{"group_id": 1, "carrier_event_id": "7",
                                           "type": "message", "at": now, "recorded_at": now}])  # fmt: skip
        upgrade(database_url)
        [queued] = SqlWebChatQueue.on(Store(engine, store_clock)).backlog("webchat")
    finally:
        engine.dispose()
    assert (queued.event_id, queued.kind, queued.user_id, queued.recorded) == ("8", "message",
                                                                               "w-ann", False)  # fmt: skip
    assert queued.message is not None and queued.message.text == "lost"


def test_joins_and_leaves_keep_their_event_ids_until_recorded(chat: Chat) -> None:
    before = chat.carrier()
    ann = _member(before, chat, "Ann")
    asyncio.run(before.leave(chat.group.id, ann))
    joined, left = before.take_events()

    join_again, leave_again = chat.carrier().take_events()  # not recorded: both come again

    assert isinstance(join_again, Join) and join_again.event_id == joined.event_id
    assert leave_again.event_id == left.event_id and leave_again.type is left.type


def test_the_feed_waits_quietly_while_the_engine_has_its_hands_full(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With as many events in flight as the engine may have, the feed waits for the engine
    to make room. It used to go round its loop without pause once the safety net's rescan
    was due, taking a core and the interpreter lock from the engine (an engine worker
    decided 190 messages a second instead of 600)."""
    carrier = chat.carrier()
    carrier.feed.max_in_flight, carrier.feed.batch, carrier.feed.poll = 1, 1, 0.01
    ann = _member(carrier, chat, "Ann")
    carrier.feed.handled(carrier.take_events())  # the join: the engine has it
    first = asyncio.run(carrier.say(chat.group.id, ann, "one"))
    second = asyncio.run(carrier.say(chat.group.id, ann, "two"))
    for said in (first, second):
        carrier.feed.announce(str(said))
    rounds = 0
    release = carrier.feed._release

    def counted(now: float) -> list[Event]:
        nonlocal rounds
        rounds += 1
        return release(now)

    monkeypatch.setattr(carrier.feed, "_release", counted)

    async def scenario() -> tuple[int, str]:
        stream = carrier.events()
        try:
            async with asyncio.timeout(30):
                handed = await anext(stream)
                assert handed.event_id == str(first)
                waiting = asyncio.create_task(anext(stream))
                start = rounds
                await asyncio.sleep(0.5)  # 50 rescans due, no room for any of them
                idle_rounds = rounds - start
                assert not waiting.done()
                carrier.feed.handled([handed])  # the engine committed it: room again
                return idle_rounds, (await waiting).event_id
        finally:
            await stream.aclose()  # type: ignore[attr-defined]

    idle_rounds, then = asyncio.run(scenario())
    assert idle_rounds <= 2, f"the feed went round {idle_rounds} times with no room"
    assert then == str(second)
