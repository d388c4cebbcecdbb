"""Inbox: de-duplication of consumed messages by (tenant, event id), inside the work's transaction."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

__all__ = ["claim", "claim_many"]


async def claim_many(
    conn: asyncpg.Connection, schema: str, consumer: str, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Record (tenant, event_id) pairs as processed; return the ones not seen before.

    Call it inside the transaction that does the work: if that transaction rolls back, the claims
    roll back with it and the redelivered messages are processed again.
    """
    pairs = list(dict.fromkeys(keys))
    if not pairs:
        return set()
    rows = await conn.fetch(
        f"INSERT INTO {schema}.inbox (consumer, tenant, event_id)"
        " SELECT $1, t, e FROM unnest($2::text[], $3::text[]) AS u(t, e)"
        " ON CONFLICT DO NOTHING RETURNING tenant, event_id",
        consumer,
        [t for t, _ in pairs],
        [e for _, e in pairs],
    )
    return {(r["tenant"], r["event_id"]) for r in rows}


async def claim(
    conn: asyncpg.Connection, schema: str, consumer: str, tenant: str, event_id: str
) -> bool:
    """Record one message as processed; False when it was processed before."""
    return bool(await claim_many(conn, schema, consumer, [(tenant, event_id)]))
