"""Families of spam pitches: a topic with its offer is advertising, the topic alone is not."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text import Scanner, is_advertising, pitches
from hearthkeeper.text.normalise import prepare
from hearthkeeper.text.pitches import FAMILIES, PitchDetector

DETECTOR = PitchDetector()
_MINIMAL = {"community": {"slug": "c", "name": "C", "purpose": "p",
                          "interest": {"kind": "product", "description": "d"}}}  # fmt: skip

# family: (spam it catches, ordinary sentences with the same words it leaves alone)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "SMS unsubscribe tail": (
        ["双十一全场五折，戳链接抢购，回T退订", "会员日满199减50 退订回TD", "新品上市 拒收请回复R"],
        ["今天退订了那个会员", "我已经退订了，回头再说", "T恤退了，订单取消了"],
    ),
    "loan offer": (
        ["个人信用贷款，无抵押无担保，当天到账，电话13812345678", "急用钱？网贷秒批，不看征信"],
        ["我的房贷款还没还完", "无抵押的车还能卖吗", "他跟银行借款买房，手续挺麻烦的"],
    ),
    "credit card offer": (
        ["诚邀您办理高额信用卡，手续简单快捷，详询王经理", "大额白金卡内部操作，包下卡"],
        ["我想办理白金信用卡", "大额信用卡的年费好贵"],
    ),
    "credit card cash-out": (
        ["专业信用卡代还，提现垫还，费率低", "信用卡套现找我"],
        ["信用卡还款日是哪天", "这个月信用卡还完了"],
    ),
    "gambling offer": (
        ["百家乐真人视讯，首存送100%彩金，官网 bet88.com", "时时彩平台信誉第一，注册送88元"],
        [
            "我爸天天买六合彩",
            "昨晚看了部讲澳门赌场的电影",
            "老虎机是什么原理",
            "官网网投简历的流程",
        ],
    ),
    "gambling bonus": (
        ["充100送100，1倍流水即可提款", "首存送58，存就送", "新会员注册即送38元体验金"],
        [
            "今天河水的流水很急",
            "首存的钱要放多久",
            "游戏首充送皮肤吗",
            "他反水了",
            "彩金项链真好看",
        ],
    ),
    "invoices and certificates": (
        ["代开各行业正规机打发票，可验证后付款", "办证刻章，各类证书保真"],
        [
            "报销要贴发票",
            "从青铜时代开始读王小波，发票在书里",
            "出国要办理各种证件好麻烦",
            "毕业证丢了怎么补办",
            "超市的机打发票能报销吗",
        ],
    ),
    "escort offer": (
        ["酒店上门服务，美女学生，无需定金满意付款", "外围女空降，全套一条龙"],
        ["家电维修上门吗", "家电维修提供上门服务", "这家酒店的服务很好", "学生党求推荐美女发型"],
    ),
    "points phishing": (
        ["您的积分已达5000，可兑换现金，请登录手机网领取", "积分兑换即将逾期失效，点击领取"],
        ["积分可以换礼品吗", "超市积分兑换了一桶油", "积分快清零了赶紧用"],
    ),
    "bank account phishing": (
        [
            "尊敬的建行用户，您的账户积分可兑现，请登录手机网查询，逾期失效",
            "紧急通知：工商银行系统升级，请登入我行手机网补录信息，以免冻结",
        ],
        ["工行的手机银行登录不了", "建行手机网速好慢", "我行我素", "网银转账逾期了怎么办"],
    ),
    "bank token phishing": (
        ["您的电子密码器将于明日失效，请登陆手机网进行升级", "U盾已过期，请登录网址激活"],
        ["我的密码器丢了怎么办", "U盾插上没反应"],
    ),
    "bulk-SMS salutation": (
        [
            "尊敬的客户：即日起办理宽带送三个月，详询热线",
            "尊敬的旅客您好，航班已取消，请联系客服改签",
        ],
        [
            "尊敬的各位群友，周六见",
            "会员卡优惠挺多的，你领取了吗",
            # notices members of a parents' or neighbours' group write themselves
            "尊敬的家长：明天春游，请回复孩子是否参加",
            "尊敬的业主：明天上午停水，详询物业",
        ],
    ),
    "property sale": (
        ["准现房盛大开盘，先到先得，抢购热线", "精装洋房钜惠，即买即住"],
        [
            "首付是我爸妈给的",
            "发现房间很小，点评都有回馈",
            "我们小区的洋房挺好看",
            "新楼盘开盘了吗",
            "售楼处的热线一直打不通，首付到底要多少",
        ],
    ),
    "shop promotion with an unsubscribe": (
        ["官方旗舰店全场满减，限量开抢，退订回复", "周年庆全场折上折，到店有礼，退订"],
        ["双十一满减和领券都搞不懂，秒杀也抢不到", "我退订了那家店的短信", "新品到店了吗"],
    ),
    "shop promotion copy": (
        [
            "周年庆盛典即日起全场折上折，满送豪礼，欢迎光临",
            "官方旗舰店大促，全场低至五折，限量疯抢",
        ],
        ["商场周年庆全场低至五折，一起去吗", "这家店全场满减，还有满送", "仅限会员吗？我错过了"],
    ),
    "earn-at-home pitch": (
        ["宝妈在家就能做，每天两小时", "学生党手机就能做，不耽误上课", "上班族下班后在家也能赚",
         "学生党手机就能做的任务，一单一结", "宝妈在家就能做的手工活，计件"],
        ["宝妈们周末去哪玩", "我在家带娃，老公上班", "学生党的暑假作业太多了",
         # what they can do at home, no work (session 33's review)
         "有没有适合宝妈在家也能做的运动？", "宝妈带娃也能做的早餐，十分钟搞定",
         "学生党手机就能做的记账方法推荐一下"],
    ),
    "job call": (
        ["急招服务员，日结150，加我", "兼职发传单，有意者私我",
         "还在找兼职吗？日结200，加我", "在找兼职的宝妈加我", "求兼职的朋友私我"],
        ["这个兼职靠谱吗", "我以前做过日结的兼职，太累了", "公司招人了，下周面试",
         # a member looking for work, or going to a job fair (session 33's review)
         "我在找兼职，有合适的联系我", "求兼职，有的联系我，谢谢大家",
         "明天招聘会，想去的加我一起"],
    ),
    "worry-question opener": (
        ["还在为孩子成绩发愁吗？一对一辅导", "还在为脱发烦恼吗？试试这个",
         "还在为这个夏天瘦不下来发愁吗？私教一对一"],
        ["你还在为昨天的事生气吗", "还在为这事发愁呢，明天再说",
         "你还在为那件事烦恼吗？别想了"],  # a friend's worry both know of
    ),
    "stock-tip group": (
        ["操盘手建群，免费荐股，人满即封", "免费诊股，每天推荐"],
        ["群里人满了就不加了", "别信那些荐股的"],
    ),
    "work-from-home offer": (
        ["Earn passive income from your phone, no experience needed, DM me",
         "Work from home opportunity!! WhatsApp me for details",
         "Make easy money working from home, click here"],
        ["I work from home three days a week", "Passive income sounds nice but I have no idea how",
         "Working from home today, message me if you need the keys",
         "Extra income would be nice, DM me if you hear of a job"],
    ),
    "paid-task offer": (
        ["Get paid $30 per survey, sign up with my link", "Earn money from home watching videos"],
        ["When do we get paid this month?", "I'd love to make money doing what I like",
         "Did you sign up for the run? I get paid on Friday"],
    ),
    "wholesale goods offer": (
        ["Designer bags at factory price, worldwide shipping", "AAA quality sneakers, order now"],
        ["The factory price of a car is much lower than what you pay",
         "Her designer bags are all second hand", "Do you ship worldwide? Asking for a friend"],
    ),
    "investment returns offer": (
        ["Guaranteed returns of 30% a month, DM me to join", "Crypto signals group, join our VIP"],
        ["There is no such thing as guaranteed returns", "Daily returns on my savings are tiny",
         "He keeps sending me forex signals screenshots, so annoying"],
    ),
    "English sale with a call": (
        ["I'm selling my old bike, barely used, DM me", "We sell fresh sourdough every Sunday, "
         "pickup or delivery", "Birthday cakes made to order at my bakery, see my page"],
        ["I'm selling my car next month, I think", "Is the bakery on Main Street any good?",
         "Text me when you're at the shop"],
    ),
    "apology for the ad": (
        ["Sorry for the spam, I just opened a nail salon downtown", "Excuse the spam! Yard sale "
         "at our place Saturday"],
        ["Sorry for all the messages, my phone went crazy", "Spam calls are the worst"],
    ),
    "seller's own phrasing": (
        ["自家种的沃柑，甜过初恋，要的私我", "专业清洗油烟机，不满意不收费",
         "转让九成新婴儿床，价格好商量", "打扰了，做美甲的，不喜勿扰",
         "Taking bookings for house painting this spring, free estimates",
         "Homemade jam, $6 a jar, DM if interested"],
        ["你要的私人订制做好了吗", "这家店说不满意可以退，我还没试", "价格再好我也不买了",
         "周六读书会报名中，名额不多，抓紧报名", "我要的接龙表格发群里了",
         "I got a free estimate from two roofers, both way too expensive",
         "Message me if you're interested in joining the book club"],
    ),
    "shop or service ad copy": (
        ["家电清洗，上门服务，价格实惠", "Pet grooming at affordable rates, new customers welcome",
         "出租两室一厅，拎包入住，可面交看房",
         # the kinds of ads session 25 found missing: rooms, courses, games, resale, jobs,
         # travel, in either language
         "整套公寓房东直租，押一付一，随时看房", "驾照科目一保分班，通过率高，不过退费",
         "刺激战场代练上分，不封号", "九成新单反转让，镜头齐全，不刀",
         "仓库理货员急招，日结，时间自由", "马尔代夫双飞五日，纯玩无购物，报名从速",
         "Studio for rent, utilities included, message for a viewing",
         "Selling my bike, like new, $200 or best offer",
         "Now hiring cashiers, weekly pay, no experience needed"],
        ["那家店价格实惠，我常去", "我家楼下超市今天鸡蛋特价，我刚买了两板",
         "Is the car still for sale? My brother might want it",
         "The plumber was affordable and fast, I'd call him again",
         "房东人不错，押一付三，我租了两年了", "我家孩子的驾校说通过率挺高",
         "我以前找过代练，后来号被封了", "这台相机九成新，是我哥送我的",
         "我们公司五险一金都有，就是工资低", "酒店临街有点吵，设施齐全包括吹风机",
         "Our apartment is for rent next year since we're moving",
         "My old bike still looks like new", "The store near me is now hiring, maybe I'll apply"],
    ),
}  # fmt: skip


def families_in(text: str) -> set[str]:
    return {f.explanation.split(":")[0] for f in DETECTOR(prepare(text))}


def test_every_family_has_cases() -> None:
    assert {family.name for family in FAMILIES} == set(CASES)


@pytest.mark.parametrize(
    ("family", "text"), [(name, text) for name, (spam, _) in CASES.items() for text in spam]
)
def test_a_family_catches_its_spam(family: str, text: str) -> None:
    assert family in families_in(text)


@pytest.mark.parametrize(
    ("family", "text"), [(name, text) for name, (_, ham) in CASES.items() for text in ham]
)
def test_ordinary_sentences_with_the_same_words_are_left_alone(family: str, text: str) -> None:
    assert families_in(text) == set()


def test_the_explanation_names_the_family_the_topic_and_the_offer() -> None:
    [finding] = DETECTOR(prepare("个人贷款，无抵押，当天到账"))
    assert finding.kind == "advertising"
    assert finding.explanation == "loan offer: '贷款' with '无抵押'"


def test_the_default_playbook_reads_pitches_as_advertising_and_can_turn_them_off() -> None:
    text = "代开各行业正规机打发票，验证后付款"
    defaults = Playbook.model_validate(_MINIMAL).rules
    assert is_advertising(Scanner.from_rules(defaults, scorer=None).scan(text))
    off = Playbook.model_validate(
        {**_MINIMAL, "rules": {"violations": {"advertising": {"pitches": False}}}}
    ).rules
    assert not is_advertising(Scanner.from_rules(off, scorer=None).scan(text))


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_reads_a_service_ad_without_contact_as_advertising(template: str) -> None:
    # the club template turns contact detection off: the seller's phrasing must still count
    rules = parse_playbook(template_text(template), template).playbook.rules
    scanner = Scanner.from_rules(rules, scorer=None)
    assert is_advertising(scanner.scan("专业上门清洗空调油烟机，价格公道，不喜勿扰"))
    assert is_advertising(scanner.scan("Math tutoring, first lesson free, DM if interested"))
    assert not is_advertising(scanner.scan("楼下那家店清洗空调挺便宜的，价格也公道"))


def test_each_communitys_detector_shares_the_families_words_built_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every community's moderation has a pitch detector, made again each time an engine
    starts or a playbook is applied: the built-in families' words (about a thousand) are one
    keyword set built once per process, and a new detector finds the same pitches with it."""
    ad = "双十一全场五折，戳链接抢购，回T退订"
    assert DETECTOR(prepare(ad))

    def built_again(*args: object) -> None:
        raise AssertionError("the families' keyword set was built again")

    monkeypatch.setattr(pitches, "KeywordSet", built_again)
    assert PitchDetector()(prepare(ad)) == DETECTOR(prepare(ad))


# Session 33's review: the new families (earn-at-home, job call, worry-question opener) deleted
# these members' lines in every template, though the learned scorer lets them pass
MEMBERS_LINES = ["宝妈带娃也能做的早餐，十分钟搞定", "你还在为那件事烦恼吗？别想了",
                 "明天招聘会，想去的加我一起"]  # fmt: skip


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("text", MEMBERS_LINES)
def test_a_members_line_with_a_new_familys_words_is_not_advertising(
    template: str, text: str
) -> None:
    from tests.template_scanners import template_scanner

    assert not is_advertising(template_scanner(template).scan(text))
