"""Fun titles members claim (seed 002's 喝水委员): `/claim`, `/release`, `/titles`, and the
duty reminder that @-mentions the holders on the title's schedule. The commands, and what the
effects answer, decided from plain inputs (no store)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Takes,
    ask,
    reply,
)
from hearthkeeper.capabilities.format import echoed
from hearthkeeper.capabilities.roles.repository import TitleHolder
from hearthkeeper.capabilities.roles.requests import TitlesClaim, TitlesList, TitlesRelease
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.mechanisms import Title
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.schedule import parse_schedule
from hearthkeeper.text.folding import fold

TEXTS = Phrasebook({
    "claim_usage": {
        Language.ZH_CN: "用法：/认领 头衔名。可以认领的头衔：{titles}",
        Language.EN: "Usage: /claim <title>. Titles: {titles}",
    },
    "unknown": {
        Language.ZH_CN: "没有「{wanted}」这个头衔。可以认领的头衔：{titles}",
        Language.EN: "There is no title '{wanted}'. Titles: {titles}",
    },
    "claimed": {
        Language.ZH_CN: "🎖 {nickname} 成为「{title}」！{duty}",
        Language.EN: "🎖 {nickname} is now the {title}! {duty}",
    },
    "duty": {Language.ZH_CN: "职责：{duty}", Language.EN: "Duty: {duty}"},
    "already": {
        Language.ZH_CN: "{nickname} 已经是「{title}」啦。", Language.EN: "{nickname}, you already are the {title}.",
    },
    "full": {
        Language.ZH_CN: "「{title}」已经有人担任了（{holders}），名额 {limit} 个。{vacant}",
        Language.EN: "The {title} is taken ({holders}); {limit} place(s). {vacant}",
    },
    "vacant": {Language.ZH_CN: "还空着的头衔：{titles}", Language.EN: "Still open: {titles}"},
    "released": {
        Language.ZH_CN: "{nickname} 卸任了「{title}」，辛苦啦！", Language.EN: "{nickname} stepped down as the {title}. Thank you!",
    },
    "not_holding": {
        Language.ZH_CN: "{nickname} 目前没有「{title}」这个头衔。", Language.EN: "{nickname}, you do not hold the title '{title}'.",
    },
    "none_held": {Language.ZH_CN: "{nickname} 目前没有头衔。", Language.EN: "{nickname}, you hold no title."},
    "which": {
        Language.ZH_CN: "要卸任哪个头衔？{titles}（如 /卸任 {first}）",
        Language.EN: "Which title? {titles} (e.g. /release {first})",
    },
    "list_header": {Language.ZH_CN: "🎖 群头衔", Language.EN: "🎖 Titles"},
    "list_line": {Language.ZH_CN: "· {title}（{count}/{limit}）：{holders}{duty}", Language.EN: "· {title} ({count}/{limit}): {holders}{duty}"},
    "list_vacant": {Language.ZH_CN: "空缺", Language.EN: "open"},
    "list_duty": {Language.ZH_CN: " — {duty}", Language.EN: " — {duty}"},
    "no_titles": {Language.ZH_CN: "本群还没有设置头衔。", Language.EN: "This community has no titles yet."},
    "reminder": {Language.ZH_CN: "{mentions} {title}提醒：{duty}", Language.EN: "{mentions} {title} reminder: {duty}"},
    "reminder_no_duty": {Language.ZH_CN: "{mentions} {title}，该你上场啦！", Language.EN: "{mentions} time for your duty as {title}!"},
})  # fmt: skip

SEP = {Language.ZH_CN: "、", Language.EN: ", "}


def find_title(titles: Sequence[Title], wanted: str) -> Title | None:
    """A title by name, ignoring case and width."""
    return next((t for t in titles if fold(t.name) == fold(wanted)), None)


def _names_a_title(words: str, ctx: Context) -> bool:
    """Whether `/claim`'s words are one of the playbook's titles, or none: otherwise they are
    the member's own (`/claim <an ad>`)."""
    return not words.strip() or find_title(ctx.playbook.mechanisms.titles, words) is not None


def next_reminder(schedule: str, after: datetime, timezone: str) -> datetime:
    """The first time on `schedule` (community time) after `after`, in UTC."""
    start = after.astimezone(ZoneInfo(timezone))
    found: datetime = croniter(parse_schedule(schedule), start).get_next(datetime)
    return found.astimezone(UTC)


def on_schedule(schedule: str, at: datetime, timezone: str) -> bool:
    """Whether `at` is one of the times of `schedule` (community time)."""
    return next_reminder(schedule, at - timedelta(seconds=1), timezone) == at


def reminder_key(group_id: int, title: str, due: datetime) -> str:
    """One reminder of one title in one group, at one time."""
    digest = hashlib.sha1(title.encode("utf-8")).hexdigest()[:12]
    return f"titles:remind:{group_id}:{digest}:{due.strftime('%Y%m%dT%H%M')}"


