"""As-of and timeline answers from changes in any order of arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cstatus.audit.domain.changes import LoggedChange, Status
from cstatus.audit.domain.history import latest_per_category, timeline
from cstatus.audit.domain.names import Names, in_language

pytestmark = pytest.mark.unit

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def change(category: str, sequence: int, to: str | None, days: float, row: int) -> LoggedChange:
    return LoggedChange(
        id=row,
        change_id=f"{category}-{sequence}",
        customer_id="c",
        category_code=category,
        sequence=sequence,
        from_=None,
        to=Status(to, to.title()) if to else None,
        source="automatic",
        actor="rules-engine",
        reason=None,
        explanation=None,
        exclude_from_reports=False,
        effective_at=T0 + days * DAY,
        recorded_at=T0,
        personal_data_erased=False,
    )


# Arrival order (row ids) deliberately differs from sequence order.
CHANGES = [
    change("loyalty", 3, "gold", 20, row=1),
    change("loyalty", 1, "bronze", 0, row=2),
    change("loyalty", 2, "silver", 10, row=3),
    change("life", 1, "active", 0, row=4),
    change("life", 2, None, 5, row=5),
]


def test_as_of_takes_the_highest_sequence_effective_by_then() -> None:
    def held(days: float) -> dict[str, str | None]:
        found = latest_per_category(CHANGES, T0 + days * DAY)
        return {code: c.to.code if c.to else None for code, c in found.items()}

    assert held(-1) == {}
    assert held(0) == {"loyalty": "bronze", "life": "active"}
    assert held(12) == {"loyalty": "silver", "life": None}
    assert held(25) == {"loyalty": "gold", "life": None}


def test_timeline_orders_by_sequence_and_measures_each_period() -> None:
    now = T0 + 30 * DAY
    found = timeline(CHANGES, now)
    loyalty = [
        (p.status.code, p.entered_at, p.left_at, p.duration) for p in found["loyalty"].periods
    ]
    assert loyalty == [
        ("bronze", T0, T0 + 10 * DAY, 10 * DAY),
        ("silver", T0 + 10 * DAY, T0 + 20 * DAY, 10 * DAY),
        ("gold", T0 + 20 * DAY, None, 10 * DAY),
    ]
    assert [p.status.code for p in found["life"].periods] == ["active"]  # no-status left out
    assert found["life"].periods[0].duration == 5 * DAY


def test_timeline_reports_sequences_that_have_not_arrived() -> None:
    found = timeline([change("loyalty", 1, "a", 0, 1), change("loyalty", 4, "b", 3, 2)], T0)
    assert found["loyalty"].missing_sequences == (2, 3)
    assert found["loyalty"].periods[1].duration == timedelta(0)  # `now` before it: never negative


def test_names_in_the_readers_language_fall_back_to_what_the_event_carried() -> None:
    names = Names(
        "en",
        {"loyalty": {"names": {"de": "Treue"}, "statuses": {"gold": {"de": "Gold (de)"}}}},
    )
    logged = [change("loyalty", 1, "gold", 1, row=1), change("loyalty", 2, "silver", 2, row=2)]
    assert [c.to.name for c in in_language(logged, names, ["de-AT"]) if c.to] == [
        "Gold (de)",
        "Silver",  # no German name for silver: the event's
    ]
    assert [c.to.name for c in in_language(logged, names, ["fr"]) if c.to] == ["Gold", "Silver"]
    assert names.category("loyalty", ["de"], "Loyalty") == "Treue"
    assert names.category("loyalty", ["en", "de"], "Loyalty") == "Loyalty"  # default first
