"""`hearth playbook show` names every field that validates but does not run here as a gap,
and only those: checked with a playbook that sets every field, and with the templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.reference import field_docs
from hearthkeeper.playbook.summary import summarise
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.playbook.unhonoured import NOT_BUILT
from tests.playbook_samples import MINIMAL

EVERY_FIELD = """\
version: 1
community:
  slug: tea
  name: Tea Friends
  bot_name: Tea Club Bot
  language: en
  timezone: Europe/London
  type: commercial
  purpose: Share good tea and where to buy it.
  interest: {kind: behaviour, description: Drinking and brewing tea.}
  goals: [Taste every region]
  values: [Kindness]
  founded: 2024-03-18
  stage: 4
structure:
  roles:
    owner: {title: Owner, kind: creator, permissions: [moderate, receive_alerts, post]}
    host: {title: Host, kind: manager, permissions: [review_applications, start_polls,
                                                     start_signups, award_points]}
  levels:
    - {id: newcomer, name: Newcomer, perks: [A welcome]}
    - id: regular
      name: Regular
      promote: {points: 5, messages: 10, active_days: 3, check_ins: 2, window: 14d}
      keep: {points: 1, messages: 2, active_days: 1, check_ins: 1, window: 30d}
      perks: [The tasting list]
  carriers:
    - {kind: webchat, name: Web}
    - {kind: matrix, name: EU, settings: {homeserver: "https://matrix.example.org"}}
    - {kind: matrix, name: US}
    - {kind: telegram}
  groups: {capacity: 300, join_by_code_cap: 200, daily_code_cap: 50, small_circle_size: 20}
joining:
  threshold:
    kind: application
    questions: ["Who invited you?"]
    reviewers: [host]
    plan: yearly
    unpaid_stay: 2d
    invite_friends: 2
    referrals_in: [tea]
    min_level: regular
  ceremony:
    welcome: "Welcome {nickname} to {group}! {purpose}"
    welcome_back: "Welcome back to {group}, {nickname}"
    accept_rules: true
    nickname_format: city-name
    intro_deadline: 12h
  probation: {duration: 24h, no_links: true, no_files: true, no_pictures: true,
              no_mentions: true}
rules:
  texts: [Be kind]
  violations:
    advertising:
      enabled: true
      response: ladder
      exempt_roles: [owner]
      strikes: 1
      keywords: [cheap tea]
      extra_keywords: [wholesale]
      pitches: true
      learned: {enabled: true, threshold: 0.97, standing: {enabled: true, days: 14, messages: 30}}
    links: {enabled: true, response: ladder, exempt_roles: [owner], strikes: 1, allowed_domains: [example.org]}
    contact: {enabled: true, response: ladder, exempt_roles: [owner], strikes: 1, phone_numbers: true, messaging_ids: true, emails: true,
              keywords: [call me], extra_keywords: [ring me]}
    invites: {enabled: true, response: ladder, exempt_roles: [owner], strikes: 1, qr_codes: true, keywords: [join my group], extra_keywords: [our group]}
    flooding: {enabled: true, response: ladder, exempt_roles: [owner], strikes: 1, max_messages: 8, per: 10s}
    repeated_text: {enabled: true, response: ladder, exempt_roles: [owner], strikes: 1, max_repeats: 3, within: 10m}
    mention_spam: {enabled: true, response: ladder, exempt_roles: [owner], strikes: 1, max_mentions: 5}
    insults: {enabled: true, response: alert, exempt_roles: [owner], strikes: 1,
              keywords: [idiot], extra_keywords: [moron], whole_messages: [滚]}
    nickname: {enabled: true, response: alert, exempt_roles: [owner], strikes: 1, grace: 1h}
  ladder:
    - {at: 1, do: [delete, warn], message: Please keep to the rules.}
    - {at: 2, do: [delete, mute], mute_for: 1h}
    - {at: 3, do: [delete, kick, ban, blacklist]}
  strike_expiry: 30d
  blacklist_scope: community
  appeals: {enabled: true, within: 3d, contact: "WeChat tea_help"}
  reports: {enabled: true, hide_after: 4, per_day: 5}
