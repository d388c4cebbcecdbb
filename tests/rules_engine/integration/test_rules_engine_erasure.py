"""Erasure in the rules engine (SPEC §1 v2): after `customer.erased` the customer's activity keeps
only what the counts need; the business and event ids become pseudonyms (the review found the
activity kept as it was). Counts, and the pairing of a booking with its cancellation, survive."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from rules_support import TODAY, Assignment, config, evaluation, event, new_tenant, status, until

from cstatus.contracts import topics
from cstatus.contracts.configuration import FirstActivityRule
from cstatus.contracts.customers import CustomerErased
from cstatus.contracts.reservations import ReservationBooked, ReservationCancelled

pytestmark = pytest.mark.integration


async def test_erasure_pseudonymises_the_activity_and_keeps_the_counts(
    engine: httpx.AsyncClient, publish: Any
) -> None:
    tenant, customer = new_tenant(), "cust-e"
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
    for rid in ("r-1", "r-2"):
        booking = ReservationBooked(reservation_id=rid, arrival_date=TODAY + timedelta(days=3))
        await publish(topics.BOOKINGS_RESERVATIONS, event(booking, tenant, customer))
    await until(lambda a: a.get("facts", {}).get("reservations") == 2, assignment, customer)
    await publish(topics.CRM_CUSTOMERS, event(CustomerErased(), tenant, customer))

    def pseudonymous(activity: dict[str, Any]) -> bool:
        explanation = evaluation(activity, "relationship").get("explanation") or {}
        ids = explanation.get("event_ids") or []
        return bool(ids) and all(i.startswith("x-") for i in ids)

    await until(pseudonymous, assignment, customer)
    cancel = ReservationCancelled(reservation_id="r-2")
    await publish(topics.BOOKINGS_RESERVATIONS, event(cancel, tenant, customer))
    # a later event of the erased customer is pseudonymised alike: it still cancels its booking
    after = await until(lambda a: a.get("facts", {}).get("events") == 3, assignment, customer)
    assert (after["facts"]["reservations"], after["facts"]["reservations_cancelled"]) == (1, 1)
