"""The service starts and answers `/v1/checks` while Kafka is down, reports not ready, and
attaches its consumers once the broker answers (the review found it could not start at all)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest

from cstatus.assignment.bootstrap import create_app
from cstatus.assignment.settings import AssignmentSettings
from cstatus.driver.faults import FaultProxy, free_port
from cstatus.driver.tokens import bearer
from cstatus.platform.settings import KafkaSettings, PostgresSettings, RedisSettings, TenantScope

pytestmark = pytest.mark.integration


async def test_checks_are_served_while_kafka_is_down_and_consumers_attach_later(
    stack: Any, pg_pool: Any
) -> None:
    host, _, port = stack.kafka_bootstrap.split(",")[0].rpartition(":")
    kafka_port = free_port()  # nothing listens there yet: the broker is "down"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    settings = AssignmentSettings(
        db_schema=schema,
        kafka=KafkaSettings(
            bootstrap=f"127.0.0.1:{kafka_port}",
            group_prefix=f"t{uuid.uuid4().hex}-",
        ),
        tenants=TenantScope(prefix="nk-"),
        postgres=PostgresSettings(dsn=stack.pg_dsn),
        redis=RedisSettings(url=stack.redis_url),
    )
    app = create_app(settings)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    proxy = FaultProxy(kafka_port, (host, int(port)))
    try:
        async with app.router.lifespan_context(app):
            check = await client.post(
                "/v1/checks",
                json={"customer_id": "c-1", "action": "transact"},
                headers=bearer("nk-acme", "status:viewer"),
            )
            assert check.status_code == 200, check.text
            assert check.json()["allowed"] is True
            ready = await client.get("/health/ready")
            assert ready.status_code == 503
            assert "kafka" in ready.text

            await proxy.start()  # the broker is back
            deadline = time.monotonic() + 60
            while (await client.get("/health/ready")).status_code != 200:
                assert time.monotonic() < deadline, (await client.get("/health/ready")).text
                await asyncio.sleep(0.5)
            assert app.state.runtime.kafka_attached
    finally:
        await client.aclose()
        await proxy.stop()
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
