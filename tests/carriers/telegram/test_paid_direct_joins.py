"""A paid community's Telegram group, joined straight in (the group's own link passed on, a
public username: no join request, so the door never saw them), against the fake Bot API:
the joiner was welcomed, given no trial, never asked to pay and never removed. Now a newcomer
gets the plan's trial, as at the door, or is told to pay with their reference and removed a
day later unless they paid (docs/membership.md, "Who joins without asking")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.playbook.templates import template_text
from tests.carriers.telegram.telegram_setup import (
    Hearth,
    bot_message,
    eventually,
    on_sqlite,
    serving,
    text_of,
)

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]

WITH_TRIAL = template_text("skincare").replace(
    "      period: 6 months\n", "      period: 6 months\n      trial: 3d\n"
)


@pytest_asyncio.fixture
async def trial(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    async with on_sqlite(tmp_path, migrated_sqlite, WITH_TRIAL) as found:
        yield found


async def test_a_direct_joiner_is_told_to_pay_and_removed_a_day_later_unless_paid(
    community: Hearth,
) -> None:
    chat = community.group()
    async with serving(community):
        mei, bo = community.person("Mei"), community.person("Bo")
        community.api.join(chat, mei)  # no join request: straight in
        await bot_message(community, chat, "欢迎 Mei 加入颜学院护肤社")
        told = text_of(await bot_message(community, chat, "Mei，「颜学院护肤社」是付费社群"))
        code = SqlBilling.on(community.store).reference_for(
            "telegram", str(mei["id"]), "Mei", community.clock.now()).code  # fmt: skip
        assert "你入群时还没有开通会员" in told and f"付款参考码 {code}" in told
        assert "否则会被移出群" in told
        community.api.join(chat, bo)
        await bot_message(community, chat, "Bo，「颜学院护肤社」是付费社群")
        [found] = community.store.list_communities()
        staff.pay(community.store, found, f"telegram:{bo['id']}", "half-year", "", "tb-1",
                  "staff", community.clock.now())  # fmt: skip
        community.clock.advance(timedelta(days=1, minutes=1))
        await eventually(lambda: community.api.status(chat, mei["id"]) != "member",
                         "Mei to be removed")  # fmt: skip
        assert community.api.status(chat, bo["id"]) == "member"  # Bo paid: he stays


async def test_a_direct_joiner_gets_the_trial_and_membership_says_so(trial: Hearth) -> None:
    chat = trial.group()
    async with serving(trial):
        mei = trial.person("Mei")
        trial.api.join(chat, mei)
        welcome = text_of(await bot_message(trial, chat, "欢迎 Mei 加入颜学院护肤社"))
        assert "你正在免费试用「颜学院半年会员」" in welcome  # the welcome's last line
        trial.api.say(chat, mei, "同意")
        await bot_message(trial, chat, "Mei 已接受群规")
        trial.api.say(chat, mei, "/会员")
        answer = text_of(await bot_message(trial, chat, "你的会员情况"))
        assert "「颜学院半年会员」免费试用中" in answer
        assert "你目前没有会员" not in answer
