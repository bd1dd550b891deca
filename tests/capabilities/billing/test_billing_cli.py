"""`hearth billing`: pay (once per receipt), list, cancel, refund, and readable refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.requests import UnpaidJoinEnds
from hearthkeeper.clock import Clock, FrozenClock, SystemClock
from tests.cli_sites import made_site, run, site_store


def payment_code(site: Path) -> str:
    """The payment reference member u-1 (小美) of the web chat is given to pay with."""
    with site_store(site) as store:
        return SqlBilling.on(store).reference_for("webchat", "u-1", "小美",
                                                  SystemClock().now()).code  # fmt: skip


def pay(site: Path, code: str, receipt: str, *more: str,
        clock: Clock | None = None) -> tuple[int, str]:  # fmt: skip
    """`hearth billing pay` of the half-year plan for `code`, by the receipt given."""
    return run("billing", "pay", code, "--plan", "half-year", "--receipt", receipt, *more,
               "--config", str(site), clock=clock)  # fmt: skip


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return made_site(tmp_path, monkeypatch, "skincare")


def test_paying_listing_cancelling_and_refunding_from_the_command_line(site: Path) -> None:
    code = payment_code(site)
    config = ("--config", str(site))
    status, out = pay(site, code, "TB-1")
    assert status == 0 and "purchase of half-year, 299.00 CNY" in out
    status, out = pay(site, code, "TB-1")
    assert status == 0 and "recorded already" in out
    status, out = run("billing", "pay", code, "--plan", "gold", "--receipt", "TB-2", *config)
    assert status == 1 and "no plan 'gold'" in out
    status, out = pay(site, code, "TB-3", "--amount", "0")
    assert status == 1 and "below the price" in out and "--discount" in out
    status, out = pay(site, code, "TB-3", "--amount", "0", "--discount", "a prize for the quiz")
    assert status == 0 and "renewal of half-year, 0.00 CNY" in out
    status, out = run("billing", "grant", "2", "--reason", "again", *config)
    assert status == 1 and "not a held payment" in out
    status, out = run("billing", "list", *config)
    assert status == 0 and "小美" in out and "active" in out
    status, out = run("billing", "list", "--orders", *config)
    assert "manual:TB-1" in out
    assert "ends on" in run("billing", "cancel", "1", *config)[1]
    status, out = run("billing", "refund", "1", *config)
    assert status == 0 and "Refunded 299.00 CNY" in out
    status, out = run("billing", "refund", "1", *config)
    assert "refunded already" in out


def test_a_payment_for_a_member_id_no_store_holds_is_refused_saying_so(site: Path) -> None:
    """A member id longer than any (a pasted order number) was "a bug in Hearthkeeper"."""
    for who in ("member:" + "9" * 40, "member:99999"):
        status, out = run("billing", "pay", who, "--plan", "half-year", "--receipt", "R-1",
                          "--config", str(site))  # fmt: skip
        assert status == 1 and "there is no member" in out and "bug" not in out, out


def test_the_list_gives_a_period_in_the_days_of_the_communitys_time_zone(site: Path) -> None:
    """Paid at 01:00 on 6 December in Shanghai (17:00 UTC the day before): the list said the
    half-year ran from 2026-12-05 to 2027-06-05, the UTC days; the console says 6 December."""
    paid = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    with site_store(site, FrozenClock(paid)) as store:
        community = store.list_communities()[0]
        member = store.member_for("webchat", "u-1", "小美")
        staff.pay(store, community, f"member:{member.id}", "half-year", "", "TB-1", "test", paid)
    status, out = run("billing", "list", "--config", str(site))
    assert status == 0, out
    assert "2026-12-06 → 2027-06-06" in out, out
    assert "Days in Asia/Shanghai (the community's time zone)." in out, "whose days, named"
    status, out = run("billing", "list", "--orders", "--config", str(site))
    assert status == 0, out
    assert " 2026-12-06 01:00 Asia/Shanghai " in out, "the orders' times are local too"
    assert "2026-12-05T17:00" not in out


def test_refunding_a_renewal_says_until_when_the_member_keeps_access(site: Path) -> None:
    """It said "the member is removed from the community's groups" and removed them, the
    period paid before the renewal lost with it."""
    code = payment_code(site)
    status, out = pay(site, code, "TB-1")
    assert status == 0 and "purchase" in out
    with site_store(site) as store:
        [sub] = SqlBilling.on(store).subscriptions(1)
    first_end = f"{sub.period_end.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M}"
    status, out = pay(site, code, "TB-2")
    assert status == 0 and "renewal" in out
    config = ("--config", str(site))
    status, out = run("billing", "refund", "1", *config)
    assert status == 0 and "Refunded 299.00 CNY" in out and "the renewal" in out
    assert f"keeps access until {first_end}" in out and "removed" not in out
    status, out = run("billing", "list", *config)
    assert "active" in out and first_end[:10] in out


def test_pay_grant_and_cancel_say_when_a_period_ends_on_the_communitys_clock(site: Path) -> None:
    """Paid at 01:00 on 6 December in Shanghai: `billing cancel` said the half-year "ends on
    2027-06-05T17:00+00:00" and `billing pay` "covered until" the same, UTC in ISO form."""
    paid = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    with site_store(site, FrozenClock(paid)) as store:
        community = store.list_communities()[0]
        member = store.member_for("webchat", "u-1", "小美")
        staff.pay(store, community, f"member:{member.id}", "half-year", "", "TB-1", "test", paid)
    status, out = run("billing", "pay", f"member:{member.id}", "--plan", "half-year",
                      "--receipt", "TB-2", "--config", str(site))  # fmt: skip
    assert status == 0, out
    assert "covered until 2027-12-06 01:00 Asia/Shanghai (subscription 1)" in out, out
    status, out = run("billing", "cancel", "1", "--config", str(site))
    assert status == 0, out
    assert "Subscription 1 ends on 2027-12-06 01:00 Asia/Shanghai." in out, out
    assert "+00:00" not in out and "T17:00" not in out


