"""FAQ matching, pure: which entry a message asks, keywords on word boundaries, sound-alike
typos, question detection — and nothing a member can type makes it fail."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.capabilities.faq.match import FaqIndex, looks_like_question
from hearthkeeper.capabilities.faq.words import Keyword, Words, heard_in, near
from hearthkeeper.playbook.mechanisms import FaqEntry
from hearthkeeper.text.normalise import prepare

ZH = FaqIndex([
    FaqEntry(question="会员到期怎么续费？能退吗？", keywords=["续费", "到期", "退款"],
             answer="到期前 30 天会私信提醒。"),
    FaqEntry(question="图片、图标素材去哪找？", keywords=["素材", "图标", "图库"],
             answer="看群公告里的素材清单。"),
    FaqEntry(question="分享课错过了有回放吗？", keywords=["回放", "分享课"],
             answer="回放在群公告的课程合集里。"),
])  # fmt: skip
EN = FaqIndex([
    FaqEntry(question="How do I sign up for an evening?", keywords=["sign up", "book"],
             answer="Reply +1 to the announcement."),
    FaqEntry(question="Can I bring a guest?", keywords=["guest", "plus one"],
             answer="One guest per member."),
    FaqEntry(question="How do I cancel my place?", keywords=["cancel", "can't make it"],
             answer="Reply -1 at least 48 hours ahead."),
])  # fmt: skip


def asked(index: FaqIndex, text: str, *, addressed: bool = False) -> str | None:
    match = index.answer(prepare(text), addressed=addressed)
    return match.question if match else None


def test_paraphrased_chinese_questions_find_their_entry() -> None:
    assert asked(ZH, "年费到期了怎么续") == "会员到期怎么续费？能退吗？"
    assert asked(ZH, "图标素材有推荐的网站吗") == "图片、图标素材去哪找？"
    assert asked(ZH, "错过直播了能看回放吗") == "分享课错过了有回放吗？"


def test_traditional_characters_and_full_width_forms_are_read_as_simplified() -> None:
    assert asked(ZH, "會員到期怎麼續費") == "会员到期怎么续费？能退吗？"
    assert asked(EN, "Ｃａｎ Ｉ ｂｒｉｎｇ ａ ｇｕｅｓｔ？") == "Can I bring a guest?"


def test_small_typos_are_forgiven() -> None:
    assert asked(ZH, "续废怎么交") == "会员到期怎么续费？能退吗？", "续废: typed by sound"
    assert asked(ZH, "找素才的网站有吗") == "图片、图标素材去哪找？"
    assert asked(EN, "need to cancle my spot, what do I do") == "How do I cancel my place?"
    assert asked(EN, "can i brng a guest") == "Can I bring a guest?"


def test_chatter_and_unrelated_questions_get_no_answer() -> None:
    for text in (
        "大家晚上好",
        "今天的题目好难啊",
        "有人用过iSlide插件吗？",
        "谁有好看的图表模板？",
    ):
        assert asked(ZH, text) is None, text
    for text in ("who is hosting tonight?", "great evening yesterday, thanks all"):
        assert asked(EN, text) is None, text


def test_a_statement_needs_a_much_closer_match_than_a_question() -> None:
    assert asked(ZH, "今天的分享课太棒了") is None, "a keyword in a compliment is not a question"
    assert asked(ZH, "分享课错过了有回放吗") == "分享课错过了有回放吗？"
    best = ZH.best(prepare("今天的分享课太棒了"))
    assert best is not None and best.keywords == ("分享课",)


def test_keywords_match_whole_words_with_their_endings() -> None:
    def found(keyword: str, text: str) -> bool:
        return Keyword.of(keyword).found_in(Words.of(prepare(text)))

    assert found("guest", "are guests allowed?") and found("book", "booking a table")
    assert found("sign up", "how do I sign-up?") and found("sign up", "signup link?")
    assert found("can't make it", "I cant make it tonight")
    assert not found("book", "is it on facebook?") and not found("fee", "feed the cat")
    assert found("cancel", "how do i cancle") and not found("book", "look"), "typos: 5+ letters"
    assert found("WPS", "用wps可以吗") and found("续费", "續費")


def test_sound_alike_typing_slips_need_one_exact_character() -> None:
    assert heard_in("续费", "会员续废怎么交") and heard_in("优惠券", "优惠卷在哪领")
    assert not heard_in("续费", "序废"), "both characters wrong is another word"
    assert near("cancel", "cancle") and near("renewal", "renewl") and not near("guest", "ghost")


def test_questions_are_told_from_chatter() -> None:
    questions = ["会员能退款吗", "在哪领券", "怎么续费", "续费找谁", "有没有推荐", "几点开始",
                 "What is the dress code", "anyone know a tailor", "I missed it, how do I watch",
                 "Is it on tonight", "多少钱？", "really?"]  # fmt: skip
    chatter = ["大家晚上好", "谢谢群管家", "今天打卡了", "great evening, thanks all",
               "I can't make it tonight", "this is what I wanted"]  # fmt: skip
    assert [q for q in questions if not looks_like_question(prepare(q))] == []
    assert [c for c in chatter if looks_like_question(prepare(c))] == []


def test_question_words_in_statements_do_not_make_a_question() -> None:
    statements = ["我发现这个面霜比什么精华都管用", "什么都好，就是贵", "没什么特别的感受",
                  "服务不怎么样", "这几天很忙", "用了几天就坏了", "还没有发现什么问题",
                  "香蕉苹果什么的都有", "哪里都买得到", "谁也没想到", "还不如盗版呢！",
                  "好着呢", "没啥", "或多或少有点效果", "哪怕便宜一点也好", "天哪"]  # fmt: skip
    questions = ["什么时候开始", "这是什么", "你呢", "那价格呢", "不知道怎么续费", "没人知道在哪领券",
                 "连不上怎么办", "没货了啥时候有", "几号发货", "要几天才到", "谁知道怎么弄",
                 "为什么不发货", "你们什么也不说吗"]  # fmt: skip
    assert [s for s in statements if looks_like_question(prepare(s))] == []
    assert [q for q in questions if not looks_like_question(prepare(q))] == []


def test_an_empty_faq_answers_nothing() -> None:
    assert FaqIndex([]).answer(prepare("怎么续费？")) is None


@given(st.text(max_size=80))
def test_any_text_is_scored_without_failing(text: str) -> None:
    prepared = prepare(text)
    looks_like_question(prepared)
    for match in ZH.ranked(prepared) + EN.ranked(prepared):
        assert match.score >= 0


def test_jieba_loads_quietly() -> None:
    code = "from hearthkeeper.text.words import chinese_words; chinese_words('会员续费')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == "" and done.stdout == ""
