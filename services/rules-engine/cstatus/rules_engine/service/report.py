"""A customer's activity facts and the current evaluation of each automatic category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.rules_engine.adapters.activity_store import load_activity
from cstatus.rules_engine.adapters.outliers import load_outliers
from cstatus.rules_engine.adapters.views import load_holdings, load_rules
from cstatus.rules_engine.domain.evaluate import Decision, evaluate
from cstatus.rules_engine.domain.facts import CustomerFacts, fold
from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.outlook import outlook
from cstatus.rules_engine.domain.summary import ActivitySummary, summarize
from cstatus.rules_engine.domain.velocity import points_by_metric

__all__ = ["CategoryEvaluation", "CustomerActivity", "customer_activity"]


@dataclass(frozen=True, slots=True)
class CategoryEvaluation:
    category_code: str
    current: Current
    decision: Decision | None
    """None when automation leaves the category alone (pinned, or a sticky status)."""
    outlook: dict[str, Any] | None = None
    """What would change the decision (`domain/outlook.py`)."""


@dataclass(frozen=True, slots=True)
class CustomerActivity:
    customer: str
    known: bool
    facts: CustomerFacts
    configured: bool
    evaluations: tuple[CategoryEvaluation, ...]
    summary: ActivitySummary


async def customer_activity(
    conn: asyncpg.Connection, tenant: str, customer: str, now: datetime
) -> CustomerActivity:
    events = (await load_activity(conn, tenant, [customer])).get(customer, [])
    known = bool(events) or bool(
        await conn.fetchval(
            "SELECT 1 FROM customers WHERE tenant = $1 AND customer = $2", tenant, customer
        )
    )
    facts = fold(events)
    rules = (await load_rules(conn, [tenant])).get(tenant)
    held = (await load_holdings(conn, tenant, [customer])).get(customer, {})
    evaluations = []
    points = points_by_metric(rules.velocity_windows, events) if rules is not None else {}
    for category in rules.categories if rules is not None else ():
        found = held.get(category.code)
        current = found.current if found is not None else Current(None)
        decision = evaluate(category, facts, current, now, points)
        seen = outlook(category, facts, current, now, points, decision) if decision else None
        evaluations.append(CategoryEvaluation(category.code, current, decision, seen))
    summary = summarize(facts, events, await load_outliers(conn, tenant, customer))
    return CustomerActivity(customer, known, facts, rules is not None, tuple(evaluations), summary)
