"""Reservations recorded set-wise: one row per reservation, and who needs more than the row."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from cstatus.assignment.adapters.appointment_rows import Booking, merge_bookings
from cstatus.assignment.domain.catalogue import (
    AppointmentLimit,
    Catalogue,
    Category,
    Properties,
    Status,
)
from cstatus.assignment.service.publish import message_id

pytestmark = pytest.mark.unit


def _booking(reservation: str, **kw: object) -> Booking:
    return Booking(
        "acme",
        "c-1",
        reservation,
        kw.get("arrival"),  # type: ignore[arg-type]
        kw.get("service_code"),  # type: ignore[arg-type]
        bool(kw.get("cancelled", False)),
    )


def test_bookings_of_one_reservation_merge_as_if_applied_in_order() -> None:
    merged = merge_bookings(
        [
            _booking("r-2", cancelled=True),
            _booking("r-1", arrival=date(2026, 12, 1), service_code="spa"),
            _booking("r-2", arrival=date(2026, 12, 3)),  # a cancellation stays
            _booking("r-1", arrival=date(2026, 12, 2)),  # moved; the service code stays
        ]
    )

    assert merged == [
        Booking("acme", "c-1", "r-1", date(2026, 12, 2), "spa", False),
        Booking("acme", "c-1", "r-2", date(2026, 12, 3), None, True),
    ]


def test_the_catalogue_names_defaults_and_statuses_that_count_appointments() -> None:
    limited = Properties(max_appointments=AppointmentLimit(count=2, period_days=30))
    catalogue = Catalogue(
        version=1,
        categories={
            "relationship": Category(
                "relationship",
                "automatic",
                statuses={
                    "lead": Status("lead", "Lead", is_default=True),
                    "blocked": Status("blocked", "Blocked", properties=limited),
                },
            ),
            "tier": Category("tier", "manual", statuses={"gold": Status("gold", "Gold")}),
            "old": Category(
                "old", "manual", archived=True, statuses={"x": Status("x", "X", is_default=True)}
            ),
        },
    )

    assert catalogue.defaulted_categories == ("relationship",)
    assert catalogue.appointment_limits == (("relationship", "blocked"),)


@pytest.mark.parametrize(
    "name", ["change/acme/c-1/relationship/1", "", "snapshot/é/ü/3", "x" * 300]
)
def test_message_ids_are_uuid5_of_their_name(name: str) -> None:
    namespace = uuid.UUID("6f0b1a52-3c1e-4d7e-9a43-2f5b0c9d8e11")

    assert message_id(name) == str(uuid.uuid5(namespace, name))
