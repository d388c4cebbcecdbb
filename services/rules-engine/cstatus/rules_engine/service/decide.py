"""Automatic decisions: evaluate the automatic categories of some customers of one tenant and
propose, through the outbox, every target that differs from what they hold.

A target already proposed and not yet answered by a change is not proposed again. A customer
the engine has no holding on record for is not proposed its category's default: the assignment
service gives every new customer the defaults itself (SPEC §1 Assignment).

Sweeps, re-evaluations and reports read each customer's whole history. A consumed batch (`Recent`)
reads only what the evaluated categories' rules can still see (`domain/sight.py`), so the cost of
an event does not grow with its customer's history; a customer whose velocity status may rest on a
window away from the batch's points is read whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cstatus.contracts import topics
from cstatus.contracts.envelope import encode, message_key, new_event
from cstatus.contracts.proposals import StatusProposed
from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.tracing import producing
from cstatus.rules_engine.adapters.translate import wire_explanation
from cstatus.rules_engine.domain.evaluate import Decision, VelocityPoints, evaluate, rules_read
from cstatus.rules_engine.domain.facts import CustomerFacts, fold
from cstatus.rules_engine.domain.model import Current, Rule
from cstatus.rules_engine.domain.outlook import outlook
from cstatus.rules_engine.domain.sight import NO_FACTS, Sight, needs_whole_history, sight_of_rules
from cstatus.rules_engine.domain.tenant import Held, TenantRules
from cstatus.rules_engine.domain.velocity import points_by_metric
from cstatus.rules_engine.service.unit_of_work import DecisionStore

__all__ = ["SOURCE", "Recent", "decide"]

SOURCE = "rules-engine"


@dataclass(frozen=True, slots=True)
class _Proposal:
    customer: str
    decision: Decision
    based_on: int | None
    outlook: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Recent:
    """What a consumed batch brought for one tenant's customers: the (customer, ref) of its
    velocity events (their windows are measured) and, per customer, the categories a change
    arrived for."""

    anchors: Sequence[tuple[str, str]] = ()
    changed: Mapping[str, Collection[str]] = field(default_factory=dict)
    causes: Mapping[str, str] = field(default_factory=dict)
    """customer -> the traceparent of its latest traced event (its proposals continue it)."""


Read = dict[str, tuple[CustomerFacts, VelocityPoints]]


async def _read_whole(
    store: DecisionStore, tenant: str, rules: TenantRules, customers: Sequence[str]
) -> Read:
    found = await store.activity(tenant, customers)
    return {
        c: (fold(found.get(c, ())), points_by_metric(rules.velocity_windows, found.get(c, [])))
        for c in customers
    }


async def _read(
    store: DecisionStore,
    tenant: str,
    rules: TenantRules,
    customers: Sequence[str],
    holdings: Mapping[str, Mapping[str, Held]],
    only: Mapping[str, Collection[str]] | None,
    now: datetime,
    recent: Recent | None,
) -> Read:
    if recent is None or only is None:
        return await _read_whole(store, tenant, rules, customers)
    whole: list[str] = []
    by_sight: dict[Sight, list[str]] = {}
    for customer in customers:
        sight = _sight(rules, holdings.get(customer, {}), only[customer], now, recent, customer)
        if sight is None:
            whole.append(customer)
        else:
            by_sight.setdefault(sight, []).append(customer)
    found = await _read_whole(store, tenant, rules, whole) if whole else {}
    for sight, group in by_sight.items():
        if sight.empty:  # nothing a decision reads (kept, sticky, pinned)
            found |= {c: (NO_FACTS, {}) for c in group}
            continue
        mine = set(group)
        anchors = [(c, ref) for c, ref in recent.anchors if c in mine]
        visible = await store.visible(tenant, group, sight, anchors)
        for customer, (facts, events) in visible.items():
            found[customer] = (facts, points_by_metric(rules.velocity_windows, events))
    return found


def _sight(
    rules: TenantRules,
    held: Mapping[str, Held],
    wanted: Collection[str],
    now: datetime,
    recent: Recent,
    customer: str,
) -> Sight | None:
    """What the customer's decisions in the `wanted` categories read, or None when one of them
    must read the whole history."""
    changed = recent.changed.get(customer, ())
    read: list[Rule] = []
    for category in rules.categories:
        if category.code not in wanted:
            continue
        mine = held.get(category.code)
        current = mine.current if mine is not None else Current(None)
        rules_of = rules_read(category, current, now)
        if not rules_of:
            continue
        if needs_whole_history(category, current.status_code, category.code in changed):
            return None
        read.extend(rules_of)
    return sight_of_rules(read, now)


def _worth_proposing(decision: Decision | None, held: Held | None, default: str | None) -> bool:
    if decision is None or not decision.changes:
        return False
    return held is not None or decision.status_code != default


def _message(
    tenant: str, proposal: _Proposal, now: datetime, version: int, cause: str | None
) -> OutboxMessage:
    proposal_id = uuid.uuid4().hex
    decision = proposal.decision
    data = StatusProposed(
        proposal_id=proposal_id,
        category_code=decision.category_code,
        status_code=decision.status_code,
        explanation=wire_explanation(decision.explanation, version, proposal.outlook),
        evaluated_at=now,
        based_on_sequence=proposal.based_on,
        config_version=version,
    )
    traceparent = producing(
        "rules-engine propose",
        cause,
        topic=topics.PROPOSALS,
        **{"messaging.message.id": proposal_id, "cstatus.category": decision.category_code},
    )
    event = new_event(
        data,
        id=proposal_id,
        source=SOURCE,
        tenant=tenant,
        subject=proposal.customer,
        time=now,
        traceparent=traceparent,
    )
    return OutboxMessage(topics.PROPOSALS, message_key(tenant, proposal.customer), encode(event))


async def decide(
    store: DecisionStore,
    tenant: str,
    rules: TenantRules,
    customers: Sequence[str],
    now: datetime,
    *,
    only: Mapping[str, Collection[str]] | None = None,
    recent: Recent | None = None,
) -> int:
    """Evaluate and propose in the store's transaction; returns how many were proposed.
    `only`: per customer, the codes of the categories to evaluate (default: every one);
    `recent`: what the consumed batch brought (read only what the rules can see), or None (read
    each customer's whole history)."""
    if not rules.categories or not customers:
        return 0
    holdings = await store.holdings(tenant, customers)
    read = await _read(store, tenant, rules, customers, holdings, only, now, recent)
    proposals: list[_Proposal] = []
    for customer in customers:
        facts, points = read[customer]
        held_by_category = holdings.get(customer, {})
        wanted = None if only is None else only[customer]
        for category in rules.categories:
            if wanted is not None and category.code not in wanted:
                continue
            held = held_by_category.get(category.code)
            current = held.current if held is not None else Current(None)
            decision = evaluate(category, facts, current, now, points)
            default = category.default.code if category.default is not None else None
            if _worth_proposing(decision, held, default):
                assert decision is not None
                based_on = held.sequence if held is not None else None
                # What would change it, where the whole history was read (sweeps,
                # re-evaluations): a consumed batch reads only what the rules see today.
                seen = (
                    outlook(category, facts, current, now, points, decision)
                    if recent is None
                    else None
                )
                proposals.append(_Proposal(customer, decision, based_on, seen))
    targets = [(p.customer, p.decision.category_code, p.decision.status_code) for p in proposals]
    fresh = await store.claim_proposals(tenant, targets, now)
    causes = recent.causes if recent is not None else {}
    messages = [
        _message(tenant, p, now, rules.version, causes.get(p.customer))
        for p in proposals
        if (p.customer, p.decision.category_code) in fresh
    ]
    await store.publish(messages)
    return len(messages)
