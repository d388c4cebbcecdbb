"""A sweep tenant's data generated straight into the rules engine's schema (`rules`) with COPY:
customers, their reservations (activity), and the holdings the engine's own evaluation gives as of
day D, with D recorded as the tenant's last sweep — so the next sweep (as of D+1) is the daily one.

Every customer has booked (relationship client), none transacts (lifecycle active); loyalty counts
the reservations arrived in the last year. Arrivals spread over five years and the next half year,
so one day moves a few thousand reservations into or out of a window, and a few percent of the
customers change level over a month.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg

from bench.system import GOLD_MIN, LOYALTY_WINDOW_DAYS, SILVER_MIN

__all__ = ["Generated", "delete_tenant", "find_unswept", "generate"]

HISTORY_DAYS = 5 * 365
FUTURE_DAYS = 180
CHUNK = 50_000
"""Customers per COPY round."""


@dataclass(frozen=True, slots=True)
class Generated:
    tenant: str
    day: date
    customers: int
    reservations: int
    expected_daily_changes: int
    """Customers whose loyalty level as of D+1 differs from D (what the daily sweep must propose)."""
    seconds: float


def loyalty(arrivals: list[date], today: date) -> str:
    first = today - timedelta(days=LOYALTY_WINDOW_DAYS)
    held = sum(1 for a in arrivals if first <= a <= today)
    return "gold" if held >= GOLD_MIN else "silver" if held >= SILVER_MIN else "basic"


def _counts(customers: int, reservations: int, rng: random.Random) -> Iterator[int]:
    """Reservations per customer: at least one, the exact total, spread around the mean."""
    base, extra = divmod(reservations, customers)
    spread = max(0, base - 1)
    for pair in range(0, customers, 2):
        shift = rng.randint(-spread, spread)
        first = base + shift + (1 if pair < extra else 0)
        second = base - shift + (1 if pair + 1 < extra else 0)
        yield first
        if pair + 1 < customers:
            yield second


async def generate(
    conn: asyncpg.Connection, tenant: str, day: date, customers: int, reservations: int
) -> Generated:
    rng = random.Random(1234)
    started = time.monotonic()
    midnight = datetime.combine(day, datetime.min.time(), UTC)
    seen = datetime.now(UTC)
    written = changes = index = 0
    counts = _counts(customers, reservations, rng)
    while index < customers:
        activity: list[tuple[object, ...]] = []
        known: list[tuple[object, ...]] = []
        holdings: list[tuple[object, ...]] = []
        for _ in range(min(CHUNK, customers - index)):
            customer = f"s{index:08d}"
            index += 1
            arrivals = [
                day + timedelta(days=rng.randint(-HISTORY_DAYS, FUTURE_DAYS))
                for _ in range(next(counts))
            ]
            for n, arrival in enumerate(arrivals):
                booked = min(arrival, day) - timedelta(days=rng.randint(1, 60))
                at = midnight - (day - booked) + timedelta(seconds=rng.randint(0, 86_399))
                ref = f"{customer}-r{n}"
                activity.append(
                    (tenant, customer, ref, "reservation.booked", at, ref, None, None, arrival)
                )
            level = loyalty(arrivals, day)
            changes += level != loyalty(arrivals, day + timedelta(days=1))
            known.append((tenant, customer, seen))
            holdings += [
                (tenant, customer, "relationship", "client", None, False, None, 2),
                (tenant, customer, "lifecycle", "active", "active", False, None, 1),
                (tenant, customer, "loyalty", level, None, False, None, 1),
            ]
        await _copy(conn, activity, known, holdings)
        written += len(activity)
        rate = index / max(1e-9, time.monotonic() - started)
        print(
            f"    generated {index:,}/{customers:,} customers, {written:,} reservations"
            f" ({rate:,.0f} customers/s)",
            flush=True,
        )
    await conn.execute(
        "INSERT INTO rules.sweeps (tenant, last_as_of) VALUES ($1, $2)"
        " ON CONFLICT (tenant) DO UPDATE SET last_as_of = excluded.last_as_of",
        tenant,
        day,
    )
    for table in ("activity", "customers", "holdings"):
        await conn.execute(f"ANALYZE rules.{table}")
    return Generated(tenant, day, customers, written, changes, time.monotonic() - started)


async def _copy(
    conn: asyncpg.Connection,
    activity: list[tuple[object, ...]],
    known: list[tuple[object, ...]],
    holdings: list[tuple[object, ...]],
) -> None:
    async with conn.transaction():
        await conn.copy_records_to_table(
            "activity",
            schema_name="rules",
            records=activity,
            columns=[
                "tenant", "customer", "event_id", "type", "time", "ref", "amount", "points",
                "arrival_date",
            ],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "customers",
            schema_name="rules",
            records=known,
            columns=["tenant", "customer", "first_seen"],
        )
        await conn.copy_records_to_table(
            "holdings",
            schema_name="rules",
            records=holdings,
            columns=[
                "tenant", "customer", "category", "status_code", "system_state", "pinned",
                "pinned_until", "sequence",
            ],
        )  # fmt: skip


async def find_unswept(
    conn: asyncpg.Connection, day: date, customers: int, reservations: int
) -> Generated | None:
    """A sweep tenant generated earlier today at these sizes and never swept since (a run that
    stopped before its sweeps): still consistent as of `day`, so it can be swept instead of
    generating another. Its expected daily changes are counted in SQL."""
    tenant: str | None = await conn.fetchval(
        "SELECT s.tenant FROM rules.sweeps s WHERE s.tenant LIKE 'bench-sweep-%'"
        " AND s.last_as_of = $1 AND NOT EXISTS"
        " (SELECT 1 FROM rules.outstanding o WHERE o.tenant = s.tenant)"
        " AND (SELECT count(*) FROM rules.customers c WHERE c.tenant = s.tenant) = $2"
        " AND (SELECT count(*) FROM rules.activity a WHERE a.tenant = s.tenant) = $3"
        " ORDER BY s.swept_at DESC LIMIT 1",
        day,
        customers,
        reservations,
    )
    if tenant is None:
        return None

    def level(column: str) -> str:
        return f"CASE WHEN {column} >= {GOLD_MIN} THEN 2 WHEN {column} >= {SILVER_MIN} THEN 1 END"

    changes = await conn.fetchval(
        "SELECT count(*) FROM (SELECT customer,"
        " count(*) FILTER (WHERE arrival_date BETWEEN $2::date - $3::int AND $2) AS today,"
        " count(*) FILTER (WHERE arrival_date BETWEEN $2::date + 1 - $3::int AND $2 + 1) AS next"
        " FROM rules.activity WHERE tenant = $1 GROUP BY customer) AS c"
        f" WHERE {level('today')} IS DISTINCT FROM {level('next')}",
        tenant,
        day,
        LOYALTY_WINDOW_DAYS,
    )
    return Generated(tenant, day, customers, reservations, changes, 0.0)


async def delete_tenant(conn: asyncpg.Connection, tenant: str) -> None:
    """Remove every row of the tenant from the rules engine's schema."""
    for table in ("activity", "customers", "holdings", "outstanding", "sweeps", "configs"):
        await conn.execute(f"DELETE FROM rules.{table} WHERE tenant = $1", tenant)
