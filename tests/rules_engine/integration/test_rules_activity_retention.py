"""The activity retention prunes only what no rule can see again: for seeded random histories,
every decision of every windowed rule — now and at later days — is the same on what is left as
on the whole history; a tenant with a rule that counts without a window keeps everything."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from prometheus_client import CollectorRegistry
from rules_support import status

from cstatus.contracts.configuration import CategoryConfig, TenantConfiguration
from cstatus.contracts.configuration import CountRule as WireCount
from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.platform.db.pool import create_pool
from cstatus.platform.settings import PostgresSettings
from cstatus.rules_engine.adapters.activity_retention import prune_activity
from cstatus.rules_engine.adapters.activity_store import (
    load_activity,
    record_activity,
    record_customers,
)
from cstatus.rules_engine.adapters.views import store_configs
from cstatus.rules_engine.bootstrap import MIGRATIONS
from cstatus.rules_engine.domain.evaluate import evaluate
from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    Current,
    FirstActivityRule,
    InactivityRule,
    Status,
    VelocityRule,
)
from cstatus.rules_engine.domain.retention import activity_horizon
from cstatus.rules_engine.domain.tenant import TenantRules
from cstatus.rules_engine.domain.velocity import points_by_metric
from cstatus.rules_engine.service.activity_retention import ActivityRetention

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
KINDS = [
    "reservation.booked",
    "reservation.cancelled",
    "reservation.arrived",
    "transaction.completed",
    "transaction.refunded",
    "payment.captured",
    "invoice.issued",
    "points.redeemed",
    "coupon.redeemed",
]
WINDOWED = (
    Category(
        "loyalty",
        (
            Status("basic", is_default=True),
            Status("silver", 1, rule=CountRule("reservations", 2, None, 90)),
            Status("spender", 2, rule=CountRule("spend", 50, None, 30)),
        ),
    ),
    Category("points", (Status("redeemer", 1, rule=CountRule("points_redeemed", 10, None, 60)),)),
    Category(
        "relationship",
        (
            Status("lead", is_default=True),
            Status("client", 1, rule=FirstActivityRule(frozenset(KINDS[:4]))),
            Status("inactive", 2, rule=InactivityRule(45)),
        ),
    ),
    Category("lifecycle", (Status("fraud", 1, rule=VelocityRule("transactions", 3, 60)),)),
)


def _history(chooser: random.Random, customer: int) -> list[ActivityEvent]:
    events = []
    for n in range(chooser.randint(0, 40)):
        kind = chooser.choice(KINDS)
        days = chooser.choice([chooser.randint(0, 20), chooser.randint(0, 900)])
        events.append(
            ActivityEvent(
                f"c{customer}-e{n}",
                kind,
                NOW - timedelta(days=days, minutes=chooser.randint(0, 1440)),
                f"r{chooser.randint(0, 12)}",
                amount=Decimal(chooser.randint(0, 60)),
                points=chooser.randint(0, 20),
                arrival_date=(
                    NOW.date() - timedelta(days=chooser.randint(-60, 900))
                    if kind == "reservation.booked"
                    else None
                ),
            )
        )
    return events


def _decisions(rules: TenantRules, events: list[ActivityEvent], now: datetime) -> list[object]:
    facts = fold(events)
    points = points_by_metric(rules.velocity_windows, events)
    return [evaluate(c, facts, Current(None), now, points) for c in rules.categories]


async def test_what_is_pruned_changes_no_decision_now_or_later(
    pg_pool: asyncpg.Pool, schema: str
) -> None:
    chooser = random.Random(12)
    histories = {f"c{n}": _history(chooser, n) for n in range(120)}
    rules = TenantRules(version=1, categories=WINDOWED)
    horizon = activity_horizon(rules, keep_days=30)
    assert horizon == timedelta(days=91)  # the longest window (90 days) and a day
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await conn.execute(f"SET search_path TO {schema}, public")
        await record_activity(
            conn, [("t", c, e) for c, events in histories.items() for e in events]
        )
        deleted = await prune_activity(conn, "t", sorted(histories), NOW - horizon)
        left = await load_activity(conn, "t", sorted(histories))
    total = sum(len(e) for e in histories.values())
    assert 0 < deleted < total, (deleted, total)
    assert sum(len(e) for e in left.values()) == total - deleted
    for later in (timedelta(0), timedelta(days=1), timedelta(days=40), timedelta(days=400)):
        now = NOW + later
        for customer, events in histories.items():
            assert _decisions(rules, left.get(customer, []), now) == _decisions(
                rules, events, now
            ), (customer, later)


def test_a_rule_counting_without_a_window_keeps_everything() -> None:
    ever = Category("ever", (Status("many", 1, rule=CountRule("payments", 2)),))
    assert activity_horizon(TenantRules(1, (*WINDOWED, ever)), keep_days=30) is None
    assert activity_horizon(TenantRules(1, WINDOWED), keep_days=400) == timedelta(days=401)


async def test_the_background_retention_prunes_a_tenant_by_its_stored_rules(
    stack: Any, pg_pool: asyncpg.Pool, schema: str
) -> None:
    spend = CategoryConfig(
        id="spend",
        code="spend",
        name="Spend",
        update_mode="automatic",
        statuses=(
            status("low", 0, default=True),
            status("high", 1, rule=WireCount(metric="spend", min=10, window_days=30)),
        ),
    )
    document = TenantConfiguration(categories=(spend,)).model_dump_json()
    old, recent = NOW - timedelta(days=200), NOW - timedelta(days=3)
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await conn.execute(f"SET search_path TO {schema}, public")
        await store_configs(conn, [("t1", 1, document)])
        await record_customers(conn, [("t1", "c1")])
        await record_activity(
            conn,
            [
                ("t1", "c1", ActivityEvent("e1", "transaction.completed", old, "s1", Decimal(5))),
                ("t1", "c1", ActivityEvent("e2", "transaction.completed", old, "s2", Decimal(5))),
                ("t1", "c1", ActivityEvent("e3", "transaction.completed", recent, "s3")),
            ],
        )
    pool = await create_pool(PostgresSettings(dsn=stack.pg_dsn), schema=schema)
    try:
        retention = ActivityRetention(
            lambda: pool, CollectorRegistry(), keep_days=30, every_s=3600, clock=lambda: NOW
        )
        # e1 is the customer's first purchase (a first-activity trigger): kept; e2 goes.
        assert await retention.prune_tenant("t1") == 1
        assert retention.pruned.labels("t1")._value.get() == 1
        kept = await pool.fetch("SELECT event_id FROM activity WHERE tenant = 't1' ORDER BY 1")
        assert [r["event_id"] for r in kept] == ["e1", "e3"]
        assert await retention.prune_tenant("unknown") is None
    finally:
        await pool.close()


async def test_a_round_runs_on_one_replica_at_a_time_and_rests_after_each_page(
    stack: Any, pg_pool: asyncpg.Pool, schema: str
) -> None:
    spend = CategoryConfig(
        id="spend",
        code="spend",
        name="Spend",
        update_mode="automatic",
        statuses=(
            status("low", 0, default=True),
            status("high", 1, rule=WireCount(metric="spend", min=10, window_days=30)),
        ),
    )
    document = TenantConfiguration(categories=(spend,)).model_dump_json()
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await conn.execute(f"SET search_path TO {schema}, public")
        await store_configs(conn, [("t1", 1, document)])
        await record_customers(conn, [("t1", "c1"), ("t1", "c2"), ("t1", "c3")])
    pool = await create_pool(PostgresSettings(dsn=stack.pg_dsn), schema=schema)
    rests: list[float] = []
    others: list[bool] = []

    def replica(rest: Any) -> ActivityRetention:
        return ActivityRetention(
            lambda: pool,
            CollectorRegistry(),
            keep_days=30,
            every_s=3600,
            clock=lambda: NOW,
            duty=0.5,
            page=2,
            rest=rest,
        )

    async def never(_: float) -> None:
        raise AssertionError("the second replica must not prune")

    second = replica(never)

    async def rest(seconds: float) -> None:
        rests.append(seconds)
        others.append(await second.prune_all())  # mid-round: the lock is held

    try:
        assert await replica(rest).prune_all() is True
        assert others == [False, False]  # two pages of two and one customers, a rest after each
        assert all(s > 0 for s in rests)  # duty 0.5: as long as the page took
        quiet = replica(lambda _: asyncio.sleep(0))
        assert await quiet.prune_all() is True  # the round ended: the lock is free again
    finally:
        await pool.close()
