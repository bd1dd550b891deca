"""Families of everyday ads that no rule read before session 31, and the members' lines beside them.

Each ad below is written for this test (none is a corpus row) in the shape of a family the tune
part's misses showed: a seller's rates (`fair rates`, `flat fee`, `all inclusive`), a pet or a
farm's sale (`ready for new homes`, `vet checked`), a line that ends asking to be messaged or
opens with a question to the reader (`Moving soon? …`), and in Chinese a price mid-line
(`一天三十，…`), a bundle or a wage (`打包80`, `日结一百五`), a flash sale (`秒杀`), stock and
pre-sale (`有货`, `预售`, `急转`, `有意者私`), and a delivery time in hours (`三小时送达`). The
chat lines speak of the same things as members do.
"""

from __future__ import annotations

import pytest

from hearthkeeper.playbook.rules import Rules
from hearthkeeper.text import Scanner, is_advertising
from tests.template_scanners import EVERY_TEMPLATE, template_scanner

SCANNERS = {name: template_scanner(name) for name in EVERY_TEMPLATE}
RULES_ONLY = Scanner.from_rules(Rules(), scorer=None)

ADS = [
    # English: the seller's rates, a pet's or a farm's sale, a call at the end of a line
    "Dog walking in the east end, weekday mornings, fair rates",
    "Need a CV rewrite? I've helped 40 people into new jobs, rates are reasonable",
    "Wedding officiant available, $200 flat fee",
    "Weekend yoga retreat in the hills, all inclusive with meals",
    "Cheap festival passes, all three days",
    "Cheap phone cases, $5 each, anyone interested",
    "Veneers for half what your dentist charges",
    "Solar panels on your roof, no money down",
    "Ragdoll kittens ready for new homes, vet checked",
    "Birthday cupcakes for kids, order two days ahead",
    "Guitar lessons for beginners, evenings and weekends, message me",
    "Hey all! I just started selling knitted scarves, would love your support",
    "Watch batteries replaced while you wait, $5 each",
    "Apple juice, pressed from our orchard, $6 a bottle",
    "Divorce paperwork, tax specialists, fixed price",
    "Secondhand board games, huge collection, open house on Sunday",
    "Hand-poured candle set, three scents, the perfect gift",
    "Game account levelling, any server, fast and secure",
    "Stuck with your accounts? I'm a certified bookkeeper, $40 an hour",
    "Cabin weekend package for two, hot tub and breakfast",
    "Moving soon? Van with driver, boxes and tape, fair rates",
    # Chinese: a price mid-line, a bundle, a wage, a flash sale, stock and pre-sale
    "露营帐篷，一晚八十，周末可约",
    "儿童绘本，九成新，打包80",
    "温泉双人套票三百八，含早餐",
    "餐厅招洗碗工，日结一百五，包午饭",
    "今晚九点工厂店秒杀，一元起拍",
    "轮胎更换，比4S店便宜一半",
    "考研冲刺班，名师带队，不过免费重读",
    "生日蛋糕，同城三小时送达",
    "代查论文重复率，当天出报告",
    "阳澄湖大闸蟹预售，八只一盒",
    "急转健身卡，还剩十个月",
    "出一台游戏机，九成新，有意者私",
    "驾照年审到期的找我，比自己跑便宜",
    "太阳能路灯安装，包工包料",
]

CHAT = [
    "The hotel was all inclusive, the food was great",
    "The vet checked her teeth too, all good",
    "Message me when you land",
    "Can I order two days ahead at that bakery?",
    "My cousin's puppies are ready for new homes already, they grow so fast",
    "I'm a certified lifeguard now, finally passed!",
    "Cheap flights are gone, prices went up again",
    # `cheap` opening a line was the line's one sign of a price, though someone speaks in it
    "Cheap flights to Rome in May, anyone interested",
    "Cheap tickets for the ferry if you go before 9, you should try it",
    "Looking for a good hike? The ridge trail was lovely yesterday",
    "Retiring soon? Lucky you, enjoy it",
    # a member's own question opening the line: it was taken for a seller's to the reader,
    # and what followed read as a line said by no one
    "Is the meetup on Saturday? Lunch provided, bring a mat",
    "Who's coming Sunday? Snacks provided, just bring yourself",
    "Going to the market? Fair prices there, I usually buy veg",
    # a gathering's own notes: what is provided there, and a call to sign up in the group
    "Reminder: potluck Sunday, drinks provided",
    "Thanks, lunch provided at the workshop tomorrow, bring a notebook",
    "有意者请在群里报名，周六读书会",
    "Went to the farmers market, the stall from our village had huge apples",
    "太阳好大，今天不出门",
    "预售的衣服终于到了",
    "那家温泉的套票一百九十九，我觉得有点贵",
    "小区门口那家店秒杀的鸡蛋，排了半小时",
    "他说有货，让我明天去拿",
    "秒杀没抢到，气死了",
    "酒店不含早餐，还得自己出去吃",
    "名师也不一定教得好",
    "同城配送要多久啊？",
    "房租一个月两千五，水电另算，你们那边呢",
]


@pytest.mark.parametrize("text", ADS)
def test_such_an_ad_is_advertising_by_rules_alone(text: str) -> None:
    assert is_advertising(RULES_ONLY.scan(text)), text


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_every_template_deletes_such_an_ad(template: str) -> None:
    missed = [text for text in ADS if not is_advertising(SCANNERS[template].scan(text))]
    assert missed == []


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_members_talking_of_the_same_things_are_left_alone(template: str) -> None:
    flagged = [text for text in CHAT if is_advertising(SCANNERS[template].scan(text))]
    assert flagged == []
