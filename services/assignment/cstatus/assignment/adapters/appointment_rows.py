"""Reservations in PostgreSQL, for `max_appointments`: recorded set-wise, read per customer.

A batch of reservation events of known customers changes no status, so it costs one statement:
`record` writes every booking and cancellation of the batch (one `unnest` upsert) and, in the same
statement, names the few customers that need more than that — unknown ones, ones missing a default
status, and ones holding a status that limits appointments (their cached restrictions carry the
dates, so they get a new entry).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from cstatus.assignment.adapters.customer_rows import Key
from cstatus.assignment.domain.catalogue import Catalogue

__all__ = ["AppointmentRows", "Booking", "merge_bookings"]


@dataclass(frozen=True, slots=True)
class Booking:
    tenant: str
    customer: str
    reservation_id: str
    arrival: date | None
    service_code: str | None
    cancelled: bool
    staff_id: str | None = None
    booked_at: datetime | None = None
    """The booking event's time: the most recent booking naming a staff member gives the
    customer's usual staff (SPEC §1 v2, staff change warning)."""


def merge_bookings(bookings: Iterable[Booking]) -> list[Booking]:
    """One booking per reservation, as if applied in order: the latest arrival and service code
    given win, and a cancellation stays whatever order the events arrive in."""
    merged: dict[tuple[str, str, str], Booking] = {}
    for b in bookings:
        ident = (b.tenant, b.customer, b.reservation_id)
        known = merged.get(ident)
        if known is not None:
            b = Booking(
                b.tenant,
                b.customer,
                b.reservation_id,
                b.arrival or known.arrival,
                b.service_code or known.service_code,
                b.cancelled or known.cancelled,
                b.staff_id or known.staff_id,
                b.booked_at or known.booked_at,
            )
        merged[ident] = b
    return [merged[ident] for ident in sorted(merged)]


class AppointmentRows:
    async def record(
        self,
        conn: asyncpg.Connection,
        bookings: Sequence[Booking],
        seen: Iterable[Key],
        catalogues: Mapping[str, Catalogue],
    ) -> set[Key]:
        """Write `bookings`; return the customers of `seen` that need more than that.

        Those are the customers not known yet, those holding nothing in a category of their
        tenant's catalogue that has a default status, and those holding a status that limits
        appointments. One statement, whatever the batch's size.
        """
        merged = merge_bookings(bookings)
        customers = sorted(set(seen))
        if not merged and not customers:
            return set()
        defaults = [(t, c) for t, cat in catalogues.items() for c in cat.defaulted_categories]
        limits = [(t, c, s) for t, cat in catalogues.items() for c, s in cat.appointment_limits]
        rows = await conn.fetch(
            "WITH booked AS (INSERT INTO appointments AS a (tenant, customer_id,"
            " reservation_id, arrival_date, service_code, cancelled, staff_id, booked_at)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[],"
            " $6::bool[], $13::text[], $14::timestamptz[])"
            " ON CONFLICT (tenant, customer_id, reservation_id) DO UPDATE SET"
            " arrival_date = coalesce(EXCLUDED.arrival_date, a.arrival_date),"
            " service_code = coalesce(EXCLUDED.service_code, a.service_code),"
            " staff_id = coalesce(EXCLUDED.staff_id, a.staff_id),"
            " booked_at = coalesce(EXCLUDED.booked_at, a.booked_at),"
            " cancelled = a.cancelled OR EXCLUDED.cancelled)"
            " SELECT u.t, u.c FROM unnest($7::text[], $8::text[]) AS u(t, c)"
            " CROSS JOIN LATERAL (SELECT array_agg(h.category_code) AS held,"
            "  array_agg(h.category_code || '/' || h.status_code) AS statuses"
            "  FROM statuses h WHERE h.tenant = u.t AND h.customer_id = u.c) x"
            " WHERE NOT EXISTS (SELECT 1 FROM customers k"
            "  WHERE k.tenant = u.t AND k.customer_id = u.c)"
            " OR EXISTS (SELECT 1 FROM unnest($9::text[], $10::text[]) AS d(t, category)"
            "  WHERE d.t = u.t AND NOT d.category = ANY(coalesce(x.held, '{}')))"
            " OR EXISTS (SELECT 1 FROM unnest($11::text[], $12::text[]) AS l(t, status)"
            "  WHERE l.t = u.t AND l.status = ANY(x.statuses))",
            [b.tenant for b in merged],
            [b.customer for b in merged],
            [b.reservation_id for b in merged],
            [b.arrival for b in merged],
            [b.service_code for b in merged],
            [b.cancelled for b in merged],
            [t for t, _ in customers],
            [c for _, c in customers],
            [t for t, _ in defaults],
            [c for _, c in defaults],
            [t for t, _, _ in limits],
            [f"{c}/{st}" for _, c, st in limits],
            [b.staff_id for b in merged],
            [b.booked_at for b in merged],
        )
        return {(r["t"], r["c"]) for r in rows}

    async def appointments(
        self, conn: asyncpg.Connection, keys: Iterable[Key], since: date
    ) -> dict[Key, list[date]]:
        """The arrival dates (from `since` on, not cancelled) of each customer, in order."""
        ordered = sorted(set(keys))
        found: dict[Key, list[date]] = {}
        if not ordered:
            return found
        rows = await conn.fetch(
            "SELECT a.tenant, a.customer_id, a.arrival_date FROM appointments a"
            " JOIN unnest($1::text[], $2::text[]) AS u(t, c)"
            " ON a.tenant = u.t AND a.customer_id = u.c"
            " WHERE NOT a.cancelled AND a.arrival_date >= $3 ORDER BY a.arrival_date",
            [t for t, _ in ordered],
            [c for _, c in ordered],
            since,
        )
        for r in rows:
            found.setdefault((r["tenant"], r["customer_id"]), []).append(r["arrival_date"])
        return found
