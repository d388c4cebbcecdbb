"""Answers computed from a customer's changes: statuses held at a time, and the timeline.

Changes may have been delivered out of order, so every answer orders them by their
per-(customer, category) `sequence`, never by arrival.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cstatus.audit.domain.changes import LoggedChange, Status

__all__ = ["CategoryTimeline", "Period", "by_category", "latest_per_category", "timeline"]


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of time in one status; `left_at` is None while the customer is still in it."""

    status: Status
    entered_at: datetime
    left_at: datetime | None
    duration: timedelta
    change_id: str


@dataclass(frozen=True, slots=True)
class CategoryTimeline:
    periods: tuple[Period, ...]
    missing_sequences: tuple[int, ...]
    """Sequence numbers between the first and last known change that have not arrived (yet)."""


def by_category(changes: Iterable[LoggedChange]) -> dict[str, list[LoggedChange]]:
    """The changes of each category, in sequence order."""
    grouped: dict[str, list[LoggedChange]] = defaultdict(list)
    for change in changes:
        grouped[change.category_code].append(change)
    return {
        code: sorted(items, key=lambda c: (c.sequence, c.id)) for code, items in grouped.items()
    }


def latest_per_category(
    changes: Iterable[LoggedChange], at: datetime | None = None
) -> dict[str, LoggedChange]:
    """For each category, the change with the highest sequence among those effective at `at`
    (or ever, without `at`). Its `to` is the status held then (None: no status)."""
    latest: dict[str, LoggedChange] = {}
    for code, items in by_category(changes).items():
        effective = [c for c in items if at is None or c.effective_at <= at]
        if effective:
            latest[code] = effective[-1]
    return latest


def _missing(sequences: list[int]) -> tuple[int, ...]:
    present = set(sequences)
    return tuple(n for n in range(min(present), max(present) + 1) if n not in present)


def timeline(changes: Iterable[LoggedChange], now: datetime) -> Mapping[str, CategoryTimeline]:
    """Per category, each status held: entered when a change moved into it, left at the next
    change of that category (or still held at `now`). Periods without a status are left out."""
    result: dict[str, CategoryTimeline] = {}
    for code, items in by_category(changes).items():
        periods: list[Period] = []
        for index, change in enumerate(items):
            if change.to is None:
                continue
            following = items[index + 1] if index + 1 < len(items) else None
            left_at = following.effective_at if following is not None else None
            duration = max((left_at or now) - change.effective_at, timedelta(0))
            periods.append(
                Period(change.to, change.effective_at, left_at, duration, change.change_id)
            )
        result[code] = CategoryTimeline(tuple(periods), _missing([c.sequence for c in items]))
    return result
