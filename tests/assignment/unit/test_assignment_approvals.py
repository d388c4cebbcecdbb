"""Four eyes (SPEC 1.8) as pure functions: which change waits, and who may decide it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cstatus.assignment.domain.approvals import (
    APPROVAL_TTL,
    approval_request,
    approved_change,
    decided,
    may_decide,
)
from cstatus.assignment.domain.catalogue import Catalogue, Category, Status
from cstatus.assignment.domain.decisions import Applied, Pending, Refused, Unchanged
from cstatus.assignment.domain.guards import decide
from cstatus.assignment.domain.holding import ChangeRequest, Holding

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)

LIFECYCLE = Category(
    "lifecycle",
    "automatic",
    manual_override_allowed=True,
    reason_required=True,
    statuses={
        s.code: s
        for s in (
            Status("active", "Active", system_state="active", is_default=True),
            Status("deleted", "Deleted", system_state="deleted", requires_approval=True),
            Status("fraud_suspected", "Suspected", system_state="fraud_suspected"),
            Status(
                "fraud_confirmed",
                "Confirmed",
                system_state="fraud_confirmed",
                requires_approval=True,
            ),
        )
    },
)
CATALOGUE = Catalogue(version=1, categories={"lifecycle": LIFECYCLE})


def _held(code: str) -> Holding:
    return Holding("lifecycle", code, "system", NOW, "x", NOW, 1, system_state=code)


def _ask(code: str, **kw: object) -> ChangeRequest:
    fields: dict[str, object] = {"source": "manual", "actor": "ann", "reason": "why", **kw}
    return ChangeRequest("r-1", "lifecycle", code, **fields)  # type: ignore[arg-type]


def test_a_persons_change_into_such_a_status_waits() -> None:
    assert decide(CATALOGUE, _held("active"), _ask("deleted"), NOW) == Pending()


def test_an_approved_change_applies_naming_the_requester() -> None:
    decision = decide(CATALOGUE, _held("active"), _ask("deleted", approved_by="bob"), NOW)
    assert isinstance(decision, Applied)
    assert (decision.holding.status_code, decision.holding.updated_by) == ("deleted", "ann")


def test_the_guards_refuse_before_anything_waits() -> None:
    refused = decide(CATALOGUE, _held("active"), _ask("fraud_confirmed"), NOW)
    assert isinstance(refused, Refused) and refused.code == "fraud_confirmed_requires_suspected"
    no_reason = decide(CATALOGUE, _held("active"), _ask("deleted", reason=None), NOW)
    assert isinstance(no_reason, Refused) and no_reason.code == "reason_required"
    assert decide(CATALOGUE, _held("fraud_suspected"), _ask("fraud_confirmed"), NOW) == Pending()


def test_automation_staying_and_other_statuses_need_no_approval() -> None:
    automatic = _ask("deleted", source="automatic", reason=None)
    assert isinstance(decide(CATALOGUE, _held("active"), automatic, NOW), Applied)
    staying = _ask("deleted", pin=False)
    assert isinstance(decide(CATALOGUE, _held("deleted"), staying, NOW), Unchanged)
    pinning = decide(CATALOGUE, _held("deleted"), _ask("deleted"), NOW)  # no move: only a pin
    assert isinstance(pinning, Applied) and pinning.holding.pinned
    assert isinstance(decide(CATALOGUE, _held("fraud_suspected"), _ask("active"), NOW), Applied)


def test_only_another_person_decides_while_it_is_pending_and_young() -> None:
    request = approval_request(_ask("deleted"), "t", "c-1", "a1", NOW, APPROVAL_TTL)
    assert request.expires_at == NOW + timedelta(days=7)
    assert may_decide(request, "bob", NOW) is None
    own = may_decide(request, "ann", NOW)
    assert own is not None and own.code == "self_approval"
    old = may_decide(request, "bob", NOW + APPROVAL_TTL)
    assert old is not None and old.code == "approval_expired"
    assert request.state_at(NOW + APPROVAL_TTL) == "expired"
    done = decided(request, "rejected", "bob", NOW, reason="no")
    again = may_decide(done, "carl", NOW)
    assert again is not None and again.code == "approval_not_pending"


def test_the_approved_change_is_the_requesters_with_the_approver_beside() -> None:
    request = approval_request(_ask("deleted", pin=False), "t", "c-1", "a1", NOW, APPROVAL_TTL)
    change = approved_change(request, "bob")
    assert (change.actor, change.approved_by, change.reason, change.pin) == (
        "ann",
        "bob",
        "why",
        False,
    )
    assert change.ref_id == "approval/a1"
    assert replace(change, approved_by=None) != change