def test_a_refund_refused_says_when_its_window_closed_on_the_communitys_clock(site: Path) -> None:
    """Paid at 01:00 on 6 January in Shanghai: the refusal said the window "closed on
    2026-01-12T17:00+00:00" and the order "was paid on 2026-01-05T17:00+00:00", UTC in ISO."""
    paid = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
    with site_store(site, FrozenClock(paid)) as store:
        community = store.list_communities()[0]
        member = store.member_for("webchat", "u-1", "小美")
        staff.pay(store, community, f"member:{member.id}", "half-year", "", "TB-1", "test", paid)
    config = ("--config", str(site))
    status, out = run("billing", "refund", "1", *config)
    assert status == 1, out
    said = " ".join(out.split())  # the error box wraps it
    assert (
        "closed on 2026-01-13 01:00 Asia/Shanghai: order 1 was paid on 2026-01-06 01:00," in said
    ), out
    assert "+00:00" not in said


def test_refund_order_gives_back_the_payment_named_once(site: Path) -> None:
    """`billing refund` took only a subscription and gave back its latest payment: staff could
    not give back the one the member asked about."""
    code = payment_code(site)
    config = ("--config", str(site))
    assert pay(site, code, "TB-1")[0] == 0
    assert pay(site, code, "TB-2")[0] == 0
    status, out = run("billing", "refund", "1", "--order", "7", *config)
    assert status == 1 and "order 7 is not a payment of subscription 1" in " ".join(out.split())
    status, out = run("billing", "refund", "1", "--order", "1", *config)
    assert status == 0, out
    assert "Refunded 299.00 CNY (order 3, giving back order 1), the purchase" in out
    assert "keeps access until" in out
    status, out = run("billing", "refund", "1", "--order", "1", *config)
    assert status == 0 and "Order 1 was refunded already (order 3)" in out
    status, out = run("billing", "list", "--orders", *config)
    assert out.count("-299.00 CNY") == 1, out
    assert "gives back order 1" in out  # which payment the refund gave back
    status, out = run("billing", "refund", "1", *config)  # the latest, the renewal, in its turn
    assert status == 0 and "giving back order 2" in out and "removed" in out


def test_refunding_a_purchase_made_in_the_trial_says_the_trial_runs_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ppt template's 3-day trial: a newcomer paid on day 1, and `billing refund` said
    "the member is removed from the community's groups" and removed them, their trial with
    it. Now they are back in the trial, to its end, and the command says so."""
    from datetime import timedelta

    from hearthkeeper.capabilities.billing.lookup import playbook_of
    from hearthkeeper.capabilities.billing.payments import start_trial

    site = made_site(tmp_path, monkeypatch, "ppt")
    now = SystemClock().now()
    with site_store(site) as store, store.transaction() as tx:
        community = tx.list_communities()[0]
        member = tx.member_for("webchat", "u-1", "小美")
        trial = start_trial(tx, community, playbook_of(tx, community), member.id, "annual",
                            now, now + timedelta(days=3))  # fmt: skip
        playbook = playbook_of(tx, community)
    assert playbook is not None
    trial_end = trial.period_end.astimezone(ZoneInfo(playbook.community.timezone))
    config = ("--config", str(site))
    status, out = run("billing", "pay", f"member:{member.id}", "--plan", "annual", "--receipt",
                      "X-1", *config)  # fmt: skip
    assert status == 0 and "purchase of annual" in out
    status, out = run("billing", "refund", "1", *config)
    assert status == 0 and "Refunded 199.00 CNY" in out, out
    assert "back in the trial" in out and f"{trial_end:%Y-%m-%d %H:%M}" in out, out
    assert "removed from the community's groups" not in out
    status, out = run("billing", "list", *config)
    assert " trial " in out and "active" not in out, out


def test_refund_and_cancel_find_the_subscriptions_community_by_its_id(site: Path) -> None:
    """With a second community on the server, `billing cancel 1` and `billing refund 1` said
    "say which community with --community", though a subscription's id names one."""
    code = payment_code(site)
    assert pay(site, code, "TB-1")[0] == 0
    with site_store(site) as store:
        store.ensure_community("book-club", "Book club")
    config = ("--config", str(site))
    status, out = run("billing", "cancel", "1", *config)
    assert status == 0 and "Subscription 1 ends on" in out, out
    status, out = run("billing", "refund", "1", *config)
    assert status == 0 and "Refunded 299.00 CNY" in out, out
    status, out = run("billing", "refund", "1", "--community", "book-club", *config)
    assert status == 1 and "'book-club' has no subscription 1" in out, out
    status, out = run("billing", "refund", "9", *config)
    assert status == 1 and "there is no subscription 9 on this server" in out, out


