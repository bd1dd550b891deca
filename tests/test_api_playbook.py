"""Playbooks through the REST API: the version in force, the history, and applying a new
version — refused with located problems when invalid, with nothing stored."""

from __future__ import annotations

import hashlib

import pytest

from tests.web_auth_setup import TEA_PLAYBOOK, Site, Tea, tea

YAML = {"Content-Type": "text/yaml; charset=utf-8"}


@pytest.fixture
def t(site: Site) -> Tea:
    return tea(site)


def replaced(t: Tea) -> list[str]:
    return t.site.web.playbooks.replaced  # type: ignore[attr-defined,no-any-return]


def test_the_version_in_force_is_shown_with_its_text(t: Tea) -> None:
    current = t.get("/communities/tea/playbook").json()
    assert current["version"] == 1 and current["applied_by"] == "setup"
    assert current["source_text"] == TEA_PLAYBOOK
    assert current["sha256"] == hashlib.sha256(TEA_PLAYBOOK.encode()).hexdigest()
    [listed] = t.get("/communities/tea/playbook/versions").json()
    assert listed["version"] == 1 and "source_text" not in listed


def test_an_invalid_playbook_is_refused_with_line_and_column_and_nothing_changes(t: Tea) -> None:
    broken = TEA_PLAYBOOK.replace("language: en", "language: klingon")
    answer = t.post("/communities/tea/playbook", content=broken.encode(), headers=YAML)
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == "The playbook is not valid (1 problem); nothing was applied."
    [problem] = body["problems"]
    assert (problem["line"], problem["column"], problem["path"]) == (4, 13, "community.language")
    assert "klingon" in problem["message"] or "zh-CN" in problem["message"]
    assert t.get("/communities/tea/playbook").json()["version"] == 1
    assert replaced(t) == []


def test_a_broken_yaml_is_located_too(t: Tea) -> None:
    answer = t.post(
        "/communities/tea/playbook", content=b"community:\n  slug: [tea\n", headers=YAML
    )
    assert answer.status_code == 422
    [problem] = answer.json()["problems"]
    assert problem["line"] >= 2 and problem["column"] >= 1


def test_a_valid_playbook_becomes_the_next_version_with_its_changes(t: Tea) -> None:
    renamed = TEA_PLAYBOOK.replace("name: Tea Friends", "name: Tea Lovers")
    answer = t.post("/communities/tea/playbook", content=renamed.encode(), headers=YAML)
    assert answer.status_code == 200, answer.text
    applied = answer.json()
    assert applied["version"] == 2 and applied["unchanged"] is False
    assert {"kind": "~", "path": "community.name", "old": "Tea Friends", "new": "Tea Lovers"} in (
        applied["changes"]
    )
    current = t.get("/communities/tea/playbook").json()
    assert current["version"] == 2 and current["applied_by"] == "api:mei"
    assert current["source_text"] == renamed
    assert replaced(t) == ["api:mei"]
    assert [v["version"] for v in t.get("/communities/tea/playbook/versions").json()] == [1, 2]


def test_json_with_the_source_works_and_the_same_text_changes_nothing(t: Tea) -> None:
    london = TEA_PLAYBOOK.replace("Europe/London", "Asia/Shanghai")
    first = t.post("/communities/tea/playbook", json={"source": london})
    assert first.status_code == 200 and first.json()["version"] == 2
    again = t.post("/communities/tea/playbook", json={"source": london})
    assert again.json() == {"version": 2, "unchanged": True, "changes": [], "warnings": []}


def test_a_playbook_for_another_community_is_a_conflict(t: Tea) -> None:
    coffee = TEA_PLAYBOOK.replace("slug: tea", "slug: coffee")
    answer = t.post("/communities/tea/playbook", content=coffee.encode(), headers=YAML)
    assert answer.status_code == 409
    assert "for community 'coffee'" in answer.json()["detail"]
    assert t.site.store.get_community("coffee") is None
    assert t.get("/communities/tea/playbook").json()["version"] == 1


