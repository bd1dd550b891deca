"""The playbook page: upload, locate problems, show the diff, apply on confirmation."""

from __future__ import annotations

import re

from hearthkeeper.apply import apply_playbook
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from tests.console_setup import BASE, Console
from tests.playbook_samples import MINIMAL

SKINCARE = template_text("skincare")
CHANGED = SKINCARE.replace("cooldown: 10m", "cooldown: 15m")
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def _confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields of the review page's confirm form, unescaped as a browser would."""
    form = page.split('action="' + BASE + '/playbook/apply"')[1].split("</form>")[0]
    fields = {}
    for name, value in _HIDDEN.findall(form):
        fields[name] = (value.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<")
                        .replace("&gt;", ">").replace("&amp;", "&"))  # fmt: skip
    return fields


def _version(console: Console) -> int:
    latest = console.store.latest_playbook_version(console.community_id)
    assert latest is not None
    return latest.version


def test_a_playbook_with_a_yaml_error_shows_the_located_problem(console: Console) -> None:
    broken = SKINCARE.replace("  timezone: Asia/Shanghai", "  timezone: [Asia/Shanghai")
    answer = console.post("/playbook", {"text": broken})
    assert answer.status_code == 422
    problems = answer.text.split('id="problems"')[1].split("</ol>")[0]
    assert re.search(r"line \d+, column \d+</span>:", problems)
    assert "nothing was stored" in answer.text
    assert "timezone: [Asia/Shanghai</textarea>" not in answer.text  # the text is back …
    assert "  timezone: [Asia/Shanghai\n" in answer.text  # … in the textarea, to fix it there
    assert _version(console) == 1


def test_an_invalid_field_is_located_by_line_column_and_path(console: Console) -> None:
    wrong = SKINCARE.replace("cooldown: 10m", "cooldown: soon")
    answer = console.post("/playbook", {"text": wrong})
    line = next(n for n, text in enumerate(wrong.splitlines(), 1) if "cooldown: soon" in text)
    assert answer.status_code == 422
    assert f"line {line}, column" in answer.text
    assert "<code>mechanisms.faq.cooldown</code>" in answer.text
    assert _version(console) == 1


def test_a_valid_change_shows_the_diff_then_applies_on_confirmation(console: Console) -> None:
    review = console.post("/playbook", {"text": CHANGED})
    assert review.status_code == 200
    assert "Apply version 2" in review.text
    diff = review.text.split('id="diff"')[1].split("</ul>")[0]
    assert "mechanisms.faq.cooldown" in diff and "10m" in diff and "15m" in diff
    assert _version(console) == 1  # nothing applied before the confirmation
    fields = _confirm_fields(review.text)
    applied = console.client.post(f"{BASE}/playbook/apply", data=fields, follow_redirects=False)
    assert applied.status_code == 303
    assert applied.headers["location"] == f"{BASE}/playbook?notice=applied"
    assert _version(console) == 2
    assert console.playbooks.replaced == ["console:ann"]
    page = console.client.get(applied.headers["location"]).text
    assert "The new playbook version is applied" in page and "Version 2, running" in page
    assert "cooldown: 15m" in page


def test_a_file_upload_works_like_pasting(console: Console) -> None:
    files = {"file": ("playbook.yaml", CHANGED.encode("utf-8"))}
    review = console.post("/playbook", {"text": ""}, files=files)
    assert review.status_code == 200 and "Apply version 2" in review.text


def test_the_same_playbook_again_is_nothing_to_apply(console: Console) -> None:
    answer = console.post("/playbook", {"text": SKINCARE})
    assert answer.status_code == 200
    assert "the same as version 1" in answer.text
    assert "Apply version" not in answer.text


def test_a_playbook_for_another_community_is_refused(console: Console) -> None:
    other = SKINCARE.replace("slug: yan-academy-skincare", "slug: another-club")
    answer = console.post("/playbook", {"text": other})
    assert answer.status_code == 422
    assert "for the community “another-club”, not “yan-academy-skincare”" in answer.text
    assert "Apply version" not in answer.text and _version(console) == 1


def test_too_large_or_not_utf8_uploads_are_refused_readably(console: Console) -> None:
    big = {"file": ("big.yaml", b"#" * (256 * 1024 + 1))}
    answer = console.post("/playbook", {"text": ""}, files=big)
    assert answer.status_code == 422
    assert "big.yaml is larger than 256 KiB, the most a playbook may be" in answer.text
    pasted = console.post("/playbook", {"text": SKINCARE + "#" * (256 * 1024)})
    assert pasted.status_code == 422
    assert "The pasted playbook is larger than 256 KiB" in pasted.text and _version(console) == 1
    latin = {"file": ("latin.yaml", "community: é".encode("latin-1"))}
    answer = console.post("/playbook", {"text": ""}, files=latin)
    assert answer.status_code == 422 and "latin.yaml is not UTF-8 text" in answer.text
    empty = console.post("/playbook", {"text": "  "})
    assert empty.status_code == 422 and "Choose a playbook file or paste its text" in empty.text