def names(titles: Sequence[Title], lang: Language) -> str:
    """The titles' names, listed."""
    return SEP[lang].join(t.name for t in titles)


# --- what the effects answer ------------------------------------------------------------------


def already_text(nickname: str, title: Title, lang: Language) -> str:
    """The member holds the title already."""
    return TEXTS.say("already", lang, nickname=nickname, title=title.name)


def full_text(title: Title, holders: Sequence[TitleHolder], titles: Sequence[Title],
              all_holders: Sequence[TitleHolder], lang: Language) -> str:  # fmt: skip
    """Every place of `title` is taken by `holders`; the titles still open, by `all_holders`."""
    taken = Counter(h.title for h in all_holders)
    open_titles = [t for t in titles if taken[t.name] < t.holders]
    vacant = TEXTS.say("vacant", lang, titles=names(open_titles, lang)) if open_titles else ""
    return TEXTS.say("full", lang, title=title.name, limit=title.holders, vacant=vacant,
                     holders=SEP[lang].join(h.display_name for h in holders))  # fmt: skip


def claimed_text(nickname: str, title: Title, lang: Language) -> str:
    """The member is the title's holder now, with its duty."""
    duty = TEXTS.say("duty", lang, duty=title.duty) if title.duty else ""
    return TEXTS.say("claimed", lang, nickname=nickname, title=title.name, duty=duty).rstrip()


def to_release(held: Sequence[str], wanted: str, nickname: str,
               lang: Language) -> tuple[str | None, str | None]:  # fmt: skip
    """Which held title `/release {wanted}` means, as (title, None); or (None, the answer)
    when none is named and there is none or more than one to choose from."""
    if not wanted:
        if not held:
            return None, TEXTS.say("none_held", lang, nickname=nickname)
        if len(held) > 1:
            return None, TEXTS.say("which", lang, titles=SEP[lang].join(held), first=held[0])
        wanted = held[0]
    return next((t for t in held if fold(t) == fold(wanted)), echoed(wanted)), None


def released_text(nickname: str, title: str, released: bool, lang: Language) -> str:
    """The member stepped down (or did not hold the title)."""
    return TEXTS.say("released" if released else "not_holding", lang, nickname=nickname,
                     title=title)  # fmt: skip


def list_text(titles: Sequence[Title], holders: Sequence[TitleHolder], lang: Language) -> str:
    """Every title with its holders and duty."""
    lines = [TEXTS.say("list_header", lang)]
    for title in titles:
        held_by = [h.display_name for h in holders if h.title == title.name]
        lines.append(TEXTS.say(
            "list_line", lang, title=title.name, count=len(held_by), limit=title.holders,
            holders=SEP[lang].join(held_by) or TEXTS.say("list_vacant", lang),
            duty=TEXTS.say("list_duty", lang, duty=title.duty) if title.duty else "",
        ))  # fmt: skip
    return "\n".join(lines)


def reminder_text(title: Title, holders: Sequence[TitleHolder], lang: Language) -> str:
    """The duty reminder, @-mentioning the holders."""
    mentions = " ".join(f"@{h.display_name}" for h in holders)
    key = "reminder" if title.duty else "reminder_no_duty"
    return TEXTS.say(key, lang, mentions=mentions, title=title.name, duty=title.duty or "")


# --- the commands -----------------------------------------------------------------------------


def _claim(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    lang, titles = ctx.playbook.community.language, ctx.playbook.mechanisms.titles
    if not invocation.rest:
        text = TEXTS.say("claim_usage", lang, titles=names(titles, lang))
        return Outcome((reply(event, text, handler="titles"),))
    title = find_title(titles, invocation.rest)
    if title is None:
        text = TEXTS.say(
            "unknown", lang, wanted=echoed(invocation.rest), titles=names(titles, lang)
        )
        return Outcome((reply(event, text, handler="titles"),))
    return Outcome((ask(event, TitlesClaim(title=title.name), handler="titles"),))


def _release(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, TitlesRelease(title=invocation.rest[:100]), handler="titles"),))


def _list(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, TitlesList(), handler="titles"),))


def add_commands(commands: CommandBook, example: str) -> None:
    """Add `/claim`, `/release` and `/titles`; `/help` shows `/claim` with `example`, a title of
    the playbook (a member who copies it claims a title that exists)."""
    example = echoed(example)
    commands.add(Command("claim", ("认领",), {
        Language.ZH_CN: f"认领一个群头衔（如 /认领 {example}）",
        Language.EN: f"claim a title (e.g. /claim {example})",
    }, _claim, known=_names_a_title))  # fmt: skip
    commands.add(Command("release", ("卸任",), {
        Language.ZH_CN: "卸任你的头衔", Language.EN: "step down from your title",
    }, _release))  # fmt: skip
    commands.add(Command("titles", ("头衔",), {
        Language.ZH_CN: "查看所有头衔和担任者", Language.EN: "list the titles and who holds them",
    }, _list, takes=Takes.NOTHING))  # fmt: skip
