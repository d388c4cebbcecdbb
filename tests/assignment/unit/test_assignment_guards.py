"""Every guard of SPEC §1 (Assignment), as pure functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cstatus.assignment.domain.catalogue import Catalogue, Category, Status
from cstatus.assignment.domain.decisions import CONFLICT_CODES, Applied, Refused, Unchanged
from cstatus.assignment.domain.guards import decide, default_holding, expire_pin, source_for_roles
from cstatus.assignment.domain.holding import ChangeRequest, Holding

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _category(code: str, mode: Any, *statuses: Status, **kw: Any) -> Category:
    return Category(code, mode, statuses={s.code: s for s in statuses}, **kw)


CATALOGUE = Catalogue(
    version=1,
    categories={
        c.code: c
        for c in (
            _category(
                "relationship",
                "automatic",
                Status("lead", "Lead", is_default=True),
                Status("client", "Client"),
                Status("vip", "VIP"),
                manual_override_allowed=True,
            ),
            _category(
                "lifecycle",
                "automatic",
                Status("active", "Active", system_state="active", is_default=True),
                Status("deleted", "Deleted", system_state="deleted"),
                Status("fraud_suspected", "Suspected", system_state="fraud_suspected", sticky=True),
                Status("fraud_confirmed", "Confirmed", system_state="fraud_confirmed"),
                manual_override_allowed=True,
                reason_required=True,
            ),
            _category("loyalty", "automatic", Status("gold", "Gold"), Status("silver", "Silver")),
            _category(
                "tier",
                "manual",
                Status("basic", "Basic"),
                Status("old", "Old", archived=True),
            ),
            _category("segment", "external", Status("b2b", "B2B"), Status("b2c", "B2C")),
            _category("gone", "manual", Status("x", "X"), archived=True),
        )
    },
)


def _held(category: str, status: str | None, **kw: Any) -> Holding:
    values: dict[str, Any] = {
        "category_code": category,
        "status_code": status,
        "source": "system",
        "since": NOW - timedelta(days=1),
        "updated_by": "assignment",
        "updated_at": NOW - timedelta(days=1),
        "sequence": 1,
    }
    values.update(kw)
    return Holding(**values)


def _ask(category: str, status: str | None, source: Any = "manual", **kw: Any) -> ChangeRequest:
    return ChangeRequest(
        ref_id="r-1", category_code=category, status_code=status, source=source, actor="ann", **kw
    )


def _refusal(decision: Any) -> str:
    assert isinstance(decision, Refused), decision
    return decision.code


def test_the_source_must_fit_the_update_mode() -> None:
    assert isinstance(
        decide(CATALOGUE, None, _ask("relationship", "client", "automatic"), NOW), Applied
    )
    assert _refusal(decide(CATALOGUE, None, _ask("tier", "basic", "automatic"), NOW)) == (
        "source_not_allowed"
    )
    assert _refusal(decide(CATALOGUE, None, _ask("relationship", "vip", "external"), NOW)) == (
        "source_not_allowed"
    )
    assert isinstance(decide(CATALOGUE, None, _ask("segment", "b2b", "external"), NOW), Applied)
    assert isinstance(decide(CATALOGUE, None, _ask("tier", "basic", "manual"), NOW), Applied)
    assert isinstance(decide(CATALOGUE, None, _ask("tier", "basic", "system"), NOW), Applied)


def test_a_manual_change_in_an_automatic_category_needs_override_and_pins() -> None:
    assert _refusal(decide(CATALOGUE, None, _ask("loyalty", "gold"), NOW)) == "override_not_allowed"
    until = NOW + timedelta(days=7)
    decision = decide(
        CATALOGUE, _held("relationship", "lead"), _ask("relationship", "vip", until=until), NOW
    )
    assert isinstance(decision, Applied)
    assert (decision.holding.pinned, decision.holding.pinned_until) == (True, until)
    assert decision.holding.sequence == 2
    assert decision.holding.last_manual_sequence == 2


def test_a_manual_change_in_a_manual_category_does_not_pin() -> None:
    decision = decide(CATALOGUE, None, _ask("tier", "basic"), NOW)
    assert isinstance(decision, Applied) and not decision.holding.pinned
    assert _refusal(
        decide(CATALOGUE, None, _ask("tier", "basic", until=NOW + timedelta(1)), NOW)
    ) == ("until_not_applicable")


def test_until_must_be_in_the_future() -> None:
    ask = _ask("relationship", "vip", until=NOW - timedelta(seconds=1))
    assert _refusal(decide(CATALOGUE, None, ask, NOW)) == "until_in_past"


def test_automation_stays_out_of_a_pinned_category_until_the_pin_ends() -> None:
    pinned = _held("relationship", "vip", pinned=True, pinned_until=NOW + timedelta(hours=1))
    assert (
        _refusal(decide(CATALOGUE, pinned, _ask("relationship", "client", "automatic"), NOW))
        == "pinned"
    )
    forever = replace(pinned, pinned_until=None)
    assert (
        _refusal(decide(CATALOGUE, forever, _ask("relationship", "client", "automatic"), NOW))
        == "pinned"
    )
    later = NOW + timedelta(hours=2)
    decision = decide(CATALOGUE, pinned, _ask("relationship", "client", "automatic"), later)
    assert isinstance(decision, Applied) and not decision.holding.pinned


def test_an_automatic_word_equal_to_the_status_clears_an_expired_pin() -> None:
    expired = _held("relationship", "vip", pinned=True, pinned_until=NOW - timedelta(1))
    decision = decide(CATALOGUE, expired, _ask("relationship", "vip", "automatic"), NOW)
    assert isinstance(decision, Applied) and not decision.holding.pinned
    assert decision.holding.since == expired.since


def test_external_systems_also_respect_a_pin() -> None:
    category = replace(CATALOGUE.categories["segment"], manual_override_allowed=True)
    catalogue = replace(CATALOGUE, categories={**CATALOGUE.categories, "segment": category})
    pinned = _held("segment", "b2b", pinned=True)
    assert _refusal(decide(catalogue, pinned, _ask("segment", "b2c", "external"), NOW)) == "pinned"


def test_deleted_is_terminal_for_everyone() -> None:
    deleted = _held("lifecycle", "deleted")
    for source in ("manual", "automatic", "system"):
        ask = _ask("lifecycle", "active", source, reason="undo")
        assert _refusal(decide(CATALOGUE, deleted, ask, NOW)) == "terminal"
    assert (
        _refusal(decide(CATALOGUE, deleted, _ask("lifecycle", None, reason="x"), NOW)) == "terminal"
    )
    same = decide(CATALOGUE, deleted, _ask("lifecycle", "deleted", "automatic"), NOW)
    assert isinstance(same, Unchanged)


def test_fraud_confirmed_is_reached_only_from_fraud_suspected() -> None:
    ask = _ask("lifecycle", "fraud_confirmed", reason="chargebacks")
    assert _refusal(decide(CATALOGUE, _held("lifecycle", "active"), ask, NOW)) == (
        "fraud_confirmed_requires_suspected"
    )
    assert _refusal(decide(CATALOGUE, None, ask, NOW)) == "fraud_confirmed_requires_suspected"
    suspected = _held("lifecycle", "fraud_suspected")
    assert isinstance(decide(CATALOGUE, suspected, ask, NOW), Applied)


def test_automation_never_moves_a_customer_out_of_a_sticky_status() -> None:
    suspected = _held("lifecycle", "fraud_suspected", source="automatic")
    assert (
        _refusal(decide(CATALOGUE, suspected, _ask("lifecycle", "active", "automatic"), NOW))
        == "sticky"
    )
    by_hand = decide(CATALOGUE, suspected, _ask("lifecycle", "active", reason="cleared"), NOW)
    assert isinstance(by_hand, Applied)


def test_a_reason_is_required_where_the_category_says_so() -> None:
    active = _held("lifecycle", "active")
    assert (
        _refusal(decide(CATALOGUE, active, _ask("lifecycle", "deleted"), NOW)) == "reason_required"
    )
    assert _refusal(decide(CATALOGUE, active, _ask("lifecycle", None), NOW)) == "reason_required"
    with_reason = decide(CATALOGUE, active, _ask("lifecycle", "deleted", reason="asked to"), NOW)
    assert isinstance(with_reason, Applied) and with_reason.holding.reason == "asked to"
    automatic = decide(CATALOGUE, active, _ask("lifecycle", "fraud_suspected", "automatic"), NOW)
    assert isinstance(automatic, Applied)


def test_archived_statuses_take_no_new_holders_and_unknowns_are_refused() -> None:
    assert _refusal(decide(CATALOGUE, None, _ask("tier", "old"), NOW)) == "status_archived"
    holder = _held("tier", "old")
    assert isinstance(decide(CATALOGUE, holder, _ask("tier", "old"), NOW), Unchanged)
    assert _refusal(decide(CATALOGUE, None, _ask("tier", "nope"), NOW)) == "unknown_status"
    assert _refusal(decide(CATALOGUE, None, _ask("nope", "x"), NOW)) == "unknown_category"
    assert _refusal(decide(CATALOGUE, None, _ask("gone", "x"), NOW)) == "category_archived"


def test_a_proposal_computed_before_a_manual_change_is_stale() -> None:
    current = _held("segment", "b2b", sequence=4, last_manual_sequence=4)
    catalogue = replace(
        CATALOGUE,
        categories={
            **CATALOGUE.categories,
            "segment": replace(CATALOGUE.categories["segment"], update_mode="automatic"),
        },
    )
    stale = _ask("segment", "b2c", "automatic", based_on_sequence=3)
    assert _refusal(decide(catalogue, current, stale, NOW)) == "stale_proposal"
    fresh = _ask("segment", "b2c", "automatic", based_on_sequence=4)
    assert isinstance(decide(catalogue, current, fresh, NOW), Applied)


def test_asking_for_what_is_already_held_changes_nothing() -> None:
    client = _held("relationship", "client", source="automatic")
    assert isinstance(
        decide(CATALOGUE, client, _ask("relationship", "client", "automatic"), NOW), Unchanged
    )
    pinned = _held("relationship", "vip", pinned=True)
    assert isinstance(decide(CATALOGUE, pinned, _ask("relationship", "vip"), NOW), Unchanged)
    repinned = decide(CATALOGUE, pinned, _ask("relationship", "vip", until=NOW + timedelta(1)), NOW)
    assert isinstance(repinned, Applied) and repinned.holding.pinned_until == NOW + timedelta(1)


def test_clearing_a_pinned_category_removes_status_and_pin() -> None:
    pinned = _held("relationship", "vip", pinned=True, sequence=3)
    decision = decide(CATALOGUE, pinned, _ask("relationship", None), NOW)
    assert isinstance(decision, Applied)
    assert (decision.holding.status_code, decision.holding.pinned, decision.holding.sequence) == (
        None,
        False,
        4,
    )


def test_a_pin_expires_at_its_until_time() -> None:
    until = NOW + timedelta(minutes=5)
    pinned = _held("relationship", "vip", pinned=True, pinned_until=until, sequence=2)
    assert isinstance(expire_pin(pinned, NOW, actor="assignment"), Unchanged)
    decision = expire_pin(pinned, until, actor="assignment")
    assert isinstance(decision, Applied)
    h = decision.holding
    assert (h.status_code, h.pinned, h.source, h.sequence) == ("vip", False, "system", 3)
    assert isinstance(expire_pin(replace(pinned, pinned_until=None), until, actor="a"), Unchanged)


def test_new_customers_get_the_default_status_of_categories_that_have_one() -> None:
    decision = default_holding(CATALOGUE.categories["relationship"], NOW, actor="a", ref_id="d")
    assert isinstance(decision, Applied)
    assert (decision.holding.status_code, decision.holding.source, decision.holding.sequence) == (
        "lead",
        "system",
        1,
    )
    assert isinstance(
        default_holding(CATALOGUE.categories["loyalty"], NOW, actor="a", ref_id="d"), Unchanged
    )


def test_roles_decide_the_source_and_refusals_map_to_conflicts() -> None:
    assert source_for_roles(["status:agent"]) == "manual"
    assert source_for_roles(["status:system"]) == "external"
    assert source_for_roles(["status:agent", "status:system"]) == "manual"
    assert source_for_roles(["status:viewer", "status:admin"]) is None
    assert {"terminal", "pinned", "fraud_confirmed_requires_suspected"} <= CONFLICT_CODES
    assert "reason_required" not in CONFLICT_CODES
