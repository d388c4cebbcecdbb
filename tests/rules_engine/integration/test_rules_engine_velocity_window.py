"""Velocity through the Redis window store: a burst trips fraud_suspected through Redis, and the
decision stays right after the tenant's windows vanish mid-burst and with Redis unreachable."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from rules_support import NOW, Assignment, config, event, new_tenant, status, until

from cstatus.contracts import topics
from cstatus.contracts.configuration import VelocityRule
from cstatus.contracts.transactions import TransactionCompleted, TransactionRefunded

pytestmark = pytest.mark.integration

CLOSED_REDIS = "redis://127.0.0.1:1/0"
BURST = 21


async def _configure(publish: Any, engine: httpx.AsyncClient, tenant: str) -> Assignment:
    assignment = Assignment(publish, engine, tenant)
    lifecycle = config(
        tenant,
        "lifecycle",
        status("active", 0, default=True, state="active"),
        status(
            "fraud",
            50,
            rule=VelocityRule(metric="transactions", threshold=20, window_minutes=60),
            sticky=True,
            state="fraud_suspected",
        ),
    )
    await publish(topics.CONFIG, lifecycle)
    await assignment.apply("cust-v", "lifecycle", "active", source="system", state="active")
    return assignment


async def _sales(publish: Any, tenant: str, numbers: range) -> list[str]:
    """Sales of the burst (all within 4 minutes), published newest first: out of order."""
    ids = []
    for i in reversed(numbers):
        sale = TransactionCompleted(
            transaction_id=f"tx-{i}", amount=Decimal("9.90"), currency="EUR"
        )
        sent = event(
            sale, tenant, "cust-v", NOW - timedelta(minutes=30) + timedelta(seconds=10 * i)
        )
        await publish(topics.POS_TRANSACTIONS, sent)
        ids.append(sent.id)
    return ids


async def _keys(redis: aioredis.Redis, tenant: str) -> list[bytes]:
    return [k async for k in redis.scan_iter(match=f"cstatus:rules:{tenant}:*")]


async def _fraud_proposed(outputs: Any, tenant: str, ids: list[str]) -> None:
    _, proposal = await outputs.proposal(tenant, "lifecycle", "fraud")
    assert proposal.subject == "cust-v"
    assert proposal.data.explanation.rule == "velocity"
    assert proposal.data.explanation.value == BURST
    assert sorted(proposal.data.explanation.event_ids) == sorted(ids)
    assert outputs.targets(tenant, "lifecycle") == ["fraud"]


async def test_a_burst_trips_fraud_suspected_through_the_redis_window(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, redis_client: aioredis.Redis
) -> None:
    tenant = new_tenant()
    assignment = await _configure(publish, engine, tenant)
    refund = TransactionRefunded(transaction_id="tx-old", amount=Decimal("5"))
    await publish(topics.POS_TRANSACTIONS, event(refund, tenant, "cust-v"))  # no point of its own
    ids = await _sales(publish, tenant, range(BURST))
    await _fraud_proposed(outputs, tenant, ids)
    await assignment.apply("cust-v", "lifecycle", "fraud", state="fraud_suspected")

    [key] = await _keys(redis_client, tenant)
    assert key.decode().endswith(":60:transactions:cust-v")
    members = await redis_client.zrange(key, 0, -1)
    assert b"#complete" in members
    assert len(members) == BURST + 1
    assert await redis_client.ttl(key) > 0


async def test_windows_vanishing_mid_burst_are_rebuilt_from_the_facts(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, redis_client: aioredis.Redis
) -> None:
    tenant = new_tenant()
    assignment = await _configure(publish, engine, tenant)
    ids = await _sales(publish, tenant, range(12))
    await until(lambda a: a["facts"]["transactions"] == 12, assignment, "cust-v")
    assert await _keys(redis_client, tenant)
    await redis_client.delete(*await _keys(redis_client, tenant))  # the tenant's flush

    ids += await _sales(publish, tenant, range(12, BURST))
    await _fraud_proposed(outputs, tenant, ids)
    [key] = await _keys(redis_client, tenant)
    assert len(await redis_client.zrange(key, 0, -1)) == BURST + 1


async def test_with_redis_unreachable_velocity_is_measured_from_postgresql(
    start_engine: Any, publish: Any, outputs: Any, redis_client: aioredis.Redis
) -> None:
    async with start_engine(CLOSED_REDIS) as engine:
        tenant = new_tenant("re-x-")
        assignment = await _configure(publish, engine, tenant)
        ids = await _sales(publish, tenant, range(BURST - 1))
        await until(lambda a: a["facts"]["transactions"] == BURST - 1, assignment, "cust-v")
        assert outputs.targets(tenant, "lifecycle") == []  # 20 is not more than 20
        ids += await _sales(publish, tenant, range(BURST - 1, BURST))
        await _fraud_proposed(outputs, tenant, ids)
    assert await _keys(redis_client, tenant) == []
