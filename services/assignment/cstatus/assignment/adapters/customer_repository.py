"""Reading one customer's rows in schema `assignment`: directory entry, holdings, appointments.

Changes are written a batch at a time by `customer_rows.CustomerRows`, under the customers' locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from cstatus.assignment.domain.holding import Holding

__all__ = [
    "HOLDING_COLUMNS",
    "CustomerRepository",
    "Profile",
    "holding_from_row",
    "profile_from_row",
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
)


@dataclass(frozen=True, slots=True)
class Profile:
    customer_id: str
    customer_number: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    active: bool
    marketing_opt_in: bool | None
    tags: tuple[str, ...] | None
    version: int
    erased: bool = False


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
    )


class CustomerRepository:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def profile(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> Profile | None:
        row = await conn.fetchrow(
            f"SELECT * FROM {self.schema}.customers WHERE tenant = $1 AND customer_id = $2",
            tenant,
            customer,
        )
        return profile_from_row(row) if row else None

    async def holdings(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> dict[str, Holding]:
        rows = await conn.fetch(
            f"SELECT {', '.join(HOLDING_COLUMNS)} FROM {self.schema}.statuses"
            " WHERE tenant = $1 AND customer_id = $2",
            tenant,
            customer,
        )
        return {r["category_code"]: holding_from_row(r) for r in rows}

    async def appointments(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str, since: date
    ) -> list[date]:
        rows = await conn.fetch(
            f"SELECT arrival_date FROM {self.schema}.appointments WHERE tenant = $1"
            " AND customer_id = $2 AND NOT cancelled AND arrival_date >= $3 ORDER BY arrival_date",
            tenant,
            customer,
            since,
        )
        return [r["arrival_date"] for r in rows]

    async def pins_due(
        self, conn: asyncpg.Connection | asyncpg.Pool, now: datetime, limit: int
    ) -> list[tuple[str, str, str]]:
        rows = await conn.fetch(
            f"SELECT tenant, customer_id, category_code FROM {self.schema}.statuses"
            " WHERE pinned AND pinned_until IS NOT NULL AND pinned_until <= $1 LIMIT $2",
            now,
            limit,
        )
        return [(r["tenant"], r["customer_id"], r["category_code"]) for r in rows]
