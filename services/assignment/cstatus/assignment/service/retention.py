"""What assignment keeps for how long (pruned by the platform's `run_retention`).

- `applied_refs` (the outcome of each command, proposal and HTTP request, for idempotency) are
  needed while a message can be delivered again (Kafka keeps them 7 days) and while a client
  may retry with its `Idempotency-Key`: `CSTATUS_ASSIGNMENT_REFS_RETENTION_DAYS` (8).
- `status_changes` (this service's own copy of the change log; the audit service keeps the
  permanent one): `CSTATUS_ASSIGNMENT_CHANGES_RETENTION_DAYS` (90).
"""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from cstatus.platform.db.retention import prune as prune_table

__all__ = ["TABLES", "prune", "retention_windows"]

TABLES = {"applied_refs": "created_at", "status_changes": "recorded_at"}
"""The tables pruned by age, and the column that dates their rows."""


def retention_windows(refs_days: float, changes_days: float) -> dict[tuple[str, str], timedelta]:
    """(table, time column) → how long its rows are kept."""
    days = {"applied_refs": refs_days, "status_changes": changes_days}
    return {(table, column): timedelta(days=days[table]) for table, column in TABLES.items()}


async def prune(
    pool: asyncpg.Pool, schema: str, keep: dict[str, timedelta], *, batch: int = 5_000
) -> dict[str, int]:
    """Delete rows older than `keep[table]` now; how many per table."""
    return {
        table: await prune_table(pool, schema, table, column, keep[table], batch=batch)
        for table, column in TABLES.items()
    }
