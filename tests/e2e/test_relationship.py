"""Relationship and defaults through the running services: a new customer starts as an active
lead; the first booking makes a client for good, whatever the order or repetition of events."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from support import eventually
from tenants import Tenant, changes_of

pytestmark = pytest.mark.e2e


def _evaluation(activity: dict[str, Any] | None, category: str) -> dict[str, Any]:
    assert activity is not None
    found: dict[str, Any] = next(
        e for e in activity["evaluations"] if e["category_code"] == category
    )
    return found


async def test_new_customer_gets_the_default_statuses(tenant: Tenant) -> None:
    await tenant.created("c-new", first_name="Ann", last_name="Lee")

    lead = await tenant.await_status("c-new", "relationship", "lead")
    active = await tenant.await_status("c-new", "lifecycle", "active")

    assert (lead["source"], lead["pinned"]) == ("system", False)
    assert (active["source"], active["system_state"]) == ("system", "active")
    history = await tenant.await_history("c-new", lambda h: len(h) >= 2, "two defaults")
    assert changes_of(history, "relationship") == [(None, "lead", "system")]
    assert changes_of(history, "lifecycle") == [(None, "active", "system")]
    assert {h["explanation"]["rule"] for h in history} == {"default"}


async def test_first_booking_makes_a_client_who_stays_one_after_cancelling(
    tenant: Tenant,
) -> None:
    await tenant.created("c-book")
    await tenant.await_status("c-book", "relationship", "lead")

    booking = await tenant.booked("c-book", "r-1", date.today())
    client = await tenant.await_status("c-book", "relationship", "client", source="automatic")
    assert client["updated_by"] == "rules-engine"

    history = await tenant.await_history("c-book", lambda h: len(h) >= 3, "lead → client")
    promotion = history[-1]
    assert changes_of([promotion], "relationship") == [("lead", "client", "automatic")]
    assert promotion["explanation"]["rule"] == "first_activity"
    assert promotion["explanation"]["event_ids"] == [booking]

    await tenant.cancelled("c-book", "r-1")
    activity = await eventually(
        lambda: tenant.activity("c-book"),
        lambda a: (
            a is not None
            and a["facts"]["reservations_cancelled"] == 1
            and _evaluation(a, "relationship")["current"] == "client"
        ),
        "the rules engine to record the cancellation of a client",
    )
    relationship = _evaluation(activity, "relationship")
    assert (relationship["target"], relationship["changes"]) == ("client", False)
    await tenant.await_status("c-book", "relationship", "client")
    assert changes_of(await tenant.history("c-book"), "relationship") == [
        (None, "lead", "system"),
        ("lead", "client", "automatic"),
    ]


async def test_duplicated_events_and_a_cancellation_before_its_booking(tenant: Tenant) -> None:
    """The customer is first seen in a cancellation; its booking comes after, twice."""
    cancel_id = tenant.next_id()
    booking_id = tenant.next_id()
    await tenant.cancelled("c-odd", "r-9", id=cancel_id)
    await tenant.booked("c-odd", "r-9", date.today(), id=booking_id)
    await tenant.booked("c-odd", "r-9", date.today(), id=booking_id)
    await tenant.cancelled("c-odd", "r-9", id=cancel_id)

    await tenant.await_status("c-odd", "relationship", "client", source="automatic")
    activity = await eventually(
        lambda: tenant.activity("c-odd"),
        lambda a: (
            a is not None
            and a["facts"]["events"] == 2
            and _evaluation(a, "relationship")["current"] == "client"
        ),
        "both distinct events recorded once, the customer seen as a client",
    )
    assert activity is not None
    assert (activity["facts"]["reservations"], activity["facts"]["reservations_cancelled"]) == (
        0,
        1,
    )
    assert _evaluation(activity, "relationship")["changes"] is False
    await tenant.await_status("c-odd", "lifecycle", "active")
    history = await tenant.await_history("c-odd", lambda h: len(h) >= 3, "defaults and client")
    assert changes_of(history, "relationship") == [
        (None, "lead", "system"),
        ("lead", "client", "automatic"),
    ]
    assert history[-1]["explanation"]["event_ids"] == [booking_id]
