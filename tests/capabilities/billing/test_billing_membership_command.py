"""`/membership` (`/会员`): a member asks where their paid membership stands and reads their own
plan, until when, and their payment reference — a trial member before any reminder quotes it
(session 36's walk: they had no way to learn it). Each reads only their own reference."""

from __future__ import annotations

from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import PAID, paid_community, pay, performed, screen
from tests.engine_setup import Community

TRIAL = PAID.replace("period: 6 months", "period: 6 months\n      trial: 3d")


def _ask(c: Community, user: str, text: str = "/membership") -> str:
    """`user` joins g1, accepts the rules and types `text`; the bot's answer to it."""
    c.engine.process([c.events.join(user, group="g1", at=c.clock.now())])
    c.engine.process([c.events.message(user, "agree", group="g1", at=c.clock.now())])
    performed(c)
    c.engine.process([c.events.message(user, text, group="g1", at=c.clock.now())])
    [said] = [a for a in performed(c) if a.handler == "billing"]
    assert said.member == user
    return said.text or ""


def _reference(c: Community, user: str) -> str:
    return SqlBilling.on(c.store).reference_for("fake", user, user, c.clock.now()).code


def test_each_member_reads_their_own_plan_until_when_and_payment_reference(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TRIAL)  # 2026-05-01 09:00 UTC, London
    assert screen(c, "ann").admitted  # a 3-day free trial
    pay(c, "bob", "shop-1")

    ann = _ask(c, "ann")
    assert ann.startswith("ann, your membership:")
    assert "“Half-year membership”: free trial until 2026-05-04" in ann
    assert f"quote your payment reference {_reference(c, 'ann')}." in ann

    bob = _ask(c, "bob", "/会员")
    assert "“Half-year membership”: paid until 2026-11-01." in bob
    assert _reference(c, "bob") in bob and _reference(c, "ann") not in bob

    # in the group before the bot saw joins (it never saw cy join), holding no membership
    c.engine.process([c.events.message("cy", "/membership", group="g1", at=c.clock.now())])
    cy = "\n".join(a.text or "" for a in performed(c) if a.handler == "billing")
    assert "You hold no membership now." in cy
    assert "Join with “Half-year membership”: 299 CNY every 6 months." in cy
    assert _reference(c, "cy") in cy

    # dee joined without asking (a link that does not ask to join): her trial, as the door's
    dee = _ask(c, "dee")
    assert "“Half-year membership”: free trial until 2026-05-04" in dee


def test_an_english_plan_named_as_a_membership_is_not_called_one_twice() -> None:
    """A book club's “Monthly membership” read “your “Monthly membership” membership ends
    on …” in its renewal reminder, the join page's payment line, the removal and the refund;
    session 39 fixed the same doubling in Chinese only. A plan named otherwise keeps the word."""
    from hearthkeeper.capabilities.billing.texts import TEXTS
    from hearthkeeper.playbook.positioning import Language

    def said(key: str, plan: str) -> str:
        return TEXTS.say(key, Language.EN, plan=plan, name="Ann", date="2027-01-14", price="9",
                         currency="GBP", period="1 month", code="6XK1-0ERN")  # fmt: skip

    assert said("reminder", "Monthly membership").startswith(
        "Ann, your “Monthly membership” ends on 2027-01-14. Renew for 9 GBP"
    )
    assert said("paid_in", "Yearly Membership") == (
        "Your “Yearly Membership” is paid until 2027-01-14: press Join to come in."
    )
    assert said("expired_before", "Monthly membership") == (
        "Your “Monthly membership” ended on 2027-01-14."
    )
    assert said("removed_expired", "Monthly membership") == (
        "the “Monthly membership” ended and was not renewed"
    )
    assert said("removed_refunded", "Monthly membership") == "the “Monthly membership” was refunded"
    assert said("reminder", "Monthly card").startswith("Ann, your “Monthly card” membership ends")


def test_a_member_given_days_reads_the_new_end_and_that_it_was_given_free(
    store: Store, store_clock: FrozenClock
) -> None:
    """Days given (`hearth billing give`) move the end `/membership` says; a member who paid
    nothing read "paid until"."""
    from hearthkeeper.capabilities.billing import staff

    c = paid_community(store, store_clock)  # 2026-05-01
    pay(c, "bob", "shop-1")
    community = store.get_community(c.runtime.slug)
    assert community is not None
    for user in ("bob", "cy"):
        member = store.member_for("fake", user, user)
        staff.give(store, community, f"member:{member.id}", 7, "", "staff", store_clock.now())
    assert "“Half-year membership”: paid until 2026-11-08." in _ask(c, "bob")
    assert "“Half-year membership”: given free until 2026-05-08." in _ask(c, "cy")