def second_community(site: Path, slug: str = "yan-academy-two") -> None:
    """Apply the same playbook again as another community (same plans) on the same server."""
    text = (site.parent / "playbook.yaml").read_text(encoding="utf-8")
    other = site.parent / "second.yaml"
    other.write_text(text.replace("slug: yan-academy-skincare", f"slug: {slug}", 1),
                     encoding="utf-8")  # fmt: skip
    assert run("apply", str(other), "--config", str(site))[0] == 0


def test_pay_finds_the_community_offering_the_plan_or_the_members_own(site: Path) -> None:
    """With a second community on the server, `billing pay REF --plan half-year` said "say
    which community with --community", though only one community offers that plan, and the
    reference names a member who is in only one of them."""
    code = payment_code(site)
    with site_store(site) as store:
        store.ensure_community("book-club", "Book club")  # no playbook: offers no plan
    status, out = pay(site, code, "TB-1")
    assert status == 0 and "Order 1: purchase of half-year, 299.00 CNY" in out, out

    second_community(site)  # now two communities offer the plan
    with site_store(site) as store:
        first = store.get_community("yan-academy-skincare")
        assert first is not None
        member = store.find_member("webchat", "u-1")
        assert member is not None
        newcomer = store.member_for("webchat", "u-2", "小林")
        second = store.get_community("yan-academy-two")
        assert second is not None
        store.join(newcomer.id, store.add_group(second.id, "二群", "webchat", "g-2").id)
        newcomer_code = SqlBilling.on(store).reference_for("webchat", "u-2", "小林",
                                                           SystemClock().now()).code  # fmt: skip
    status, out = pay(site, code, "TB-2")  # a renewal: the member pays in the first one
    assert status == 0 and "renewal of half-year" in out, out
    status, out = pay(site, newcomer_code, "TB-3")  # a first payment: where they stay
    assert status == 0 and "purchase of half-year" in out, out
    status, out = run("billing", "list", "--community", "yan-academy-two", "--config", str(site))
    assert "小林" in out and "小美" not in out, out

    stranger = payment_code_for(site, "u-3", "陌生人")  # in neither community
    status, out = pay(site, stranger, "TB-4")
    assert status == 1, out
    assert ("plan 'half-year' is offered by yan-academy-skincare (颜学院护肤社), "
            "yan-academy-two (颜学院护肤社)") in out, out  # fmt: skip
    assert "--community" in out, out
    status, out = pay(site, stranger, "TB-4", "--community", "yan-academy-two")
    assert status == 0 and "purchase of half-year" in out, out
    status, out = run("billing", "pay", code, "--plan", "no-such-plan", "--receipt", "TB-5",
                      "--config", str(site))  # fmt: skip
    assert (
        status == 1
        and "no community has a plan 'no-such-plan' (there are: book-club "
        "(Book club), yan-academy-skincare (颜学院护肤社), yan-academy-two"
        in out
    ), out
    status, out = run("billing", "pay", "member:999", "--plan", "half-year", "--receipt", "TB-6",
                      "--config", str(site))  # fmt: skip
    assert status == 1 and "there is no member 999" in out, out


def test_give_finds_the_community_as_pay_does(site: Path) -> None:
    """With a second community on the server, `billing give member:ID --days 7` said "say
    which community with --community", though the member was known in only one of them
    (`pay` found it)."""
    config = ("--config", str(site))
    with site_store(site) as store:
        mei = store.member_for("webchat", "u-1", "小美")
        store.ensure_community("book-club", "Book club")  # no playbook: offers no plan
    status, out = run("billing", "give", f"member:{mei.id}", "--days", "7", *config)
    assert status == 0 and "7 days of half-year given" in " ".join(out.split()), out
    second_community(site)  # two communities with plans; 小美 holds one in the first
    status, out = run("billing", "give", f"member:{mei.id}", "--days", "3", *config)
    assert status == 0 and "3 days of half-year given" in " ".join(out.split()), out
    status, out = run("billing", "list", "--community", "yan-academy-two", *config)
    assert "小美" not in out, out
    stranger = payment_code_for(site, "u-3", "陌生人")  # in neither community
    status, out = run("billing", "give", stranger, "--days", "7", *config)
    said = " ".join(out.split())
    assert status == 1 and "membership plans are offered by yan-academy-skincare" in said, out
    assert "say which with --community" in said, out


def payment_code_for(site: Path, user: str, name: str) -> str:
    with site_store(site) as store:
        return SqlBilling.on(store).reference_for("webchat", user, name, SystemClock().now()).code


def test_grant_finds_the_orders_community_by_its_id(site: Path) -> None:
    """`billing grant ORDER` said "say which community with --community" on a server with two
    communities, though an order's id names one."""
    with site_store(site) as store:
        store.ensure_community("book-club", "Book club")
    config = ("--config", str(site))
    status, out = run("billing", "grant", "7", "--reason", "gift", *config)
    assert status == 1 and "there is no order 7 on this server" in out, out
    status, out = run("billing", "grant", "7", "--reason", "gift", "--community", "book-club",
                      *config)  # fmt: skip
    assert status == 1 and "'book-club' has no order 7" in out, out


