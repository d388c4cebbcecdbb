"""Assignment's batch (its handler of changes) on the in-memory unit of work (issue 17): the
guards, four eyes, what is published and what a repeated request does — milliseconds, no
PostgreSQL or Kafka. The same twin answers as PostgreSQL does
(`tests/assignment/integration/test_assignment_unit_of_work.py`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cstatus.assignment.adapters.config_store import to_catalogue
from cstatus.assignment.adapters.memory_unit_of_work import InMemoryUnitOfWork
from cstatus.assignment.domain.approvals import approved_change, may_decide
from cstatus.assignment.domain.decisions import Applied, Pending, Refused
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.batch import CustomerBatch
from cstatus.contracts import topics
from cstatus.contracts.configuration import CategoryConfig, StatusConfig, TenantConfiguration
from cstatus.contracts.system_states import meaning

pytestmark = pytest.mark.unit

TENANT = "acme"
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


def _status(code: str, *, default: bool = False, state: Any = None) -> StatusConfig:
    return StatusConfig(
        id=code,
        code=code,
        name=code.title(),
        colour="#336699",
        is_default=default,
        system_state=state,
        sticky=meaning(state).sticky,
        requires_approval=meaning(state).requires_approval,
    )


CONFIG = TenantConfiguration(
    categories=(
        CategoryConfig(
            id="lifecycle",
            code="lifecycle",
            name="Lifecycle",
            update_mode="automatic",
            manual_override_allowed=True,
            statuses=(
                _status("active", default=True, state="active"),
                _status("suspected", state="fraud_suspected"),
                _status("confirmed", state="fraud_confirmed"),
                _status("deleted", state="deleted"),
            ),
        ),
    )
)


def _twin() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(catalogues={TENANT: to_catalogue(CONFIG, 1)})


async def _change(
    uow: InMemoryUnitOfWork, request: ChangeRequest, customer: str = "c-1", at: datetime = NOW
) -> Any:
    batch = CustomerBatch(uow, at, AfterCommit())
    await batch.open([(TENANT, customer)], [(TENANT, request.ref_id)])
    decision = await batch.change(TENANT, customer, request, publish_rejection=True)
    await batch.commit()
    return decision


def _manual(ref: str, status: str, actor: str = "agent.maria") -> ChangeRequest:
    return ChangeRequest(ref, "lifecycle", status, "manual", actor=actor, reason="checked")


def _changes(uow: InMemoryUnitOfWork) -> list[dict[str, Any]]:
    found = []
    for m in uow.published:
        if m.topic == topics.STATUS_CHANGES and m.value is not None:
            found.append(json.loads(m.value)["data"])
    return found


async def test_a_deletion_waits_for_a_second_person_and_names_both() -> None:
    uow = _twin()
    pending = await _change(uow, _manual("h-1", "deleted"))
    assert isinstance(pending, Pending)
    assert [c["to"]["code"] for c in _changes(uow)] == ["active"]  # the default only
    approval = uow.approvals[pending.approval_id]
    assert (approval.requested_by, approval.status_code) == ("agent.maria", "deleted")
    refused = may_decide(approval, "agent.maria", NOW)
    assert isinstance(refused, Refused) and refused.code == "self_approval"
    assert may_decide(approval, "manager.eva", NOW) is None

    applied = await _change(uow, approved_change(approval, "manager.eva"))
    assert isinstance(applied, Applied) and applied.holding.status_code == "deleted"
    last = _changes(uow)[-1]
    assert (last["actor"], last["approved_by"], last["to"]["code"]) == (
        "agent.maria",
        "manager.eva",
        "deleted",
    )


async def test_automation_never_moves_a_customer_out_of_a_sticky_suspicion() -> None:
    uow = _twin()
    proposal = ChangeRequest("p-1", "lifecycle", "suspected", "automatic", actor="rules-engine")
    assert isinstance(await _change(uow, proposal), Applied)
    back = ChangeRequest("p-2", "lifecycle", "active", "automatic", actor="rules-engine")
    refused = await _change(uow, back)
    assert isinstance(refused, Refused) and refused.code == "sticky"
    rejections = [m for m in uow.published if m.topic == topics.REJECTIONS]
    assert len(rejections) == 1  # the proposal's rejection is published
    assert isinstance(await _change(uow, _manual("h-2", "active")), Applied)  # a person may


async def test_fraud_is_confirmed_only_after_a_suspicion_and_deleted_is_terminal() -> None:
    uow = _twin()
    refused = await _change(uow, _manual("h-1", "confirmed"))
    assert isinstance(refused, Refused)
    assert refused.code == "fraud_confirmed_requires_suspected"
    await _change(uow, ChangeRequest("p-1", "lifecycle", "deleted", "system", actor="gdpr"))
    out = await _change(uow, _manual("h-2", "active"))
    assert isinstance(out, Refused) and out.code == "terminal"


async def test_a_repeated_request_is_answered_as_before_and_changes_nothing() -> None:
    uow = _twin()
    first = await _change(uow, _manual("h-1", "suspected"))
    published = len(uow.published)
    again = await _change(uow, _manual("h-1", "suspected"), at=NOW + timedelta(minutes=5))
    assert isinstance(first, Applied) and not isinstance(again, Applied)
    assert len(uow.published) == published
    assert len([c for c in uow.changes if c.holding.status_code == "suspected"]) == 1
