"""What people asking to join are told, in the community's language (zh-CN or en)."""

from __future__ import annotations

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN

TEXTS = Phrasebook({
    "code_missing": {EN: "This community is joined with an invite code: enter the code you "
                         "were given.",
                     ZH: "本社群凭邀请码加入：请输入你拿到的邀请码。"},
    "code_unknown": {EN: "There is no invite code “{code}” here; check how it is spelt.",
                     ZH: "没有“{code}”这个邀请码，请检查是否输错。"},
    "code_revoked": {EN: "The invite code “{code}” has been withdrawn; ask staff for a new one.",
                     ZH: "邀请码“{code}”已被收回，请向管理员要一个新的。"},
    "code_expired": {EN: "The invite code “{code}” expired on {when}; ask staff for a new one.",
                     ZH: "邀请码“{code}”已于 {when} 过期，请向管理员要一个新的。"},
    "code_used_up": {EN: "The invite code “{code}” has been used by as many people as it may "
                         "({most}); ask staff for a new one.",
                     ZH: "邀请码“{code}”的名额（{most} 人）已用完，请向管理员要一个新的。"},
    "apply": {EN: "To join, answer these questions; staff read every application.",
              ZH: "加入前请回答以下问题，管理员会逐一审核。"},
    "apply_all": {EN: "Please answer every question.", ZH: "请回答所有问题。"},
    "pending": {EN: "Your application is waiting for review. Come back to this page later: "
                    "it shows the answer as soon as staff have decided.",
                ZH: "你的申请正在等待审核。请稍后再打开本页面，管理员审核后这里会显示结果。"},
    "refused": {EN: "Your application was not accepted: {message}",
                ZH: "你的申请未通过：{message}"},
    "no_message": {EN: "staff gave no reason.", ZH: "管理员未说明原因。"},
    # a refusal reaching the applicant away from the page they applied on (a direct message)
    "declined": {EN: "Your application to join {group} was not accepted: {message}",
                 ZH: "你加入「{group}」的申请未通过：{message}"},
    "level_needed": {EN: "This group is for members at level “{needed}” and above; you are "
                         "at “{current}”.",
                     ZH: "本群仅对“{needed}”及以上等级的成员开放，你目前是“{current}”。"},
    "level_stranger": {EN: "This group is for members at level “{needed}” and above; join the "
                           "community's other groups first and grow there.",
                       ZH: "本群仅对“{needed}”及以上等级的成员开放，请先加入本社群的其他群，"
                           "在那里成长。"},
    "level_unset": {EN: "This group's required level is not set; ask its staff.",
                    ZH: "本群未设置所需等级，请联系管理员。"},
    # --- for staff (the inbox, a carrier's alert), in the community's language -------------
    "alert": {EN: "{name} applied to join {group}. Review it in the console (Applications).",
              ZH: "{name} 申请加入「{group}」，请在控制台「Applications」页审核。"},
    # one network's applications past the ones that hold seats: one alert a day, its count
    # updated in the inbox (`checks._count_past_the_cap`)
    "past_the_cap": {EN: "Applications from one network on {since}: {count} (the latest at "
                         "{at}: {name}, to {group}); only its {most} oldest pending ones hold "
                         "seats. This alert counts the rest instead of one alert each: "
                         "review them in the console (Applications).",
                     ZH: "{since} 共有 {count} 份入群申请来自同一网络（最新一份 {at}：{name}，"
                         "申请加入「{group}」）；其中只有最早的 {most} 份待审申请占用名额。其余"
                         "申请不再逐条提醒，由本提醒计数，请在控制台「Applications」页审核。"},
})  # fmt: skip


def say(key: str, language: Language, **values: object) -> str:
    return TEXTS.say(key, language, **values)
