"""The crisis watch handler: reads every member's message (a few hundredths of a millisecond)
and hands the alarming ones to the `crisis.note` effect, which measures the group in the
store. It keeps nothing in memory, so a restart or a rolled-back batch needs nothing rebuilt."""

from __future__ import annotations

from hearthkeeper.capabilities.command_book import CommandBook
from hearthkeeper.capabilities.crisis.requests import NoteAlarm
from hearthkeeper.capabilities.crisis.signal import Reading, Signal
from hearthkeeper.capabilities.format import excerpt
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import NOTHING, Context, Outcome
from hearthkeeper.text.normalise import prepare

# what a text that is none of the member's own words reads as: nothing alarming
CALM = Reading("zh", 1.0)


class CrisisWatch:
    """Alarming messages (panic words, clearly negative) of members, not staff, not bots;
    not a member's command to the bot nor a message naming only the community's own things
    (`兑换 包邮券`, `排行榜`, `包邮券`: the sentiment model reads the community's words, not
    the member's mood)."""

    name = "crisis"

    def __init__(self, signal: Signal | None = None, book: CommandBook | None = None) -> None:
        self._signal = signal
        self.book = book

    @property
    def signal(self) -> Signal:
        """The sentiment models, loaded on the first message (once per process)."""
        if self._signal is None:
            self._signal = Signal.shipped()
        return self._signal

    def check(self, event: Event, ctx: Context) -> bool:
        return (isinstance(event, Message) and not event.sender.is_bot and not ctx.member.is_staff
                and bool(event.text.strip()))  # fmt: skip

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        reading = self.signal.read(prepare(event.text).normalised)
        if reading.alarming and self.book is not None:
            reading = self._members_own(event.text, ctx, self.book)
        if not reading.alarming:
            return NOTHING
        author = ctx.member.display_name or event.sender.display_name or event.sender.user_id
        request = NoteAlarm(event_id=event.event_id, author=author, text=excerpt(event.text, 200),
                            score=round(reading.score, 4), markers=reading.markers, at=event.at)  # fmt: skip
        why = ", ".join(reading.markers) or f"negative ({reading.score:.2f})"
        return Outcome((request.action(carrier=event.carrier, group=event.group,
                                       member=event.sender.user_id, target=event.event_id,
                                       handler=self.name, reason=f"alarming: {why}"),))  # fmt: skip

    def _members_own(self, text: str, ctx: Context, book: CommandBook) -> Reading:
        """The reading of what of an alarming text is the member's own words: nothing of a
        command to the bot (`兑换 包邮券`, `排行榜`), the text without the names the playbook
        gives (`包邮券怎么用` → `怎么用`: rewards, titles). Not the names the store holds, which
        would be read for every alarming message (a fifth of the benchmarks' varied chat): a
        member's vote or join naming a poll's option or a list's item is read by the poll or
        the list, which stop the message before the watch. The store is read only for a
        command typed without its slash (`兑换 包邮券`: `CommandBook.commanded`)."""
        if book.commanded(text, ctx):
            return CALM
        said = book.members_words(text, ctx, stored=False)
        return self.signal.read(prepare(said).normalised) if said.strip() else CALM
