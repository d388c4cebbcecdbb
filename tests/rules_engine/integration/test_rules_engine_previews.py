"""The exact preview of a configuration change (SPEC 1.9) on the real stack: every customer is
evaluated against the stored facts under the proposal and on a later day, and nothing changes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from rules_support import TODAY, Assignment, config, event, new_tenant, status, token, until

from cstatus.contracts import topics
from cstatus.contracts.configuration import CountRule, StatusProperties
from cstatus.contracts.reservations import ReservationBooked

pytestmark = pytest.mark.integration

BOOKINGS = {"c-1": 1, "c-2": 3, "c-3": 5}


async def _tenant_with_tiers(engine: httpx.AsyncClient, publish: Any, outputs: Any) -> str:
    """bronze (default) / silver (≥ 2 reservations in 365 days) / gold (≥ 4, no redeeming);
    c-1 holds bronze, c-2 silver, c-3 gold."""
    tenant = new_tenant()
    gold = status("gold", 20, rule=CountRule(metric="reservations", min=4, window_days=365))
    gold = gold.model_copy(update={"properties": StatusProperties(can_redeem=False)})
    await publish(
        topics.CONFIG,
        config(
            tenant,
            "loyalty",
            status("bronze", 0, default=True),
            status("silver", 10, rule=CountRule(metric="reservations", min=2, window_days=365)),
            gold,
        ),
    )
    assignment = Assignment(publish, engine, tenant)
    for customer, count in BOOKINGS.items():
        for n in range(count):
            booked = ReservationBooked(
                reservation_id=f"{customer}-r{n}", arrival_date=TODAY - timedelta(days=10 + n)
            )
            await publish(topics.BOOKINGS_RESERVATIONS, event(booked, tenant, customer))
        await until(
            lambda a, c=count: a.get("facts", {}).get("reservations") == c, assignment, customer
        )
    await assignment.apply("c-1", "loyalty", "bronze")
    await assignment.apply("c-2", "loyalty", "silver")
    await assignment.apply("c-3", "loyalty", "gold")
    return tenant


async def _schema_of(pg_pool: asyncpg.Pool, tenant: str) -> str:
    for row in await pg_pool.fetch(
        "SELECT schemaname FROM pg_tables WHERE tablename = 'configs' AND schemaname LIKE 't_rules_%'"
    ):
        schema = row["schemaname"]
        if await pg_pool.fetchval(
            f"SELECT count(*) FROM {schema}.configs WHERE tenant = $1", tenant
        ):
            return str(schema)
    raise AssertionError("no engine schema holds the tenant")


async def _rows(pg_pool: asyncpg.Pool, schema: str) -> dict[str, int]:
    tables = await pg_pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    return {
        t["tablename"]: await pg_pool.fetchval(f"SELECT count(*) FROM {schema}.{t['tablename']}")
        for t in tables
    }


def _moves(found: list[dict[str, Any]]) -> set[tuple[str, str | None, str | None, int]]:
    return {(m["category_code"], m["from"], m["to"], m["customers"]) for m in found}


async def test_a_lower_threshold_is_previewed_exactly_and_changes_nothing(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, pg_pool: asyncpg.Pool
) -> None:
    tenant = await _tenant_with_tiers(engine, publish, outputs)
    schema = await _schema_of(pg_pool, tenant)
    before, proposals = await _rows(pg_pool, schema), len(outputs.of(topics.PROPOSALS, tenant))

    reply = await engine.post(
        "/v1/previews",
        json={
            "rule": {
                "category_code": "loyalty",
                "status_code": "gold",
                "rule": {"type": "count", "metric": "reservations", "min": 3, "window_days": 365},
            },
            "sample": 5,
        },
        headers=token(tenant),
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["customers"], body["moved_customers"]) == (3, 1)
    assert _moves(body["moves"]) == {("loyalty", "silver", "gold", 1)}
    assert body["anyway"] == []  # the current rules move nobody today
    assert [
        (r["restriction"], r["from"], r["to"], r["customers"]) for r in body["restrictions"]
    ] == [("can_redeem", True, False, 1)]
    [sample] = body["sample"]
    assert (sample["customer_id"], sample["to"]) == ("c-2", "gold")
    assert (sample["explanation"]["rule"], sample["explanation"]["value"]) == ("count", 3)

    # A status change with a property: holders who stay are counted too.
    reply = await engine.post(
        "/v1/previews",
        json={
            "status": {
                "category_code": "loyalty",
                "code": "gold",
                "properties": {"can_redeem": True},
            }
        },
        headers=token(tenant, "status:viewer"),
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["moves"] == []
    assert [(r["restriction"], r["to"], r["customers"]) for r in reply.json()["restrictions"]] == [
        ("can_redeem", True, 1)
    ]

    await asyncio.sleep(1)  # anything it published would have arrived by now
    assert len(outputs.of(topics.PROPOSALS, tenant)) == proposals
    assert await _rows(pg_pool, schema) == before


async def test_who_drops_a_tier_by_a_date_and_bad_proposals(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant = await _tenant_with_tiers(engine, publish, outputs)
    later = TODAY + timedelta(days=360)  # every booking has left the 365-day window by then
    reply = await engine.post("/v1/previews", json={"as_of": str(later)}, headers=token(tenant))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["as_of"] == str(later)
    expected = {("loyalty", "gold", "bronze", 1), ("loyalty", "silver", "bronze", 1)}
    assert _moves(body["moves"]) == _moves(body["anyway"]) == expected

    bad = [
        ({"as_of": str(TODAY - timedelta(days=1))}, 422, "as_of_in_past"),
        (
            {"rule": {"category_code": "nope", "status_code": "gold", "rule": None}},
            422,
            "proposal_invalid",
        ),
        (
            {"status": {"category_code": "loyalty", "code": "gold", "priority": "high"}},
            422,
            "proposal_invalid",
        ),
    ]
    for payload, code, problem in bad:
        answer = await engine.post("/v1/previews", json=payload, headers=token(tenant))
        assert (answer.status_code, answer.json().get("code")) == (code, problem), answer.text
    unknown = await engine.post("/v1/previews", json={}, headers=token(new_tenant()))
    assert (unknown.status_code, unknown.json()["code"]) == (409, "not_configured")
    agent = await engine.post("/v1/previews", json={}, headers=token(tenant, "status:agent"))
    assert agent.status_code == 403
