"""Answers are always current (SPEC §1 v2, freshness; the review found restrictions stale for
days): after a change of a status's properties every holder's check flips and a snapshot is
re-published; a new category's default reaches existing customers; a cache entry left behind
by a crash (or restored from an older Redis snapshot) is never served."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import redis.asyncio as aioredis

from cstatus.contracts import topics
from cstatus.contracts.configuration import CategoryConfig, StatusConfig, StatusProperties

pytestmark = pytest.mark.integration


def _tier(can_book_online: bool, *, with_segment: bool = False) -> tuple[CategoryConfig, ...]:
    def status(code: str, **kw: Any) -> StatusConfig:
        return StatusConfig(id=code, code=code, name=code.title(), colour="#336699", **kw)

    tier = CategoryConfig(
        id="c1",
        code="tier",
        name="Tier",
        update_mode="manual",
        statuses=(
            status("basic", is_default=True),
            status("gold", properties=StatusProperties(can_book_online=can_book_online)),
        ),
    )
    segment = CategoryConfig(
        id="c2",
        code="segment",
        name="Segment",
        update_mode="manual",
        statuses=(status("standard", is_default=True),),
    )
    return (tier, segment) if with_segment else (tier,)


async def _check(h: Any, tenant: str, customer: str) -> bool:
    reply = await h.client.post(
        "/v1/checks",
        json={"customer_id": customer, "action": "book_online"},
        headers=h.headers(tenant, "status:system"),
    )
    assert reply.status_code == 200, reply.text
    return bool(reply.json()["allowed"])


async def test_a_property_change_reaches_every_holder_and_their_snapshots(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _tier(True), version=1)
    holders = [f"c-{n}" for n in range(3)]
    for customer in holders:
        reply = await h.client.put(
            f"/v1/customers/{customer}/statuses/tier",
            json={"status_code": "gold"},
            headers=h.headers(tenant, "status:agent"),
        )
        assert reply.status_code == 200, reply.text
        assert await _check(h, tenant, customer) is True
    before = {c: len(h.out(topics.SNAPSHOTS, tenant, c)) for c in holders}

    await h.configure(tenant, _tier(False), version=2)
    stored = time.monotonic()
    for customer in holders:
        assert await _check(h, tenant, customer) is False
    assert time.monotonic() - stored < 1.0

    async def republished() -> bool:
        for customer in holders:
            snapshots = h.out(topics.SNAPSHOTS, tenant, customer)
            if len(snapshots) <= before[customer]:
                return False
            if snapshots[-1].restrictions.can_book_online is not False:
                return False
        return True

    await h.until(republished, wait_s=20)


async def test_a_new_category_default_reaches_existing_customers(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _tier(True), version=1)
    reply = await h.client.put(
        "/v1/customers/c-1/statuses/tier",
        json={"status_code": "gold"},
        headers=h.headers(tenant, "status:agent"),
    )
    assert reply.status_code == 200, reply.text
    await h.configure(tenant, _tier(True, with_segment=True), version=2)
    assert await h.until(lambda: h.status_of(tenant, "c-1", "segment"), wait_s=20) == "standard"
    changes = await h.wait_out(topics.STATUS_CHANGES, tenant, "c-1", 3)
    given = [c for c in changes if c.category_code == "segment"]
    assert [(c.to.code, c.source) for c in given] == [("standard", "system")]


async def test_a_cache_entry_older_than_the_committed_state_is_never_served(
    harness: Any,
) -> None:
    """Stands for kill -9 between the commit and the Redis write, a lost write, or a restore of
    an older Redis snapshot: Redis holds an entry that is no longer true."""
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _tier(False), version=1)
    key = f"cstatus:{h.schema}:restrictions:{tenant}:c-1"
    redis = aioredis.Redis.from_url(h.settings.redis.url)
    try:
        assert await _check(h, tenant, "c-1") is True  # basic: may book online
        reply = await h.client.put(
            "/v1/customers/c-1/statuses/tier",
            json={"status_code": "gold"},
            headers=h.headers(tenant, "status:agent"),
        )
        assert reply.status_code == 200, reply.text
        assert await _check(h, tenant, "c-1") is False
        entry = json.loads(await redis.hget(key, "j"))
        stale = {
            **entry,
            "restrictions": {**entry["restrictions"], "can_book_online": True, "reasons": []},
        }
        # the old answer, as a crash before the write or an older Redis snapshot leaves it
        await redis.hset(
            key,
            mapping={
                "v": entry["version"] - 1,
                "j": json.dumps({**stale, "version": entry["version"] - 1}),
            },
        )
        assert await _check(h, tenant, "c-1") is False
        await redis.hset(key, mapping={"j": json.dumps({**stale, "config_version": 0})})
        assert await _check(h, tenant, "c-1") is False
    finally:
        await redis.aclose()
