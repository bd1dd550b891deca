"""`playbook show` calls out gaps in the operator's terms; diffs name the changed fields."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.playbook.diff import ChangeKind, diff_content, playbook_content
from hearthkeeper.playbook.summary import summarise
from hearthkeeper.playbook.templates import template_text
from tests.playbook_samples import MINIMAL


def gaps_of(text: str) -> dict[str, list[str]]:
    pb = parse_playbook(text).playbook
    return {
        el.title.split()[0]: [f"{g.text} ({g.source})" for g in el.gaps] for el in summarise(pb)
    }


def test_nothing_scheduled_is_called_out_with_the_seed() -> None:
    output = gaps_of(MINIMAL)["Output"]
    assert any("nothing scheduled" in g and "seed 001" in g for g in output)


def test_scheduling_a_post_closes_the_output_gap() -> None:
    text = MINIMAL + (
        "calendar:\n  posts:\n    - id: pack\n      schedule: every day 08:00\n"
        "      content: {text: Two-minute tea tip}\n"
    )
    assert not any("nothing scheduled" in g for g in gaps_of(text)["Output"])


def test_commercial_open_community_without_plans_has_structure_and_money_gaps() -> None:
    gaps = gaps_of(MINIMAL.replace("  purpose:", "  type: commercial\n  purpose:"))
    assert any("anyone can join" in g for g in gaps["Structure"])
    assert any("no way to earn" in g for g in gaps["Monetisation"])


def test_fields_that_nothing_runs_yet_are_named_as_gaps() -> None:
    plain = gaps_of(MINIMAL)
    assert not any("not built" in g for gaps in plain.values() for g in gaps)
    used = gaps_of(
        MINIMAL
        + "activities:\n  - {id: salon, name: Tea salon, when: 2027-01-09 15:00}\n"
        + "alerts:\n  quiet_hours: 22:00-08:00\n"
        + "copy:\n  max_groups_per_manager: 3\n"
        + "structure:\n  carriers:\n    - {kind: webchat, settings: {port: 8080}}\n"
    )
    assert not any("not built" in g for g in used["Operation"])  # offline events run (step 11)
    assert not any("not built" in g for g in used.get("Copy", [])), "the matrix warns (grid)"
    assert not any("alerts." in g for g in used.get("Structure", []))  # alerts are built
    assert any("carriers[0].settings: not read" in g for g in used["Structure"])


def content(text: str) -> dict[str, object]:
    return playbook_content(parse_playbook(text).playbook)


def test_diff_names_changed_added_and_removed_fields() -> None:
    old = content(template_text("skincare"))
    edited = template_text("skincare").replace("capacity: 500", "capacity: 450", 1)
    changes = diff_content(old, content(edited))
    assert [(c.kind, c.path, c.old, c.new) for c in changes] == [
        (ChangeKind.CHANGED, "structure.groups.capacity", 500, 450)
    ]


def test_diff_matches_list_items_by_id() -> None:
    base = MINIMAL + (
        "calendar:\n  posts:\n"
        "    - {id: a, schedule: every day 08:00, content: {text: A}}\n"
        "    - {id: b, schedule: every day 09:00, content: {text: B}}\n"
    )
    swapped = MINIMAL + (
        "calendar:\n  posts:\n"
        "    - {id: b, schedule: every day 09:30, content: {text: B}}\n"
        "    - {id: c, schedule: every day 10:00, content: {text: C}}\n"
    )
    lines = [str(c) for c in diff_content(content(base), content(swapped))]
    assert "- calendar.posts[id=a]: {a, every day 08:00, every group, …}" in lines
    assert "~ calendar.posts[id=b].schedule: every day 09:00 → every day 09:30" in lines
    assert "+ calendar.posts[id=c]: {c, every day 10:00, every group, …}" in lines
    assert len(lines) == 3


def test_a_post_added_says_when_and_where_it_goes() -> None:
    """An operator adding a post for forty groups in the console's review read only
    `+ calendar.posts[id=evening]: {evening, …}`: not when it fires, nor which groups get it."""
    posts = "calendar:\n  posts:\n    - {id: m, schedule: every day 08:00, content: {text: M}}\n"
    added = posts + (
        "    - {id: evening, schedule: every day 21:00, content: {text: E}}\n"
        "    - {id: tg, schedule: Mon 10:00, groups: [Overseas], content: {text: T}}\n"
        "  live_sessions:\n    - {id: live, title: Q&A, speaker: Ann, schedule: Wed 20:00}\n"
    )
    lines = [str(c) for c in diff_content(content(MINIMAL + posts), content(MINIMAL + added))]
    assert lines == [
        "+ calendar.posts[id=evening]: {evening, every day 21:00, every group, …}",
        "+ calendar.posts[id=tg]: {tg, Mon 10:00, Overseas, …}",
        "+ calendar.live_sessions[id=live]: {live, Wed 20:00, every group, …}",
    ]


def test_an_faq_entry_put_in_the_middle_is_one_addition() -> None:
    """Items without ids were compared by place: an entry inserted before the last one showed
    as that entry changed into the new one, plus the old one added at the end."""
    entry = "      - {{question: {q}, answer: {a}}}\n"
    faq = "mechanisms:\n  faq:\n    entries:\n"
    first, last = entry.format(q="Opening hours?", a="9 to 5"), entry.format(q="Refunds?", a="Ask")
    new = entry.format(q="Parking?", a="Behind the shop")
    lines = [str(c) for c in diff_content(content(MINIMAL + faq + first + last),
                                          content(MINIMAL + faq + first + new + last))]  # fmt: skip
    assert lines == ["+ mechanisms.faq.entries[1]: {Parking?, …}"]
    edited = last.replace("Ask", "Ask the desk")
    lines = [str(c) for c in diff_content(content(MINIMAL + faq + first + last),
                                          content(MINIMAL + faq + first + edited))]  # fmt: skip
    assert lines == ["~ mechanisms.faq.entries[1].answer: 'Ask' → 'Ask the desk'"]
    lines = [str(c) for c in diff_content(content(MINIMAL + faq + first + new + last),
                                          content(MINIMAL + faq + first + last))]  # fmt: skip
    assert lines == ["- mechanisms.faq.entries[1]: {Parking?, …}"]


def test_identical_playbooks_have_no_diff() -> None:
    assert diff_content(content(MINIMAL), content(MINIMAL)) == []


def test_the_summary_says_what_a_task_threshold_asks() -> None:
    text = MINIMAL + (
        "joining:\n  threshold:\n    kind: task\n    invite_friends: 3\n"
        "    referrals_in: [tea-free]\n"
    )
    [structure] = [
        el for el in summarise(parse_playbook(text).playbook) if el.title.startswith("Structure")
    ]
    assert "Joining: task, 3 invited friends who stayed, counted in tea-free" in structure.lines


def test_an_activity_without_sign_up_does_not_claim_places_held_or_fees_taken() -> None:
    """`sign_up: false` ("just come") with a capacity and a price: show said "3 places, 30 CNY,
    unpaid places held 1d", though nobody can sign up, so no place is held and no fee taken
    (members read both in /events only); nor did it say when the activity is."""
    text = MINIMAL + (
        "activities:\n  - id: salon\n    name: Reading salon\n    when: 2026-12-20 14:00\n"
        "    capacity: 3\n    price: 30\n    sign_up: false\n"
        "  - id: run\n    name: Night run\n    schedule: every Saturday 19:30\n    sign_up: false\n"
    )
    lines = [line for el in summarise(parse_playbook(text).playbook) for line in el.lines]
    assert (
        "Offline: Reading salon, 2026-12-20 14:00, no sign-up (members just come): 3 places and "
        "30 CNY are only shown in /events, no place is held and no fee taken" in lines
    ), lines
    assert "Offline: Night run, every Saturday 19:30, no sign-up (members just come)" in lines


def test_a_priced_activity_shows_its_payment_window_and_is_no_gap() -> None:
    text = MINIMAL + (
        "activities:\n  - id: tasting\n    name: Tasting night\n    when: 2026-12-10 19:00\n"
        "    capacity: 12\n    price: 45\n    pay_within: 36h\n"
    )
    pb = parse_playbook(text).playbook
    lines = [line for el in summarise(pb) for line in el.lines]
    assert (
        "Offline: Tasting night, 2026-12-10 19:00, 12 places, 45 CNY, unpaid places held 1d12h"
        in lines
    )
    assert not any("pay_within" in g for gaps in gaps_of(text).values() for g in gaps)
    default = parse_playbook(text.replace("    pay_within: 36h\n", "")).playbook
    assert any("unpaid places held 1d" in line for el in summarise(default) for line in el.lines)
    for bad, said in (
        ("36501d", "too long"),
        ("0h", "longer than zero"),
        ("soon", "not a duration"),
    ):
        with pytest.raises(PlaybookError, match=rf"activities\[0\]\.pay_within: .*{said}"):
            parse_playbook(text.replace("36h", bad))


def test_an_english_community_keeping_the_chinese_group_names_is_told_how_to_name_them() -> None:
    """A naming ending in 群 written by an English-speaking community would open
    'Tea Friends 1群': `playbook show` says so and how to name them. The default follows
    the language ('Tea Friends #1') and is no gap."""
    english = MINIMAL  # language: en, no copy section
    assert not [g for g in gaps_of(english)["Copy"] if "copy.naming" in g]
    written = english + 'copy:\n  naming: "{name} {n}群"\n'
    [gap] = [g for g in gaps_of(written)["Copy"] if "copy.naming" in g]
    assert "groups will be named 'Tea Friends 1群'" in gap and "'{name} #{n}'" in gap
    named = english + 'copy:\n  naming: "{name} #{n}"\n'
    assert not [g for g in gaps_of(named)["Copy"] if "copy.naming" in g]
    chinese = MINIMAL.replace("language: en", "language: zh-CN")
    assert not [g for g in gaps_of(chinese)["Copy"] if "copy.naming" in g]  # 群 is right here


def test_a_rule_text_added_is_shown_whole_not_cut_off_in_the_old_list() -> None:
    """`hearth apply` printed the old and new rule lists cut at 80 characters: the rule
    added at the end was never seen. Now it is one addition, and an edit one change."""
    texts = ("No advertising or selling.", "No spoilers without a warning.", "Be kind.")
    rules = "rules:\n  texts:\n" + "".join(f"    - {t}\n" for t in texts)
    old = content(MINIMAL + rules)
    added = content(MINIMAL + rules + "    - Mark spoilers with SPOILER.\n")
    assert [str(c) for c in diff_content(old, added)] == [
        "+ rules.texts[3]: 'Mark spoilers with SPOILER.'"
    ]
    edited = content(MINIMAL + rules.replace("Be kind.", "Be kind, always."))
    assert [str(c) for c in diff_content(old, edited)] == [
        "~ rules.texts[2]: 'Be kind.' → 'Be kind, always.'"
    ]


def test_counts_of_one_are_said_in_the_singular() -> None:
    # "FAQ: 1 entries; … 1 rewards" read as a slip to the operator reading their playbook
    text = MINIMAL + (
        "mechanisms:\n  faq:\n    entries:\n      - question: When do we meet?\n"
        "        answer: Sundays at ten.\n"
    )
    lines = [line for el in summarise(parse_playbook(text).playbook) for line in el.lines]
    [faq] = [line for line in lines if line.startswith("FAQ: ")]
    assert faq.startswith("FAQ: 1 entry;") and faq.endswith("0 rewards")


def test_a_weekly_review_keyword_is_shown_as_sharing_the_daily_check_in() -> None:
    """An operator writing 周复盘 beside 打卡 expects a weekly check-in; `playbook show` says
    both are one daily check-in and names the missing weekly one as a gap."""
    text = MINIMAL + "mechanisms:\n  check_in:\n    keywords: [打卡, 周复盘]\n"
    [operation] = [el for el in summarise(parse_playbook(text).playbook)
                   if el.title.startswith("Operation")]  # fmt: skip
    assert "Check-ins: daily, once a member a day for all of 打卡, 周复盘 together" in (
        operation.lines
    )
    [gap] = [g for g in operation.gaps if "weekly" in g.message]
    assert "周复盘 shares the one daily check-in" in gap.message
    assert gap.path == "mechanisms.check_in.keywords"
    assert not any("weekly" in g for g in gaps_of(MINIMAL)["Operation"])


def test_the_group_names_shown_are_those_the_next_group_takes() -> None:
    """An English community whose groups were opened as `Tea Friends 1群`, `2群` (the default
    before it followed the language) opens `Tea Friends 3群` next, but `playbook show` and
    the console said "Group names: {name} #{n}"."""
    pb = parse_playbook(MINIMAL).playbook

    def naming(names: list[str]) -> str:
        [line] = [line for el in summarise(pb, group_names=names) for line in el.lines
                  if line.startswith("Group names: ")]  # fmt: skip
        return line.split(";")[0]

    assert naming(["Tea Friends 1群", "Tea Friends 2群"]) == (
        "Group names: {name} {n}群, the series its groups are in (opened before the default "
        "followed the language: write copy.naming '{name} #{n}' to name new ones so instead)"
    )
    assert naming([]) == naming(["Tea Friends #1"]) == "Group names: {name} #{n}"


@pytest.mark.parametrize(
    ("learned", "said"),
    [
        ("{}", "its guess alone only alerts staff about members in good standing (14 days in "
               "the community, 30 messages, no live strike)"),
        ("{threshold: 0.98, standing: {days: 30, messages: 100}}",
         "its guess alone only alerts staff about members in good standing (30 days in "
         "the community, 100 messages, no live strike)"),
        ("{standing: null}", "its guess alone strikes anyone"),
        ("{standing: {enabled: false}}", "its guess alone strikes anyone"),
    ],
)  # fmt: skip
def test_the_summary_says_whom_the_learned_scorers_guess_alone_punishes(
    learned: str, said: str
) -> None:
    text = MINIMAL + f"rules:\n  violations:\n    advertising:\n      learned: {learned}\n"
    [structure] = [
        el for el in summarise(parse_playbook(text).playbook) if el.title.startswith("Structure")
    ]
    [line] = [line for line in structure.lines if line.startswith("Learned scorer")]
    threshold = "0.98" if "0.98" in learned else "0.95"
    assert line == f"Learned scorer: advertising from spam {threshold}; {said}"


def test_the_summary_says_nothing_of_a_learned_scorer_that_is_off() -> None:
    text = MINIMAL + "rules:\n  violations:\n    advertising:\n      learned: {enabled: false}\n"
    [structure] = [
        el for el in summarise(parse_playbook(text).playbook) if el.title.startswith("Structure")
    ]
    assert not [line for line in structure.lines if line.startswith("Learned scorer")]


def test_durations_amounts_and_empty_values_are_shown_as_written_not_as_python() -> None:
    """`hearth apply` printed `~ rules.strike_expiry: '30d' → None` and `price: '299' → '399'`:
    a Python word the playbook never uses, and numbers in quotes that read as texts (the docs
    showed `mute_for: 1h → 2h`). Texts keep their quotes."""
    plan = ("monetisation:\n  plans:\n    - {id: year, name: Year, price: 299, period: 1 year, "
            "trial: 3d}\n")  # fmt: skip
    old = content(MINIMAL + plan + "rules:\n  ladder:\n    - {at: 1, do: [mute], mute_for: 1h}\n")
    new = content(
        MINIMAL.replace("Tea Friends", "Tea Circle")
        + plan.replace("299", "399").replace("trial: 3d", "trial: null")
        + "rules:\n  ladder:\n    - {at: 1, do: [mute], mute_for: 2h}\n  strike_expiry: null\n"
    )
    assert sorted(str(c) for c in diff_content(old, new)) == [
        "~ community.name: 'Tea Friends' → 'Tea Circle'",
        "~ monetisation.plans[id=year].price: 299 → 399",
        "~ monetisation.plans[id=year].trial: 3d → none",
        "~ rules.ladder[0].mute_for: 1h → 2h",
        "~ rules.strike_expiry: 30d → none",
    ]
