"""Repeated text: the same message again and again, in one group or across several."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable
from datetime import datetime, timedelta

from hearthkeeper.playbook.rules import RepeatedText, ViolationKind
from hearthkeeper.text.findings import Finding

DEFAULT_MAX_MEMBERS = 100_000
# texts remembered per member: a spammer repeats one text, a chatty member writes many
_TEXTS_PER_MEMBER = 16


class _Member:
    """One member's recent texts, and the latest time among them (read on every message to
    see whether the least recently active member is due to be forgotten)."""

    __slots__ = ("last", "texts")

    def __init__(self) -> None:
        self.last: datetime | None = None
        self.texts: OrderedDict[str, deque[tuple[datetime, Hashable]]] = OrderedDict()


class RepeatWindow:
    """Notices a member posting the same text too often, or in too many groups, within a window.

    Texts are compared in their compact form, so "加我 看看" and "加我看看!!" are the same
    text. Texts shorter than `min_length` ("好的", "+1", "打卡") are never counted: everyone
    repeats those. Memory is bounded: members silent for `within` are forgotten, each member
    keeps at most 16 texts, and at most `max_members` members are remembered.
    """

    def __init__(
        self,
        max_repeats: int,
        within: timedelta,
        *,
        max_groups: int = 2,
        min_length: int = 4,
        max_members: int = DEFAULT_MAX_MEMBERS,
    ) -> None:
        if max_repeats < 1 or max_groups < 1 or within <= timedelta(0) or max_members < 1:
            raise ValueError("max_repeats, max_groups, within and max_members must be positive")
        self.max_repeats = max_repeats
        self.within = within
        self.max_groups = max_groups
        self.min_length = min_length
        self.max_members = max_members
        self._members: OrderedDict[Hashable, _Member] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: RepeatedText) -> RepeatWindow:
        """A window with the playbook's `rules.violations.repeated_text` limits."""
        return cls(settings.max_repeats, settings.within)

    def __len__(self) -> int:
        """How many members are remembered now."""
        return len(self._members)

    def observe(
        self, member: Hashable, group: Hashable, compact_text: str, now: datetime
    ) -> Finding | None:
        """Record a message; a finding if its text was posted too often or in too many groups."""
        cutoff = now - self.within
        members = self._members
        for oldest in members.values():  # only the least recently active one: is it due?
            if oldest.last is None or oldest.last <= cutoff:
                self._forget_before(cutoff)
            break
        if len(compact_text) < self.min_length:
            return None
        record = members.get(member)
        if record is None:
            record = members[member] = _Member()
        else:
            members.move_to_end(member)  # most recently active last
        while len(members) > self.max_members:
            members.popitem(last=False)
        texts = record.texts
        posts = texts.pop(compact_text, None)
        if posts is None:
            posts = deque(maxlen=max(self.max_repeats, self.max_groups) + 1)
        posts.append((now, group))
        texts[compact_text] = posts
        while len(texts) > _TEXTS_PER_MEMBER:
            texts.popitem(last=False)
        while posts and posts[0][0] <= cutoff:
            posts.popleft()
        if record.last is None or now >= record.last:
            record.last = now  # the latest of its texts' latest posts: this one
        else:  # the clock went back: the latest may have been this text's, or a dropped text's
            record.last = _latest(texts)
        if len(posts) <= self.max_repeats and len(posts) <= self.max_groups:
            return None  # no more posts than allowed, so no more groups either
        return self._judge(compact_text, posts)

    def _judge(self, text: str, posts: deque[tuple[datetime, Hashable]]) -> Finding | None:
        shown = text if len(text) <= 40 else text[:39] + "…"
        minutes = self.within.total_seconds() / 60
        groups = {group for _, group in posts}
        if len(groups) > self.max_groups:
            return Finding(
                ViolationKind.REPEATED_TEXT.value,
                shown,
                f"the same text in {len(groups)} groups within {minutes:g} min",
            )
        if len(posts) > self.max_repeats:
            return Finding(
                ViolationKind.REPEATED_TEXT.value,
                shown,
                f"the same text {len(posts)} times within {minutes:g} min "
                f"(at most {self.max_repeats} allowed)",
            )
        return None

    def _forget_before(self, cutoff: datetime) -> None:
        while self._members:
            member, record = next(iter(self._members.items()))
            if record.last is not None and record.last > cutoff:
                break
            del self._members[member]


def _latest(texts: OrderedDict[str, deque[tuple[datetime, Hashable]]]) -> datetime | None:
    """The latest post among a member's texts."""
    return max((posts[-1][0] for posts in texts.values() if posts), default=None)
