"""Report exclusion is a property of the customer (SPEC §1 v2): while an `internal` status is held
every change of the customer, in every category, is flagged — the review found only the change
into `internal` flagged, so an internal customer's other changes reached the reports."""

from __future__ import annotations

from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.configuration import CategoryConfig, StatusConfig

pytestmark = pytest.mark.integration


def _config() -> tuple[CategoryConfig, ...]:
    def status(code: str, **kw: Any) -> StatusConfig:
        return StatusConfig(id=code, code=code, name=code.title(), colour="#336699", **kw)

    return (
        CategoryConfig(
            id="c1",
            code="lifecycle",
            name="Lifecycle",
            update_mode="manual",
            statuses=(
                status("active", is_default=True, system_state="active"),
                status("internal", system_state="internal"),
            ),
        ),
        CategoryConfig(
            id="c2",
            code="tier",
            name="Tier",
            update_mode="manual",
            statuses=(status("basic", is_default=True), status("gold")),
        ),
    )


async def _put(h: Any, tenant: str, category: str, status: str) -> None:
    reply = await h.client.put(
        f"/v1/customers/c-1/statuses/{category}",
        json={"status_code": status},
        headers=h.headers(tenant, "status:agent"),
    )
    assert reply.status_code == 200, reply.text


async def test_every_change_of_an_internal_customer_is_flagged(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _config(), version=1)
    await _put(h, tenant, "tier", "gold")  # defaults, then gold: not internal yet
    await _put(h, tenant, "lifecycle", "internal")
    await _put(h, tenant, "tier", "basic")
    await _put(h, tenant, "lifecycle", "active")  # the change out of internal still is
    await _put(h, tenant, "tier", "gold")  # no longer internal
    changes = await h.wait_out(topics.STATUS_CHANGES, tenant, "c-1", 7)
    flags = [(c.category_code, c.to.code, c.exclude_from_reports) for c in changes]
    assert flags[2:] == [
        ("tier", "gold", False),
        ("lifecycle", "internal", True),
        ("tier", "basic", True),
        ("lifecycle", "active", True),
        ("tier", "gold", False),
    ]