def test_confirming_after_someone_else_applied_shows_the_diff_again(console: Console) -> None:
    fields = _confirm_fields(console.post("/playbook", {"text": CHANGED}).text)
    other = console.post("/playbook", {"text": SKINCARE.replace("cooldown: 10m", "cooldown: 5m")})
    console.client.post(f"{BASE}/playbook/apply", data=_confirm_fields(other.text))
    assert _version(console) == 2
    stale = console.client.post(f"{BASE}/playbook/apply", data=fields, follow_redirects=False)
    assert stale.status_code == 200 and "Version 2 was applied by console:ann" in stale.text
    assert "Apply version 3" in stale.text and _version(console) == 2


def test_a_tampered_confirmation_is_refused(console: Console) -> None:
    fields = _confirm_fields(console.post("/playbook", {"text": CHANGED}).text)
    fields["text"] = fields["text"].replace("15m", "1m")
    answer = console.client.post(f"{BASE}/playbook/apply", data=fields)
    assert answer.status_code == 422 and "upload it again" in answer.text
    assert _version(console) == 1


def test_line_breaks_sent_back_by_a_browser_as_crlf_still_match(console: Console) -> None:
    fields = _confirm_fields(console.post("/playbook", {"text": CHANGED}).text)
    fields["text"] = fields["text"].replace("\n", "\r\n")  # what form submission does
    answer = console.client.post(f"{BASE}/playbook/apply", data=fields, follow_redirects=False)
    assert answer.status_code == 303 and _version(console) == 2


def test_the_review_shows_the_warnings_of_a_valid_playbook(console: Console) -> None:
    chatty = SKINCARE.replace("extra_keywords: [", "extra_keywords: [sb, ", 1)
    assert chatty != SKINCARE
    answer = console.post("/playbook", {"text": chatty})
    assert answer.status_code == 200 and "Apply version 2" in answer.text
    warnings = answer.text.split('id="warnings"')[1].split("</ol>")[0]
    assert "extra_keywords[0]</code>: keyword &#39;sb&#39; is only two Latin characters" in warnings


def test_the_review_warns_of_a_one_off_activity_already_past_on_the_consoles_clock(
    console: Console,
) -> None:
    """An upload with a salon whose `when` had passed was applied without a word (the salon
    never listed, nobody able to sign up); the review warns, by the server's clock."""
    salon = '    schedule: "0 14 * * 6#2"             # 每月第二个周六 14:00\n'
    assert salon in SKINCARE
    past = SKINCARE.replace(salon, "    when: 2026-04-30 19:00\n")
    answer = console.post("/playbook", {"text": past})
    assert answer.status_code == 200 and "Apply version 2" in answer.text
    warnings = answer.text.split('id="warnings"')[1].split("</ol>")[0]
    assert (
        "<code>activities[0].when</code>: 2026-04-30 19:00 is in the past (it is 2026-05-01 "
        in warnings
    )  # the console's clock, not the machine's
    assert "in Asia/Shanghai): &#39;线下肤质检测沙龙&#39; is never listed" in warnings
    later = console.post("/playbook", {"text": past.replace("2026-04-30", "2026-06-01")})
    assert later.status_code == 200 and "is in the past" not in later.text


def test_the_page_names_the_gaps_hearth_playbook_show_names(console: Console) -> None:
    """The console's summary names what `hearth playbook show` names, also a carrier this
    server cannot run (before, only the playbook's own gaps: a carrier listed but not
    installed looked as good as a running one)."""
    with_wecom = SKINCARE.replace("    # - kind: wecom\n", "    - kind: wecom\n")
    assert with_wecom != SKINCARE
    review = console.post("/playbook", {"text": with_wecom})
    assert review.status_code == 200, review.text
    fields = _confirm_fields(review.text)
    applied = console.client.post(f"{BASE}/playbook/apply", data=fields, follow_redirects=False)
    assert applied.status_code == 303
    page = console.get("/playbook").text
    assert "structure.carriers[1]" in page and "wecom" in page
    # each gap begins with the field that would close it, as `hearth playbook show` prints it
    assert "<strong>Gap:</strong> structure.carriers: opening new WeCom groups" in page


