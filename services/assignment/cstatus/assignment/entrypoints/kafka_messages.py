"""What the Assignment service's consumed messages ask, in its domain's terms: a proposal or a
command becomes a `ChangeRequest`, a booking or cancellation a `Booking` row, and a batch's
profile updates the fields each customer is given (where they can be written set-wise)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cstatus.assignment.adapters.appointment_rows import Booking
from cstatus.assignment.adapters.customer_rows import Key
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.domain.profile import Stamped, merge_newer, profile_fields
from cstatus.contracts.commands import AssignStatus, ClearStatus
from cstatus.contracts.customers import CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.proposals import StatusProposed
from cstatus.contracts.reservations import (
    ReservationArrived,
    ReservationBooked,
    ReservationCancelled,
    ReservationNoShow,
)

__all__ = [
    "RESERVATION_EVENTS",
    "booking_of",
    "command_request",
    "profile_updates",
    "proposal_request",
    "request_of",
]


def proposal_request(event: CloudEvent[Any], data: StatusProposed) -> ChangeRequest:
    return ChangeRequest(
        ref_id=f"proposal/{data.proposal_id}",
        category_code=data.category_code,
        status_code=data.status_code,
        source="automatic",
        actor=event.actor or event.source,
        based_on_sequence=data.based_on_sequence,
        explanation=data.explanation.model_dump(mode="json"),
        config_version=data.config_version,
    )


def command_request(event: CloudEvent[Any], data: AssignStatus | ClearStatus) -> ChangeRequest:
    return ChangeRequest(
        ref_id=f"command/{event.id}",
        category_code=data.category_code,
        status_code=data.status_code if isinstance(data, AssignStatus) else None,
        source="external",
        actor=event.actor or event.source,
        reason=data.reason,
        until=data.until if isinstance(data, AssignStatus) else None,
    )


def request_of(event: CloudEvent[Any]) -> ChangeRequest | None:
    data = event.data
    if isinstance(data, StatusProposed):
        return proposal_request(event, data)
    if isinstance(data, AssignStatus | ClearStatus):
        return command_request(event, data)
    return None


def booking_of(event: CloudEvent[Any]) -> Booking | None:
    data, tenant, customer = event.data, event.tenant, event.subject
    if isinstance(data, ReservationBooked):
        return Booking(
            tenant,
            customer,
            data.reservation_id,
            data.arrival_date,
            data.service_code,
            False,
            staff_id=data.staff_id,
            booked_at=event.time,
        )
    if isinstance(data, ReservationCancelled):
        return Booking(tenant, customer, data.reservation_id, None, None, True)
    return None


RESERVATION_EVENTS = (
    ReservationBooked | ReservationCancelled | ReservationArrived | ReservationNoShow
)


def profile_updates(
    events: Sequence[CloudEvent[Any]], reconfigured: set[str]
) -> dict[Key, Stamped]:
    """The profile fields given to each customer, the newest by event time winning, where they can be written
    set-wise: the customer's events in the batch are all profile updates or reservations (which
    commute), in a tenant not reconfigured by the batch."""
    others = {
        (e.tenant, e.subject)
        for e in events
        if not isinstance(e.data, CustomerProfile | RESERVATION_EVENTS)
    }
    updates: dict[Key, Stamped] = {}
    for e in events:
        key, data = (e.tenant, e.subject), e.data
        if isinstance(data, CustomerProfile) and key not in others and e.tenant not in reconfigured:
            given = profile_fields(data.model_dump(include=data.model_fields_set))
            merge_newer(updates.setdefault(key, {}), {n: (v, e.time) for n, v in given.items()})
    return updates
