"""The velocity window store on the real Redis and PostgreSQL: sets are trimmed to the horizon,
only complete sets are trusted, and a batch that could not write to Redis moves its tenant to a
new epoch, so no replica trusts the sets that missed its points."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
import redis.asyncio as aioredis

from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.platform.db.pool import create_pool
from cstatus.platform.settings import PostgresSettings
from cstatus.rules_engine.adapters.velocity_window import RedisVelocityWindow, WindowKey
from cstatus.rules_engine.bootstrap import MIGRATIONS
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.model import Category, Status, VelocityRule
from cstatus.rules_engine.domain.tenant import TenantRules
from cstatus.rules_engine.domain.velocity import points_of
from cstatus.rules_engine.service.velocity import WindowedVelocity

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
RULES = TenantRules(
    1,
    (
        Category(
            "c",
            (Status("calm", is_default=True), Status("fast", 1, rule=VelocityRule("spend", 2, 30))),
        ),
    ),
)


def sale(n: int, at: datetime) -> ActivityEvent:
    return ActivityEvent(f"e{n}", "transaction.completed", at, f"x{n}", Decimal(n))


@pytest.fixture
async def pool(stack: Any, schema: str) -> AsyncIterator[asyncpg.Pool]:
    found = await create_pool(PostgresSettings(dsn=stack.pg_dsn), schema=schema)
    async with found.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
    yield found
    await found.close()


@pytest.fixture
async def windows(stack: Any) -> AsyncIterator[dict[str, RedisVelocityWindow]]:
    """A window store on the real Redis ("up") and one on a closed port ("down")."""
    clients = {
        "up": aioredis.Redis.from_url(stack.redis_url),
        "down": aioredis.Redis.from_url("redis://127.0.0.1:1/0"),
    }
    yield {
        name: RedisVelocityWindow(lambda c=client: c, ttl_s=600, timeout_s=0.5)
        for name, client in clients.items()
    }
    for client in clients.values():
        await client.aclose()


async def test_sets_are_trimmed_and_only_complete_ones_are_trusted(
    windows: dict[str, RedisVelocityWindow], redis_client: aioredis.Redis
) -> None:
    window, tenant = windows["up"], f"re-{uuid.uuid4().hex[:10]}"
    key = WindowKey(tenant, 0, 30, "spend", "c-1")
    try:
        points = [sale(1, NOW - timedelta(minutes=45)), sale(2, NOW)]
        found = await window.add_and_load({key: points_of(points, "spend")}, [key])
        assert found == {key: None}  # not filled from the activity yet
        await window.fill({key: points_of(points[1:], "spend")})
        [kept] = (await window.add_and_load({}, [key]))[key] or []
        assert (kept.event_id, kept.ref, kept.value, kept.time) == ("e2", "x2", Decimal(2), NOW)
        assert 600 < await redis_client.ttl(key.name) <= 1800  # never shorter than the horizon
    finally:
        await redis_client.delete(key.name)


async def test_a_failed_write_moves_the_tenant_to_a_new_epoch(
    windows: dict[str, RedisVelocityWindow], pool: asyncpg.Pool, redis_client: aioredis.Redis
) -> None:
    tenant = f"re-{uuid.uuid4().hex[:10]}"
    up = WindowedVelocity(windows["up"], retry_after_s=0)
    down = WindowedVelocity(windows["down"], retry_after_s=0)
    rules = {tenant: RULES}
    first, second = sale(1, NOW - timedelta(minutes=1)), sale(2, NOW)
    try:
        async with pool.acquire() as conn:
            source = await up.batch(conn, rules, [(tenant, "c-1", first)], [(tenant, "c-1")])
            assert (await source(tenant, RULES, {"c-1": [first]}))["c-1"]["spend"]
            await down.batch(conn, rules, [(tenant, "c-1", second)], [(tenant, "c-1")])
            assert await conn.fetchval("SELECT epoch FROM velocity_epochs") == 1
            source = await up.batch(conn, rules, [], [(tenant, "c-1")])
            answer = await source(tenant, RULES, {"c-1": [first, second]})
        assert [p.event_id for p in answer["c-1"]["spend"]] == ["e1", "e2"]
        keys = sorted([k async for k in redis_client.scan_iter(match=f"cstatus:rules:{tenant}:*")])
        assert [k.decode().split(":")[4] for k in keys] == ["0", "1"]  # epoch 1 refilled
        assert len(await redis_client.zrange(keys[1], 0, -1)) == 3
    finally:
        async for k in redis_client.scan_iter(match=f"cstatus:rules:{tenant}:*"):
            await redis_client.delete(k)
