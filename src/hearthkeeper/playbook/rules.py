"""Rules: texts shown to members, violation detectors, and the ladder of sanctions."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from hearthkeeper.playbook.base import (
    MAX_COUNT,
    MAX_TEXT,
    Duration,
    Id,
    Name,
    Section,
    Text,
    as_stored,
    over_limit,
    parse_duration,
    refused_since,
)
from hearthkeeper.playbook.joining import check_placeholders


class ViolationKind(StrEnum):
    """What the moderation handlers detect."""

    ADVERTISING = "advertising"
    LINKS = "links"
    CONTACT = "contact"
    INVITES = "invites"
    FLOODING = "flooding"
    REPEATED_TEXT = "repeated_text"
    MENTION_SPAM = "mention_spam"
    INSULTS = "insults"
    NICKNAME = "nickname"


class Response(StrEnum):
    """What a detected violation leads to."""

    LADDER = "ladder"  # a strike, sanctioned by the ladder
    ALERT = "alert"  # only alert staff: a human decides (quarrels, borderline cases)


class Detector(Section):
    """Settings every violation kind shares."""

    enabled: bool = Field(True, description="Detect this kind at all.")
    response: Response = Field(
        Response.LADDER, description="ladder: give a strike; alert: only alert staff."
    )
    exempt_roles: list[Id] | None = Field(
        None, description="Staff roles this rule does not apply to. None: every staff role."
    )
    strikes: int = Field(
        1,
        ge=1,
        le=10,
        description="Strikes one violation of this kind counts for: the rung it reaches at "
        "once (3 on the default ladder: straight to kick + blacklist).",
    )


class KeywordDetector(Detector):
    """A detector driven by a keyword list, which a playbook can replace or extend."""

    keywords: list[Text] = Field(default_factory=list, description="Keywords to look for.")
    extra_keywords: list[Text] = Field(
        default_factory=list,
        description="Added to `keywords`: extend the built-in list without restating it.",
    )

    @property
    def all_keywords(self) -> list[str]:
        """`keywords` and `extra_keywords` together."""
        return [*self.keywords, *self.extra_keywords]


class Standing(Section):
    """When a member is in good standing: the learned scorer's verdict alone does not punish
    them (staff are alerted instead). A strike loses it until the strike expires or is pardoned."""

    enabled: bool = Field(
        True,
        description="Spare members in good standing: when the learned scorer is the only "
        "sign of advertising in their message (no rule found anything the ladder acts on), "
        "staff are alerted, with the score and the member's standing, and the member is "
        "neither struck nor told. false: the scorer's verdict strikes anyone.",
    )
    days: int = Field(
        14,
        ge=1,
        le=3650,
        description="Days since the member was first seen in the community: their earliest "
        "join to any of its groups, or, with none recorded (a member who was there before "
        "the bot), their earliest message in it.",
    )
    messages: int = Field(
        30,
        ge=1,
        le=1000,
        description="Messages of theirs recorded in the community, those deleted not counted.",
    )


class LearnedScorer(Section):
    """The learned spam scorer (character n-gram naive Bayes) and when its verdict counts."""

    enabled: bool = Field(True, description="Let the learned scorer report advertising.")
    threshold: float = Field(
        0.95,
        gt=0.5,
        lt=1.0,
        description="Spam probability from which a message counts as advertising: higher "
        "means fewer false alarms and more missed ads. Chinese text counts at the threshold "
        "itself. Text mostly in Latin script must reach 2/15 of the remaining doubt, "
        "1 - (1 - threshold) / 7.5 (0.9933 at 0.95): the scorer's English spam comes nearly "
        "all from one SMS collection, and short English chat shares its words. Such text "
        "holding no number at all must reach a fiftieth, 1 - (1 - threshold) / 50 (0.999 at "
        "0.95): nearly every English spam it learned from carries a short code, a price or a "
        "phone number. A threshold of your own moves all three bars together (0.98: 0.9973 "
        "and 0.9996 for Latin text).",
    )
    standing: Standing | None = Field(
        default_factory=Standing,
        description="Members in good standing — in the community `days` or more, `messages` "
        "or more, no live strike, no earlier such alert about them waiting for staff — are "
        "not punished on the scorer's verdict alone: staff are alerted instead (a rule's "
        "finding still strikes them). null (or enabled: false): the scorer's verdict strikes "
        "anyone.",
    )


class Advertising(KeywordDetector):
    """Advertising detected by keywords (after normalisation defeats look-alikes and spacing)."""

    keywords: list[Text] = Field(
        default_factory=lambda: [
            "加微信",
            "加我微信",
            "招代理",
            "诚招代理",
            "兼职日结",
            "日赚",
            "刷单",
            "扫码领取",
            "私信我",
            "低价出",
            # not 网贷, 贷款, 博彩 or 赌博 alone: members warn each other about them (网贷千万别碰,
            # 赌博害人); a loan or gambling *offer* is caught by the pitch families instead
            "代开发票",
            "earn money fast",
            "crypto giveaway",
            "dm me for",
            "free followers",
            # pitches that need no contact detail: the reply goes to the sender anyway
            "在家就能做",
            "在家轻松赚",
            "月入过万",
            "一单一结",
            "躺赚",
            "零投资",
            "动动手指",
            "滴滴我",
            "带你赚",
            "价格美丽",
            "稳赚不赔",
            "当天放款",
            "套现",
            "extra income",
            "inbox me",
            # the stock phrases of shop and service ads, rare in members' own talk (not
            # 一站式服务: members say it of a shop, 一站式服务听起来不错; with a seller's sign,
            # 专业团队一站式服务, the pitch families and the offer rules read it)
            "厂家直销",
            "批发价",
            "包吃包住",
            "大酬宾",
            "高价回收",
            "代写论文",
            "全网最低",
            "限时特价",
            "免费试听",
            "guaranteed returns",
            "no credit check",
            "link in bio",
        ],
        description="Keywords that mark a message as advertising.",
    )
    pitches: bool = Field(
        True,
        description="Also detect the built-in families of spam pitches: a topic with the offer "
        "that makes it spam (a loan without collateral, gambling with a sign-up bonus, invoices "
        "for every trade, points to cash in at a link, an SMS unsubscribe tail such as 回T退订). "
        "A topic alone is not enough: 我的房贷款还没还完 is left alone. Also everyday ads by the "
        "shape of their offer (two kinds of seller's signs, such as a discount and a promise, "
        "where nobody speaks: Keto gummies now 50% off, burn fat without dieting).",
    )
    learned: LearnedScorer = Field(
        default_factory=LearnedScorer,
        description="The learned scorer beside the keywords (trained on public spam collections "
        "and ordinary chat, then on this community's own pardons and deletions).",
    )


class Links(Detector):
    """Links to anywhere but the allowed domains."""

    allowed_domains: list[Text] = Field(
        default_factory=list, description="Domains (and their subdomains) members may link to."
    )


class Contact(KeywordDetector):
    """Sharing contact details to pull members away (phone numbers, WeChat ids, e-mail)."""

    phone_numbers: bool = Field(
        True,
        description="Detect phone numbers, including ones written in Chinese or circled digits.",
    )
    messaging_ids: bool = Field(
        True, description="Detect WeChat/QQ/Telegram ids offered for private contact."
    )
    emails: bool = Field(False, description="Detect e-mail addresses.")
    keywords: list[Text] = Field(
        default_factory=lambda: [
            "加我v",
            "加我vx",
            "v信",
            "威信",
            "薇信",
            "扣扣号",
            "私聊我",
            "加我好友",
            "whatsapp me",
        ],
        description="Words that offer private contact.",
    )


class Invites(KeywordDetector):
    """Invitations and QR codes for other groups."""

    qr_codes: bool = Field(
        True,
        description="Treat pictures carrying a QR code as invites (pictures posted in the web "
        "chat, and those the bot downloads on Matrix, Telegram and QQ; a picture past the "
        "download limits is not read).",
    )
    keywords: list[Text] = Field(
        default_factory=lambda: [
            "进群",
            "加群",
            "拉你进群",
            "群二维码",
            "入群",
            "进裙",  # 裙 for 群: the skirt stands in for the group
            "加裙",
            "t.me/joinchat",
            "discord.gg",
            "chat.whatsapp.com",
        ],
        description="Words and link patterns of other groups' invites.",
    )


class Flooding(Detector):
    """Too many messages too fast from one member."""

    max_messages: int = Field(8, ge=2, le=MAX_COUNT, description="Messages allowed within `per`.")
    per: Duration = Field(parse_duration("10s"), description="The window for max_messages.")


class RepeatedText(Detector):
    """The same text posted again and again."""

    max_repeats: int = Field(
        3, ge=2, le=MAX_COUNT, description="Identical messages allowed within `within`."
    )
    within: Duration = Field(parse_duration("10m"), description="The window for max_repeats.")


class MentionSpam(Detector):
    """Too many @-mentions in one message."""

    max_mentions: int = Field(5, ge=1, le=MAX_COUNT, description="Mentions allowed in one message.")


class Insults(KeywordDetector):
    """Insults and quarrels: by default only staff are alerted, a human calms things down (seed 001)."""

    response: Response = Field(
        Response.ALERT, description="ladder: give a strike; alert: only alert staff."
    )
    keywords: list[Text] = Field(
        default_factory=lambda: [
            "傻逼",
            "滚开",
            "滚蛋",
            "废物",
            "脑残",
            "垃圾人",
            "去死",
            "神经病",
            "你有病吧",
            "有病吧你",
            "是不是有病吧",
            "贱人",
            "王八蛋",
            "傻叉",
            "傻b",
            "死全家",
            "idiot",
            "shut up",
            "moron",
        ],
        description="Insulting words.",
    )
    whole_messages: list[Text] = Field(
        default_factory=lambda: ["滚", "滚吧", "有病吧", "有病啊"],
        description="Insults only as the whole message, said once or over again (`滚`, "
        "`滚滚滚`, `@bob 滚`): inside a message they are ordinary words (`滚动`, `没有病吧`).",
    )


class Nickname(Detector):
    """Display names that advertise (a contact id, a link, an invite, an ad keyword the rules
    find), that pose as staff (a staff title, 客服, 【官方】, admin: `text.posing`), or that do
    not follow `joining.ceremony.nickname_format`: reported once per name."""

    response: Response = Field(
        Response.ALERT, description="ladder: give a strike; alert: only alert staff."
    )
    grace: Duration = Field(
        parse_duration("1h"), description="Time a newcomer has to rename before it counts."
    )


class Violations(Section):
    """Detection settings per violation kind."""

    advertising: Advertising = Field(
        default_factory=Advertising, description="Advertising by keywords."
    )
    links: Links = Field(default_factory=Links, description="Links outside the allowed domains.")
    contact: Contact = Field(default_factory=Contact, description="Contact sharing.")
    invites: Invites = Field(
        default_factory=Invites, description="Other groups' invites and QR codes."
    )
    flooding: Flooding = Field(default_factory=Flooding, description="Message floods.")
    repeated_text: RepeatedText = Field(default_factory=RepeatedText, description="Repeated text.")
    mention_spam: MentionSpam = Field(default_factory=MentionSpam, description="Mass mentions.")
    insults: Insults = Field(default_factory=Insults, description="Insults and quarrels.")
    nickname: Nickname = Field(
        default_factory=Nickname,
        description="Display names that advertise or pose as staff (a staff title, 客服, [admin]; "
        "reported when the member joins or renames) or break the nickname format.",
    )

    def detector(self, kind: ViolationKind) -> Detector:
        """The settings of one violation kind."""
        result: Detector = getattr(self, kind.value)
        return result


class Sanction(StrEnum):
    """What a ladder step does."""

    DELETE = "delete"
    WARN = "warn"
    MUTE = "mute"
    KICK = "kick"
    BAN = "ban"  # kicked and may not rejoin this group
    BLACKLIST = "blacklist"  # banned across `blacklist_scope`


REMOVING = {Sanction.BAN, Sanction.BLACKLIST}
# What a ladder step's own message may place: the member, the rule broken, their strike count.
LADDER_PLACEHOLDERS = ("rule", "count", "nickname")


class LadderStep(Section):
    """What happens at a given number of live (unexpired) strikes."""

    at: int = Field(
        ge=1,
        le=MAX_COUNT,
        description="Live strike count at which this step applies (1 = first violation).",
    )
    do: list[Sanction] = Field(
        min_length=1, description="Sanctions: delete, warn, mute, kick, ban, blacklist."
    )
    mute_for: Duration | None = Field(
        None, description="How long a mute lasts; required when `do` has mute."
    )
    message: Text | None = Field(
        None,
        description="What the bot tells the member: the warning's text, or, on a step "
        "without `warn`, said as a warning in place of the built-in mute or removal notice. "
        "The bot adds a line naming the rule broken and the strike count, unless the text "
        "places them itself with {rule} and {count} (also {nickname}); other braces are "
        "refused (a version stored before session 39 runs, its other braces sent as typed). "
        "Default: built-in texts naming the rule (and, for a warning, the next step).",
    )

    @field_validator("message")
    @classmethod
    def _message_placeholders(cls, value: str | None, info: ValidationInfo) -> str | None:
        # added in session 39: a message stored before, with other braces, is sent with them
        # as typed (`moderation/ladder.own_words`)
        if value is not None:
            refused_since(info, lambda: check_placeholders(value, LADDER_PLACEHOLDERS))
        return value


def default_ladder() -> list[LadderStep]:
    """Warn, then mute an hour, then out (seed 001: kick after 3 warnings)."""
    return [
        LadderStep(at=1, do=[Sanction.DELETE, Sanction.WARN]),
        LadderStep(at=2, do=[Sanction.DELETE, Sanction.MUTE], mute_for=parse_duration("1h")),
        LadderStep(at=3, do=[Sanction.DELETE, Sanction.KICK, Sanction.BLACKLIST]),
    ]


class BlacklistScope(StrEnum):
    """How far a blacklisting reaches."""

    COMMUNITY = "community"
    ALL = "all"


class Appeals(Section):
    """Members asking staff to review a strike or mute (`/appeal`, `/申诉`), or a ban (the web
    chat's banned page, Telegram's private chat with the bot; elsewhere, `contact`)."""

    enabled: bool = Field(
        True,
        description="Let a struck or muted member appeal with /appeal (/申诉), and a banned "
        "member on the web chat's banned page or by writing /appeal to the Telegram bot in "
        "private, and tell them so in the ladder's notices; staff uphold or pardon it in the "
        "console's inbox, with hearth appeals or the REST API.",
    )
    within: Duration = Field(
        parse_duration("7d"),
        description="How long after a strike, mute or ban the member may appeal it.",
    )
    contact: Name | None = Field(
        None,
        description="Whom a banned member can ask to review the ban (a WeChat id, an e-mail "
        "address, a web page), said at the end of every ban notice: QQ and Matrix give a "
        "banned member no way to reach the bot (the web chat's banned page and the Telegram "
        "bot's private chat take an appeal themselves).",
    )


class Reports(Section):
    """Members flagging a message to staff (`/report`, `/举报`, sent as a reply to it)."""

    enabled: bool = Field(
        True,
        description="Let members report a message to staff with /report (/举报) sent as a "
        "reply to it: staff get one inbox alert per message, with every reporter and their "
        "reasons, and delete it (striking its author) or dismiss the reports there.",
    )
    hide_after: int | None = Field(
        3,
        ge=1,
        le=100,
        description="Distinct members in good standing (no live strike, not muted, and in "
        "the community as long and as active as `violations.advertising.learned.standing` "
        "asks) whose reports hide the message until staff look: it is deleted, and the alert "
        "says it was hidden by reports (the staff channel and direct messages are told once "
        "more). A staff member's message is never hidden. null: reports never hide a message.",
    )
    per_day: int = Field(
        10,
        ge=1,
        le=1000,
        description="Reports one member may make in a day (24 hours); more are refused, and "
        "not stored. A report that does not count (a new, struck or muted reporter) reaches "
        "the staff inbox only, until one of the same message that counts sends it to staff.",
    )


class Rules(Section):
    """Group rules, violations and the ladder."""

    texts: list[Text] = Field(
        default_factory=list,
        description="The rules as members read them (pushed to every newcomer); at most "
        f"{MAX_TEXT:,} characters together, as one welcome quotes them all.",
    )
    violations: Violations = Field(
        default_factory=Violations, description="Detection settings per violation kind."
    )
    ladder: list[LadderStep] = Field(
        default_factory=default_ladder,
        description="Sanctions by live strike count; default 1: delete+warn, 2: mute 1h, 3: kick+blacklist.",
    )
    strike_expiry: Duration | None = Field(
        parse_duration("30d"),
        description="Strikes older than this no longer count. None: strikes never expire. "
        "A version that changes it re-dates the open strikes from when each was given "
        "(apply says how many, and how many no longer count).",
    )
    blacklist_scope: BlacklistScope = Field(
        BlacklistScope.COMMUNITY,
        description="community: a blacklisting reaches every group of this community; all: every community on this server.",
    )
    appeals: Appeals = Field(
        default_factory=Appeals, description="Members' appeals against a strike or mute."
    )
    reports: Reports = Field(
        default_factory=Reports, description="Members' reports of a message to staff."
    )

    @field_validator("texts")
    @classmethod
    def _rules_fit_a_welcome(cls, value: list[str], info: ValidationInfo) -> list[str]:
        total = sum(len(text) for text in value)
        if total > MAX_TEXT and not as_stored(info):
            raise over_limit(
                f"the {len(value)} rules are {total:,} characters together; they are at most "
                f"{MAX_TEXT:,}, as every newcomer's welcome quotes them all: shorten them"
            )
        return value