def test_paying_another_plan_says_it_starts_when_the_current_plan_ends(site: Path) -> None:
    """A half-year member who buys the yearly card added later: `billing pay` said they were
    covered for a year from today, the rest of the half-year they had paid for thrown away."""
    playbook = site.parent / "playbook.yaml"
    text = playbook.read_text(encoding="utf-8")
    yearly = ("  plans:\n    - id: yearly\n      name: 颜学院年卡\n      price: 499\n"
              "      currency: CNY\n      period: 1 year\n")  # fmt: skip
    playbook.write_text(text.replace("  plans:\n", yearly, 1), encoding="utf-8")
    assert run("apply", str(playbook), "--config", str(site))[0] == 0
    paid = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)  # 01:00 on 6 December in Shanghai
    with site_store(site, FrozenClock(paid)) as store:
        community = store.list_communities()[0]
        member = store.member_for("webchat", "u-1", "小美")
        staff.pay(store, community, f"member:{member.id}", "half-year", "", "TB-1", "test", paid)
    status, out = run("billing", "pay", f"member:{member.id}", "--plan", "yearly",
                      "--receipt", "TB-2", "--config", str(site))  # fmt: skip
    assert status == 0, out
    assert ("covered from 2027-06-06 01:00 Asia/Shanghai, when their current plan ends, until "
            "2028-06-06 01:00 Asia/Shanghai (subscription 2)") in out, out  # fmt: skip


def test_applying_a_playbook_without_a_plan_members_hold_warns_naming_them(site: Path) -> None:
    """Renaming the plan's id (half-year → half-year-2026) dropped the plan 小美 paid for
    without a word: she would get no renewal reminder and no grace, and her renewal would be
    refused as 'no plan half-year'."""
    code = payment_code(site)
    assert pay(site, code, "TB-1")[0] == 0
    playbook = site.parent / "playbook.yaml"
    text = playbook.read_text(encoding="utf-8")
    playbook.write_text(text.replace("half-year", "half-year-2026"), encoding="utf-8")
    status, out = run("apply", str(playbook), "--config", str(site))
    assert status == 0, out  # stored: dropping a plan may be meant
    assert "plan 'half-year' is no longer in monetisation.plans" in out, out
    assert "1 member holds it (小美)" in out and "no renewal reminder" in out, out
    status, out = run("apply", str(playbook), "--config", str(site))
    assert "no longer in monetisation.plans" not in out  # said once, when it was dropped


def test_export_gives_the_subscriptions_and_the_orders_as_csv_for_a_spreadsheet(
    site: Path,
) -> None:
    """There was no way to hand the ledger to an accountant but copying `billing list`'s
    tab-separated lines: its names had no member ids and refunds no columns of their own."""
    paid = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)  # 01:00 on 6 December in Shanghai
    with site_store(site, FrozenClock(paid)) as store:
        community = store.list_communities()[0]
        member = store.member_for("webchat", "u-9", "=HYPERLINK(1)")
        staff.pay(store, community, f"member:{member.id}", "half-year", "", "TB-1", "test", paid)
        staff.refund(store, community, 1, "test", paid)
    status, out = run("billing", "export", "--orders", "--config", str(site))
    assert status == 0, out
    assert out.splitlines() == [
        "order_id,at,member_id,name,kind,plan,amount,currency,provider,reference,"
        "subscription_id,refund_of,recorded_by,below_price_reason",
        f"1,2026-12-06 01:00,{member.id},'=HYPERLINK(1),purchase,half-year,299.00,CNY,manual,"
        "TB-1,1,,test,",
        f"2,2026-12-06 01:00,{member.id},'=HYPERLINK(1),refund,half-year,-299.00,CNY,manual,"
        "refund:1:1,1,1,test,",
    ]
    target = site.parent / "members.csv"
    status, out = run("billing", "export", "-o", str(target), "--config", str(site))
    assert status == 0 and "Wrote 1 subscription of yan-academy-skincare" in out, out
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads the names as UTF-8
    assert target.read_text(encoding="utf-8-sig").splitlines()[1] == (
        f"1,{member.id},'=HYPERLINK(1),half-year,refunded,2026-12-06 01:00,2027-06-06 01:00"
    )


def test_the_list_gives_each_members_id_to_pay_for_them_by(site: Path) -> None:
    """`billing pay 小美` is refused (a name is no reference); the list named 小美 but not
    the member:ID the refusal asks for, so staff could not renew her from the terminal. The
    refusal names her member:ID itself (it said only where to look for it)."""
    with site_store(site) as store:
        member = store.member_for("webchat", "u-1", "小美")
        [community] = store.list_communities()
        store.join(member.id, store.add_group(community.id, "护肤1群", "webchat", "room-1").id)
    assert pay(site, f"member:{member.id}", "TB-1")[0] == 0
    status, out = run("billing", "pay", "小美", "--plan", "half-year", "--receipt", "TB-2",
                      "--config", str(site))  # fmt: skip
    assert status == 1 and "'小美' is a name" in out and f"write member:{member.id} (小美)" in out
    status, out = run("billing", "pay", "小红", "--plan", "half-year", "--receipt", "TB-2",
                      "--config", str(site))  # fmt: skip
    assert status == 1 and "`hearth billing list`" in " ".join(out.split()), out  # nobody so named
    status, out = run("billing", "list", "--config", str(site))
    assert f"小美 (member {member.id})" in out, out
    status, out = run("billing", "list", "--orders", "--config", str(site))
    assert f"小美 (member {member.id})" in out, out
    assert pay(site, f"member:{member.id}", "TB-2")[0] == 0  # the id the list gave


