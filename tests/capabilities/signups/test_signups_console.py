"""The console's Sign-ups page: the community's 接龙 lists with their entries and a CSV export,
linked from every community page's navigation. Before, staff saw a group-buy's orders only in
the chat or with `hearth signups export` on the server."""

from __future__ import annotations

from hearthkeeper.capabilities.signups.records import NewSignUpItem
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from tests.console_setup import SLUG, Console


def test_staff_see_each_list_its_entries_in_order_and_download_it(console: Console) -> None:
    c, now = console, console.clock.now()
    repo = SqlSignUps.on(c.store)
    veg = repo.open_list(c.community_id, c.group_id, "有机蔬菜团购",
                         [NewSignUpItem("西兰花", "12", 1), NewSignUpItem("胡萝卜", "6.5")],
                         deadline=None, created_by=None, at=now)  # fmt: skip
    mei, li = (c.store.member_for("webchat", u, n).id for u, n in (("u-1", "小美"), ("u-2", "=李")))
    broccoli, carrot = veg.items
    repo.take(veg.id, mei, 1, item_id=broccoli.id, at=now)
    repo.take(veg.id, li, 2, item_id=carrot.id, note="周六取", at=now)
    repo.take(veg.id, li, 1, item_id=broccoli.id, at=now)  # sold out: the waitlist

    page = c.get("/signups")
    assert page.status_code == 200
    assert f'href="/console/c/{SLUG}/signups" aria-current="page">Sign-ups' in page.text
    row = page.text.split(f'id="list-{veg.id}"')[1].split("</tr>")[0]
    assert "有机蔬菜团购" in row and "open" in row and "西兰花 ¥12 · 1/1" in row
    assert "<td>3</td>" in row and "<td>1</td>" in row  # 3 signed up (1 + 2), 1 waiting
    entries = page.text.split("Entries of 有机蔬菜团购 (3)")[1].split("</details>")[0]
    assert entries.index("小美") < entries.index("周六取") < entries.index("W1")
    assert "<td>13</td>" in entries  # 2 × 6.5

    export = c.get(f"/signups/{veg.id}/export")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("number,status,name,member_id,item")
    assert lines[1].startswith("1,confirmed,小美,") and ",西兰花,12,1,12," in lines[1]
    assert lines[2].startswith("2,confirmed,'=李,")  # a formula in a name is not run
    assert lines[3].startswith("W1,waitlisted,'=李,")
    assert c.get("/signups/999999/export").status_code == 404