def test_bodies_the_api_cannot_read_are_refused_readably(t: Tea) -> None:
    xml = t.post("/communities/tea/playbook", content=b"<x/>", headers={"Content-Type": "text/xml"})
    assert xml.status_code == 415 and "text/yaml" in xml.json()["detail"]
    no_source = t.post("/communities/tea/playbook", json={"text": TEA_PLAYBOOK})
    assert no_source.status_code == 400 and '"source"' in no_source.json()["detail"]
    latin = t.post("/communities/tea/playbook", content="community:\n  name: Caf\xe9\n".encode("latin-1"),
                   headers=YAML)  # fmt: skip
    assert latin.status_code == 422
    assert latin.json()["problems"][0]["line"] == 2
    missing = t.post("/communities/coffee/playbook", content=TEA_PLAYBOOK.encode(), headers=YAML)
    assert missing.status_code == 404
    assert t.get("/communities/tea/playbook").json()["version"] == 1


def test_a_playbook_over_256_kib_is_refused_with_413_and_nothing_changes(t: Tea) -> None:
    padded = TEA_PLAYBOOK + "#" * (256 * 1024)
    answer = t.post("/communities/tea/playbook", content=padded.encode(), headers=YAML)
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith(f"The playbook is {len(padded.encode()):,} bytes; "
                                              "a playbook may be at most 256 KiB")  # fmt: skip
    as_json = t.post("/communities/tea/playbook", json={"source": padded})
    assert as_json.status_code == 413
    huge = t.post("/communities/tea/playbook", content=b"#" * (2 * 1024 * 1024), headers=YAML)
    assert huge.status_code == 413 and "at most 256 KiB" in huge.json()["detail"]
    assert t.get("/communities/tea/playbook").json()["version"] == 1
    assert replaced(t) == []


def test_a_purpose_longer_than_a_welcome_may_quote_is_a_located_problem(t: Tea) -> None:
    # Within the 256 KiB a body may have, it was applied, and every newcomer's welcome quoted
    # all of it; a five-million-character one is refused before it is read (the 413 above).
    purpose = "purpose: Share good tea and where to buy it."
    for long in (200_000, 1_001):
        text = TEA_PLAYBOOK.replace(purpose, "purpose: " + "a" * long)
        answer = t.post("/communities/tea/playbook", content=text.encode(), headers=YAML)
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["problems"]
        assert (problem["line"], problem["path"]) == (6, "community.purpose")
        assert (
            f"{long:,} characters" in problem["message"] and "at most 1,000" in problem["message"]
        )
    huge = TEA_PLAYBOOK.replace(purpose, "purpose: " + "a" * 5_000_000)
    assert t.post("/communities/tea/playbook", json={"source": huge}).status_code == 413
    assert t.get("/communities/tea/playbook").json()["version"] == 1
    assert replaced(t) == []


def test_an_applied_playbook_answers_with_its_warnings(t: Tea) -> None:
    chatty = TEA_PLAYBOOK + (
        "calendar:\n  posts:\n    - id: ping\n      schedule: '*/5 * * * *'\n"
        "      content: {text: ping}\n"
    )
    answer = t.post("/communities/tea/playbook", content=chatty.encode(), headers=YAML)
    assert answer.status_code == 200, answer.text
    [warning] = answer.json()["warnings"]
    assert (
        warning["path"] == "calendar.posts[0].schedule" and "fires 5 minutes" in warning["message"]
    )


def test_a_json_body_nested_too_deeply_is_refused_readably(t: Tea) -> None:
    answer = t.post("/communities/tea/playbook", content=b'{"a":' * 100_000,
                    headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 400 and "too deeply" in answer.json()["detail"]
    assert t.get("/communities/tea/playbook").json()["version"] == 1


def test_a_post_naming_a_group_the_community_has_is_no_slip(t: Tea) -> None:
    """A group opened when every default was '{name} {n}群' keeps that name; a post to it
    was answered "did you mean 'Tea Friends #9'?". A slip beside it is still said."""
    t.site.web.store.add_group(t.id, "Tea Friends 9群", "webchat", "tea-9")
    posting = TEA_PLAYBOOK + (
        "calendar:\n  posts:\n    - id: morning\n      schedule: every day 08:00\n"
        "      content: {text: Good morning}\n      groups: [Tea Friends 9群, Tea Friends 9 群]\n"
    )
    answer = t.post("/communities/tea/playbook", content=posting.encode(), headers=YAML)
    assert answer.status_code == 200, answer.text
    [warning] = answer.json()["warnings"]
    assert warning["path"] == "calendar.posts[0].groups[1]"
    assert "did you mean 'Tea Friends 9群'?" in warning["message"]