def _half_year_then_yearly(site: Path, clock: Clock) -> tuple[int, str]:
    """小美 pays the half-year (subscription 1), then the yearly card the playbook now offers
    too (subscription 2), at `clock`'s time: `billing pay`'s exit status and output for the
    yearly card."""
    playbook = site.parent / "playbook.yaml"
    text = playbook.read_text(encoding="utf-8")
    yearly = ("  plans:\n    - id: yearly\n      name: 颜学院年卡\n      price: 499\n"
              "      currency: CNY\n      period: 1 year\n")  # fmt: skip
    playbook.write_text(text.replace("  plans:\n", yearly, 1), encoding="utf-8")
    assert run("apply", str(playbook), "--config", str(site))[0] == 0
    with site_store(site) as store:
        member = store.member_for("webchat", "u-1", "小美")
    assert pay(site, f"member:{member.id}", "TB-1", clock=clock)[0] == 0  # subscription 1
    return run("billing", "pay", f"member:{member.id}", "--plan", "yearly", "--receipt", "TB-2",
               "--config", str(site), clock=clock)  # fmt: skip


def test_refunding_one_plan_of_two_says_the_member_stays_through_the_other(site: Path) -> None:
    """A half-year member who also bought the yearly card, refunded the yearly card: `billing
    refund` said she was removed from the groups, though the half-year she paid for still
    let her in (and nobody was removed)."""
    status, out = _half_year_then_yearly(site, SystemClock())
    assert status == 0 and "(subscription 2)" in out, out
    status, out = run("billing", "refund", "2", "--config", str(site))
    said = " ".join(out.split())
    assert status == 0 and "Refunded 499.00 CNY" in said, out
    assert "stays in the groups through their 颜学院半年会员, until" in said, out
    assert "removed" not in said


def test_a_discounted_payment_says_why_in_the_orders_list_and_export(site: Path) -> None:
    """A 10-yuan coupon recorded with --discount read as a bare '289.00 CNY' in billing list
    --orders (and on the Billing page): why this member paid less was only in the audit log."""
    with site_store(site) as store:
        member = store.member_for("webchat", "u-1", "小美")
    status, out = pay(site, f"member:{member.id}", "TB-1", "--amount", "289",
                      "--discount", "新人券 10 元")  # fmt: skip
    assert status == 0, out
    assert pay(site, f"member:{member.id}", "TB-2")[0] == 0  # at the price: no reason
    status, out = run("billing", "list", "--orders", "--config", str(site))
    lines = [line for line in out.splitlines() if "(member " in line]
    assert "TB-1" in lines[-1] and lines[-1].endswith("below the price: 新人券 10 元"), out
    assert "TB-2" in lines[0] and "below the price" not in lines[0], out
    status, out = run("billing", "export", "--orders", "--config", str(site))
    rows = out.splitlines()
    assert rows[1].endswith(",新人券 10 元") and rows[2].endswith(",cli,"), out


def frozen_billing_clock() -> FrozenClock:
    """A clock for `hearth billing` frozen at 16:30 UTC today, 00:30 tomorrow in Shanghai (the
    community's zone): the day a command says is the community's, and the test reads the
    same instant (read apart, the two days differed for a moment at 16:00 UTC)."""
    return FrozenClock(datetime.now(UTC).replace(hour=16, minute=30, second=0, microsecond=0))


def test_refunding_the_plan_a_later_plan_follows_says_when_the_later_plan_now_runs(
    site: Path,
) -> None:
    """A half-year member bought the yearly card (to start when the half-year ends), then had
    the half-year refunded: `billing refund` said nothing of the yearly card, which now
    starts at once."""
    clock = frozen_billing_clock()
    now = clock.now()
    status, out = _half_year_then_yearly(site, clock)
    assert status == 0 and "when their current plan ends" in out, out
    status, out = run("billing", "refund", "1", "--config", str(site), clock=clock)
    said = " ".join(out.split())
    assert status == 0 and "Refunded 299.00 CNY" in said, out
    assert "their 颜学院年卡, which was to start when this one ended, now runs from " in said, out
    today = now.astimezone(ZoneInfo("Asia/Shanghai"))
    assert today.date() == now.date() + timedelta(days=1)
    assert f"now runs from {today:%Y-%m-%d}" in said, out
    assert f"to {today.year + 1}-{today:%m}-" in said, out  # a year on
    assert "removed" not in said


