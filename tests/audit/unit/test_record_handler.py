"""audit's handler (`service.record.record_events`) on the in-memory log (issue 17): a batch is
recorded in its order of arrival, an erasure splitting it, in milliseconds."""

from __future__ import annotations

from datetime import date

import pytest
from log_case import AT, change

from cstatus.audit.adapters.memory_log import MemoryAuditLog
from cstatus.audit.service.record import record_events
from cstatus.contracts import (
    CustomerErased,
    StatusRejected,
    WillDowngrade,
    new_event,
)

pytestmark = pytest.mark.unit

TENANT = "au-acme"


def _event(data: object, customer: str, ident: str) -> object:
    return new_event(data, id=ident, source="test", tenant=TENANT, subject=customer, time=AT)  # type: ignore[arg-type]


async def test_an_erasure_splits_the_batch() -> None:
    """What came before the erasure was written with the key and is shredded with it; what
    comes after finds the customer erased; another customer is untouched."""
    log = MemoryAuditLog()
    batch = [
        change(TENANT, "c-1", 1),
        change(TENANT, "c-2", 1),
        _event(CustomerErased(), "c-1", "erase-1"),
        change(TENANT, "c-1", 2),
    ]
    await record_events(log, batch)  # type: ignore[arg-type]
    written = {e.ident: e.personal for e in log.log("change")}
    assert written == {
        "c-1-1": None,
        "c-2-1": {"actor": "agent.maria", "reason": "asked"},
        "c-1-2": None,
    }
    assert log.erasures[TENANT, "c-1"][0] == "erase-1"


async def test_duplicates_are_recorded_once_and_a_warning_not_at_all() -> None:
    log = MemoryAuditLog()
    warning = WillDowngrade(
        warning_id="w-1",
        category_code="loyalty",
        status_code="gold",
        to_status_code="silver",
        on=date(2027, 1, 1),
        keep={},
        warn_days=7,
    )
    rejected = StatusRejected(
        ref_id="cmd-1",
        category_code="lifecycle",
        status_code="active",
        reason_code="terminal",
        message="deleted is terminal",
    )
    batch = [
        change(TENANT, "c-1", 1),
        change(TENANT, "c-1", 1),
        _event(warning, "c-3", "w-1"),
        _event(rejected, "c-1", "rej-1"),
    ]
    await record_events(log, batch)  # type: ignore[arg-type]
    assert [e.ident for e in log.log("change")] == ["c-1-1"]
    assert [e.ident for e in log.log("rejection")] == ["cmd-1/lifecycle"]
    assert (TENANT, "c-3") not in log.keys  # the warning named a customer: no key made
