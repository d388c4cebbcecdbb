"""The activity summary of one customer, read from `activity` and `outliers`; outliers recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cstatus.contracts.outliers import TransactionOutlier
from cstatus.rules_engine.domain.summary import ActivitySummary, FlaggedTransaction, Spend

__all__ = ["Outlier", "activity_summary", "record_outliers"]

OUTLIERS_SHOWN = 50
"""The most recent outlier transactions a summary lists."""


@dataclass(frozen=True, slots=True)
class Outlier:
    tenant: str
    customer: str
    event_id: str
    data: TransactionOutlier
    at: datetime


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


async def activity_summary(conn: asyncpg.Connection, tenant: str, customer: str) -> ActivitySummary:
    """One sale per transaction id (a repeated event counts once), net of its refunds."""
    spend = await conn.fetch(
        "WITH mine AS (SELECT type, ref, amount, points, currency, time FROM activity"
        "  WHERE tenant = $1 AND customer = $2"
        "  AND type IN ('transaction.completed', 'transaction.refunded')),"
        " sales AS (SELECT DISTINCT ON (ref) ref, amount, currency FROM mine"
        "  WHERE type = 'transaction.completed' ORDER BY ref, time),"
        " refunds AS (SELECT ref, sum(amount) AS refunded FROM mine"
        "  WHERE type = 'transaction.refunded' GROUP BY ref)"
        " SELECT s.currency, count(*) AS n, sum(s.amount - coalesce(r.refunded, 0)) AS net"
        " FROM sales s LEFT JOIN refunds r USING (ref) GROUP BY s.currency ORDER BY s.currency",
        tenant,
        customer,
    )
    totals = await conn.fetchrow(
        "SELECT max(time) FILTER (WHERE type IN ('reservation.arrived', 'transaction.completed'))"
        "  AS last_visit,"
        " coalesce((SELECT sum(p) FROM (SELECT DISTINCT ON (ref) points AS p FROM activity"
        "  WHERE tenant = $1 AND customer = $2 AND type = 'transaction.completed'"
        "  ORDER BY ref, time) e), 0) AS earned,"
        " coalesce((SELECT sum(p) FROM (SELECT DISTINCT ON (ref) points AS p FROM activity"
        "  WHERE tenant = $1 AND customer = $2 AND type = 'points.redeemed'"
        "  ORDER BY ref, time) r), 0) AS redeemed"
        " FROM activity WHERE tenant = $1 AND customer = $2",
        tenant,
        customer,
    )
    flagged = await conn.fetch(
        "SELECT transaction_id, reason, status_code, flagged_at FROM outliers"
        " WHERE tenant = $1 AND customer = $2 ORDER BY flagged_at DESC, event_id LIMIT $3",
        tenant,
        customer,
        OUTLIERS_SHOWN,
    )
    assert totals is not None
    return ActivitySummary(
        spend=tuple(Spend(r["currency"], r["n"], r["net"]) for r in spend),
        last_visit=totals["last_visit"],
        points_earned=int(totals["earned"]),
        points_redeemed=int(totals["redeemed"]),
        outliers=tuple(
            FlaggedTransaction(r["transaction_id"], r["reason"], r["status_code"], r["flagged_at"])
            for r in flagged
        ),
    )
