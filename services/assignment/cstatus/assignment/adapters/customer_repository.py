"""Reading one customer's rows in schema `assignment`: directory entry, holdings, appointments.

Changes are written a batch at a time by `customer_rows.CustomerRows`, under the customers' locks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from cstatus.assignment.domain.holding import Holding
from cstatus.assignment.domain.profile import ProfileFields
from cstatus.assignment.domain.restrictions import Consent

__all__ = [
    "HOLDING_COLUMNS",
    "CustomerRepository",
    "Profile",
    "holding_from_row",
    "profile_from_row",
    "times_json",
]

HOLDING_COLUMNS = (
    "category_code",
    "status_code",
    "source",
    "since",
    "pinned",
    "pinned_until",
    "reason",
    "updated_by",
    "updated_at",
    "sequence",
    "last_manual_sequence",
    "system_state",
)


@dataclass(frozen=True, slots=True)
class Profile(ProfileFields):
    tags: tuple[str, ...] | None
    version: int
    erased: bool = False
    marketing_objected: bool | None = None
    """An explicit objection to marketing (`marketing_opt_in` false is only a withdrawal)."""
    field_times: Mapping[str, datetime] = field(default_factory=dict, compare=False)
    """Per field, the time of the event that set it (the latest by time wins)."""

    @property
    def consent(self) -> Consent:
        return Consent(self.marketing_opt_in, self.marketing_objected)


def holding_from_row(row: asyncpg.Record) -> Holding:
    return Holding(
        category_code=row["category_code"],
        status_code=row["status_code"],
        source=row["source"],
        since=row["since"],
        pinned=row["pinned"],
        pinned_until=row["pinned_until"],
        reason=row["reason"],
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
        sequence=row["sequence"],
        last_manual_sequence=row["last_manual_sequence"],
        system_state=row["system_state"],
    )


def profile_from_row(row: asyncpg.Record) -> Profile:
    return Profile(
        customer_id=row["customer_id"],
        customer_number=row["customer_number"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        active=row["active"],
        marketing_opt_in=row["marketing_opt_in"],
        tags=tuple(row["tags"]) if row["tags"] is not None else None,
        version=row["version"],
        erased=row["erased"],
        marketing_objected=row["marketing_objected"],
        field_times=_times(row.get("field_times")),
    )


def _times(raw: object) -> dict[str, datetime]:
    if not raw:
        return {}
    found = json.loads(raw) if isinstance(raw, str) else raw
    assert isinstance(found, dict)
    return {name: datetime.fromisoformat(at) for name, at in found.items()}


def times_json(times: Mapping[str, datetime]) -> dict[str, str]:
    """The `field_times` column's value (the pool's codec encodes jsonb)."""
    return {name: at.isoformat() for name, at in times.items()}


class CustomerRepository:
    """One customer's rows. The tenant is compared through `(SELECT $1::text)`, a value the
    planner cannot see: given the value of a tenant newer than the tables' statistics (estimated
    at one row), it chose any index that starts with the tenant and filtered the customer, so a
    check's version read went through all of that tenant's customers until the next ANALYZE."""

    async def profile(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> Profile | None:
        row = await conn.fetchrow(
            "SELECT * FROM customers WHERE tenant = (SELECT $1::text) AND customer_id = $2",
            tenant,
            customer,
        )
        return profile_from_row(row) if row else None

    async def versions(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> tuple[int, int]:
        """The committed (customer version, configuration version): what a cached entry must
        carry to be served (-1 for a customer never seen; 0 without a configuration)."""
        row = await conn.fetchrow(
            "SELECT (SELECT version FROM customers"
            "  WHERE tenant = (SELECT $1::text) AND customer_id = $2) AS customer,"
            " (SELECT version FROM tenant_config WHERE tenant = $1) AS config",
            tenant,
            customer,
        )
        assert row is not None
        found = row["customer"]
        return (-1 if found is None else found, row["config"] or 0)

    async def holdings(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> dict[str, Holding]:
        rows = await conn.fetch(
            f"SELECT {', '.join(HOLDING_COLUMNS)} FROM statuses"
            " WHERE tenant = (SELECT $1::text) AND customer_id = $2",
            tenant,
            customer,
        )
        return {r["category_code"]: holding_from_row(r) for r in rows}

    async def appointments(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str, since: date
    ) -> list[date]:
        rows = await conn.fetch(
            "SELECT arrival_date FROM appointments WHERE tenant = (SELECT $1::text)"
            " AND customer_id = $2 AND NOT cancelled AND arrival_date >= $3 ORDER BY arrival_date",
            tenant,
            customer,
            since,
        )
        return [r["arrival_date"] for r in rows]

    async def usual_staff(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> str | None:
        """The staff of the customer's most recent non-cancelled booking that named one."""
        found: str | None = await conn.fetchval(
            "SELECT staff_id FROM appointments WHERE tenant = (SELECT $1::text)"
            " AND customer_id = $2 AND staff_id IS NOT NULL AND NOT cancelled"
            " ORDER BY booked_at DESC LIMIT 1",
            tenant,
            customer,
        )
        return found

    async def pins_due(
        self, conn: asyncpg.Connection | asyncpg.Pool, now: datetime, limit: int
    ) -> list[tuple[str, str, str]]:
        rows = await conn.fetch(
            "SELECT tenant, customer_id, category_code FROM statuses"
            " WHERE pinned AND pinned_until IS NOT NULL AND pinned_until <= $1 LIMIT $2",
            now,
            limit,
        )
        return [(r["tenant"], r["customer_id"], r["category_code"]) for r in rows]
