"""Contact offers are found as if every pattern read every message.

`find_contact_offers` and `find_messaging_ids` skip a pattern when the message lacks what
every one of its matches holds (a plus or a heart, a search verb, "🔍", "@", "wxid_"); what
they find must be what running each pattern on each message finds."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthkeeper.text import contact
from hearthkeeper.text.normalise import prepare

DATA = Path(__file__).parent / "data"


def every_pattern(text: str) -> tuple[list[contact.ContactOffer], list[tuple[str, str]]]:
    """The offers and ids found by running each pattern on the message, as the functions did
    before they looked for hints."""
    message = prepare(text)
    offers = []
    for match in contact._OFFER_COMPACT.finditer(message.compact):
        app = match.group("app")
        written = message.shown(match.start("app"), match.end("app"))
        disguised = app in contact.DISGUISED_NAMES or not written.isalnum()
        what = f"private contact on '{app}' offered"
        offers.append(contact.ContactOffer(what, match.group(), disguised))
    for match in contact._SYMBOL_OFFER.finditer(message.normalised):
        offers.append(contact.ContactOffer("WeChat offered by sound or symbol",
                                           match.group().strip(), True))  # fmt: skip
    for match in contact._SEARCH.finditer(message.compact):
        what = f"search-me instruction on '{match.group('app')}'"
        offers.append(contact.ContactOffer(what, match.group(), True))
    for match in contact._SEARCH_MARK.finditer(message.normalised):
        offers.append(contact.ContactOffer("search-me instruction", match.group(), True))
    for pattern, form in ((contact._HANDLE, message.compact),
                          (contact._AT_HANDLE, message.normalised)):  # fmt: skip
        for match in pattern.finditer(form):
            what = f"'{match.group('app')}' account offered"
            offers.append(contact.ContactOffer(what, match.group("id"), False))
    for match in contact._DM_ME.finditer(message.compact):
        offers.append(contact.ContactOffer("private messages invited", match.group(), False))
    offers += contact.spelled_ids(message)  # no hint skipped: it reads every message
    ids = []
    for match in contact._ID.finditer(message.normalised):
        cue, marker, handle = match.group("cue", "marker", "id")
        if not (handle.isalpha() and marker is None):
            ids.append((cue, handle))
    handles = {handle for _, handle in ids}
    ids += [("wxid", m.group()) for m in contact._WECHAT_INTERNAL_ID.finditer(message.normalised)
            if m.group() not in handles]  # fmt: skip
    return offers, ids


def what_is_found(text: str) -> tuple[list[contact.ContactOffer], list[tuple[str, str]]]:
    """The same, through the functions moderation calls."""
    message = prepare(text)
    return contact.find_contact_offers(message), contact.find_messaging_ids(message.normalised)


# Each way of offering, as the patterns' comments give them.
EXAMPLES = ["+V 了解", "➕薇", "＋威", "v❤️", "v 💕", "加我vx", "添加薇", "v我领", "要的v我", "VX搜索 abc",
            "某音搜 8654321", "企鹅search 8654321", "🔍 vx", "抖音号：meizhuang520",
            "telegram @cheap_followers", "tg: @abcdef", "wxid_abcdef12", "微信号 wxid_abcdef12",
            "加 微 信 ab12345", "w.e.i.x.i.n", "要的私我", "私 我下单", "他太自私我不想理他"]  # fmt: skip


def corpus() -> list[str]:
    texts = list(EXAMPLES)
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            texts += [v for v in json.loads(line).values() if isinstance(v, str)]
    return texts


pieces = st.sampled_from(["+", "➕", "✚", "十", "＋", "❤️", "♥", "💕", "🧡", "加", "添加", "我",
                          "v", "vx", "wx", "薇", "威", "微信", "v信", "搜", "搜索", "search", "🔍",
                          "@", "tg", "telegram", ":", "wxid_", "abc123", "8654321", "抖音号",
                          "小红书", "领", " ", "，", "好的", "x", "q", "扣", "dm", "me", "私", "自"])  # fmt: skip


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, max_size=12).map("".join))
def test_offers_are_what_every_pattern_on_every_message_finds(text: str) -> None:
    assert what_is_found(text) == every_pattern(text)


def test_the_test_corpora_offer_what_every_pattern_finds() -> None:
    texts = corpus()
    offering = [text for text in texts if any(every_pattern(text))]
    assert len(offering) > 50  # the corpora do offer contact, in many ways
    for text in texts:
        assert what_is_found(text) == every_pattern(text), text
