"""The `outliers` table: the outlier transactions flagged, recorded and read per customer."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from cstatus.rules_engine.domain.summary import FlaggedTransaction
from cstatus.rules_engine.service.unit_of_work import Outlier

__all__ = ["load_outliers", "record_outliers"]

OUTLIERS_SHOWN = 50
"""The most recent outlier transactions a summary lists."""


async def record_outliers(conn: asyncpg.Connection, outliers: Sequence[Outlier]) -> None:
    if not outliers:
        return
    await conn.execute(
        "INSERT INTO outliers (tenant, customer, event_id, transaction_id, reason, status_code,"
        " flagged_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
        " $5::text[], $6::text[], $7::timestamptz[]) ON CONFLICT DO NOTHING",
        [o.tenant for o in outliers],
        [o.customer for o in outliers],
        [o.event_id for o in outliers],
        [o.data.transaction_id for o in outliers],
        [o.data.reason for o in outliers],
        [o.data.status_code for o in outliers],
        [o.at for o in outliers],
    )


async def load_outliers(
    conn: asyncpg.Connection, tenant: str, customer: str
) -> list[FlaggedTransaction]:
    """The customer's most recent outlier transactions, newest first."""
    rows = await conn.fetch(
        "SELECT transaction_id, reason, status_code, flagged_at FROM outliers"
        " WHERE tenant = $1 AND customer = $2 ORDER BY flagged_at DESC, event_id LIMIT $3",
        tenant,
        customer,
        OUTLIERS_SHOWN,
    )
    return [
        FlaggedTransaction(r["transaction_id"], r["reason"], r["status_code"], r["flagged_at"])
        for r in rows
    ]