mechanisms:
  faq:
    entries: [{question: "Where to buy?", keywords: [shop], answer: At the market.}]
    cooldown: 10m
    mention_only: false
    unanswered_alert_after: 30m
  check_in:
    enabled: true
    keywords: [checkin]
    points: 1
    milestones: [{days: 7, points: 5, title: Steady}]
    daily_summary: "21:00"
    period: day
  polls: {enabled: true, started_by: [host], anonymous: false, default_duration: 24h}
  signups: {enabled: true, started_by: [host], join_keywords: ["+1"],
            cancel_keywords: ["-1"], default_duration: 24h}
  points:
    enabled: true
    helpful_answer: 5
    share: 3
    event: 10
    rewards: [{id: mug, name: A mug, cost: 50, stock: 10}]
  titles: [{name: Kettle keeper, duty: Remind us to drink water, reminder: every day 15:00,
            holders: 1}]
  tags: [{name: region, values: [Yunnan], self_service: true,
          expert_topics: {Yunnan: [puer]}}]
  referrals: {enabled: true, invites: 2, stay: 7d, posts: 1,
              reward: {points: 10, title: Recruiter, reward: mug, membership_days: 7}}
  crisis: {enabled: true, sensitivity: normal}
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {library: pictures, order: rotation, tags: [morning]}
      mode: remind
      groups: [Tea room]
      grace: 1h
    - id: note
      schedule: every Monday 20:00
      content: {text: A new week of tea., kind: text}
    - id: weekly-poll
      schedule: every Wednesday 20:00
      poll: {question: "Which tea next week?", options: [Oolong, Pu-erh], multiple: true,
             anonymous: true, closes_after: 1d}
  rituals:
    anniversary: {enabled: true, day: 18, at: "20:00", text: "{community} is {months} months old"}
    welcome_week_digest: true
  live_sessions:
    - {id: tasting, title: Tasting, speaker: Mei, schedule: every Friday 20:00, duration: 30m,
       remind_before: [1h], digest: true, groups: [Tea room]}
  exhaustion_alert: 3d
activities:
  - {id: walk, name: Tea walk, when: "2026-12-20 10:00", place: The park, capacity: 10,
     sign_up: true, price: 20, currency: CNY, pay_within: 24h}
  - {id: dinner, name: Dinner, schedule: monthly on day 1 at 19:00}
monetisation:
  plans:
    - {id: yearly, name: Yearly, price: 199, currency: CNY, period: 1 year, trial: 7d,
       refund_window: 7d, renewal_reminder: 7d, grace: 3d}
copy: {naming: "{name} {n}", max_groups_per_manager: 10, open_new_group_at: 0.9}
alerts:
  recipients: [owner]
  quiet_hours: 23:00-07:00
  staff_group: Staff room
  staff_group_as_members: false
  direct: true
  urgent: [crisis]
  weekly_report: {enabled: true, day: monday, at: "09:00"}
groups:
  Tea room: {welcome: "Hello {nickname}", faq_cooldown: 5m, capacity: 100,
             calendar_posts: [morning]}
"""

PICTURE = """\
---
kind: picture
asset: cup.png
tags: [morning]
---
# A cup of oolong
"""


def _paths(node: object, prefix: str = "") -> set[str]:
    """The field paths a YAML document sets, in the reference's notation."""
    if isinstance(node, dict):
        found = {prefix} if prefix else set()
        for key, value in node.items():
            keyed = prefix.endswith(("roles", "groups", "expert_topics")) and prefix not in (
                "structure.groups",
            )
            step = f"{prefix}.<id>" if keyed else f"{prefix}.{key}" if prefix else str(key)
            found |= _paths(value, step)
        return found
    if isinstance(node, list):
        found = {prefix}
        for item in node:
            found |= _paths(item, f"{prefix}[]")
        return found
    return {prefix}


