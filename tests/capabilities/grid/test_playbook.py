"""The playbook's `groups:` overrides: validated with located errors, applied to one group's
playbook only, and listed by `hearth playbook show`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.playbook.groups import for_group, override_for
from hearthkeeper.playbook.summary import summarise
from tests.playbook_samples import MINIMAL

POSTS = """\
calendar:
  posts:
    - {id: morning, schedule: every day 08:00, content: {text: Morning}}
    - {id: evening, schedule: every day 20:00, content: {text: Evening}, groups: [Other]}
"""


def problems(extra: str) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(MINIMAL + POSTS + extra, "pb.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_misspelt_override_is_a_located_error() -> None:
    assert problems("groups:\n  Runners:\n    colour: red\n") == [
        "pb.yaml:16:5: groups.Runners.colour: unknown field 'colour'"]  # fmt: skip
    assert problems("groups:\n  Runners:\n    calendar_posts: [mornin]\n") == [
        "pb.yaml:16:22: groups.Runners.calendar_posts[0]: no scheduled post 'mornin' in "
        "calendar.posts; did you mean 'morning'?"]  # fmt: skip
    [small] = problems("groups:\n  Runners:\n    capacity: 1\n")
    assert small == (
        "pb.yaml:16:15: groups.Runners.capacity: Input should be greater than or equal to 2"
    )
    [unknown] = problems("groups:\n  Runners:\n    welcome: 'Hi {name}'\n")
    assert (
        unknown.startswith("pb.yaml:16:14: groups.Runners.welcome: unknown placeholder")
        and "{name}" in unknown
    )


def test_an_override_changes_its_group_only() -> None:
    pb = parse_playbook(MINIMAL + POSTS + "groups:\n  g7:\n    faq_cooldown: 2h\n"
                        "    welcome: Hi {nickname}\n    calendar_posts: [evening]\n").playbook  # fmt: skip
    assert override_for(pb, "Other", "g8") is None
    assert for_group(pb, None) is pb
    runners = for_group(pb, override_for(pb, "Runners", "g7"))
    assert runners.mechanisms.faq.cooldown == timedelta(hours=2)
    assert runners.joining.ceremony.welcome == "Hi {nickname}"
    assert [(p.id, p.groups) for p in runners.calendar.posts] == [("evening", [])]
    assert pb.mechanisms.faq.cooldown == timedelta(minutes=10), "the community's is unchanged"
    assert [p.id for p in pb.calendar.posts] == ["morning", "evening"]
    [copy] = [e for e in summarise(pb) if e.title.startswith("Copy")]
    assert "Per-group overrides: g7" in copy.lines
