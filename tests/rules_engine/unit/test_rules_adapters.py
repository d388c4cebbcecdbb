"""The pure parts around the domain: configuration translation, pin semantics of changes, the
sweep's candidate ranges and the daily timer."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cstatus.contracts.changes import Explanation, StatusChanged, StatusRef
from cstatus.contracts.configuration import (
    CategoryConfig,
    CountRule,
    InactivityRule,
    StatusConfig,
    StatusProperties,
    TenantConfiguration,
)
from cstatus.contracts.envelope import new_event
from cstatus.rules_engine.adapters.configuration import tenant_rules
from cstatus.rules_engine.adapters.sweep_candidates import _ranges
from cstatus.rules_engine.domain import model
from cstatus.rules_engine.domain.tenant import Holding
from cstatus.rules_engine.entrypoints.timer import next_run
from cstatus.rules_engine.service.ingest import holding_change
from cstatus.rules_engine.service.sweep import sweep_instant

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _status(code: str, **kwargs: object) -> StatusConfig:
    return StatusConfig(id=code, code=code, name=code, colour="#000000", **kwargs)  # type: ignore[arg-type]


def _config() -> TenantConfiguration:
    loyalty = CategoryConfig(
        id="1",
        code="loyalty",
        name="Loyalty",
        update_mode="automatic",
        statuses=(
            _status("member", is_default=True),
            _status(
                "gold", priority=3, rule=CountRule(metric="reservations", min=5, window_days=365)
            ),
            _status("quiet", priority=1, rule=InactivityRule(days=90)),
        ),
    )
    labels = CategoryConfig(
        id="2",
        code="labels",
        name="Labels",
        update_mode="manual",
        statuses=(
            _status("watch", properties=StatusProperties(transactions_are_outliers=True)),
            _status("hold", system_state="suspended"),
        ),
    )
    return TenantConfiguration(categories=(loyalty, labels))


def test_only_automatic_categories_are_evaluated_and_outlier_statuses_are_known() -> None:
    rules = tenant_rules(7, _config())
    assert [c.code for c in rules.categories] == ["loyalty"]
    gold = rules.categories[0].status("gold")
    assert gold is not None and gold.rule == model.CountRule("reservations", 5, None, 365)
    assert rules.outlier_reason([Holding("loyalty", "member")]) is None
    found = rules.outlier_reason([Holding("labels", "watch")])
    assert found is not None and "transactions_are_outliers" in found[1]
    held = rules.outlier_reason([Holding("other", "x", "fraud_suspected")])
    assert held is not None and "fraud_suspected" in held[1]


def _change(source: str, rule: str, details: dict[str, object] | None = None) -> StatusChanged:
    return StatusChanged(
        change_id="c-1",
        category_code="loyalty",
        from_=None,
        to=StatusRef(code="gold", name="Gold"),
        source=source,  # type: ignore[arg-type]
        actor="someone",
        explanation=Explanation(rule=rule, details=details or {}),
        effective_at=NOW,
        sequence=4,
        exclude_from_reports=False,
    )


@pytest.mark.parametrize(
    ("source", "rule", "pin"),
    [
        ("manual", "manual", True),
        ("system", "unpin", False),
        ("system", "pin_expired", False),
        ("automatic", "count", False),
        ("system", "default", None),
    ],
)
def test_which_changes_pin_and_unpin(source: str, rule: str, pin: bool | None) -> None:
    event = new_event(
        _change(source, rule), id="e", source="t", tenant="acme", subject="c", time=NOW
    )
    assert holding_change(event).pin is pin


def test_a_manual_change_pins_until_the_time_it_names() -> None:
    until = "2026-12-01T00:00:00Z"
    event = new_event(
        _change("manual", "manual", {"pinned_until": until}),
        id="e",
        source="t",
        tenant="acme",
        subject="c",
        time=NOW,
    )
    assert holding_change(event).pinned_until == datetime(2026, 12, 1, tzinfo=UTC)


def test_sweep_ranges_cover_arrivals_leaving_windows_and_inactivity() -> None:
    rules = tenant_rules(1, _config())
    since, as_of = date(2026, 1, 10), date(2026, 3, 1)
    arrivals, times = _ranges(rules, since, as_of)
    assert (since, as_of) in arrivals
    assert (date(2025, 1, 9), date(2025, 2, 28)) in arrivals  # arrival + 366 days in (since, as_of]
    assert (datetime(2025, 10, 11, tzinfo=UTC), datetime(2025, 12, 2, tzinfo=UTC)) in times


def test_a_sweep_of_a_later_day_evaluates_at_its_start_and_today_now() -> None:
    assert sweep_instant(NOW.date(), NOW) == NOW
    later = NOW.date() + timedelta(days=3)
    assert sweep_instant(later, NOW) == datetime.combine(later, time.min, UTC)


def test_the_timer_runs_at_the_next_occurrence() -> None:
    assert next_run(time(3, 0), NOW) == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert next_run(time(13, 0), NOW) == datetime(2026, 11, 22, 13, 0, tzinfo=UTC)


def test_the_rules_cache_keeps_the_most_recently_used_versions_up_to_its_size() -> None:
    from cstatus.rules_engine.adapters.configuration import RulesCache
    from cstatus.rules_engine.domain.tenant import TenantRules

    cache = RulesCache(size=2)
    one, two, three = (TenantRules(v, ()) for v in (1, 2, 3))
    cache.put("s.a", 1, one)
    cache.put("s.b", 2, two)
    assert cache.get("s.a", 1) is one  # a is now the most recently used
    cache.put("s.c", 3, three)
    assert len(cache) == 2
    assert cache.get("s.b", 2) is None
    assert (cache.get("s.a", 1), cache.get("s.c", 3)) == (one, three)
    assert cache.get("s.a", 2) is None  # another version is another entry
