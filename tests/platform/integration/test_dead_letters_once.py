"""A poison record delivered again after a crash (its offset not yet committed) is dead-lettered
once per consuming group: found by the reliability suite, where kill -9 of a consumer produced
two and three dead letters of the same record."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord

from cstatus.platform.db.migrations import apply_migrations
from cstatus.platform.kafka.dead_letters import DeadLetters

pytestmark = pytest.mark.integration


def _record(offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("pos.transactions.v1", 2, offset, 0, 0, b"t:c", b"{", None, 3, 1, [])


async def test_the_same_record_is_dead_lettered_once_per_group(
    pg_pool: asyncpg.Pool, schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, [])
    first = DeadLetters(group="rules-engine", outbox=(pg_pool, schema))
    after_restart = DeadLetters(group="rules-engine", outbox=(pg_pool, schema))
    other_group = DeadLetters(group="audit", outbox=(pg_pool, schema))
    await first.send(_record(7), ValueError("bad JSON"), tries=1)
    await after_restart.send(_record(7), ValueError("bad JSON"), tries=1)
    await other_group.send(_record(7), ValueError("bad JSON"), tries=1)
    await after_restart.send(_record(8), ValueError("bad JSON"), tries=1)
    rows: list[Any] = await pg_pool.fetch(f"SELECT topic, headers FROM {schema}.outbox ORDER BY id")
    headers = [
        dict(json.loads(r["headers"]) if isinstance(r["headers"], str) else r["headers"])
        for r in rows
    ]
    groups = [h["x-dlq-consumer-group"] for h in headers]
    offsets = [h["x-dlq-original-offset"] for h in headers]
    assert [r["topic"] for r in rows] == ["pos.transactions.v1.dlq"] * 3
    assert list(zip(groups, offsets, strict=True)) == [
        ("rules-engine", "7"),
        ("audit", "7"),
        ("rules-engine", "8"),
    ]
