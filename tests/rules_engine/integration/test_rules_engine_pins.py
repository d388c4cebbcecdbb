"""A manual change pins a category; the `system` change that releases the pin (`unpin`, or
`pin_expired` when its time passed) makes the engine evaluate that customer and category at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from rules_support import TODAY, Assignment, config, evaluation, event, new_tenant, status, until

from cstatus.contracts import topics
from cstatus.contracts.configuration import FirstActivityRule
from cstatus.contracts.reservations import ReservationBooked

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("release", ["unpin", "pin_expired"])
async def test_a_released_pin_is_re_evaluated_at_once(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, release: str
) -> None:
    tenant, customer = new_tenant(), "cust-p"
    assignment = Assignment(publish, engine, tenant)
    client_rule = FirstActivityRule(triggers=("reservation.booked",))
    relationship = config(
        tenant,
        "relationship",
        status("lead", 0, default=True),
        status("client", 10, rule=client_rule),
    )
    await publish(topics.CONFIG, relationship)
    await assignment.apply(customer, "relationship", "lead", source="manual")
    booking = ReservationBooked(reservation_id="r-p", arrival_date=TODAY + timedelta(days=3))
    await publish(topics.BOOKINGS_RESERVATIONS, event(booking, tenant, customer))
    pinned = await until(lambda a: a["facts"]["reservations"] == 1, assignment, customer)
    assert evaluation(pinned, "relationship")["pinned"] is True
    assert outputs.targets(tenant, "relationship") == []  # pinned: automation leaves it alone

    await assignment.apply(customer, "relationship", "lead", source="system", rule=release)
    _, proposal = await outputs.proposal(tenant, "relationship", "client")
    assert proposal.subject == customer
    assert proposal.data.explanation.rule == "first_activity"
    assert proposal.data.based_on_sequence == assignment.sequence(customer, "relationship")
