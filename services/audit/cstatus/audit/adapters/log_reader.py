"""Reading the audit log: filtered, paginated listings, opened with the customers' keys.

Rows are joined with `customer_keys`; a row whose customer was erased reads with its personal
fields as None. Searching by actor compares keyed digests and never matches an erased customer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import asyncpg

from cstatus.audit.adapters.cipher import digest, open_sealed
from cstatus.audit.domain.changes import (
    ChangeFilter,
    LoggedChange,
    LoggedRejection,
    Position,
    ProfileEvent,
    Status,
)

__all__ = ["list_changes", "list_profile_events", "list_rejections"]


def _status(row: Mapping[str, Any], prefix: str) -> Status | None:
    code = row[f"{prefix}_code"]
    if code is None:
        return None
    return Status(code, row[f"{prefix}_name"], row[f"{prefix}_system_state"])


def _open(row: Mapping[str, Any], column: str, field: str) -> str | None:
    key, sealed = row["key"], row[column]
    if key is None or sealed is None:
        return None
    return open_sealed(key, sealed, tenant=row["tenant"], customer=row["customer_id"], field=field)


def _change(row: Mapping[str, Any]) -> LoggedChange:
    return LoggedChange(
        id=row["id"],
        change_id=row["change_id"],
        customer_id=row["customer_id"],
        category_code=row["category_code"],
        sequence=row["sequence"],
        from_=_status(row, "from"),
        to=_status(row, "to"),
        source=row["source"],
        actor=_open(row, "actor_sealed", "actor"),
        reason=_open(row, "reason_sealed", "reason"),
        approved_by=_open(row, "approved_by_sealed", "approved_by"),
        explanation=row["explanation"],
        exclude_from_reports=row["exclude_from_reports"],
        effective_at=row["effective_at"],
        recorded_at=row["recorded_at"],
        personal_data_erased=row["erased_at"] is not None,
    )


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def add(self, clause: str, *values: Any) -> None:
        """`clause` names its parameters `{}`, `{}`, … in the order of `values`."""
        numbers = range(len(self.args) + 1, len(self.args) + len(values) + 1)
        self.clauses.append(clause.format(*(f"${n}" for n in numbers)))
        self.args.extend(values)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "TRUE"


async def list_changes(
    conn: asyncpg.Connection,
    tenant: str,
    *,
    customer: str | None = None,
    where: ChangeFilter = ChangeFilter(),
    after: Position | None = None,
    limit: int | None = None,
    descending: bool = False,
) -> list[LoggedChange]:
    """Changes of a tenant (or one of its customers), ordered by (effective_at, sequence, id)."""
    w = _Where()
    w.add("c.tenant = {}", tenant)
    if customer is not None:
        w.add("c.customer_id = {}", customer)
    if where.category is not None:
        w.add("c.category_code = {}", where.category)
    if where.source is not None:
        w.add("c.source = {}", where.source)
    if where.status is not None:
        w.add("c.to_code = {}", where.status)
    if where.since is not None:
        w.add("c.effective_at >= {}", where.since)
    if where.until is not None:
        w.add("c.effective_at < {}", where.until)
    if not where.include_excluded:
        w.add("NOT c.exclude_from_reports")
    if where.actor is not None:
        secret = await conn.fetchval("SELECT secret FROM tenant_secrets WHERE tenant = $1", tenant)
        if secret is None:
            return []
        w.add("c.actor_digest = {} AND k.key IS NOT NULL", digest(secret, where.actor))
    if after is not None:
        op = "<" if descending else ">"
        w.add(
            f"(c.effective_at, c.sequence, c.id) {op} ({{}}, {{}}, {{}})",
            after.effective_at,
            after.sequence,
            after.id,
        )
    order = "DESC" if descending else "ASC"
    sql = (
        "SELECT c.*, k.key, k.erased_at FROM change_log c LEFT JOIN customer_keys k"
        " ON k.tenant = c.tenant AND k.customer_id = c.customer_id"
        f" WHERE {w.sql()}"
        f" ORDER BY c.effective_at {order}, c.sequence {order}, c.id {order}"
    )
    if limit is not None:
        w.args.append(limit)
        sql += f" LIMIT ${len(w.args)}"
    return [_change(row) for row in await conn.fetch(sql, *w.args)]


async def list_rejections(
    conn: asyncpg.Connection, tenant: str, customer: str
) -> list[LoggedRejection]:
    rows = await conn.fetch(
        "SELECT r.*, k.key, k.erased_at FROM rejection_log r LEFT JOIN customer_keys k"
        " ON k.tenant = r.tenant AND k.customer_id = r.customer_id"
        " WHERE r.tenant = $1 AND r.customer_id = $2 ORDER BY r.occurred_at, r.id",
        tenant,
        customer,
    )
    return [
        LoggedRejection(
            ref_id=r["ref_id"],
            category_code=r["category_code"],
            status_code=r["status_code"],
            reason_code=r["reason_code"],
            message=_open(r, "message_sealed", "message"),
            occurred_at=r["occurred_at"],
            recorded_at=r["recorded_at"],
            personal_data_erased=r["erased_at"] is not None,
        )
        for r in rows
    ]


async def list_profile_events(
    conn: asyncpg.Connection, tenant: str, customer: str
) -> list[ProfileEvent]:
    rows = await conn.fetch(
        "SELECT p.*, k.key FROM profile_log p LEFT JOIN customer_keys k"
        " ON k.tenant = p.tenant AND k.customer_id = p.customer_id"
        " WHERE p.tenant = $1 AND p.customer_id = $2 ORDER BY p.occurred_at, p.id",
        tenant,
        customer,
    )
    events: list[ProfileEvent] = []
    for r in rows:
        opened = _open(r, "data_sealed", "profile")
        data = json.loads(opened) if opened is not None else None
        events.append(ProfileEvent(r["event_id"], r["event_type"], data, r["occurred_at"]))
    return events
