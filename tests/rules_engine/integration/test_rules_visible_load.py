"""`load_visible` on the real PostgreSQL selects what `domain/sight.visible` selects from the whole
history: the same events and the same facts, for seeded random histories and every kind of rule,
velocity anchors included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.rules_engine.adapters.activity_store import load_visible, record_activity
from cstatus.rules_engine.bootstrap import MIGRATIONS
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    FirstActivityRule,
    InactivityRule,
    Status,
    VelocityRule,
)
from cstatus.rules_engine.domain.sight import sight_of, visible

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
    "invoice.cancelled",
    "points.redeemed",
    "coupon.redeemed",
]
CATEGORIES = [
    Category(
        "loyalty",
        (
            Status("basic", is_default=True),
            Status("silver", 1, rule=CountRule("reservations", 2, None, 365)),
            Status("spender", 2, rule=CountRule("spend", 50, None, 30)),
        ),
    ),
    Category("ever", (Status("many", 1, rule=CountRule("payments", 2)),)),
    Category("points", (Status("redeemer", 1, rule=CountRule("points_redeemed", 10, None, 90)),)),
    Category(
        "relationship",
        (
            Status("lead", is_default=True),
            Status("client", 1, rule=FirstActivityRule(frozenset(KINDS[:4]))),
            Status("inactive", 2, rule=InactivityRule(30)),
        ),
    ),
    Category("lifecycle", (Status("fraud", 1, rule=VelocityRule("transactions", 3, 60)),)),
]


def _history(chooser: random.Random, customer: int) -> list[ActivityEvent]:
    events = []
    for n in range(chooser.randint(0, 40)):
        kind = chooser.choice(KINDS)
        minutes = chooser.choice(
            [chooser.randint(-300, 300), chooser.randint(-60 * 24 * 60, 60 * 24 * 500)]
        )
        events.append(
            ActivityEvent(
                f"c{customer}-e{n}",
                kind,
                NOW - timedelta(minutes=minutes),
                f"r{chooser.randint(0, 8)}",
                amount=Decimal(chooser.randint(0, 60)),
                points=chooser.randint(0, 20),
                arrival_date=(
                    NOW.date() - timedelta(days=chooser.randint(-60, 500))
                    if kind == "reservation.booked"
                    else None
                ),
            )
        )
    return events


async def test_the_sql_selection_equals_the_domain_selection(
    pg_pool: asyncpg.Pool, schema: str
) -> None:
    chooser = random.Random(19)
    histories = {f"c{n}": _history(chooser, n) for n in range(80)}
    anchors = sorted(
        (c, e.ref)
        for c, events in histories.items()
        for e in events
        if e.type.startswith("transaction.") and chooser.random() < 0.3
    )
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await conn.execute(f"SET search_path TO {schema}, public")
        rows = [("t", c, e) for c, events in histories.items() for e in events]
        await record_activity(conn, rows)
        for chosen in ([c] for c in CATEGORIES):
            sight = sight_of(chosen, NOW)
            found = await load_visible(conn, "t", sorted(histories), sight, anchors)
            for customer, events in histories.items():
                mine = {r for c, r in anchors if c == customer}
                facts, kept = visible(events, sight, mine)
                loaded_facts, loaded = found[customer]
                assert sorted(e.event_id for e in loaded) == sorted(e.event_id for e in kept)
                assert loaded_facts == facts, (chosen[0].code, customer)
