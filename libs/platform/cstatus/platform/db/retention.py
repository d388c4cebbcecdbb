"""Retention of tables that grow with traffic: rows older than a window are pruned, in small
batches (no long locks), by a background task.

The inbox needs its rows no longer than a message can be delivered again (the broker keeps them
7 days by default, `log.retention.hours`); services prune their own tables the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta

import asyncpg

__all__ = ["INBOX", "prune", "prune_inbox", "run_retention"]

log = logging.getLogger(__name__)

INBOX = ("inbox", "received_at")
"""(table, time column) of the platform's inbox."""


async def prune(
    pool: asyncpg.Pool,
    schema: str,
    table: str,
    column: str,
    keep: timedelta,
    *,
    batch: int = 5_000,
) -> int:
    """Delete rows of `schema.table` whose `column` is more than `keep` ago; how many."""
    removed = 0
    while True:
        status = await pool.execute(
            f"DELETE FROM {schema}.{table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM"
            f" {schema}.{table} WHERE {column} < now() - $1::interval LIMIT $2))",
            keep,
            batch,
        )
        count = int(status.split()[-1])
        removed += count
        if count < batch:
            return removed


async def prune_inbox(
    pool: asyncpg.Pool, schema: str, keep: timedelta, *, batch: int = 5_000
) -> int:
    """Delete inbox rows received more than `keep` ago; how many."""
    return await prune(pool, schema, *INBOX, keep, batch=batch)


async def run_retention(
    pool: asyncpg.Pool,
    schema: str,
    keep: Mapping[tuple[str, str], timedelta],
    *,
    every_s: float = 600.0,
) -> None:
    """Until cancelled: every `every_s`, prune each (table, time column) by its window."""
    while True:
        try:
            for (table, column), window in keep.items():
                removed = await prune(pool, schema, table, column, window)
                if removed:
                    log.info(
                        "retention: %d rows of %s.%s older than %s removed",
                        removed,
                        schema,
                        table,
                        window,
                    )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("retention of %s interrupted: %r", schema, error)
        await asyncio.sleep(every_s)
