"""Retention of the inbox: rows older than the broker keeps messages are pruned.

A message can be delivered again only while the broker still holds it (7 days by default,
`log.retention.hours`), so the inbox needs its rows no longer than that. The pruning runs in the
background in small batches, so it never holds long locks.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import asyncpg

__all__ = ["prune_inbox", "run_inbox_retention"]

log = logging.getLogger(__name__)


async def prune_inbox(
    pool: asyncpg.Pool, schema: str, keep: timedelta, *, batch: int = 5_000
) -> int:
    """Delete inbox rows received more than `keep` ago; how many."""
    removed = 0
    while True:
        status = await pool.execute(
            f"DELETE FROM {schema}.inbox WHERE ctid = ANY(ARRAY(SELECT ctid FROM {schema}.inbox"
            " WHERE received_at < now() - $1::interval LIMIT $2))",
            keep,
            batch,
        )
        count = int(status.split()[-1])
        removed += count
        if count < batch:
            return removed


async def run_inbox_retention(
    pool: asyncpg.Pool, schema: str, keep: timedelta, *, every_s: float = 600.0
) -> None:
    """Until cancelled: prune every `every_s`."""
    while True:
        try:
            removed = await prune_inbox(pool, schema, keep)
            if removed:
                log.info(
                    "inbox retention: %d rows of %s older than %s removed", removed, schema, keep
                )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("inbox retention interrupted: %r", error)
        await asyncio.sleep(every_s)