def test_rehearsing_the_membership_calendar_lists_each_day_and_changes_nothing(
    site: Path,
) -> None:
    """An operator had no way to see the reminders and removals the coming months bring
    without waiting for them."""
    config = ("--config", str(site))
    with site_store(site) as store:
        [community] = store.list_communities()
        group = store.add_group(community.id, "护肤1群", "webchat", "room-1")
        store.join(store.member_for("webchat", "u-1", "小美").id, group.id)
        # 阿杰 joined a Telegram group directly, unpaid: removed 2 days later unless they pay
        direct = store.add_group(community.id, "护肤2群", "telegram", "-100")
        jie = store.member_for("telegram", "u-9", "阿杰").id
        store.join(jie, direct.id)
        joined = datetime.now(UTC)
        ends = UnpaidJoinEnds(member=jie, joined_at=joined)
        store.schedule(f"billing:unpaid-join:{jie}:{joined.isoformat()}", community.id,
                       ends.effect, ends.to_payload(), joined + timedelta(days=2),
                       group_id=direct.id)  # fmt: skip
    assert pay(site, payment_code(site), "TB-1")[0] == 0
    with site_store(site) as store:
        [sub] = SqlBilling.on(store).subscriptions(community.id)
        kept = store.engine.connect().exec_driver_sql("SELECT key, status FROM scheduled").all()
    status, out = run("billing", "rehearse", "--days", "200", *config)
    said = [" ".join(line.split()) for line in out.splitlines()]
    zone = ZoneInfo("Asia/Shanghai")
    remind, end = sub.period_end - timedelta(days=14), sub.period_end
    assert status == 0 and "nothing is stored or sent" in said[0], out
    assert f"{remind.astimezone(zone):%Y-%m-%d}" in said, out
    assert (f"{remind.astimezone(zone):%H:%M} reminder 小美 (member {sub.member_id}, subscription "
            f"{sub.id}): reminded to renew 颜学院半年会员 in 护肤1群") in said, out  # fmt: skip
    assert any(line.startswith("reads: 小美") for line in said), out
    assert (f"{end.astimezone(zone):%H:%M} removal 小美 (member {sub.member_id}, subscription "
            f"{sub.id}): removed from 护肤1群: ") in " ".join(said), out  # fmt: skip
    assert (f"removal 阿杰 (member {jie}, joined unpaid, holds no membership): removed from "
            "护肤2群: ") in " ".join(said), out  # fmt: skip
    with site_store(site) as store:  # nothing stored: the reminder is still to come
        again = store.engine.connect().exec_driver_sql("SELECT key, status FROM scheduled").all()
        assert sorted(again) == sorted(kept) and store.outbox_counts()["pending"] == 0
    status, out = run("billing", "rehearse", "--days", "1", *config)
    assert "Nothing happens to any member's membership in these days." in out, out


def test_refunding_the_first_of_three_plans_says_when_each_later_plan_now_runs(
    site: Path,
) -> None:
    clock = frozen_billing_clock()
    now = clock.now()
    playbook = site.parent / "playbook.yaml"
    text = playbook.read_text(encoding="utf-8")
    more = ("  plans:\n"
            "    - id: coaching\n      name: 院长私教月\n      price: 99\n      currency: CNY\n"
            "      period: 1 month\n"
            "    - id: yearly\n      name: 颜学院年卡\n      price: 499\n      currency: CNY\n"
            "      period: 1 year\n")  # fmt: skip
    playbook.write_text(text.replace("  plans:\n", more, 1), encoding="utf-8")
    assert run("apply", str(playbook), "--config", str(site))[0] == 0
    with site_store(site) as store:
        member = store.member_for("webchat", "u-1", "小美")
    assert pay(site, f"member:{member.id}", "TB-1", clock=clock)[0] == 0  # subscription 1
    for plan, receipt in (("coaching", "TB-2"), ("yearly", "TB-3")):
        status, out = run("billing", "pay", f"member:{member.id}", "--plan", plan, "--receipt",
                          receipt, "--config", str(site), clock=clock)  # fmt: skip
        assert status == 0, out
    status, out = run("billing", "refund", "1", "--config", str(site), clock=clock)
    said = " ".join(out.split())
    today = now.astimezone(ZoneInfo("Asia/Shanghai"))
    month = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    assert status == 0 and "their 院长私教月, which was to start when this one ended" in said, out
    assert f"now runs from {today:%Y-%m-%d}" in said, out
    assert ("their 颜学院年卡, which was to start when the one before it ended, now runs from "
            f"{month}-") in said, out  # fmt: skip
    assert "removed" not in said


def test_refunding_another_subscriptions_refunded_order_is_refused_naming_the_payments(
    site: Path,
) -> None:
    """`billing refund 2 --order 1`, order 1 being subscription 1's payment refunded already:
    it said "Order 1 was refunded already" (and the console's Refund said "Refunded; …") of a
    subscription whose own payment stood, nothing given back. Now it is refused like any order
    that is not the subscription's, naming its payments."""
    config = ("--config", str(site))
    assert pay(site, payment_code(site), "TB-1")[0] == 0
    with site_store(site) as store:
        other = store.member_for("webchat", "u-2", "阿兰")
    status, out = run("billing", "pay", f"member:{other.id}", "--plan", "half-year",
                      "--receipt", "TB-2", *config)  # fmt: skip
    assert status == 0, out
    assert run("billing", "refund", "1", *config)[0] == 0  # order 1 given back (order 3)
    status, out = run("billing", "refund", "2", "--order", "1", *config)
    said = " ".join(out.split())
    assert status == 1, out
    assert "order 1 is not a payment of subscription 2 (its payments: order 2" in said
    assert "refunded already" not in said
    status, out = run("billing", "list", *config)
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert "active" in rows["2"] and "refunded" in rows["1"], out


