"""The playbook side of paid membership: validation of the plan a paid threshold names, the
monetisation summary, and the grace field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.playbook.summary import summarise
from tests.capabilities.billing.billing_setup import PAID
from tests.engine_setup import playbook
from tests.playbook_samples import MINIMAL


def test_a_paid_threshold_naming_an_unknown_plan_is_a_located_error() -> None:
    with pytest.raises(PlaybookError, match=r"plan 'half-yaer' is not in monetisation.plans"):
        parse_playbook(MINIMAL + PAID.replace("plan: half-year}", "plan: half-yaer}"))


def test_a_paid_threshold_on_a_free_plan_is_warned_where_the_price_is() -> None:
    # nobody gets in until staff record "payments" of 0 for each person; the door asks every
    # newcomer to pay 0 CNY
    loaded = parse_playbook(MINIMAL + PAID.replace("price: 299", "price: 0"), "pb.yaml")
    [warning] = loaded.warnings
    assert warning.path == "monetisation.plans[0].price" and "costs 0" in warning.message
    assert "kind: open" in warning.message
    assert parse_playbook(MINIMAL + PAID).warnings == ()


def test_the_summary_says_how_members_are_reminded_and_removed_and_names_a_silent_plan() -> None:
    money = next(e for e in summarise(playbook(PAID)) if e.title.startswith("Monetisation"))
    assert "reminder 14d before the end, removal 3d after an unpaid end" in money.lines[0]
    assert money.gaps == []
    silent = PAID.replace("renewal_reminder: 14d", "renewal_reminder: null")
    money = next(e for e in summarise(playbook(silent)) if e.title.startswith("Monetisation"))
    assert "no renewal reminder" in money.lines[0]
    assert [g.message.split(":")[0] for g in money.gaps] == ["plan half-year"]


def test_grace_defaults_to_three_days() -> None:
    pb = playbook(PAID.replace("      grace: 3d\n", ""))
    assert pb.monetisation.plans[0].grace == timedelta(days=3)


def test_none_written_as_the_docs_write_it_turns_a_duration_off() -> None:
    """docs/membership.md and docs/activities.md say `refund_window: none`, `grace: none`,
    `pay_within: none`; YAML reads the word as text, and the playbook was refused: "'none'
    is not a duration"."""
    plan = PAID.replace("refund_window: 7d", "refund_window: none").replace(
        "renewal_reminder: 14d", "renewal_reminder: None").replace("grace: 3d", "grace: none")  # fmt: skip
    event = ("activities:\n  - id: tasting\n    name: Tasting\n    when: 2026-12-19 19:30\n"
             "    price: 45\n    pay_within: none\n")  # fmt: skip
    loaded = parse_playbook(MINIMAL + plan + event, "pb.yaml")
    [half_year] = loaded.playbook.monetisation.plans
    assert (half_year.refund_window, half_year.renewal_reminder, half_year.grace) == (None,) * 3
    assert loaded.playbook.activities[0].pay_within is None
    required = r"period: 'none' is not a service period"  # a field that may not be none
    with pytest.raises(PlaybookError, match=required):
        parse_playbook(MINIMAL + plan.replace("period: 6 months", "period: none"))


def test_the_summary_says_what_becomes_of_a_direct_joiner_instead_of_a_gap() -> None:
    """A paid book club's Telegram group: someone who came in by a link that does not ask to
    join was welcomed, never asked to pay and never removed, and `hearth playbook show` named
    it as a gap. The engine now treats them as the door would; the summary says how, with the
    operator's `unpaid_stay`, and names no gap."""
    on_telegram = "structure:\n  carriers:\n    - kind: webchat\n    - kind: telegram\n"
    money = next(e for e in summarise(playbook(PAID + on_telegram))
                 if e.title.startswith("Monetisation"))  # fmt: skip
    assert money.gaps == []
    [line] = [x for x in money.lines if x.startswith("Joining without asking")]
    assert line.startswith("Joining without asking (telegram: a link that does not ask to join")
    assert "told to pay and removed 1d later unless they paid" in line
    at_once = PAID.replace("plan: half-year}", "plan: half-year, unpaid_stay: none}")
    money = next(e for e in summarise(playbook(at_once + on_telegram))
                 if e.title.startswith("Monetisation"))  # fmt: skip
    assert any("removed at once (unpaid_stay: none)" in x for x in money.lines)
    web_only = next(e for e in summarise(playbook(PAID)) if e.title.startswith("Monetisation"))
    assert not any(x.startswith("Joining without asking") for x in web_only.lines)
