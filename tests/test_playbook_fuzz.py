"""Property: any document either validates or yields located problems, never a traceback."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthkeeper.playbook import PlaybookError, parse_playbook
from tests.playbook_samples import MINIMAL

FIELD_NAMES = [
    "community", "slug", "name", "language", "timezone", "type", "purpose", "interest", "kind",
    "description", "goals", "values", "structure", "roles", "levels", "carriers", "groups",
    "capacity", "joining", "threshold", "ceremony", "welcome", "probation", "rules", "texts",
    "violations", "ladder", "at", "do", "mute_for", "strike_expiry", "mechanisms", "faq",
    "entries", "calendar", "posts", "schedule", "content", "text", "id", "monetisation",
    "plans", "price", "period", "copy", "alerts", "recipients", "activities", "title",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["20:00", "24h", "every day 08:00", "zh-CN", "mute",
                                           "open", "product", "Asia/Shanghai", "{nick}", "*"]),
)  # fmt: skip
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)
    ),
    max_leaves=25,
)


def assert_located_or_valid(text: str) -> None:
    try:
        parse_playbook(text, "fuzz.yaml")
    except PlaybookError as exc:
        assert exc.problems, "a PlaybookError must carry at least one problem"
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.line >= 1 and problem.column >= 1
            assert problem.message and "Traceback" not in problem.message
            assert str(problem).startswith(f"fuzz.yaml:{problem.line}:{problem.column}: ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_yaml_document_is_valid_or_located(document: Any) -> None:
    assert_located_or_valid(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_valid_or_located(text: str) -> None:
    assert_located_or_valid(text)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaging_a_valid_playbook_gives_located_problems(data: st.DataObject) -> None:
    lines = (MINIMAL + "rules:\n  ladder:\n    - {at: 1, do: [delete, warn]}\n").splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    replacement = data.draw(st.one_of(st.text(max_size=30), st.sampled_from(
        ["  bogus: 1", "    - {at: 0, do: []}", "  timezone: Mars/Base", "  name:", "\t", "- x"])))  # fmt: skip
    lines[index] = replacement
    assert_located_or_valid("\n".join(lines) + "\n")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELD_NAMES), DOCUMENTS, max_size=4))
def test_random_sections_inside_a_valid_playbook(extra: dict[str, Any]) -> None:
    base = yaml.safe_load(MINIMAL)
    base.update(extra)
    assert_located_or_valid(yaml.safe_dump(base, allow_unicode=True))
