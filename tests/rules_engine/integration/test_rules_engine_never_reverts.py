"""Lead → Client never reverts, even when an admin edits or removes the `client` rule (SPEC §1
v2; the review found re-evaluation falling back to `lead`)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from rules_support import TODAY, Assignment, config, evaluation, event, new_tenant, status, until

from cstatus.contracts import topics
from cstatus.contracts.configuration import FirstActivityRule
from cstatus.contracts.reservations import ReservationBooked

pytestmark = pytest.mark.integration


async def test_a_client_stays_a_client_when_the_rule_is_removed(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant, customer = new_tenant(), "cust-n"
    assignment = Assignment(publish, engine, tenant)
    client_rule = FirstActivityRule(triggers=("reservation.booked",))
    await publish(
        topics.CONFIG,
        config(
            tenant,
            "relationship",
            status("lead", 0, default=True),
            status("client", 10, rule=client_rule),
        ),
    )
    await assignment.apply(customer, "relationship", "lead", source="system", rule="default")
    booking = ReservationBooked(reservation_id="r-n", arrival_date=TODAY + timedelta(days=3))
    await publish(topics.BOOKINGS_RESERVATIONS, event(booking, tenant, customer))
    await outputs.proposal(tenant, "relationship", "client")
    await assignment.apply(customer, "relationship", "client", rule="first_activity")

    # The admin removes the client rule: the tenant is re-evaluated in the background.
    await publish(
        topics.CONFIG,
        config(
            tenant,
            "relationship",
            status("lead", 0, default=True),
            status("client", 10),
            version=2,
        ),
    )
    kept = await until(
        lambda a: (
            evaluation(a, "relationship").get("explanation", {}).get("details", {}).get("kept")
            == "true"
        ),
        assignment,
        customer,
    )
    assert evaluation(kept, "relationship")["target"] == "client"
    await asyncio.sleep(1.0)
    assert "lead" not in outputs.targets(tenant, "relationship")
