"""Tables that grow with traffic are pruned by age, in small batches, in the background.

- `applied_refs` (the outcome of each command, proposal and HTTP request, for idempotency) are
  needed while a message can be delivered again (Kafka keeps them 7 days) and while a client
  may retry with its `Idempotency-Key`: `CSTATUS_ASSIGNMENT_REFS_RETENTION_DAYS` (8).
- `status_changes` (this service's own copy of the change log; the audit service keeps the
  permanent one): `CSTATUS_ASSIGNMENT_CHANGES_RETENTION_DAYS` (90).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import asyncpg

__all__ = ["prune", "run_retention"]

log = logging.getLogger(__name__)
_TABLES = (("applied_refs", "created_at"), ("status_changes", "recorded_at"))


async def prune(
    pool: asyncpg.Pool, schema: str, keep: dict[str, timedelta], *, batch: int = 5_000
) -> dict[str, int]:
    """Delete rows older than `keep[table]`; how many per table."""
    removed: dict[str, int] = {}
    for table, column in _TABLES:
        removed[table] = 0
        while True:
            status = await pool.execute(
                f"DELETE FROM {schema}.{table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM"
                f" {schema}.{table} WHERE {column} < now() - $1::interval LIMIT $2))",
                keep[table],
                batch,
            )
            count = int(status.split()[-1])
            removed[table] += count
            if count < batch:
                break
    return removed


async def run_retention(
    pool: asyncpg.Pool, schema: str, keep: dict[str, timedelta], *, every_s: float = 600.0
) -> None:
    """Until cancelled: prune every `every_s`."""
    while True:
        try:
            removed = await prune(pool, schema, keep)
            if any(removed.values()):
                log.info("retention: removed %s", removed)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("retention interrupted: %r", error)
        await asyncio.sleep(every_s)
