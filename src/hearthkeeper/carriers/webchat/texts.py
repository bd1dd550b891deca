"""What the web chat shows members, in the community's language (zh-CN or en): its pages,
its refusals and the chat page script's own words (handed to the script by the page)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN

BOOK = Phrasebook({
    # --- the join page ----------------------------------------------------------------------
    "join_title": {EN: "Join {group} · {community}", ZH: "加入「{group}」· {community}"},
    "seats_taken": {EN: "{taken} of {capacity} seats taken",
                    ZH: "已有 {taken} 人，共 {capacity} 个位置"},
    "member_one": {EN: "{count} member", ZH: "{count} 位成员"},
    "member_many": {EN: "{count} members", ZH: "{count} 位成员"},
    "room_in": {EN: "There is room in", ZH: "还有空位的群："},
    "room_in_end": {EN: ".", ZH: "。"},
    "seated_as": {EN: "You are in this group as", ZH: "你已在本群，昵称是"},
    "seated_as_end": {EN: ".", ZH: "。"},
    "open_chat": {EN: "Open the chat", ZH: "进入群聊"},
    "rename_label": {EN: "Change your nickname", ZH: "修改你在群里的昵称"},
    "rename": {EN: "Change nickname", ZH: "改昵称"},
    "rename_link": {EN: "Nickname", ZH: "改昵称"},
    # the clock the page's times are on: the community's, whatever the reader's own
    "times_in": {EN: "Times in {zone}", ZH: "时间按 {zone} 时区"},
    "nickname_label": {EN: "Your nickname in the group", ZH: "你在群里的昵称"},
    "nickname_hint": {EN: "1 to {most} characters; others in the group see it.",
                      ZH: "1 到 {most} 个字符，群里的人都能看到。"},
    "join": {EN: "Join", ZH: "加入"},
    "join_other": {EN: "Join {group}", ZH: "加入「{group}」"},
    "apply": {EN: "Send my application", ZH: "提交申请"},
    "questions_legend": {EN: "Your application: every question needs an answer",
                         ZH: "入群申请：每个问题都要回答"},
    "code_label": {EN: "Invite code", ZH: "邀请码"},
    "pending_hint": {EN: "This page checks again every minute; you can also close it and "
                         "come back later with this browser.",
                     ZH: "本页面每分钟自动刷新一次；也可以先关掉，稍后用这个浏览器再打开。"},
    "check_again": {EN: "Check again", ZH: "再看一下"},
    # a banned member's appeal (capabilities/appeals/bans.py): the banned page's form
    "appeal_legend": {EN: "Appeal against this ban", ZH: "对封禁提出申诉"},
    "appeal_label": {EN: "Why should staff lift it?", ZH: "申诉理由（管理员会复核）"},
    "appeal_hint": {EN: "One appeal per ban, until {until}; staff read it in their inbox.",
                    ZH: "每次封禁只能申诉一次，截止 {until}；管理员会在后台看到。"},
    "appeal_send": {EN: "Send my appeal", ZH: "提交申诉"},
    "appeal_empty": {EN: "Write why the ban should be lifted.", ZH: "请写上申诉理由。"},
    "appeal_filed": {EN: "Your appeal is with staff. This page shows their answer once they "
                         "decide.",
                     ZH: "你的申诉已转给管理员，处理后会在本页面显示结果。"},
    "appeal_upheld": {EN: "Staff reviewed your appeal and kept the ban.",
                      ZH: "管理员复核了你的申诉，决定维持封禁。"},
    "appeal_pardoned": {EN: "Staff reviewed your appeal and lifted your ban: you can join "
                            "again.",
                        ZH: "管理员复核了你的申诉，已解除封禁，你可以重新加入。"},
    "appeal_note": {EN: "Staff's note: {note}", ZH: "管理员说明：{note}"},
    "appeal_late": {EN: "The time to appeal this ban ({days} days) is over.",
                    ZH: "这次封禁的申诉期（{days} 天）已过。"},
    "appeal_closed": {EN: "This community takes no appeals of a ban here: please ask staff.",
                      ZH: "本社群不在此受理封禁申诉，请直接联系管理员。"},
    # --- the chat page ----------------------------------------------------------------------
    "connecting": {EN: "connecting…", ZH: "连接中…"},
    "messages": {EN: "Messages", ZH: "消息"},
    "replying_to": {EN: "Replying to", ZH: "回复"},
    "cancel_reply": {EN: "Cancel reply", ZH: "取消回复"},
    "send_picture": {EN: "Send a picture", ZH: "发送图片"},
    "write_message": {EN: "Write a message", ZH: "输入消息"},
    "message": {EN: "Message", ZH: "消息"},
    "send": {EN: "Send", ZH: "发送"},
    # --- the script's words ({placeholders} filled in by the script) -------------------------
    "connected": {EN: "connected", ZH: "已连接"},
    "not_connected": {EN: "not connected", ZH: "未连接"},
    "reconnecting": {EN: "reconnecting…", ZH: "重新连接中…"},
    "bot": {EN: "bot", ZH: "机器人"},
    "only_you": {EN: "only you can see this", ZH: "仅你可见"},
    "reply": {EN: "Reply", ZH: "回复"},
    "earlier_message": {EN: "an earlier message", ZH: "一条较早的消息"},
    "picture_from": {EN: "picture from {nickname}", ZH: "{nickname} 发的图片"},
    "picture_snippet": {EN: "[picture]", ZH: "[图片]"},
    "staff_lift": {EN: "staff lift it", ZH: "管理员解除"},
    # a muted member may still send `/appeal` (capabilities/appeals/) and `/report`
    # (capabilities/reports/): the box stays open
    "muted_notice": {EN: "You are muted until {when}: {reason} — you can still send /appeal "
                         "and why, for staff to review it, or reply /report to a message to "
                         "flag it to staff",
                     ZH: "你被禁言至 {when}：{reason}。仍可发送「/申诉 理由」请管理员复核，"
                         "或回复一条消息发送「/举报 理由」向管理员举报"},
    "banned_notice": {EN: "You were banned from this group: {reason}",
                      ZH: "你已被本群封禁：{reason}"},
    "removed_notice": {EN: "You were removed from this group: {reason} ",
                       ZH: "你已被移出本群：{reason} "},
    "join_again": {EN: "Join again", ZH: "重新加入"},
    "appeal_link": {EN: "Appeal", ZH: "申诉"},
    "still_in_box": {EN: "Not connected; reconnecting. Your message is still in the box.",
                     ZH: "未连接，正在重新连接。你的消息还在输入框里。"},
    "picture_not_accepted": {EN: "The picture was not accepted ({status}).",
                             ZH: "图片未被接受（{status}）。"},
    "picture_not_sent": {EN: "The picture could not be sent; check the connection and try again.",
                         ZH: "图片发送失败，请检查网络后重试。"},
    # --- refusals ---------------------------------------------------------------------------
    "banned": {EN: "You are banned from {group}: {reason}.", ZH: "你已被「{group}」封禁：{reason}。"},
    "no_reason": {EN: "no reason given", ZH: "未说明原因"},
    "full": {EN: "This group is full ({taken} of {capacity}).",
             ZH: "本群已满（{taken}/{capacity}）。"},
    "closed": {EN: "{group} is closed: it takes no newcomers.",
               ZH: "{group}已关闭，不再接收新成员。"},
    "closed_read_only": {EN: "{group} is closed: members can no longer post here.",
                         ZH: "{group}已关闭，成员不能再在这里发言。"},
    "closed_staff": {EN: "{group} is closed: members can no longer post here; you still can, "
                         "as staff.",
                     ZH: "{group}已关闭，成员不能再在这里发言；你是管理员，仍可发言。"},
    "closed_carry_on": {EN: "Its members carry on in {other}.", ZH: "成员们移步「{other}」继续交流。"},
    "approved_waiting": {EN: "You were approved: you will be let in as soon as there is room.",
                         ZH: "你的申请已通过：一有空位就会自动让你进群。"},
    "form_expired": {EN: "This form has expired. Please try again.", ZH: "表单已过期，请重试。"},
    "not_in_group": {EN: "You are not in this group; open its invite link to join.",
                     ZH: "你不在本群，请打开本群的邀请链接加入。"},
    "join_first": {EN: "Join the group before sending pictures.", ZH: "请先加入本群再发图片。"},
    "muted": {EN: "You are muted until {when}: {reason}.", ZH: "你被禁言至 {when}：{reason}。"},
    "moderator_decision": {EN: "a moderator decision", ZH: "管理员决定"},
    "too_long": {EN: "Message too long: {length} characters (at most {most}).",
                 ZH: "消息太长：{length} 个字符（最多 {most} 个）。"},
    "frame_too_long": {EN: "message too long: {length} characters (at most {most})",
                       ZH: "消息太长：{length} 个字符（最多 {most} 个）"},
    "picture_gone": {EN: "That picture is not on this server; upload it again.",
                     ZH: "服务器上没有这张图片，请重新上传。"},
    "empty": {EN: "Write something or choose a picture first.", ZH: "请先输入内容或选择图片。"},
    "not_sent": {EN: "the server could not take that message; it was not sent, please try again",
                 ZH: "服务器没能接收这条消息，消息未发出，请重试"},
    "foreign_page": {EN: "the chat only talks to its own pages", ZH: "本群聊只接受来自自己页面的连接"},
    "not_signed_in": {EN: "not signed in: open the group's invite link",
                      ZH: "尚未加入：请打开本群的邀请链接"},
    "not_in_this_group": {EN: "not in this group: open its invite link",
                          ZH: "你不在本群：请打开本群的邀请链接"},
    "server_error": {EN: "server error; the page reconnects", ZH: "服务器出错，页面会重新连接"},
    "unavailable": {EN: "the chat is briefly unavailable; the page reconnects",
                    ZH: "群聊暂时不可用，页面会重新连接"},
    "too_many_refused": {EN: "too many refused frames", ZH: "被拒绝的消息太多"},
    "open_elsewhere": {EN: "This chat is open in too many other tabs or devices; reload the "
                           "page to use it here.",
                       ZH: "这个聊天在太多其他标签页或设备上打开了；刷新页面即可在这里继续使用。"},
    "slow_down": {EN: "slow down: at most {most} messages every 10 seconds",
                  ZH: "发得太快了：每 10 秒最多 {most} 条消息"},
    "too_many_joins": {EN: "Too many groups joined from here: at most {most} a minute. "
                           "Please try again in {wait}.",
                       ZH: "从这里加入的群太多了：每分钟最多 {most} 个。请 {wait}后再试。"},
    "too_many_renames": {EN: "Too many nickname changes: at most {most} an hour. "
                             "Please try again in {wait}.",
                         ZH: "改昵称太频繁了：每小时最多 {most} 次。请 {wait}后再试。"},
    "too_many_pictures": {EN: "Too many pictures: at most {most} an hour. "
                              "Please try again in {wait}.",
                          ZH: "图片太多了：每小时最多 {most} 张。请 {wait}后再试。"},
    "too_many_bytes": {EN: "Too many pictures: at most {most} MiB an hour. Try again in {wait}.",
                       ZH: "图片太多了：每小时最多 {most} MiB。请 {wait}后再试。"},
    "seconds": {EN: "{n} seconds", ZH: "{n} 秒"},
    "minutes": {EN: "{n} minutes", ZH: "{n} 分钟"},
    # --- nicknames --------------------------------------------------------------------------
    "nick_empty": {EN: "Choose a nickname (1 to {most} characters).",
                   ZH: "请起一个昵称（1 到 {most} 个字符）。"},
    "nick_long": {EN: "That nickname has {length} characters; use at most {most}.",
                  ZH: "这个昵称有 {length} 个字符，最多 {most} 个。"},
    "nick_invisible": {EN: "Nicknames cannot contain control or invisible characters ({code}).",
                       ZH: "昵称不能包含控制字符或不可见字符（{code}）。"},
    "nick_at": {EN: "Nicknames cannot contain @ (it starts a mention).",
                ZH: "昵称不能包含 @（它用来@别人）。"},
    "nick_bot": {EN: "“{nickname}” looks like {bot}, the bot's name; choose another nickname.",
                 ZH: "“{nickname}”和机器人的名字 {bot} 太像了，请换一个昵称。"},
    "nick_title": {EN: "“{nickname}” wears “{title}”, the title of this community's staff: "
                       "only staff holding it may; choose another nickname.",
                   ZH: "“{nickname}”用了本群管理员的头衔“{title}”，只有担任这个职务的管理员"
                       "可以使用，请换一个昵称。"},
    "nick_authority": {EN: "“{nickname}” reads as staff or the system speaking (“{word}”): only "
                           "staff may use such a name; choose another nickname.",
                       ZH: "“{nickname}”看起来像管理员或系统在说话（“{word}”），只有管理员可以"
                           "使用这样的名字，请换一个昵称。"},
    "nick_advert": {EN: "Nicknames cannot carry contact details, links or ads (“{found}” in "
                        "“{nickname}”); choose another nickname.",
                    ZH: "昵称不能带联系方式、链接或广告（“{nickname}”里的“{found}”），请换一个昵称。"},
    "nick_taken": {EN: "Someone in this group is already called “{other}”, and your nickname "
                       "looks the same; choose one that others can tell apart.",
                   ZH: "本群已有人叫“{other}”，你的昵称看起来一样；请换一个别人能分清的昵称。"},
    "nick_taken_elsewhere": {EN: "Someone in {group}, another group you are in, is already "
                                 "called “{other}”, and your nickname looks the same; choose one "
                                 "that others can tell apart.",
                             ZH: "你所在的另一个群「{group}」已有人叫“{other}”，你的昵称看起来一样；"
                                 "请换一个别人能分清的昵称。"},
    # staff's inbox: an approval not seated under a name that reads as a member's
    "approved_lookalike": {EN: "{name}, approved, was not seated in {group}: “{other}” is a "
                               "member there and the nickname reads the same, so one could "
                               "speak as the other. They are seated once they open the group's "
                               "join page again (as the application page told them) and choose "
                               "another nickname, which the page asks for; their application "
                               "stays approved.",
                           ZH: "{name}的申请已通过，但未能进入「{group}」：群里已有成员“{other}”，"
                               "两个昵称看起来一样，可能被冒充。对方再次打开本群的加入页面（申请页面已提示）"
                               "并换一个昵称后即可入群（页面会提示换昵称）；申请仍为已通过。"},
    # --- pictures ---------------------------------------------------------------------------
    "picture_upload": {EN: "send the picture as multipart/form-data, field 'picture'",
                       ZH: "请以 multipart/form-data 发送图片，字段为 'picture'"},
    "picture_missing": {EN: "no picture in the upload (field 'picture')",
                        ZH: "上传中没有图片（字段 'picture'）"},
})  # fmt: skip

# What chat.js says itself; the chat page hands these (unfilled) to the script.
SCRIPT_KEYS = (
    "connecting", "connected", "not_connected", "reconnecting", "bot", "reply",
    "earlier_message", "picture_from", "picture_snippet", "member_one", "member_many",
    "staff_lift", "muted_notice", "banned_notice", "removed_notice", "join_again", "appeal_link",
    "still_in_box", "picture_not_accepted", "picture_not_sent", "open_elsewhere", "only_you",
)  # fmt: skip


def say(key: str, language: Language, **values: object) -> str:
    """The web chat's text `key` in `language`, placeholders filled."""
    return BOOK.say(key, language, **values)


def members(count: int, language: Language) -> str:
    """ "1 member", "3 members", "3 位成员"."""
    return say("member_one" if count == 1 else "member_many", language, count=count)


def waiting(wait: timedelta, language: Language) -> str:
    """How long until a limit lets the member go on: "12 seconds", "3 分钟"."""
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return say("seconds", language, n=seconds)
    return say("minutes", language, n=(seconds + 59) // 60)


def script_texts(language: Language) -> Mapping[str, str]:
    """The chat page script's words in `language`, placeholders left for it to fill."""
    return {key: BOOK.template(key, language) for key in SCRIPT_KEYS}
