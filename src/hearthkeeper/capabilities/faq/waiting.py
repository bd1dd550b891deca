"""Whether a member's question waits for an answer from staff or the group (pure).

Not every line that reads as a question does. A quarrel's rhetorical question (`你是不是有病？`,
`凭什么删我消息？？`, `Who do you think you are?`) asks nothing anyone should answer: it
taunts. A member's self-introduction (`大家好，我是新来的小王，请多关照～`, `Hi all, I'm Sam
from Leeds, anyone else here into sourdough?`) greets the group; its question, if it has one,
invites members to chat (anyone else from Bristol? 有没有同行？) and needs nobody's answer.
Neither belongs in the staff inbox, and an alert that "nobody has answered" either teaches
staff to ignore the alerts.

Both still wait when the member also asks for something: a request or an information question
(`…凭什么扣我积分？麻烦查一下`, `How dare they charge twice? Can someone check my payment?`,
`大家好，我是新来的小王，请问怎么报名？`, `Hi, I'm Sam, new here. How do I join?`). A
question that only looks like a taunt is a real one (`凭什么会员要涨价？` asks staff why; a
taunt is a thing done to the speaker, `凭什么删我`, or aimed at `你`). And a complaint about
money or access waits however angrily it is put (`凭什么扣我钱？？`, `你们是不是有病，扣了我两次
钱？`, `How dare you charge me twice?`, `Are you kidding me, I paid and cannot get in?`,
`凭什么封我号？`): a member charged, unpaid back or locked out needs staff, and the anger is
what such a complaint most often carries. So does a newcomer's problem with either beside their
introduction (`大家好，我是新来的小王，交了钱还是进不了群？`, `Hi, I'm Sam, new here. I was
charged twice?`).

Chosen on `tests/data/inbox_questions.jsonl` (tune part; docs/benchmarks.md, "Session 35 —
the staff inbox: quarrels and self-introductions").
"""

from __future__ import annotations

import re
from typing import Literal

from hearthkeeper.text.normalise import MessageText

NotWaiting = Literal["quarrel", "introduction"]

