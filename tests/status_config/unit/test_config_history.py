"""What one configuration version changed against the one before (domain, no I/O)."""

from __future__ import annotations

from typing import Any

import pytest

from cstatus.status_config.domain.history import changes_between

pytestmark = pytest.mark.unit


def _doc(*statuses: dict[str, Any], language: str = "en", name: str = "Loyalty") -> dict[str, Any]:
    return {
        "default_language": language,
        "categories": [{"id": "c1", "code": "loyalty", "name": name, "statuses": list(statuses)}],
    }


GOLD = {"id": "s1", "code": "gold", "priority": 10, "rule": {"type": "count", "min": 3}}


def test_an_unchanged_document_changes_nothing() -> None:
    assert changes_between(_doc(GOLD), _doc(GOLD)) == []


def test_a_changed_rule_is_one_status_change_with_before_and_after() -> None:
    changed = {**GOLD, "rule": {"type": "count", "min": 5}}
    [change] = changes_between(_doc(GOLD), _doc(changed))
    assert (change["kind"], change["id"], change["code"], change["category_code"]) == (
        "status",
        "s1",
        "gold",
        "loyalty",
    )
    assert (change["before"], change["after"]) == (GOLD, changed)


def test_added_removed_and_renamed_objects_each_show_once() -> None:
    silver = {"id": "s2", "code": "silver", "priority": 5}
    changes = changes_between(_doc(GOLD), _doc(silver, name="Treue", language="de"))
    assert [(c["kind"], c["code"], c["before"] is None, c["after"] is None) for c in changes] == [
        ("tenant", None, False, False),
        ("category", "loyalty", False, False),
        ("status", "silver", True, False),
        ("status", "gold", False, True),
    ]
    assert changes[1]["before"] == {"id": "c1", "code": "loyalty", "name": "Loyalty"}


def test_the_first_version_adds_everything() -> None:
    changes = changes_between(None, _doc(GOLD))
    assert [c["kind"] for c in changes] == ["tenant", "category", "status"]
    assert all(c["before"] is None for c in changes)
