"""Automatic decisions: evaluate the automatic categories of some customers of one tenant and
propose, through the outbox, every target that differs from what they hold.

A target already proposed and not yet answered by a change is not proposed again. A customer
the engine has no holding on record for is not proposed its category's default: the assignment
service gives every new customer the defaults itself (SPEC §1 Assignment).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cstatus.contracts import topics
from cstatus.contracts.envelope import encode, message_key, new_event
from cstatus.contracts.proposals import StatusProposed
from cstatus.platform.db.outbox import OutboxMessage, enqueue
from cstatus.rules_engine.adapters.activity_store import load_activity
from cstatus.rules_engine.adapters.translate import wire_explanation
from cstatus.rules_engine.adapters.views import Held, claim_proposals, load_holdings
from cstatus.rules_engine.domain.evaluate import Decision, evaluate
from cstatus.rules_engine.domain.facts import fold
from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.tenant import TenantRules
from cstatus.rules_engine.service.velocity import VelocitySource, from_activity

__all__ = ["SOURCE", "decide"]

SOURCE = "rules-engine"


@dataclass(frozen=True, slots=True)
class _Proposal:
    customer: str
    decision: Decision
    based_on: int | None


def _worth_proposing(decision: Decision | None, held: Held | None, default: str | None) -> bool:
    if decision is None or not decision.changes:
        return False
    return held is not None or decision.status_code != default


def _message(tenant: str, proposal: _Proposal, now: datetime, version: int) -> OutboxMessage:
    proposal_id = uuid.uuid4().hex
    decision = proposal.decision
    data = StatusProposed(
        proposal_id=proposal_id,
        category_code=decision.category_code,
        status_code=decision.status_code,
        explanation=wire_explanation(decision.explanation),
        evaluated_at=now,
        based_on_sequence=proposal.based_on,
        config_version=version,
    )
    event = new_event(
        data, id=proposal_id, source=SOURCE, tenant=tenant, subject=proposal.customer, time=now
    )
    return OutboxMessage(topics.PROPOSALS, message_key(tenant, proposal.customer), encode(event))


async def decide(
    conn: asyncpg.Connection,
    schema: str,
    tenant: str,
    rules: TenantRules,
    customers: Sequence[str],
    now: datetime,
    velocity: VelocitySource = from_activity,
    *,
    only: Mapping[str, Collection[str]] | None = None,
) -> int:
    """Evaluate and propose inside the caller's transaction; returns how many were proposed.
    Velocity rules measure the recent points `velocity` gives (by default: from the activity).
    `only`: per customer, the codes of the categories to evaluate (default: every one)."""
    if not rules.categories or not customers:
        return 0
    found = await load_activity(conn, tenant, customers)
    activity = {c: found.get(c, []) for c in customers}
    holdings = await load_holdings(conn, tenant, customers)
    measured = {
        c: events
        for c, events in activity.items()
        if only is None or not rules.velocity_categories.isdisjoint(only[c])
    }
    points = await velocity(tenant, rules, measured) if rules.velocity_horizon and measured else {}
    proposals: list[_Proposal] = []
    for customer in customers:
        facts = fold(activity[customer])
        held_by_category = holdings.get(customer, {})
        wanted = None if only is None else only[customer]
        for category in rules.categories:
            if wanted is not None and category.code not in wanted:
                continue
            held = held_by_category.get(category.code)
            current = held.current if held is not None else Current(None)
            decision = evaluate(category, facts, current, now, points.get(customer, {}))
            default = category.default.code if category.default is not None else None
            if _worth_proposing(decision, held, default):
                assert decision is not None
                based_on = held.sequence if held is not None else None
                proposals.append(_Proposal(customer, decision, based_on))
    targets = [(p.customer, p.decision.category_code, p.decision.status_code) for p in proposals]
    fresh = await claim_proposals(conn, tenant, targets, now)
    messages = [
        _message(tenant, p, now, rules.version)
        for p in proposals
        if (p.customer, p.decision.category_code) in fresh
    ]
    await enqueue(conn, schema, messages)
    return len(messages)
