"""Property: any valid reservation.booked envelope survives encode -> decode unchanged."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cstatus.contracts import CloudEvent, ReservationBooked, decode, decode_input, encode, topics

pytestmark = pytest.mark.unit

ids = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=128)
codes = st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_times = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)
amounts = st.decimals(
    min_value=Decimal(0), max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False
)


@st.composite
def reservations(draw: st.DrawFn) -> ReservationBooked:
    arrival = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
    nights = draw(st.none() | st.integers(min_value=0, max_value=60))
    departure = None if nights is None else arrival + timedelta(days=nights)
    return ReservationBooked(
        reservation_id=draw(ids),
        arrival_date=arrival,
        departure_date=departure,
        channel=draw(st.none() | st.sampled_from(["online", "phone", "walk-in"])),
        service_code=draw(st.none() | codes),
        staff_id=draw(st.none() | ids),
        amount=draw(st.none() | amounts),
        currency=draw(st.none() | st.from_regex(r"[A-Z]{3}", fullmatch=True)),
    )


envelopes = st.builds(
    CloudEvent[ReservationBooked],
    id=ids,
    source=st.sampled_from(["booking-system", "urn:acme:booking", "https://b.example/x"]),
    type=st.just("reservation.booked"),
    time=aware_times,
    tenant=st.from_regex(r"[a-z0-9][a-z0-9-]{1,62}", fullmatch=True),
    subject=ids,
    data=reservations(),
)


@given(envelopes)
def test_any_valid_reservation_booked_round_trips(event: CloudEvent[ReservationBooked]) -> None:
    raw = encode(event)

    assert decode(raw, CloudEvent[ReservationBooked]) == event
    assert decode_input(topics.BOOKINGS_RESERVATIONS, raw) == event
