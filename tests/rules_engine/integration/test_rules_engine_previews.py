"""The exact preview of a configuration change (SPEC 1.9) on the real stack: every customer is
evaluated against the stored facts under the proposal and on a later day, and nothing changes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from rules_support import (
    TODAY,
    Assignment,
    config,
    evaluation,
    event,
    new_tenant,
    status,
    token,
    until,
)

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
    held = {"c-1": "bronze", "c-2": "silver", "c-3": "gold"}
    for customer, code in held.items():
        await assignment.apply(customer, "loyalty", code)
    for customer, code in held.items():  # consumed: nothing is left in flight to the engine
        await until(
            lambda a, c=code: evaluation(a, "loyalty")["current"] == c, assignment, customer
        )
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


async def _rows(pg_pool: asyncpg.Pool, schema: str, tenant: str) -> dict[str, tuple[int, str]]:
    """Per table of the engine's schema, the count and an md5 of every row of the tenant (by
    its `tenant` column or its Kafka key; the whole table for one without either): the module's
    engine consumes the shared topics, so other tenants' rows may come and go meanwhile."""
    found: dict[str, tuple[int, str]] = {}
    tables = await pg_pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    for t in tables:
        name = t["tablename"]
        columns = {
            r["column_name"]
            for r in await pg_pool.fetch(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = $1 AND table_name = $2",
                schema,
                name,
            )
        }
        where, args = "", []
        if "tenant" in columns:
            where, args = " WHERE tenant = $1", [tenant]
        elif "key" in columns:
            where, args = " WHERE key LIKE $1", [f"{tenant}:%".encode()]
        row = await pg_pool.fetchrow(
            f"SELECT count(*) AS n, coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')"
            f" AS digest FROM {schema}.{name} r{where}",
            *args,
        )
        found[name] = (row["n"], row["digest"])
    return found


def _moves(found: list[dict[str, Any]]) -> set[tuple[str, str | None, str | None, int]]:
    return {(m["category_code"], m["from"], m["to"], m["customers"]) for m in found}


async def test_a_lower_threshold_is_previewed_exactly_and_changes_nothing(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, pg_pool: asyncpg.Pool
) -> None:
    tenant = await _tenant_with_tiers(engine, publish, outputs)
    schema = await _schema_of(pg_pool, tenant)
    before = await _rows(pg_pool, schema, tenant)
    proposals = len(outputs.of(topics.PROPOSALS, tenant))

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
    after = await _rows(pg_pool, schema, tenant)
    assert after == before
    assert before["activity"][0] == sum(BOOKINGS.values())  # it saw the tenant's rows


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


async def test_the_preview_matches_customer_by_customer_what_the_real_change_then_does(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    """SPEC 1.9 must-show: gold raised from 4 to 5 reservations, previewed, then published for
    real; the re-evaluation job proposes exactly the moves the preview named, customer by
    customer (and no other)."""
    tenant = new_tenant()
    silver = status("silver", 10, rule=CountRule(metric="reservations", min=2, window_days=365))
    bookings = {"p-1": 1, "p-2": 2, "p-3": 3, "p-4": 4, "p-5": 4, "p-6": 5, "p-7": 6}

    def gold(minimum: int) -> Any:
        rule = CountRule(metric="reservations", min=minimum, window_days=365)
        return status("gold", 20, rule=rule)

    bronze = status("bronze", 0, default=True)
    await publish(topics.CONFIG, config(tenant, "loyalty", bronze, silver, gold(4)))
    assignment = Assignment(publish, engine, tenant)
    for customer, count in bookings.items():
        for n in range(count):
            booked = ReservationBooked(
                reservation_id=f"{customer}-r{n}", arrival_date=TODAY - timedelta(days=10 + n)
            )
            await publish(topics.BOOKINGS_RESERVATIONS, event(booked, tenant, customer))
    held = {c: "gold" if n >= 4 else "silver" if n >= 2 else "bronze" for c, n in bookings.items()}
    for customer, count in bookings.items():
        await until(
            lambda a, c=count: a.get("facts", {}).get("reservations") == c, assignment, customer
        )
        await assignment.apply(customer, "loyalty", held[customer])
    for customer, code in held.items():
        await until(
            lambda a, c=code: evaluation(a, "loyalty")["current"] == c, assignment, customer
        )

    raised = {"type": "count", "metric": "reservations", "min": 5, "window_days": 365}
    reply = await engine.post(
        "/v1/previews",
        json={
            "rule": {"category_code": "loyalty", "status_code": "gold", "rule": raised},
            "sample": 200,
        },
        headers=token(tenant),
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    previewed = {(m["customer_id"], m["from"], m["to"]) for m in body["sample"]}
    assert previewed == {("p-4", "gold", "silver"), ("p-5", "gold", "silver")}
    assert body["moved_customers"] == len(previewed)

    seen = len(outputs.of(topics.PROPOSALS, tenant))
    await publish(topics.CONFIG, config(tenant, "loyalty", bronze, silver, gold(5), version=2))
    await outputs.wait(topics.PROPOSALS, tenant, seen + len(previewed))
    await asyncio.sleep(1)  # a proposal the preview did not name would have arrived by now
    proposed = {
        (e.subject, held[e.subject], e.data.status_code)
        for e in outputs.of(topics.PROPOSALS, tenant)[seen:]
    }
    assert proposed == previewed


async def test_a_preview_split_over_two_processes_answers_as_one_process_does(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, pg_pool: asyncpg.Pool, stack: Any
) -> None:
    """A large tenant's preview is split over processes that read one exported snapshot
    (`Parallel`); forced here on a small tenant (`split_at=1`), it answers exactly what one
    process answers, sample included."""
    from datetime import UTC, datetime

    from cstatus.rules_engine.service.preview import Parallel, preview

    tenant = await _tenant_with_tiers(engine, publish, outputs)
    schema = await _schema_of(pg_pool, tenant)
    rule = {"type": "count", "metric": "reservations", "min": 3, "window_days": 365}
    proposal = {"category_code": "loyalty", "status_code": "gold", "rule": rule}
    now = datetime.now(UTC)

    async def answer(parallel: Parallel | None) -> Any:
        async with pg_pool.acquire() as conn:
            await conn.execute(f"SET search_path TO {schema}, public")
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                found = await preview(
                    conn, tenant, as_of=now.date(), now=now, rule=proposal, parallel=parallel
                )
            await conn.execute("RESET search_path")
        return found.tally

    one = await answer(None)
    two = await answer(Parallel(stack.pg_dsn, schema, processes=2, split_at=1))
    assert one.customers == two.customers == len(BOOKINGS)
    assert (one.moves, one.anyway, one.restrictions) == (two.moves, two.anyway, two.restrictions)
    assert one.sample == two.sample
    assert one.moves  # it moved someone: the comparison is not of two empty answers
