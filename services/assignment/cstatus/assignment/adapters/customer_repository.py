"""A customer's rows in schema `assignment`: directory entry, holdings, change log, appointments.

Every change of a customer first takes the customer's row lock (`lock`), so a manual and an
automatic change of the same customer are serialised and each sees the other's result.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from cstatus.assignment.domain.holding import Holding

__all__ = ["CustomerRepository", "Profile"]

_HOLDING_COLUMNS = (
    "category_code, status_code, source, since, pinned, pinned_until, reason, updated_by,"
    " updated_at, sequence, last_manual_sequence"
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
    tags: tuple[str, ...]
    version: int


def _holding(row: asyncpg.Record) -> Holding:
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


def _profile(row: asyncpg.Record) -> Profile:
    return Profile(
        customer_id=row["customer_id"],
        customer_number=row["customer_number"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        active=row["active"],
        marketing_opt_in=row["marketing_opt_in"],
        tags=tuple(row["tags"] or ()),
        version=row["version"],
    )


class CustomerRepository:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def lock(
        self, conn: asyncpg.Connection, tenant: str, customer: str
    ) -> tuple[Profile, bool]:
        """Take the customer's row lock, adding it to the directory if unknown (True: it is new)."""
        row = await conn.fetchrow(
            f"INSERT INTO {self.schema}.customers AS c (tenant, customer_id) VALUES ($1, $2)"
            " ON CONFLICT (tenant, customer_id) DO UPDATE SET tenant = c.tenant"
            " RETURNING *, (xmax = 0) AS created",
            tenant,
            customer,
        )
        assert row is not None
        return _profile(row), bool(row["created"])

    async def profile(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> Profile | None:
        row = await conn.fetchrow(
            f"SELECT * FROM {self.schema}.customers WHERE tenant = $1 AND customer_id = $2",
            tenant,
            customer,
        )
        return _profile(row) if row else None

    async def update_profile(
        self, conn: asyncpg.Connection, tenant: str, customer: str, fields: dict[str, Any]
    ) -> None:
        if not fields:
            return
        names = list(fields)
        sets = ", ".join(f"{name} = ${i + 3}" for i, name in enumerate(names))
        await conn.execute(
            f"UPDATE {self.schema}.customers SET {sets}, updated_at = now()"
            " WHERE tenant = $1 AND customer_id = $2",
            tenant,
            customer,
            *[fields[name] for name in names],
        )

    async def erase(self, conn: asyncpg.Connection, tenant: str, customer: str) -> None:
        """Remove personal data; the fact that changes happened stays."""
        await conn.execute(
            f"UPDATE {self.schema}.customers SET customer_number = NULL, first_name = NULL,"
            " last_name = NULL, email = NULL, phone = NULL, tags = NULL, erased = true,"
            " active = false, updated_at = now() WHERE tenant = $1 AND customer_id = $2",
            tenant,
            customer,
        )
        for table in ("statuses", "status_changes"):
            await conn.execute(
                f"UPDATE {self.schema}.{table} SET reason = NULL"
                " WHERE tenant = $1 AND customer_id = $2",
                tenant,
                customer,
            )

    async def bump_version(
        self, conn: asyncpg.Connection, tenant: str, customer: str, appointments_since: date
    ) -> tuple[Profile, list[date]]:
        """The customer's profile with its version one higher, and its appointments from a day on."""
        row = await conn.fetchrow(
            f"UPDATE {self.schema}.customers c SET version = version + 1, updated_at = now()"
            " WHERE tenant = $1 AND customer_id = $2 RETURNING *, ARRAY("
            f"  SELECT arrival_date FROM {self.schema}.appointments a WHERE a.tenant = $1"
            "   AND a.customer_id = $2 AND NOT a.cancelled AND a.arrival_date >= $3"
            "   ORDER BY arrival_date) AS appointment_dates",
            tenant,
            customer,
            appointments_since,
        )
        assert row is not None
        return _profile(row), list(row["appointment_dates"])

    async def holdings(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, customer: str
    ) -> dict[str, Holding]:
        rows = await conn.fetch(
            f"SELECT {_HOLDING_COLUMNS} FROM {self.schema}.statuses"
            " WHERE tenant = $1 AND customer_id = $2",
            tenant,
            customer,
        )
        return {r["category_code"]: _holding(r) for r in rows}

    async def save_changes(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        changes: Sequence[tuple[str, Holding | None, Holding, str]],
    ) -> None:
        """Write each (change id, previous, new holding, ref id): the holding and its log row."""
        await conn.executemany(
            f"WITH saved AS (INSERT INTO {self.schema}.statuses"
            f" (tenant, customer_id, {_HOLDING_COLUMNS})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            " ON CONFLICT (tenant, customer_id, category_code) DO UPDATE SET"
            " status_code = EXCLUDED.status_code, source = EXCLUDED.source,"
            " since = EXCLUDED.since, pinned = EXCLUDED.pinned,"
            " pinned_until = EXCLUDED.pinned_until, reason = EXCLUDED.reason,"
            " updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at,"
            " sequence = EXCLUDED.sequence,"
            " last_manual_sequence = EXCLUDED.last_manual_sequence RETURNING 1)"
            f" INSERT INTO {self.schema}.status_changes (change_id, tenant, customer_id,"
            " category_code, sequence, from_code, to_code, source, actor, reason, ref_id,"
            " effective_at) VALUES ($14, $1, $2, $3, $12, $15, $4, $5, $10, $9, $16, $11)",
            [
                (
                    tenant,
                    customer,
                    h.category_code,
                    h.status_code,
                    h.source,
                    h.since,
                    h.pinned,
                    h.pinned_until,
                    h.reason,
                    h.updated_by,
                    h.updated_at,
                    h.sequence,
                    h.last_manual_sequence,
                    change_id,
                    previous.status_code if previous else None,
                    ref_id,
                )
                for change_id, previous, h, ref_id in changes
            ],
        )

    async def claim_ref(
        self, conn: asyncpg.Connection, tenant: str, ref_id: str, outcome: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Record the outcome of `ref_id`; the earlier outcome if it was judged before, else None."""
        inserted = await conn.fetchval(
            f"INSERT INTO {self.schema}.applied_refs (tenant, ref_id, outcome)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true",
            tenant,
            ref_id,
            outcome,
        )
        if inserted:
            return None
        earlier = await conn.fetchval(
            f"SELECT outcome FROM {self.schema}.applied_refs WHERE tenant = $1 AND ref_id = $2",
            tenant,
            ref_id,
        )
        return earlier if isinstance(earlier, dict) else json.loads(earlier)

    async def book(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        reservation_id: str,
        *,
        arrival: date | None,
        service_code: str | None,
        cancelled: bool,
    ) -> None:
        """Record a booking or a cancellation; a cancellation stays whatever order they arrive in."""
        await conn.execute(
            f"INSERT INTO {self.schema}.appointments AS a (tenant, customer_id, reservation_id,"
            " arrival_date, service_code, cancelled) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (tenant, customer_id, reservation_id) DO UPDATE SET"
            " arrival_date = coalesce(EXCLUDED.arrival_date, a.arrival_date),"
            " service_code = coalesce(EXCLUDED.service_code, a.service_code),"
            " cancelled = a.cancelled OR EXCLUDED.cancelled",
            tenant,
            customer,
            reservation_id,
            arrival,
            service_code,
            cancelled,
        )

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
