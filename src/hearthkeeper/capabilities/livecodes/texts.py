"""What a newcomer reads on a live code's own pages, in the community's language."""

from __future__ import annotations

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN

BOOK = Phrasebook({
    "full_title": {EN: "{community} is full for now", ZH: "{community} 暂时满员"},
    "full_body": {EN: "Every group of {community} is full and no new group can be opened right "
                      "now. Please try this link again later (tomorrow, if groups take a limited "
                      "number of newcomers a day); it stays valid.",
                  ZH: "{community} 的群都已满员，暂时无法开新群。请稍后（如果每个群每天限额，"
                      "可以明天）再打开这个链接，它一直有效。"},
    "retired_title": {EN: "This code is no longer in use", ZH: "这个二维码已停用"},
    "retired_body": {EN: "This link of {community} was retired by its organisers. Ask them, or "
                         "whoever showed you the code, for the current one.",
                     ZH: "{community} 的组织者已停用这个链接，请向他们或给你二维码的人要新的。"},
    "not_ready_title": {EN: "This link is not ready yet", ZH: "这个链接还没准备好"},
    "not_ready_body": {EN: "This link of {community} does not lead to any group yet: its "
                           "organisers have not finished setting it up. Please tell them, or "
                           "whoever showed you the code, and try again later.",
                       ZH: "{community} 的这个链接还没有连到任何群：组织者还没设置好。请告诉他们或"
                           "给你二维码的人，稍后再试。"},
    "no_link_title": {EN: "No way in from here", ZH: "暂时无法从这里入群"},
    "no_link_body": {EN: "The group chosen for you cannot be joined from a web link. Ask the "
                         "organisers of {community} to invite you.",
                     ZH: "为你选的群不能通过网页链接加入，请联系 {community} 的组织者邀请你。"},
})  # fmt: skip


def say(key: str, language: Language, **values: str) -> str:
    """The text `key` in `language`."""
    return BOOK.say(key, language, **values)
