"""Which days a sweep may be run as of (SPEC §2: `POST /v1/sweeps`).

Today or earlier catches up after an outage. A future day would make real changes that are not
due yet, and move the tenant's clock for good, so it is refused — except where time is simulated
on purpose (`CSTATUS_ENV` development or test: demos and tests).
"""

from __future__ import annotations

from datetime import date

__all__ = ["sweep_day_refusal"]


def sweep_day_refusal(as_of: date, today: date, *, simulated_time: bool) -> str | None:
    """Why a sweep as of `as_of` is refused on `today`; None when it may run."""
    if as_of > today and not simulated_time:
        return f"as_of {as_of.isoformat()} is in the future (today is {today.isoformat()})"
    return None
