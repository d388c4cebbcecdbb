"""Every change delivered is stored exactly once, whatever the duplicates and the order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from cstatus.contracts import WillDowngrade, new_event, topics

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def test_each_change_is_one_row_despite_duplicates_and_reordering(audit: Any) -> None:
    tenant, customer = audit.new_tenant(), "cust-1"
    day = timedelta(days=1)
    third = await audit.change(
        tenant, customer, "relationship", 3, "vip", from_="client", at=T0 + 2 * day
    )
    first = await audit.change(tenant, customer, "relationship", 1, "lead", at=T0)
    await audit.change(tenant, customer, "relationship", 2, "client", from_="lead", at=T0 + day)
    await audit.publish("customer-status.changes.v1", first)  # the same envelope again
    # the same change re-published under a new envelope id
    await audit.change(
        tenant,
        customer,
        "relationship",
        3,
        "vip",
        from_="client",
        at=T0 + 2 * day,
        change_id=third.data.change_id,
    )
    await audit.change(tenant, "cust-2", "relationship", 1, "lead", at=T0)

    await audit.rows_reach(tenant, 4)
    await audit.publish("customer-status.changes.v1", third)
    sentinel = await audit.change(tenant, "cust-3", "relationship", 1, "lead", at=T0)
    await audit.rows_reach(tenant, 5)  # everything sent before the sentinel has been consumed

    rows = await audit.rows(tenant)
    assert sorted((r["customer_id"], r["sequence"]) for r in rows) == [
        ("cust-1", 1),
        ("cust-1", 2),
        ("cust-1", 3),
        ("cust-2", 1),
        ("cust-3", 1),
    ]
    assert len({r["change_id"] for r in rows}) == 5
    assert sentinel.data.change_id in {r["change_id"] for r in rows}

    history = await audit.get(
        tenant, f"/v1/customers/{customer}/history", order="asc", category="relationship"
    )
    assert [(c["sequence"], c["to"]["code"]) for c in history["items"]] == [
        (1, "lead"),
        (2, "client"),
        (3, "vip"),
    ]
    assert history["items"][1]["from"]["code"] == "lead"


async def test_rejections_are_kept_once(audit: Any) -> None:
    tenant, customer = audit.new_tenant(), "cust-r"
    await audit.reject(tenant, customer, "cmd-1", "customer is deleted")
    await audit.reject(tenant, customer, "cmd-1", "customer is deleted")  # re-published
    await audit.reject(tenant, customer, "cmd-2", "customer is deleted")
    await audit.rows_reach(tenant, 2, "rejection_log")
    await audit.change(tenant, customer, "lifecycle", 1, "active", at=T0)
    await audit.rows_reach(tenant, 1)

    assert [r["ref_id"] for r in await audit.rows(tenant, "rejection_log")] == ["cmd-1", "cmd-2"]
    export = await audit.get(tenant, f"/v1/customers/{customer}/export")
    assert [(r["ref_id"], r["reason_code"], r["message"]) for r in export["rejections"]] == [
        ("cmd-1", "terminal", "customer is deleted"),
        ("cmd-2", "terminal", "customer is deleted"),
    ]


async def test_the_log_refuses_update_delete_and_truncate(audit: Any) -> None:
    tenant = audit.new_tenant()
    await audit.change(tenant, "cust-1", "relationship", 1, "lead", at=T0)
    await audit.rows_reach(tenant, 1)
    table = f"{audit.schema}.change_log"
    for statement in (
        f"UPDATE {table} SET to_code = 'vip' WHERE tenant = $1",
        f"DELETE FROM {table} WHERE tenant = $1",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await audit.pg.execute(statement, tenant)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await audit.pg.execute(f"TRUNCATE {table}")
    # The owner cannot hand itself the privileges back and slip past the trigger either.
    async with audit.pg.acquire() as conn, conn.transaction():
        await conn.execute(f"GRANT UPDATE ON {table} TO CURRENT_USER")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(f"UPDATE {table} SET to_code = 'vip' WHERE tenant = $1", tenant)
    assert [r["to_code"] for r in await audit.rows(tenant)] == ["lead"]


async def test_a_warning_ahead_of_a_move_down_is_no_change_and_leaves_no_trace(
    audit: Any,
) -> None:
    """SPEC 1.7: the rules engine's `customer_status.will_downgrade` travels on the changes
    topic; nothing has changed, so the audit log records nothing for it (not even a key for a
    customer it has never seen) and does not dead-letter it."""
    tenant = audit.new_tenant()
    warning = WillDowngrade(
        warning_id="w-1",
        category_code="loyalty",
        status_code="gold",
        to_status_code="silver",
        on=date(2027, 3, 1),
        keep={"status_code": "gold", "rule": "count", "needs": 2, "by": "2027-02-28"},
        warn_days=7,
    )
    await audit.publish(
        topics.STATUS_CHANGES,
        new_event(
            warning, id="w-1", source="rules-engine", tenant=tenant, subject="cust-w", time=T0
        ),
    )
    await audit.change(tenant, "cust-s", "relationship", 1, "lead", at=T0)
    await audit.rows_reach(tenant, 1)  # the sentinel, consumed after the warning
    assert [r["customer_id"] for r in await audit.rows(tenant)] == ["cust-s"]
    keys = await audit.pg.fetch(
        f"SELECT customer_id FROM {audit.schema}.customer_keys WHERE tenant = $1", tenant
    )
    assert [k["customer_id"] for k in keys] == ["cust-s"]
