"""The checks upstream systems ask (SPEC §1, `POST /v1/checks`): may this customer transact,
redeem, book (online), change staff or be sent marketing, answered from their combined
restrictions (`domain/restrictions.py`) with the statuses that caused the answer; bookings are
also held to the allowed services and the appointment limit, and a change of the usual staff
member may carry a warning (SPEC §1 v2)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from cstatus.assignment.domain.catalogue import AppointmentLimit
from cstatus.assignment.domain.restrictions import ConsentState, Reason, Restrictions

__all__ = [
    "STAFF_ACTIONS",
    "Action",
    "CheckResult",
    "CheckWarning",
    "appointment_window_start",
    "check",
    "would_exceed",
]

Action = Literal["transact", "redeem", "book_online", "book", "change_staff", "marketing"]
STAFF_ACTIONS = frozenset({"book", "book_online", "change_staff"})
"""The actions that name a staff member and may carry a staff change warning."""

_ACTION_RULES: dict[str, tuple[str, ...]] = {
    "transact": ("can_transact",),
    "redeem": ("can_redeem",),
    "book_online": ("can_book", "can_book_online"),
    "book": ("can_book",),
}


@dataclass(frozen=True, slots=True)
class CheckWarning:
    """Allowed, but worth telling the person at the desk (SPEC §1 v2, staff change warning)."""

    category_code: str
    status_code: str
    rule: str
    usual_staff_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    allowed: bool
    must_prepay: bool
    reasons: tuple[Reason, ...]
    warnings: tuple[CheckWarning, ...] = ()
    consent: ConsentState | None = None
    """For action `marketing`: the customer's own answer, whatever the statuses imply."""


def appointment_window_start(limit: AppointmentLimit | None, today: date) -> date:
    """The earliest arrival date a check from `today` on can still count (SPEC §1 v2: a window
    of `period_days` containing the appointment, which is today or later)."""
    if limit is None:
        return today
    return today - timedelta(days=limit.period_days - 1)


def would_exceed(appointments: Sequence[date], limit: AppointmentLimit, day: date) -> bool:
    """Would some window of `period_days` consecutive days containing `day` hold more than
    `count` non-cancelled appointments, the new one on `day` included?

    The fullest such window starts at `day - period + 1`, at `day`, or where one of the
    bookings in reach opens or closes a window; each candidate is counted by bisection."""
    period = timedelta(days=limit.period_days)
    first, last = day - period + timedelta(days=1), day
    dates = sorted(d for d in appointments if first <= d < day + period)
    starts = {first, last}
    for d in dates:
        for start in (d, d - period + timedelta(days=1)):
            if first <= start <= last:
                starts.add(start)
    return any(
        bisect_left(dates, start + period) - bisect_left(dates, start) + 1 > limit.count
        for start in starts
    )


def check(
    restrictions: Restrictions,
    action: Action,
    *,
    service_code: str | None = None,
    appointments: Sequence[date] = (),
    appointment_date: date | None = None,
    staff_id: str | None = None,
    usual_staff_id: str | None = None,
    today: date,
) -> CheckResult:
    """May the customer do `action`? `appointments` are the arrival dates of their non-cancelled
    bookings; a booking is checked for `appointment_date` (default today). `usual_staff_id` is
    the staff of their most recent non-cancelled booking that named one."""
    if action == "marketing":
        why = restrictions.reasons_for("implies_marketing_consent", "marketing_objected")
        return CheckResult(
            allowed=restrictions.marketing_allowed,
            must_prepay=False,
            reasons=why,
            consent=restrictions.marketing_consent,
        )
    warnings = tuple(
        CheckWarning(r.category_code, r.status_code, r.rule, usual_staff_id)
        for r in restrictions.reasons_for("staff_change_warning")
        if action in STAFF_ACTIONS
        and staff_id is not None
        and usual_staff_id is not None
        and staff_id != usual_staff_id
    )
    if action == "change_staff":
        return CheckResult(allowed=True, must_prepay=False, reasons=(), warnings=warnings)
    reasons: list[Reason] = []
    allowed = True
    for rule in _ACTION_RULES[action]:
        if not getattr(restrictions, rule):
            allowed = False
            reasons.extend(restrictions.reasons_for(rule))
    booking = action in ("book", "book_online")
    services = restrictions.allowed_service_codes
    if (
        booking
        and service_code is not None
        and services is not None
        and service_code not in services
    ):
        allowed = False
        reasons.extend(restrictions.reasons_for("allowed_service_codes"))
    limit = restrictions.max_appointments
    if (
        booking
        and limit is not None
        and would_exceed(appointments, limit, appointment_date or today)
    ):
        allowed = False
        reasons.extend(restrictions.reasons_for("max_appointments"))
    must_prepay = action == "book_online" and restrictions.must_prepay_online
    if must_prepay:
        reasons.extend(restrictions.reasons_for("must_prepay_online"))
    return CheckResult(
        allowed=allowed, must_prepay=must_prepay, reasons=tuple(reasons), warnings=warnings
    )