def test_the_review_warns_when_a_plan_members_hold_is_dropped(console: Console) -> None:
    """Renaming the plan's id in an upload showed only '- monetisation.plans[id=half-year]':
    nothing said that 小美, who paid for it, would get no reminder and no grace."""
    from hearthkeeper.capabilities.billing import staff

    community = console.store.list_communities()[0]
    member = console.store.member_for("webchat", "u-1", "小美")
    staff.pay(console.store, community, f"member:{member.id}", "half-year", "", "TB-1", "test",
              console.clock.now())  # fmt: skip
    review = console.post("/playbook", {"text": SKINCARE.replace("half-year", "half-year-2026")})
    assert review.status_code == 200 and "Apply version 2" in review.text
    warning = review.text.split('id="members-hold"')[1].split("</p>")[0]
    assert "plan &#39;half-year&#39; is no longer in monetisation.plans" in warning
    assert "1 member holds it (小美)" in warning and "no renewal reminder" in warning


def test_the_review_says_no_slip_of_a_post_naming_a_group_the_community_has(
    console: Console,
) -> None:
    """A group named on the carrier nearly as copy.naming names them ('颜学院护肤社9群', no
    space) is the community's group: a post to it was reviewed with "did you mean
    '颜学院护肤社 9群'?"."""
    pack = "      content: {library: content/morning-pack, order: next}\n"
    assert pack in SKINCARE
    posting = SKINCARE.replace(pack, pack + "      groups: [颜学院护肤社9群, 颜学院护肤社8群]\n", 1)
    console.store.add_group(console.community_id, "颜学院护肤社9群", "webchat", "by-hand-9")
    answer = console.post("/playbook", {"text": posting})
    assert answer.status_code == 200 and "Apply version 2" in answer.text
    warnings = answer.text.split('id="warnings"')[1].split("</ol>")[0]
    assert (
        "groups[1]</code>: no group Hearthkeeper opens is named &#39;颜学院护肤社8群&#39;"
        in warnings
    )
    assert "groups[0]" not in warnings


def test_the_summary_names_groups_as_the_communitys_next_group_will_be(console: Console) -> None:
    """An English community whose groups are `Tea Friends 1群`, `2群` (the default before it
    followed the language) opens `Tea Friends 3群` next; its playbook page said
    "Group names: {name} #{n}"."""
    tea = apply_playbook(console.store, parse_playbook(MINIMAL), "setup").community
    for n in (1, 2):
        console.store.add_group(tea.id, f"Tea Friends {n}群", "webchat", f"tea-{n}")
    page = console.client.get("/console/c/tea/playbook")
    assert page.status_code == 200, page.text
    assert "Group names: {name} {n}群, the series its groups are in" in page.text


def test_the_playbook_page_names_a_carrier_this_server_does_not_run(console: Console) -> None:
    """A brand's playbook lists Telegram and QQ beside the web chat on a server that runs the
    web chat only. `hearth serve` warned in its log, but the console's playbook page, where the
    operator reads the summary, listed all three under Carriers and said nothing."""
    carriers = "structure:\n  carriers: [{kind: webchat}, {kind: telegram}, {kind: qq}]\n"
    apply_playbook(console.store, parse_playbook(MINIMAL + carriers), "setup")
    page = " ".join(console.client.get("/console/c/tea/playbook").text.split())
    assert ("structure.carriers[1]: the &#39;telegram&#39; carrier is not configured on this "
            "server, so no group runs on it; add a [carriers.telegram] table") in page  # fmt: skip
    assert "the &#39;qq&#39; carrier is not configured" in page and "[carriers.onebot]" in page
    assert "the &#39;webchat&#39; carrier is not configured" not in page
    assert "Run only where hearth.toml" not in page  # the server knows what it runs


def test_the_review_says_what_a_new_strike_expiry_does_to_open_strikes(console: Console) -> None:
    """Open strikes follow a changed `rules.strike_expiry` (re-dated from when each was
    given): the review says so before staff apply it, as `hearth apply` does after."""
    from datetime import timedelta

    member = console.store.member_for("webchat", "u-1", "小美")
    now = console.clock.now()
    console.store.add_strike(console.community_id, member.id, "spam", "ad", now - timedelta(days=10),
                             now + timedelta(days=20))  # fmt: skip
    live = console.store.live_strikes(console.community_id, member.id, now)
    review = console.post("/playbook", {"text": SKINCARE.replace("strike_expiry: 30d",
                                                                 "strike_expiry: 7d", 1)})  # fmt: skip
    assert review.status_code == 200 and "Apply version 2" in review.text
    warning = review.text.split('id="members-hold"')[1].split("</p>")[0]
    assert "rules.strike_expiry changes from 30d to 7d: " in warning
    assert "will expire 7d after each was given" in warning and "will no longer count" in warning
    assert console.store.live_strikes(console.community_id, member.id, now) == live  # unchanged