# A taunt in Chinese: an insult put to `你` as a question (你是不是有病, 你眼瞎吗, 你算老几), a
# demand that the other keep out (关你什么事, 你管得着吗), `凭什么` about a thing done to the
# speaker (凭什么删我消息, 凭什么禁我言), a reduplicated scold (吵什么吵, 装什么装), and the
# quarrel's stock lines (有完没完, 说够了没有, 有本事…, 干什么吃的).
_INSULT_ZH = (
    "有病|有毛病|傻|蠢|瞎|聋|脑子|智障|弱智|疯了|欠骂|欠揍|欠抽|找茬|找骂|找打|算老几|"
    "算什么东西|是谁啊|懂个屁|不要脸|要不要脸|要点脸|听不懂人话|会不会(?:好好)?说话|有完没完|"
    "烦不烦|想怎样|想怎么样|想干嘛|有意思吗|好意思"
)
_TAUNT_ZH = re.compile(
    rf"你们?[^,.!?;。]{{0,4}}?(?:{_INSULT_ZH})"
    r"|以为你是谁|谁让你|关你[^,.!?;。]{0,2}?事|(?<!不)管得着|要你管|管好你自己|碍着你"
    r"|凭什么[^,.!?;。]{0,3}?(?:删|踢|禁|封|骂|说|管|怼|凶|限制|拉黑|移出|针对)[^,.!?;。]{0,2}?我"
    r"|你凭什么|([吵装叫看喊嚷笑急拽牛横凶闹骂说哭])什么\1"
    r"|说够了没|有本事|干什么吃的|干啥吃的|个屁|屁事|脑子进水|至于吗"
)
# The same in English: an insult or a scold put to `you`, as the quarrel says it.
_TAUNT_EN = re.compile(
    r"\b(?:are|r) (?:you|u) (?:\w+ )?(?:kidding|joking|serious(?: right now)?\?|insane|crazy|nuts|"
    r"stupid|dumb|blind|deaf|mad|high|drunk|out of your mind|for real|even listening|"
    r"trying to (?:start|pick))"
    r"|\bwho (?:do|does) (?:you|he|she|they) think (?:you|he|she|they) (?:are|is)\b"
    r"|\bwho (?:the (?:hell|heck|fuck) )?(?:asked|cares)\b|\bwho made you\b"
    r"|\bwho the (?:hell|heck|fuck) are you\b|\bhow dare\b"
    r"|\bwhat(?:['’]s| is) (?:wrong with you|your (?:problem|deal))\b"
    r"|\bthe (?:hell|heck|fuck)\b|\bcan(?:['’]?t|not)? you (?:even )?read\b|\bdid i ask\b"
    r"|\bshut up\b|\bmind your own business\b|\byou call that\b|\bis that supposed to be\b"
    r"|\bwhy (?:are|is) (?:you|he|she|they) (?:always |so |such )*(?:rude|stupid|dumb|annoying|"
    r"a jerk|an idiot)\b|\bsuch an? (?:jerk|idiot|moron)\b"
    r"|\bidiot|\bmoron|\bdo you think (?:we|i)(?:['’]re| are| am|['’]m) (?:all )?(?:stupid|dumb|idiots)"
    r"|\b(?:have|did) you lose (?:your mind|it)|\bhave you lost your mind\b"
    r"|^\W*(?:seriously|really|wtf|srsly)\W*$"
)
# A taunt is a line or two; a long message that carries one (a review's story, a complaint
# told at length: `…他竟然说"谁让你们总是延住的!"…`) is a member's account for staff to read.
_LONGEST_TAUNT = 70
# and a taunt in quotes is one the member reports (有人回我说“你是不是有病”，管理员会管吗？)
_QUOTED = re.compile('“[^”]*”|"[^"]*"|「[^」]*」|『[^』]*』')
# What a quarrel's taunt never is about: the member's money or access (扣钱, 退款, 交了钱, 会员,
# 封号, 进不了群; charged, refund, paid, locked out, can't log in). Such a line is a complaint
# for staff, not a taunt, however it is worded.
_STAKE_ZH = re.compile(
    "钱|扣费|扣款|收费|付款|付费|支付|交了|交过|缴费|退款|退费|费用|订阅|会员|续费|发票|账号|帐号|"
    "封(?:我|了我)?(?:的)?号|(?:限制|不让|不准|禁止)[^,.!?;。]{0,3}[进入]群|进不了|进不去|进不来|"
    "登录|登陆|登不上|登不进|无法进入|权限"
)
_STAKE_EN = re.compile(
    r"\b(?:charg(?:e|ed|es|ing)|paid|pay(?:ing|ment|ments)?|refund\w*|money|fees?|billing|billed|"
    r"invoice|subscri\w*|membership|renew\w*|locked out|account|access|"
    r"(?:can(?:['’]?t|not)|couldn['’]?t|unable to) (?:get in|log ?in|sign in|join|enter|access))\b"
)
# Beside an introduction, where joining and paying for a membership are news to share (`I just
# signed up for the membership`), a problem with them: money taken or not come through, a way
# in that fails (`我是新来的小王，交了钱还是进不了群？`, `I'm Sam, I was charged twice?`).
_TROUBLE_ZH = re.compile(
    "扣(?:了|我|费|款|钱)|退款|退费|交了钱|付了钱|交了[^,.!?;。]{0,4}费|付款|支付|发票|"
    "封(?:我|了我)?(?:的)?号|进不了|进不去|进不来|登不上|登不进|登录不了|无法登录|无法进入|"
    "没收到|不见了|没了"
)
_TROUBLE_EN = re.compile(
    r"\b(?:charged|charging|paid|payment|refund\w*|money|billed|invoice|locked out|"
    r"(?:can(?:['’]?t|not)|couldn['’]?t|unable to) (?:get in|log ?in|sign in|join|enter|access)|"
    r"didn['’]?t (?:go through|work|arrive|get))\b"
)
# What a member asks of staff beside a taunt: a request (麻烦查一下, 能帮…, can someone check,
# please). A taunt's `why` or `how` is rhetorical (`Why are you so rude?`), so only these count.
_REQUEST_ZH = re.compile(
    "请问|想问|问一下|问下|麻烦|帮(?:我|忙|查|看|处理)|能帮|查一下|看一下|处理一下|怎么办|"
    "怎么(?:处理|解决|申诉)|解除|恢复"
)
_REQUEST_EN = re.compile(
    r"\b(?:please|pls|help|(?:can|could|would|will) (?:someone|anyone|somebody|anybody|an admin|"
    r"staff|you (?:please |)(?:check|help|look|fix|tell|explain|restore|undo|refund)))\b"
)
# What a member asks beside an introduction: any question for information (how, where, when,
# 请问, 怎么, 在哪 …), not the invitation to chat (anyone else …? 有没有同行？).
_ASKS_FOR_ZH = re.compile(
    "请问|想问|问一下|问下|麻烦|帮(?:我|忙)|(?<!想)怎|如何|在哪|哪里(?!人)|什么时候|几点|几号|"
    "多少|多久|能不能|可不可以|可以[^,.!?;。]{0,8}吗|需不需要|要不要|为什么|为啥|求助|求推荐|推荐"
)
_ASKS_FOR_EN = re.compile(
    r"\b(?:how (?:do|can|does|did|to|long|much|many|often|is|are)|"
    r"where (?:can|do|does|is|are|will|should|did)|"
    r"when (?:is|are|does|do|will|should|did)|what time|which|"
    r"(?:can|could|would|will) (?:i|we|someone|anyone|somebody|anybody|you|an admin)|"
    r"do i|should i|is there|are there|please|help|(?:does|do) (?:anyone|anybody) know|"
    r"is it possible|why (?:is|are|was|were|did|does|do|can['’]?t|won['’]?t|isn['’]?t))\b"
)
# A self-introduction: the member names themselves (我是…, 我叫…, I'm …, … here) and greets or
# says they are new (大家好, 新人, 请多关照, hi all, new here, just joined, nice to meet you).
_NAMES_SELF_ZH = re.compile("我是|我叫|叫我|本人|自我介绍")
_GREETS_ZH = re.compile(
    "大家好|各位好|各位群友|各位前辈|哈喽|hello|hi|新人|新来|刚进|刚加入|刚入群|刚来|初来乍到|报到|"
    "报道|自我介绍|关照|指教|多交流|认识大家"
)
_NAMES_SELF_EN = re.compile(
    r"\b(?:i['’]m|i am|my name is|my name['’]s|call me)\b|\b\w+ here\b(?! (?:is|are|was))"
)
_GREETS_EN = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening))\b"
    r"|\b(?:new here|new member|new to|just joined|nice to meet|glad to (?:be|join)|"
    r"happy to be|excited to be|saying hello)\b"
)


def not_waiting(text: MessageText) -> NotWaiting | None:
    """Why nobody need answer this question-shaped message: "quarrel" (a rhetorical taunt,
    with no request beside it) or "introduction" (a member introducing themselves, with no
    question for information); None when it waits for an answer."""
    said = text.normalised
    own = _QUOTED.sub(" ", said)
    if len(said) <= _LONGEST_TAUNT and (_TAUNT_ZH.search(own) or _TAUNT_EN.search(own)):
        asks = _REQUEST_ZH.search(said) or _REQUEST_EN.search(said)
        at_stake = _STAKE_ZH.search(said) or _STAKE_EN.search(said)
        return None if asks or at_stake else "quarrel"
    if (_NAMES_SELF_ZH.search(said) and _GREETS_ZH.search(said)) or (
        _NAMES_SELF_EN.search(said) and _GREETS_EN.search(said)
    ):
        asks = _ASKS_FOR_ZH.search(said) or _ASKS_FOR_EN.search(said)
        trouble = _TROUBLE_ZH.search(said) or _TROUBLE_EN.search(said)
        return None if asks or trouble else "introduction"
    return None