def test_the_playbook_sets_every_field_there_is() -> None:
    written = _paths(yaml.safe_load(EVERY_FIELD))
    missing = [doc.path for doc in field_docs() if doc.path not in written]
    assert missing == []


@pytest.fixture
def every_field(tmp_path: Path) -> Path:
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "01-cup.md").write_text(PICTURE, encoding="utf-8")
    (tmp_path / "pictures" / "cup.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "playbook.yaml").write_text(EVERY_FIELD, encoding="utf-8")
    return tmp_path / "playbook.yaml"


def test_a_playbook_using_every_field_is_told_what_does_not_run(every_field: Path) -> None:
    result = CliRunner().invoke(app, ["playbook", "show", str(every_field)], terminal_width=400)
    assert result.exit_code == 0, result.output
    gaps = [line.strip() for line in result.output.splitlines() if "Gap:" in line]
    unbuilt = " | ".join(gap for gap in gaps if NOT_BUILT in gap)
    # the bot's own name is shown by the web chat alone (EVERY_FIELD names matrix too); the
    # platforms name the bot by its account there
    assert any("community.bot_name: members read 'Tea Club Bot' as the bot's name in the web "
               "chat; on matrix and telegram" in gap and "(the bot's account on each platform)"
               in gap for gap in gaps)  # fmt: skip
    # carrier settings belong in hearth.toml; one server runs one carrier of a kind
    assert "structure.carriers[1].settings: not read" in unbuilt
    assert "structure.carriers[2]: matrix is named twice" in unbuilt
    # moderate is asked for by /warn and /mute: no longer a gap
    assert "permissions:" not in unbuilt
    # pictures are read for QR codes in the web chat, Matrix and Telegram: no gap
    assert "qr_codes" not in unbuilt
    # a content folder's picture is sent by the web chat, Matrix and Telegram: no gap
    assert "calendar.posts morning" not in unbuilt
    # Telegram's mentions notify (inline mentions): the experts, title holders ... are told
    assert "@-mentions" not in unbuilt
    # Matrix and Telegram send direct messages, and neither bans for good: no gap
    assert "alerts.direct" not in unbuilt and "rules.ladder" not in unbuilt
    assert len([gap for gap in gaps if NOT_BUILT in gap]) == 2
    assert "Carriers: webchat (Web), matrix (EU), matrix (US), telegram" in result.output


@pytest.mark.parametrize(("kinds", "blind"), [
    (["webchat"], None),
    (["webchat", "matrix"], None),
    (["webchat", "matrix", "telegram", "qq"], None),
    (["telegram", "qq", "slack"], "slack"),
    (["qq", "wecom", "discord"], "discord, wecom"),
])  # fmt: skip
def test_the_qr_code_gap_names_only_the_carriers_whose_pictures_are_not_read(
    kinds: list[str], blind: str | None
) -> None:
    carriers = "".join(f"    - {{kind: {kind}}}\n" for kind in kinds)
    text = EVERY_FIELD.replace(EVERY_FIELD[EVERY_FIELD.index("  carriers:\n"):
                                           EVERY_FIELD.index("  groups:")],
                               "  carriers:\n" + carriers)  # fmt: skip
    pb = parse_playbook(text).playbook
    gaps = [g.message for el in summarise(pb) for g in el.gaps if "qr_codes" in g.message]
    if blind is None:
        assert gaps == []
    else:
        assert gaps == [
            "rules.violations.invites.qr_codes: pictures are read for QR codes on webchat, "
            f"matrix, telegram and qq only; on {blind} the bot does not download them, so another group's QR "
            "code in a picture goes unseen (during probation, joining.probation.no_links still "
            "counts a newcomer's picture as a link)"
        ]


def test_a_playbook_that_uses_none_of_them_hears_of_none() -> None:
    """The same gaps stay away from a playbook that does not use what they name."""
    text = (EVERY_FIELD.replace("moderate, ", "")
            .replace(', settings: {homeserver: "https://matrix.example.org"}', "")
            .replace("    - {kind: matrix, name: US}\n", "")
            .replace("    - {kind: telegram}\n", "")
            .replace("qr_codes: true", "qr_codes: false"))  # fmt: skip
    pb = parse_playbook(text).playbook
    gaps = [gap for element in summarise(pb) for gap in element.gaps if gap.source == NOT_BUILT]
    assert gaps == []


def test_permissions_are_named_only_when_the_operator_gives_them() -> None:
    """The default roles hold every permission that works; a playbook that keeps them hears
    nothing of it, one whose own roles are given `edit_playbook` does; `moderate`, `ban` and `pardon`
    are asked for by the in-chat /warn, /mute, /ban and /pardon, `manage_calendar` by
    /calendar and /skip."""

    def unbuilt(text: str) -> list[str]:
        pb = parse_playbook(text).playbook
        return [g.message for el in summarise(pb) for g in el.gaps if g.source == NOT_BUILT]

    assert unbuilt(MINIMAL) == []
    roles = "structure:\n  roles:\n    mod: {title: Mod, permissions: [moderate, ban, pardon]}\n"
    assert unbuilt(MINIMAL + roles) == []
    assert unbuilt(MINIMAL + roles.replace("pardon]", "pardon, manage_calendar]")) == []
    [said] = unbuilt(MINIMAL + roles.replace("pardon]", "pardon, manage_calendar, edit_playbook]"))
    assert said.startswith("structure.roles.<id>.permissions: edit_playbook allows nothing yet")
    assert "moderate" not in said and "manage_calendar" not in said


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_template_uses_nothing_that_does_not_run(name: str) -> None:
    """A new operator starts from a template: its `playbook show` must not open with a field
    that does nothing (the templates used to give their creator `edit_playbook`)."""
    pb = parse_playbook(template_text(name)).playbook
    said = [g.message for el in summarise(pb) for g in el.gaps if g.source == NOT_BUILT]
    assert said == []


def test_leaving_the_web_chat_out_is_told_it_stays() -> None:
    """Every community keeps a web chat group (the web chat's plug-in opens one); a playbook
    naming only Matrix hears so, one naming the web chat does not."""
    matrix_only = MINIMAL + "structure:\n  carriers: [{kind: matrix}]\n"
    pb = parse_playbook(matrix_only).playbook
    said = [g.message for el in summarise(pb) for g in el.gaps if g.source == NOT_BUILT]
    assert [m for m in said if m.startswith("structure.carriers: the web chat is left out")]
    pb = parse_playbook(
        MINIMAL + "structure:\n  carriers: [{kind: webchat}, {kind: matrix}]\n"
    ).playbook
    said = [g.message for el in summarise(pb) for g in el.gaps if g.source == NOT_BUILT]
    assert not [m for m in said if m.startswith("structure.carriers: the web chat")]


def _files_gaps(tmp_path: Path, carriers: str, items: dict[str, str]) -> list[str]:
    """What `hearth playbook show` says of a morning post drawing on a folder of `items`
    (file name → its content) in a playbook naming `carriers`."""
    (tmp_path / "morning").mkdir()
    for name, content in items.items():
        (tmp_path / "morning" / name).write_text(content, encoding="utf-8")
    posts = "calendar:\n  posts:\n    - {id: morning, schedule: every day 08:00, " \
        "content: {library: morning}}\n"  # fmt: skip
    text = MINIMAL + f"structure:\n  carriers: [{carriers}]\n" + posts
    (tmp_path / "playbook.yaml").write_text(text, encoding="utf-8")
    shown = CliRunner().invoke(app, ["playbook", "show", str(tmp_path / "playbook.yaml")],
                               terminal_width=400)  # fmt: skip
    assert shown.exit_code == 0, shown.output
    return [line for line in shown.output.splitlines() if "calendar.posts morning" in line]


PICTURE_ITEM = {"cup.md": "---\nkind: picture\nasset: cup.png\n---\nA cup\n", "cup.png": "x"}


def test_pictures_for_the_web_chat_are_no_gap(tmp_path: Path) -> None:
    """The web chat shows a scheduled post's picture: a playbook whose carriers all send its
    folder's pictures hears of no gap (it used to be told no carrier sends them)."""
    assert _files_gaps(tmp_path, "{kind: webchat}", PICTURE_ITEM) == []


def test_matrix_sends_every_kind(tmp_path: Path) -> None:
    items = {**PICTURE_ITEM, "clip.md": "---\nkind: video\nasset: clip.mp4\n---\nA clip\n",
             "clip.mp4": "x"}  # fmt: skip
    assert _files_gaps(tmp_path, "{kind: webchat}, {kind: matrix}", items) == []


def test_telegram_sends_every_kind(tmp_path: Path) -> None:
    items = {**PICTURE_ITEM, "a.md": "---\nkind: voice\nasset: a.ogg\n---\nHi\n", "a.ogg": "x"}
    assert _files_gaps(tmp_path, "{kind: webchat}, {kind: telegram}", items) == []


def test_qq_sends_every_kind(tmp_path: Path) -> None:
    """Pictures, voice, videos and files go to QQ groups too (docs/carriers/qq.md): QQ is no
    longer named as a carrier sending the text alone."""
    items = {**PICTURE_ITEM, "a.md": "---\nkind: voice\nasset: a.ogg\n---\nHi\n", "a.ogg": "x",
             "b.md": "---\nkind: file\nasset: b.pdf\n---\nNotes\n", "b.pdf": "x"}  # fmt: skip
    assert _files_gaps(tmp_path, "{kind: webchat}, {kind: qq}", items) == []


def test_a_carrier_that_sends_no_pictures_is_named(tmp_path: Path) -> None:
    """A platform named with no carrier in this version (WeCom) sends no file either."""
    [gap] = _files_gaps(tmp_path, "{kind: webchat}, {kind: qq}, {kind: wecom}", PICTURE_ITEM)
    assert "holds pictures, which these carriers do not send yet: wecom (pictures);" in gap
    assert "webchat" not in gap and "qq" not in gap


def test_a_video_is_no_gap_on_the_web_chat(tmp_path: Path) -> None:
    """The web chat offers videos, voice and files as downloads."""
    items = {**PICTURE_ITEM, "clip.md": "---\nkind: video\nasset: clip.mp4\n---\nA clip\n",
             "clip.mp4": "x"}  # fmt: skip
    assert _files_gaps(tmp_path, "{kind: webchat}", items) == []
    (tmp_path / "wecom").mkdir()
    [gap] = _files_gaps(tmp_path / "wecom", "{kind: webchat}, {kind: wecom}", items)
    assert "holds pictures, videos, which these carriers do not send yet: wecom (pictures, " \
        "videos);" in gap  # fmt: skip


GAPPY = [
    MINIMAL,  # no goals, values, posts, sessions, ritual, FAQ, activities, titles ...
    MINIMAL.replace("  purpose:", "  type: commercial\n  purpose:")  # anyone can join, no plan
    + "structure:\n  roles: {host: {title: Host}}\n  levels: [{id: one, name: One}]\n"
    "  groups: {small_circle_size: 80}\n"
    "  carriers: [{kind: webchat}, {kind: qq}, {kind: wecom}]\n"
    "mechanisms: {referrals: {enabled: true}}\njoining: {threshold: {kind: task, invite_friends: 2}}\n",
    EVERY_FIELD,
    *(template_text(name) for name in TEMPLATES),
]


def _documented(path: str) -> bool:
    """`path` (`monetisation.plans[0].renewal_reminder`) is a field the reference documents."""
    import re

    known = {doc.path for doc in field_docs()}
    return re.sub(r"\[[^\]]*\]", "[]", path).removesuffix("[]") in known


@pytest.mark.parametrize("text", GAPPY, ids=["minimal", "commercial", "every-field",
                                             *TEMPLATES])  # fmt: skip
def test_every_gap_names_the_field_that_would_close_it(text: str) -> None:
    """A new operator read "no fixed discussion time" and had to find which of 200 fields
    gives one; every gap now begins with its field (`calendar.live_sessions: …`), a field the
    reference documents."""
    gaps = [gap for element in summarise(parse_playbook(text).playbook) for gap in element.gaps]
    assert gaps or text is not MINIMAL
    for gap in gaps:
        assert gap.text.startswith(gap.path), gap
        assert all(_documented(path) for path in gap.path.split(" or ")), gap


def test_show_prints_each_gap_after_its_field(tmp_path: Path) -> None:
    (tmp_path / "pb.yaml").write_text(MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(app, ["playbook", "show", str(tmp_path / "pb.yaml")],
                                terminal_width=400)  # fmt: skip
    gaps = [line.strip() for line in result.output.splitlines() if "Gap:" in line]
    assert (
        "Gap: calendar.live_sessions: no fixed discussion time: members don't know when "
        "others will be there (seed 002, micro-sharing Mon/Wed/Fri/Sun)" in gaps
    )
    assert (
        "Gap: community.goals: no goals: the purpose is what you think, goals are what you "
        "say out loud (seed 001, step 2)" in gaps
    )
    assert len(gaps) == 9 and all(
        re.match(r"Gap: [\w.<>\[\]]+( or [\w.<>\[\]]+)*: ", g) for g in gaps
    )


def _carried_on(kinds: str, extra: str = "") -> list[str]:
    """The NOT_BUILT gaps of EVERY_FIELD served on `kinds` (`webchat, qq`), with `extra`
    replacements (old → new) made in it."""
    text = EVERY_FIELD.replace(EVERY_FIELD[EVERY_FIELD.index("  carriers:\n"):
                                           EVERY_FIELD.index("  groups:")],
                               f"  carriers: [{', '.join(f'{{kind: {k}}}' for k in kinds.split(', '))}]\n")  # fmt: skip
    for old_new in filter(None, extra.split(" | ")):
        old, new = old_new.split(" → ")
        assert old in text, old
        text = text.replace(old, new)
    pb = parse_playbook(text).playbook
    return [g.message for el in summarise(pb) for g in el.gaps
            if g.source == NOT_BUILT or g.source.startswith("a limit of ")]  # fmt: skip


def test_what_qq_and_telegram_cannot_do_is_said_to_be_their_limit_not_unbuilt(
    tmp_path: Path,
) -> None:
    """A brand's playbook with QQ groups was told that QQ sends no direct messages and bans
    for good "(not built in this version)": read as if the QQ carrier were missing, and as if
    a later version would do it, when OneBot v11 has no such calls. Each says whose limit it is."""
    playbook = EVERY_FIELD.replace(EVERY_FIELD[EVERY_FIELD.index("  carriers:\n"):
                                               EVERY_FIELD.index("  groups:")],
                                   "  carriers: [{kind: webchat}, {kind: telegram}, {kind: qq}]\n")  # fmt: skip
    playbook = playbook.replace('questions: ["Who invited you?"]',
                                'questions: ["Who invited you?", "Why tea?"]')  # fmt: skip
    (tmp_path / "pb.yaml").write_text(playbook, encoding="utf-8")
    shown = CliRunner().invoke(app, ["playbook", "show", str(tmp_path / "pb.yaml")],
                               terminal_width=400)  # fmt: skip
    gaps = {line.split(": ", 2)[1]: line for line in shown.output.splitlines() if "Gap:" in line}
    qq = "(a limit of QQ through OneBot v11)"
    assert gaps["alerts.direct"].endswith(qq)
    assert gaps["rules.ladder[2].do"].endswith(qq)
    assert gaps["joining.probation.no_files"].endswith(qq)
    assert gaps["joining.threshold.questions"].endswith(
        "(a limit of Telegram and QQ through OneBot v11)"
    )
    assert not [line for line in gaps.values() if "qq" in line.lower() and NOT_BUILT in line]


def test_direct_alerts_on_qq_are_named_as_a_gap() -> None:
    """A QQ bot sends no direct messages: `alerts.direct` passes over QQ (docs/alerts.md), and
    `playbook show` said nothing of it for a community served on QQ."""
    [said] = [m for m in _carried_on("webchat, qq") if m.startswith("alerts.direct")]
    assert said.startswith("alerts.direct: qq sends no direct messages")
    assert "staff channel (alerts.staff_group) and the console's Inbox" in said
    assert "direct messages go out on matrix and telegram" in said
    assert not [m for m in _carried_on("webchat, qq", "direct: true → direct: false")
                if m.startswith("alerts.direct")]  # fmt: skip
    assert not [m for m in _carried_on("webchat, matrix, telegram")
                if m.startswith("alerts.direct")]  # fmt: skip


def test_the_kinds_said_to_send_direct_messages_are_the_carriers_that_do() -> None:
    """The gap's lists follow the carriers: a carrier that gains direct messages (or loses
    them) fails here until the lists say so."""
    from hearthkeeper.carriers.matrix.carrier import CAN as MATRIX
    from hearthkeeper.carriers.onebot.carrier import CAN as QQ
    from hearthkeeper.carriers.telegram.carrier import CAN as TELEGRAM
    from hearthkeeper.carriers.webchat.perform import PERFORMS as WEBCHAT
    from hearthkeeper.engine.actions import ActionKind
    from hearthkeeper.playbook.structure import CarrierKind
    from hearthkeeper.playbook.unhonoured import BANS_FOR_GOOD, NO_DIRECT, SENDS_DIRECT

    can = {CarrierKind.WEBCHAT: WEBCHAT, CarrierKind.MATRIX: MATRIX,
           CarrierKind.TELEGRAM: TELEGRAM, CarrierKind.QQ: QQ}  # fmt: skip
    assert {k for k, c in can.items() if ActionKind.DIRECT in c} == set(SENDS_DIRECT)
    without = {k for k, c in can.items() if ActionKind.DIRECT not in c}
    assert without == {CarrierKind.WEBCHAT, *NO_DIRECT}
    assert {k for k, c in can.items() if ActionKind.UNBAN not in c} == set(BANS_FOR_GOOD)
    # door codes are cut where a message cannot be shown to one member alone
    from hearthkeeper.carriers.telegram.carrier import QUOTAS
    from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
    from hearthkeeper.playbook.unhonoured import NO_PRIVATE_REPLIES

    assert WebChatCarrier.capabilities.private_replies
    assert CarrierKind.WEBCHAT not in NO_PRIVATE_REPLIES
    assert not QUOTAS.private_replies and CarrierKind.TELEGRAM in NO_PRIVATE_REPLIES


def test_no_carrier_is_said_to_mention_members_as_text() -> None:
    """Telegram's bot messages now mention members inline (`tg://user?id=`: Telegram notifies
    them, tests/carriers/telegram/test_mentions.py): a community on Telegram using the fields
    that rely on mentions (expert topics, title reminders, speakers' reminders, the first
    week's digest, unpaid places) is told of no gap about them, nor on any other carrier.
    Before, `playbook show` said the @-mentions there were text that notified nobody."""
    for carriers in ("webchat, telegram", "webchat, matrix, qq", "telegram, matrix, qq"):
        gaps = _carried_on(carriers)
        assert not [m for m in gaps if "mention" in m], carriers


def test_a_ladder_that_bans_on_qq_is_told_the_ban_stays() -> None:
    """OneBot v11 cannot lift a ban (`reject_add_request`): a QQ community whose ladder bans
    or blacklists hears that staff lifting it leave QQ's block in place."""
    [said] = [m for m in _carried_on("webchat, qq") if m.startswith("rules.ladder")]
    assert said.startswith("rules.ladder[2].do: a ban or blacklisting on qq is for good")
    assert "a group admin removes them from its blocked list in QQ" in said
    kicks_only = _carried_on("webchat, qq", "kick, ban, blacklist] → kick]")
    assert not [m for m in kicks_only if m.startswith("rules.ladder")]
    assert not [m for m in _carried_on("webchat, telegram") if m.startswith("rules.ladder")]


def test_holding_back_newcomers_files_on_qq_is_named() -> None:
    """A QQ group file arrives as a `group_upload` notice the bot does not handle (and v11
    cannot delete): `joining.probation.no_files` holds nothing back there."""
    [said] = [m for m in _carried_on("webchat, qq") if m.startswith("joining.probation")]
    assert said.startswith("joining.probation.no_files: on qq a member's file goes to the "
                           "group's files")  # fmt: skip
    assert not [m for m in _carried_on("webchat, qq", "no_files: true → no_files: false")
                if m.startswith("joining.probation")]  # fmt: skip
    assert not [m for m in _carried_on("webchat, qq", "duration: 24h, → duration: null,")
                if m.startswith("joining.probation")]  # fmt: skip
    assert not [m for m in _carried_on("webchat, matrix, telegram")
                if m.startswith("joining.probation")]  # fmt: skip


def test_several_application_questions_on_telegram_or_qq_are_told_one_answer_serves_all() -> None:
    """Telegram's join request carries the requester's bio and QQ's one answer: an application
    of several questions gets one answer for all there (docs/joining.md), which `playbook show`
    did not say."""
    two = 'questions: ["Who invited you?"] → questions: ["Who invited you?", "Why join?"]'
    [said] = [m for m in _carried_on("webchat, telegram, qq", two)
              if m.startswith("joining.threshold")]  # fmt: skip
    assert said.startswith("joining.threshold.questions: on telegram and qq an applicant gives "
                           "one answer for all 2 questions")  # fmt: skip
    assert not [m for m in _carried_on("webchat, telegram, qq")  # one question: one answer
                if m.startswith("joining.threshold")]  # fmt: skip
    assert not [m for m in _carried_on("webchat, matrix", two)
                if m.startswith("joining.threshold")]  # fmt: skip


def test_sign_ups_on_qq_telegram_or_matrix_are_told_door_codes_are_cut() -> None:
    """Where a carrier cannot show a message to one member (no private replies), a sign-up's
    door code is cut to its last two characters in the group (docs/activities.md):
    `playbook show` did not say so, and an operator read door codes as working everywhere."""
    [said] = [m for m in _carried_on("webchat, qq, telegram, matrix")
              if m.startswith("activities")]  # fmt: skip
    assert said.startswith("activities[0].sign_up: on qq, telegram and matrix a member's door "
                           "code cannot be shown to them alone")  # fmt: skip
    assert "Events page lists each sign-up's code" in said
    assert not [m for m in _carried_on("webchat") if m.startswith("activities")]
    no_sign_up = "sign_up: true → sign_up: false | schedule: monthly on day 1 at 19:00} → " \
                 "schedule: monthly on day 1 at 19:00, sign_up: false}"  # fmt: skip
    assert not [m for m in _carried_on("webchat, telegram", no_sign_up)
                if m.startswith("activities")]  # fmt: skip
    pb = parse_playbook(EVERY_FIELD.replace(
        EVERY_FIELD[EVERY_FIELD.index("  carriers:\n"):EVERY_FIELD.index("  groups:")],
        "  carriers: [{kind: webchat}, {kind: qq}]\n")).playbook  # fmt: skip
    [gap] = [g for el in summarise(pb) for g in el.gaps if g.path == "activities[0].sign_up"]
    assert gap.source == "a limit of QQ through OneBot v11"
