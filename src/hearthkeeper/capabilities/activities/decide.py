"""What the activity effects decide, from what they loaded: pure (records in, a decision
out), so every rule is tested without a database.

Places: a sign-up holds one while confirmed or unpaid (a priced event holds it until staff
record the payment); beyond `capacity` members go on the waitlist in the order they signed
up; a cancellation moves the first waiting up (to unpaid on a priced event). The door admits
a confirmed sign-up of a scheduled event once.

Payment window: an unpaid place is held for the event's `pay_within` from when it was held,
at most until the start; the member is reminded a quarter of that span before it ends. At
the deadline the place lapses and, while the event has not started, the first waiting moves
up with a window of their own. At the start every unpaid place lapses and nobody moves up
(no one could pay in time): staff may still record a fee at the door for a lapsed or waiting
member while a place is free.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hearthkeeper.capabilities.activities.records import Event, SignUp, Status

REMIND_BEFORE = (timedelta(hours=24), timedelta(hours=2))  # reminders before an event
ROUND_AFTER = timedelta(hours=3)  # the photo and feedback round, after the start
FEEDBACK_WINDOW = timedelta(hours=12)  # replies this long after the round count as feedback
DOOR_OPENS = timedelta(hours=3)  # codes are taken from this long before the start …
DOOR_CLOSES = timedelta(hours=12)  # … to this long after it
PAY_REMINDER_SHARE = 4  # the payment reminder: a quarter of the hold's span before it lapses
PAY_REMINDER_MIN_SPAN = timedelta(hours=1)  # a shorter hold gets no reminder (the reply said)


@dataclass(frozen=True)
class Refuse:
    """Nothing written: say `key` (a text of `texts.TEXTS`)."""

    key: str
    position: int = 0  # a waitlisted member's place on the waitlist


@dataclass(frozen=True)
class Place:
    """Write the sign-up with this status (`position` on the waitlist when waitlisted)."""

    status: Status
    position: int = 0


def held(signups: Sequence[SignUp]) -> int:
    """Places taken (confirmed or unpaid)."""
    return sum(1 for s in signups if s.holds_place)


def left(event: Event, signups: Sequence[SignUp]) -> int | None:
    """Places still free (None: unlimited)."""
    return None if event.capacity is None else max(0, event.capacity - held(signups))


def waitlist(signups: Sequence[SignUp]) -> list[SignUp]:
    """Who waits, first first (the repository gives sign-ups in queue order)."""
    return [s for s in signups if s.status is Status.WAITLISTED]


def decide_sign_up(event: Event, signups: Sequence[SignUp], member_id: int,
                   now: datetime) -> Refuse | Place:  # fmt: skip
    """A member asks for a place."""
    if event.cancelled:
        return Refuse("cancelled_event")
    if not event.sign_up:
        return Refuse("no_sign_up")
    if now >= event.starts_at:
        return Refuse("started")
    mine = next((s for s in signups if s.member_id == member_id), None)
    if mine is not None and mine.live:
        position = _position(signups, mine)
        return Refuse(f"already_{mine.status.value}", position)
    others = [s for s in signups if s.member_id != member_id]
    free = left(event, others)
    if free is None or free > 0:
        return Place(Status.UNPAID if owes(event, mine) else Status.CONFIRMED)
    return Place(Status.WAITLISTED, len(waitlist(others)) + 1)


def owes(event: Event, signup: SignUp | None) -> bool:
    """Whether a place at `event` waits for a fee: a priced event, and no fee recorded for
    this sign-up (a member who paid, gave the place up and signs up again keeps their fee,
    unless staff refunded it: `fees.refund_fee` takes it off the sign-up)."""
    return event.priced and (signup is None or signup.order_id is None)


def decide_withdraw(event: Event, signups: Sequence[SignUp], member_id: int) -> Refuse | SignUp:
    """A member cancels: their live sign-up, or why not."""
    if event.cancelled:
        return Refuse("cancelled_event")
    mine = next((s for s in signups if s.member_id == member_id), None)
    if mine is None or not mine.live:
        return Refuse("not_signed")
    return mine


def promotions(event: Event, signups: Sequence[SignUp],
               now: datetime | None = None) -> list[tuple[SignUp, Status]]:  # fmt: skip
    """Who moves up from the waitlist now that places freed (first waiting first), and to
    what: confirmed, or unpaid (place held) on a priced event unless their fee is recorded
    already. On a priced event nobody once it started (`now` given): no one could pay in
    time."""
    if event.priced and now is not None and now >= event.starts_at:
        return []
    free = left(event, signups)
    waiting = waitlist(signups)
    count = len(waiting) if free is None else min(free, len(waiting))
    return [(s, Status.UNPAID if owes(event, s) else Status.CONFIRMED) for s in waiting[:count]]


def decide_payment(event: Event, signups: Sequence[SignUp], signup: SignUp) -> Status | str:
    """Staff record a member's fee: the sign-up's new status, or what is wrong (a sentence
    for staff)."""
    if event.cancelled:
        return f"event {event.id} is cancelled; refund the member instead"
    if not event.priced:
        return f"event {event.id} is free: there is no fee to record"
    if signup.status is Status.CONFIRMED and signup.order_id is not None:
        # a second receipt for a place already paid (two staff recording one transfer, a
        # receipt retyped with a typo) would count the fee twice in the revenue
        return (f"{signup.display_name or f'member {signup.member_id}'}'s fee for event "
                f"{event.id} is recorded already (order {signup.order_id}); nothing was "
                f"recorded: if they paid twice, refund the second payment in the shop")  # fmt: skip
    if signup.status is Status.UNPAID or signup.status is Status.CONFIRMED:
        return Status.CONFIRMED
    if signup.status is Status.WAITLISTED or signup.status is Status.LAPSED:
        free = left(event, [s for s in signups if s.id != signup.id])
        if free is None or free > 0:
            return Status.CONFIRMED
        if signup.status is Status.LAPSED:
            return ("the member's held place lapsed unpaid and went to the next in line; the "
                    "event is full: refund them, or record it once a place frees up")  # fmt: skip
        return "the member is on the waitlist and the event is full: record it once they move up"
    return "the member cancelled this sign-up; they can sign up again in the group first"


def pay_deadline(event: Event, signup: SignUp) -> datetime | None:
    """When an unpaid place lapses: the event's window after it was held, at most the start
    (None: not unpaid, a free event, or a window of none — held until paid)."""
    if signup.status is not Status.UNPAID or not event.priced or event.pay_within is None:
        return None
    return min(signup.changed_at + event.pay_within, event.starts_at)


def pay_reminder_at(held_since: datetime, deadline: datetime) -> datetime | None:
    """When the member is reminded to pay: a quarter of the hold's span before it lapses
    (6 h for a day's window); None for a hold shorter than `PAY_REMINDER_MIN_SPAN`."""
    span = deadline - held_since
    if span < PAY_REMINDER_MIN_SPAN:
        return None
    return deadline - span / PAY_REMINDER_SHARE


def due_to_lapse(event: Event, signup: SignUp, now: datetime) -> bool:
    """Whether the place `signup` holds unpaid lapses now (not paid, not cancelled, its
    deadline reached)."""
    if event.cancelled:
        return False
    deadline = pay_deadline(event, signup)
    return deadline is not None and deadline <= now


class DoorVerdict(StrEnum):
    """What the door page says to a code."""

    IN = "in"  # admitted now
    AGAIN = "again"  # the code was used already
    UNKNOWN = "unknown"  # no such code (or another community's)
    NOT_CONFIRMED = "not_confirmed"  # waitlisted, unpaid or cancelled
    CANCELLED = "cancelled"  # the event was cancelled
    NOT_NOW = "not_now"  # too early or too late for this event's door


def decide_door(event: Event | None, signup: SignUp | None, community_id: int,
                now: datetime) -> DoorVerdict:  # fmt: skip
    """Whether a code opens the door now (before marking; `IN` is then marked once)."""
    if event is None or signup is None or event.community_id != community_id:
        return DoorVerdict.UNKNOWN
    if signup.attended_at is not None:
        return DoorVerdict.AGAIN
    if event.cancelled:
        return DoorVerdict.CANCELLED
    if signup.status is not Status.CONFIRMED:
        return DoorVerdict.NOT_CONFIRMED
    if not event.starts_at - DOOR_OPENS <= now <= event.starts_at + DOOR_CLOSES:
        return DoorVerdict.NOT_NOW
    return DoorVerdict.IN


def reminder_moments(starts_at: datetime, now: datetime) -> list[timedelta]:
    """The reminders still ahead of `now` for an event starting at `starts_at`."""
    return [before for before in REMIND_BEFORE if starts_at - before > now]


_READS_AS = str.maketrans("OIL", "011")


def normal_code(text: str) -> str | None:
    """A door code as typed or scanned (any case, a dash, O for 0, I/L for 1) as stored."""
    # NFKC: said aloud and typed on a full-width keyboard (７ＫＱ２－Ｍ９ＸＤ), the same code
    plain = "".join(unicodedata.normalize("NFKC", text).split()).replace("-", "").upper()
    plain = plain.translate(_READS_AS)
    if len(plain) != 8 or any(c not in "0123456789ABCDEFGHJKMNPQRSTVWXYZ" for c in plain):
        return None
    return plain


def shown_code(code: str) -> str:
    """A stored code as people read it: `7KQ2-M9XD`."""
    return f"{code[:4]}-{code[4:]}"


def code_tail(code: str) -> str:
    """What a group may read of a door code (the ticket's one secret): its last two
    characters, `…XD`, enough for the member to tell which code staff give them."""
    return f"…{code[-2:]}"


def _position(signups: Sequence[SignUp], mine: SignUp) -> int:
    waiting = [s.id for s in waitlist(signups)]
    return waiting.index(mine.id) + 1 if mine.id in waiting else 0


@dataclass(frozen=True)
class Rates:
    """Attendance of one event or activity: who had a place, who came, who did not."""

    confirmed: int
    attended: int
    started: bool = True  # False: the door is open but the event has not begun

    @property
    def no_shows(self) -> int | None:
        """Who had a place and did not come; None before the start (the door opens 3 hours
        early: nobody is a no-show yet)."""
        return max(0, self.confirmed - self.attended) if self.started else None

    @property
    def attendance_rate(self) -> float | None:
        return None if not self.confirmed else round(self.attended / self.confirmed, 4)

    @property
    def no_show_rate(self) -> float | None:
        no_shows = self.no_shows
        return (
            None if not self.confirmed or no_shows is None else round(no_shows / self.confirmed, 4)
        )


def rates(signups: Sequence[SignUp], *, started: bool = True) -> Rates:
    """Attendance among confirmed sign-ups (one checked in counts whatever its status);
    `started`: the event has begun (before, nobody is a no-show yet)."""
    confirmed = [s for s in signups if s.status is Status.CONFIRMED or s.attended_at is not None]
    return Rates(len(confirmed), sum(1 for s in confirmed if s.attended_at is not None), started)
