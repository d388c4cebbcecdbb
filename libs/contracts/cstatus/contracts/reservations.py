"""`bookings.reservations.v1`: reservations published by the booking system."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar, Self

from pydantic import Field, model_validator

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Amount, Code, Currency, TextId

__all__ = [
    "RESERVATION_ARRIVED",
    "RESERVATION_BOOKED",
    "RESERVATION_CANCELLED",
    "RESERVATION_EVENTS",
    "RESERVATION_NO_SHOW",
    "ReservationArrived",
    "ReservationBooked",
    "ReservationCancelled",
    "ReservationNoShow",
]

RESERVATION_BOOKED = "reservation.booked"
RESERVATION_CANCELLED = "reservation.cancelled"
RESERVATION_ARRIVED = "reservation.arrived"
RESERVATION_NO_SHOW = "reservation.no_show"


class ReservationBooked(EventData):
    event_type: ClassVar[str] = RESERVATION_BOOKED

    reservation_id: TextId
    arrival_date: date
    departure_date: date | None = None
    channel: str | None = Field(default=None, min_length=1, max_length=64)
    service_code: Code | None = None
    staff_id: TextId | None = None
    amount: Amount | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _departs_after_arrival(self) -> Self:
        if self.departure_date is not None and self.departure_date < self.arrival_date:
            raise ValueError("departure_date is before arrival_date")
        return self


class ReservationCancelled(EventData):
    event_type: ClassVar[str] = RESERVATION_CANCELLED

    reservation_id: TextId


class ReservationArrived(EventData):
    event_type: ClassVar[str] = RESERVATION_ARRIVED

    reservation_id: TextId


class ReservationNoShow(EventData):
    event_type: ClassVar[str] = RESERVATION_NO_SHOW

    reservation_id: TextId


RESERVATION_EVENTS: Mapping[str, type[EventData]] = {
    model.event_type: model
    for model in (ReservationBooked, ReservationCancelled, ReservationArrived, ReservationNoShow)
}
