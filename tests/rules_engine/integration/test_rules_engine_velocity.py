"""Velocity on the real stack: a burst published out of order trips fraud_suspected exactly past
the threshold, and a velocity status held because of an old burst is kept when a sale far from it
arrives (its decision reads the whole history, not only the windows around the new sale)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from rules_support import NOW, Assignment, config, event, new_tenant, status, until

from cstatus.contracts import topics
from cstatus.contracts.configuration import VelocityRule
from cstatus.contracts.customers import CustomerErased
from cstatus.contracts.transactions import TransactionCompleted, TransactionRefunded

pytestmark = pytest.mark.integration

BURST = 21


async def _configure(
    publish: Any, engine: httpx.AsyncClient, tenant: str, *, sticky: bool = True
) -> Assignment:
    assignment = Assignment(publish, engine, tenant)
    lifecycle = config(
        tenant,
        "lifecycle",
        status("active", 0, default=True, state="active"),
        status(
            "fraud",
            50,
            rule=VelocityRule(metric="transactions", threshold=20, window_minutes=60),
            sticky=sticky,
            state="fraud_suspected" if sticky else None,  # a fraud_suspected one is sticky
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


async def _fraud_proposed(outputs: Any, tenant: str, ids: list[str]) -> None:
    _, proposal = await outputs.proposal(tenant, "lifecycle", "fraud")
    assert proposal.subject == "cust-v"
    assert proposal.data.explanation.rule == "velocity"
    assert proposal.data.explanation.value == BURST
    assert sorted(proposal.data.explanation.event_ids) == sorted(ids)
    assert outputs.targets(tenant, "lifecycle") == ["fraud"]


async def test_a_burst_published_out_of_order_trips_fraud_suspected(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant = new_tenant()
    await _configure(publish, engine, tenant)
    refund = TransactionRefunded(transaction_id="tx-old", amount=Decimal("5"))
    await publish(topics.POS_TRANSACTIONS, event(refund, tenant, "cust-v"))  # no point of its own
    ids = await _sales(publish, tenant, range(BURST))
    await _fraud_proposed(outputs, tenant, ids)


async def test_the_threshold_is_passed_only_by_more_than_it(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant = new_tenant()
    assignment = await _configure(publish, engine, tenant)
    ids = await _sales(publish, tenant, range(BURST - 1))
    await until(lambda a: a["facts"]["transactions"] == BURST - 1, assignment, "cust-v")
    assert outputs.targets(tenant, "lifecycle") == []  # 20 is not more than 20
    ids += await _sales(publish, tenant, range(BURST - 1, BURST))
    await _fraud_proposed(outputs, tenant, ids)


async def test_a_held_velocity_status_is_kept_when_a_sale_far_from_its_burst_arrives(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant = new_tenant()
    assignment = await _configure(publish, engine, tenant, sticky=False)
    ids = await _sales(publish, tenant, range(BURST))
    await _fraud_proposed(outputs, tenant, ids)
    await assignment.apply("cust-v", "lifecycle", "fraud")

    later = TransactionCompleted(transaction_id="tx-later", amount=Decimal("5"), currency="EUR")
    await publish(topics.POS_TRANSACTIONS, event(later, tenant, "cust-v", NOW - timedelta(days=3)))
    await until(lambda a: a["facts"]["transactions"] == BURST + 1, assignment, "cust-v")
    await asyncio.sleep(1.5)  # the batch's proposals, if any, are relayed by now
    assert outputs.targets(tenant, "lifecycle") == ["fraud"]


async def test_a_burst_of_an_erased_customer_still_trips_fraud_suspected(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    """Found by the reliability suite: an erased customer's sales are stored under pseudonymous
    refs, and the windows around the batch's sales were looked up by the original refs."""
    tenant = new_tenant()
    await _configure(publish, engine, tenant)
    await publish(topics.CRM_CUSTOMERS, event(CustomerErased(), tenant, "cust-v"))
    await asyncio.sleep(1)  # the erasure is usually applied before the burst
    await _sales(publish, tenant, range(BURST))
    _, proposal = await outputs.proposal(tenant, "lifecycle", "fraud")
    assert proposal.data.explanation.value == BURST
    assert all(i.startswith("x-") for i in proposal.data.explanation.event_ids)
