"""What staff read in the staff channel and in direct messages, in the community's language."""

from __future__ import annotations

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN

TEXTS = Phrasebook({
    "alert": {EN: "⚠ Staff alert: {text}", ZH: "⚠ 管理提醒：{text}"},
    "held": {EN: "⚠ {count} staff alert(s) held during quiet hours ({quiet}):",
             ZH: "⚠ 免打扰时段（{quiet}）内的 {count} 条管理提醒："},
})  # fmt: skip
