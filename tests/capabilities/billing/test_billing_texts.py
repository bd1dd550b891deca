"""How a plan's price and period read to members and staff: "39 CNY a month", not "per 1
month"; "for another month", not "another 1 month"."""

from __future__ import annotations

from decimal import Decimal

from hearthkeeper.capabilities.billing.texts import TEXTS, plan_values
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.business import Plan
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.summary import summarise
from hearthkeeper.playbook.templates import template_text


def said(key: str, period: str, language: Language) -> str:
    plan = Plan(id="card", name="Card", price=Decimal(9), currency="GBP", period=period)
    return TEXTS.say(key, language, name="Mei", date="2026-05-01", code="ABCD-EFGH",
                     **plan_values(plan, language))  # fmt: skip


def test_a_price_reads_a_month_or_every_n_months_not_per_1_month() -> None:
    assert said("other_plan", "1 month", Language.EN) == "“Card” (9 GBP a month)"
    assert said("other_plan", "1 year", Language.EN) == "“Card” (9 GBP a year)"
    assert said("other_plan", "3 months", Language.EN) == "“Card” (9 GBP every 3 months)"
    assert "9 GBP a week; quote" in said("trial_reminder", "1 week", Language.EN)
    assert said("other_plan", "1 month", Language.ZH_CN).endswith(" / 月）")
    assert said("other_plan", "6 months", Language.ZH_CN).endswith(" / 6 个月）")


def test_a_renewal_is_for_another_month_not_another_1_month() -> None:
    assert "Renew for 9 GBP for another month;" in said("reminder", "1 month", Language.EN)
    assert "for another 6 months;" in said("reminder", "6 months", Language.EN)
    assert "可再享 1 个月" in said("reminder", "1 month", Language.ZH_CN)


def test_the_playbook_summary_gives_a_plans_price_a_year() -> None:
    """`hearth playbook show` (and the console's Playbook page) said "1200 GBP per 1 year"."""
    pb = parse_playbook(template_text("club")).playbook
    lines = [line for el in summarise(pb) for line in el.lines if line.startswith("Plan ")]
    assert lines and lines[0].startswith("Plan Annual membership: 1200 GBP a year,"), lines
