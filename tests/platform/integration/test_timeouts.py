"""A blackholed PostgreSQL or Redis (a partition: connections stay open, nothing answers) fails
calls within their timeouts instead of hanging consumers and checks for minutes (found by the
review; the reliability suite's blackhole faults go through the same proxy)."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlparse

import pytest
from redis.exceptions import TimeoutError as RedisTimeout

from cstatus.driver.faults import FaultProxy, free_port
from cstatus.platform.db.pool import create_pool
from cstatus.platform.kafka.consumer import is_transient
from cstatus.platform.service import connect_redis
from cstatus.platform.settings import PostgresSettings, RedisSettings

pytestmark = pytest.mark.integration


async def test_a_statement_to_a_blackholed_postgres_times_out(stack: Any) -> None:
    target = urlparse(stack.pg_dsn)
    proxy = FaultProxy(free_port(), (target.hostname or "127.0.0.1", target.port or 5432))
    await proxy.start()
    dsn = stack.pg_dsn.replace(f"{target.hostname}:{target.port}", f"127.0.0.1:{proxy.port}")
    pool = await create_pool(
        PostgresSettings(dsn=dsn, command_timeout_s=1.0, pool_min=1, pool_max=1), schema="public"
    )
    try:
        assert await pool.fetchval("SELECT 1") == 1
        proxy.blackhole()
        started = time.monotonic()
        with pytest.raises(TimeoutError) as failed:
            await asyncio.wait_for(pool.fetchval("SELECT 1"), 10)
        assert time.monotonic() - started < 3
        assert is_transient(failed.value)
    finally:
        proxy.heal()
        pool.terminate()
        await proxy.stop()


async def test_a_call_to_a_blackholed_redis_times_out(stack: Any) -> None:
    target = urlparse(stack.redis_url)
    proxy = FaultProxy(free_port(), (target.hostname or "127.0.0.1", target.port or 6379))
    await proxy.start()
    settings = RedisSettings(url=f"redis://127.0.0.1:{proxy.port}/0")
    client = connect_redis(settings)
    try:
        assert await client.ping()
        proxy.blackhole()
        started = time.monotonic()
        with pytest.raises(RedisTimeout):
            await asyncio.wait_for(client.get("k"), 10)
        assert time.monotonic() - started < 2
    finally:
        proxy.heal()
        await client.aclose()
        await proxy.stop()