def test_refunding_again_names_the_payment_given_back_and_the_one_left(site: Path) -> None:
    """A member paid, then renewed; `billing refund 1` gave the renewal back. Run again, it
    said "Subscription 1 was refunded already", while `billing list` showed it active and its
    first payment stood. It names the payment given back and how to give back the other."""
    code = payment_code(site)
    assert pay(site, code, "TB-1")[0] == 0
    assert pay(site, code, "TB-2")[0] == 0  # a renewal: order 2
    config = ("--config", str(site))
    status, out = run("billing", "refund", "1", *config)
    assert status == 0 and "giving back order 2" in out, out
    status, out = run("billing", "refund", "1", *config)
    said = " ".join(out.split())
    assert status == 0
    assert ("Order 2, the latest payment of subscription 1, was refunded already (order 3); "
            "nothing more is given back. Its other payment: hearth billing refund 1 --order 1"
            ) in said, out  # fmt: skip
    assert run("billing", "list", "--orders", *config)[1].count("-299.00 CNY") == 1


def test_rehearsing_a_community_without_plans_says_there_is_no_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A free community's rehearsal said "Nothing happens to any member's membership in these
    days.", as if its members' calendar had been looked at and found quiet."""
    free = made_site(tmp_path, monkeypatch, "repurchase")
    status, out = run("billing", "rehearse", "--config", str(free))
    assert status == 0, out
    assert (
        "has no membership plans (monetisation.plans in its playbook) and no member holds a "
        "subscription: there is no membership calendar to rehearse." in " ".join(out.split())
    )
    assert "Nothing happens" not in out


def test_the_list_shows_a_page_of_subscriptions_with_how_many_there_are(site: Path) -> None:
    """`billing list` printed every subscription the community ever had (thousands of lines);
    now the newest 50, as the console's Billing page, with which of how many and how to see
    the rest (`--page`, `--limit`; all of them: `billing export`)."""
    _fifty_three_fans_paid(site, step=timedelta(0))
    config = ("--config", str(site))
    status, out = run("billing", "list", *config)
    assert status == 0, out
    rows = [line for line in out.splitlines() if "(member " in line]
    assert len(rows) == 50 and "Fan 52 (member" in rows[0] and "Fan 3 (member" in rows[-1]
    assert (
        "Subscriptions 1–50 of 53, newest first (page 1 of 2): --page 2 for the next 3; all of "
        "them: hearth billing export." in " ".join(out.split())
    ), out
    status, out = run("billing", "list", "--page", "2", *config)
    rows = [line for line in out.splitlines() if "(member " in line]
    assert [r.split(" (member")[0].split()[-2:] for r in rows] == [
        ["Fan", "2"],
        ["Fan", "1"],
        ["Fan", "0"],
    ]
    assert "Subscriptions 51–53 of 53" in out and "--page 3" not in out
    status, out = run("billing", "list", "--limit", "100", *config)
    assert status == 0 and "Every subscription shown (53), newest first." in out


def test_the_orders_ledger_is_listed_a_page_at_a_time_with_how_many_there_are(site: Path) -> None:
    """`billing list --orders` printed the whole ledger (every payment, refund and held
    payment the community ever had) and refused `--page`/`--limit`; now it pages as the
    subscriptions do, newest first, saying which of how many and how to get all of them."""
    _fifty_three_fans_paid(site, step=timedelta(minutes=1))
    config = ("--config", str(site))
    status, out = run("billing", "list", "--orders", *config)
    assert status == 0, out
    rows = [line for line in out.splitlines() if "(member " in line]
    assert len(rows) == 50 and "Fan 52 (member" in rows[0] and "Fan 3 (member" in rows[-1]
    assert (
        "Orders 1–50 of 53, newest first (page 1 of 2): --page 2 for the next 3; all of them: "
        "hearth billing export --orders." in " ".join(out.split())
    ), out
    status, out = run("billing", "list", "--orders", "--page", "2", *config)
    assert status == 0, out
    rows = [line for line in out.splitlines() if "(member " in line]
    assert [r.split(" (member")[0].split()[-2:] for r in rows] == [
        ["Fan", "2"],
        ["Fan", "1"],
        ["Fan", "0"],
    ]
    assert "Orders 51–53 of 53" in out and "--page 3" not in out
    status, out = run("billing", "list", "--orders", "--limit", "100", *config)
    assert status == 0 and "Every order shown (53), newest first." in out


def test_a_page_holding_one_says_which_one_not_a_range(site: Path) -> None:
    """A last page of one order said 'Orders 3–3 of 3'."""
    _fifty_three_fans_paid(site, step=timedelta(minutes=1), count=3)
    config = ("--config", str(site), "--limit", "2", "--page", "2")
    status, out = run("billing", "list", "--orders", *config)
    assert status == 0, out
    assert ("Order 3 of 3, newest first (page 2 of 2): all of them: hearth billing export "
            "--orders." in " ".join(out.split())), out  # fmt: skip
    status, out = run("billing", "list", *config)
    assert status == 0, out
    assert "Subscription 3 of 3, newest first (page 2 of 2)" in " ".join(out.split()), out
    status, out = run("billing", "list", "--orders", "--config", str(site), "--limit", "2")
    assert "Orders 1–2 of 3, newest first (page 1 of 2)" in " ".join(out.split()), out


