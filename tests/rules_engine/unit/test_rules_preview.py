"""The preview's arithmetic (SPEC 1.9) as pure functions: laying a proposal over a document,
combining restrictions, adding customers up."""

from __future__ import annotations

import pytest

from cstatus.rules_engine.domain.preview import (
    ProposalError,
    Tally,
    combined_restrictions,
    proposed_document,
    status_properties,
)

pytestmark = pytest.mark.unit

DOCUMENT = {
    "default_language": "en",
    "categories": [
        {
            "id": "c1",
            "code": "loyalty",
            "statuses": [
                {"id": "s1", "code": "bronze", "is_default": True},
                {"id": "s2", "code": "gold", "rule": {"type": "count", "min": 4}},
            ],
        }
    ],
}


def test_a_rule_a_status_or_a_category_is_laid_over_a_copy() -> None:
    ruled = proposed_document(
        DOCUMENT, rule={"category_code": "loyalty", "status_code": "gold", "rule": None}
    )
    assert ruled["categories"][0]["statuses"][1]["rule"] is None
    assert DOCUMENT["categories"][0]["statuses"][1]["rule"] == {"type": "count", "min": 4}  # type: ignore[index]
    added = proposed_document(DOCUMENT, status={"category_code": "loyalty", "code": "vip"})
    assert [s["code"] for s in added["categories"][0]["statuses"]] == ["bronze", "gold", "vip"]
    merged = proposed_document(
        DOCUMENT, category={"code": "loyalty", "statuses": [{"code": "gold", "priority": 9}]}
    )
    gold = merged["categories"][0]["statuses"][1]
    assert (gold["priority"], gold["rule"]) == (9, {"type": "count", "min": 4})
    new = proposed_document(DOCUMENT, category={"code": "spend", "statuses": [{"code": "low"}]})
    assert [c["code"] for c in new["categories"]] == ["loyalty", "spend"]
    assert new["categories"][1]["statuses"][0]["id"]


def test_a_proposal_naming_what_is_not_there_is_refused() -> None:
    with pytest.raises(ProposalError) as refused:
        proposed_document(DOCUMENT, rule={"category_code": "loyalty", "status_code": "x"})
    assert refused.value.field == "rule.status_code"
    with pytest.raises(ProposalError):
        proposed_document(DOCUMENT, status={"category_code": "nope", "code": "x"})


def test_restrictions_combine_like_the_assignment_service() -> None:
    properties = {
        ("a", "x"): {"can_redeem": False},
        ("b", "y"): {"must_prepay_online": True},
    }
    combined = combined_restrictions({"a": "x", "b": "y", "c": None}, properties)
    assert (combined["can_redeem"], combined["can_transact"]) == (False, True)
    assert (combined["must_prepay_online"], combined["exclude_from_reports"]) == (True, False)
    assert status_properties(DOCUMENT) == {("loyalty", "bronze"): {}, ("loyalty", "gold"): {}}


def test_the_tally_counts_moves_what_moves_anyway_and_flips() -> None:
    tally = Tally(sample_size=1)
    old = {("loyalty", "gold"): {}}
    new = {("loyalty", "gold"): {"can_redeem": False}}
    tally.add("c-1", {"loyalty": "silver"}, {"loyalty": ("gold", {"rule": "count"})},
              {"loyalty": "silver"}, (old, new))  # fmt: skip
    tally.add("c-2", {"loyalty": "gold"}, {"loyalty": ("gold", {"rule": "count"})},
              {"loyalty": "bronze"}, (old, new))  # fmt: skip
    assert (tally.customers, tally.moved_customers) == (2, 1)
    assert tally.moves == {("loyalty", "silver", "gold"): 1}
    assert tally.anyway == {("loyalty", "gold", "bronze"): 1}
    assert tally.restrictions == {("can_redeem", True, False): 2}
    assert [m.customer for m in tally.sample] == ["c-1"]
