"""Handlers of the customer directory and of reservations (appointment counts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from cstatus.assignment.service.assignments import AfterCommit, Assignments

__all__ = ["book", "erase_customer", "update_customer"]

_PROFILE_FIELDS = (
    "customer_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "active",
    "marketing_opt_in",
    "tags",
)


async def update_customer(
    service: Assignments,
    conn: asyncpg.Connection,
    tenant: str,
    customer: str,
    given: dict[str, Any],
    now: datetime,
    after: AfterCommit,
) -> None:
    """Store the profile fields given (absent ones stay); a new customer gets its defaults."""
    state = await service.open(conn, tenant, customer, now, after)
    fields = {k: v for k, v in given.items() if k in _PROFILE_FIELDS}
    if fields.get("active", True) is None:
        del fields["active"]
    if "tags" in fields and fields["tags"] is not None:
        fields["tags"] = list(fields["tags"])
    await service.repo.update_profile(conn, tenant, customer, fields)
    marketing = "marketing_opt_in" in fields and (
        fields["marketing_opt_in"] != state.profile.marketing_opt_in
    )
    if state.changed or marketing:
        await service.close(conn, state, now, after)


async def erase_customer(
    service: Assignments,
    conn: asyncpg.Connection,
    tenant: str,
    customer: str,
    now: datetime,
    after: AfterCommit,
) -> None:
    state = await service.open(conn, tenant, customer, now, after)
    await service.repo.erase(conn, tenant, customer)
    await service.close(conn, state, now, after)


async def book(
    service: Assignments,
    conn: asyncpg.Connection,
    tenant: str,
    customer: str,
    reservation_id: str,
    now: datetime,
    after: AfterCommit,
    *,
    arrival: date | None = None,
    service_code: str | None = None,
    cancelled: bool = False,
) -> None:
    """Record a booking or cancellation; the cached entry gets the new appointment dates."""
    state = await service.open(conn, tenant, customer, now, after)
    await service.repo.book(
        conn,
        tenant,
        customer,
        reservation_id,
        arrival=arrival,
        service_code=service_code,
        cancelled=cancelled,
    )
    await service.close(conn, state, now, after, snapshot=state.changed)