def test_an_empty_ledger_says_so(site: Path) -> None:
    status, out = run("billing", "list", "--orders", "--config", str(site))
    assert status == 0 and "No orders yet." in out


def _fifty_three_fans_paid(site: Path, step: timedelta, count: int = 53) -> None:
    """`count` fans (Fan 0, Fan 1 …) each pay the half-year plan, `step` apart from 5 December
    17:00 UTC."""
    now = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    with site_store(site, FrozenClock(now)) as store:
        community = store.list_communities()[0]
        for n in range(count):
            member = store.member_for("webchat", f"fan-{n}", f"Fan {n}")
            staff.pay(store, community, f"member:{member.id}", "half-year", "", f"TB-{n}",
                      "test", now + step * n)  # fmt: skip


def test_the_list_says_a_refunded_membership_ended_at_its_refund(site: Path) -> None:
    """It listed a purchase refunded at once as running "2026-12-06 → 2027-06-06", the half
    year given back, as if the member still had it."""
    code = payment_code(site)
    assert pay(site, code, "TB-1")[0] == 0
    config = ("--config", str(site))
    status, out = run("billing", "refund", "1", *config)
    assert status == 0 and "Refunded 299.00 CNY" in out
    with site_store(site) as store:
        [sub] = SqlBilling.on(store).subscriptions(1)
        [refunded] = [o for o in SqlBilling.on(store).orders(1) if o.refund_of is not None]
    zone = ZoneInfo("Asia/Shanghai")
    status, out = run("billing", "list", *config)
    assert status == 0, out
    assert (f"refunded {sub.period_start.astimezone(zone).date()} → "
            f"{refunded.at.astimezone(zone).date()} (refunded)") in " ".join(out.split()), out  # fmt: skip


def test_the_payment_reference_a_rehearsal_shows_pays_from_the_command_line(site: Path) -> None:
    """`hearth billing rehearse` showed the reminder quoting 小美's payment reference (paid
    for by member:ID, she had not been given one yet); `hearth billing pay` with it said
    "no one was given the payment reference"."""
    config = ("--config", str(site))
    with site_store(site) as store:
        [community] = store.list_communities()
        group = store.add_group(community.id, "护肤1群", "webchat", "room-1")
        member = store.member_for("webchat", "u-1", "小美").id
        store.join(member, group.id)
    assert pay(site, f"member:{member}", "TB-1")[0] == 0
    status, out = run("billing", "rehearse", "--days", "200", *config)
    [reads] = [line for line in out.splitlines() if "reads:" in line]
    match = re.search(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b", reads)
    assert status == 0 and match is not None, out
    status, out = pay(site, match.group(), "TB-2")
    assert status == 0 and "renewal of half-year" in out, out
    assert payment_code(site) == match.group()  # given to her now, the same one


def test_give_moves_a_membership_end_on_starts_one_and_refuses_days_out_of_range(
    site: Path,
) -> None:
    """There was no way to give a member a week: "invite a friend, get a week free" was a
    payment of 0 recorded for a whole half-year."""
    clock = frozen_billing_clock()
    zone = ZoneInfo("Asia/Shanghai")
    with site_store(site) as store:
        mei = store.member_for("webchat", "u-1", "小美")
        hong = store.member_for("webchat", "u-2", "小红")
    assert pay(site, f"member:{mei.id}", "TB-1", clock=clock)[0] == 0
    with site_store(site) as store:
        [sub] = SqlBilling.on(store).subscriptions(1, member_id=mei.id)
    config = ("--config", str(site))
    status, out = run("billing", "give", f"member:{mei.id}", "--days", "7", "--reason",
                      "邀请奖励", *config, clock=clock)  # fmt: skip
    said = " ".join(out.split())
    later = (sub.period_end + timedelta(days=7)).astimezone(zone)
    assert status == 0 and "7 days of half-year given" in said, out
    assert f"now until {later:%Y-%m-%d %H:%M}" in said, out
    assert f"extended from {sub.period_end.astimezone(zone):%Y-%m-%d %H:%M}" in said, out
    status, out = run("billing", "give", f"member:{hong.id}", "--days", "7", *config,
                      clock=clock)  # fmt: skip
    said = " ".join(out.split())
    week = (clock.now() + timedelta(days=7)).astimezone(zone)
    assert status == 0 and "started now" in said and f"{week:%Y-%m-%d %H:%M}" in said, out
    for days, refused in (("0", "give 1 to 3650 days"), ("-7", "days given are not taken back"),
                          ("4000", "at most 3650 days")):  # fmt: skip
        status, out = run("billing", "give", f"member:{mei.id}", "--days", days, *config,
                          clock=clock)  # fmt: skip
        assert status == 1 and refused in " ".join(out.split()), out
    status, out = run("billing", "list", "--orders", *config)
    kinds = re.findall(r"\(member \d+\)\s+(\S+(?: given)?)\s+\d", out)
    assert kinds == ["days given", "days given", "purchase"], out  # refused ones not recorded
    assert "days_given" not in out, out  # the kind as read, not its stored value
    said = " ".join(out.split())
    assert "days given 0.00 CNY manual:" in said and "7 days given: 邀请奖励" in said, out
    assert "below the price: 7 days" not in said, out
