"""The daily sweep's candidates (SPEC §1): the customers whose evaluation may differ on one day
from another, found by index range scans over `activity` (and, for a `period_end` policy whose
period ends, the holders of the category), never by a scan of all customers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from cstatus.rules_engine.domain.model import CountRule, Downgrade, InactivityRule
from cstatus.rules_engine.domain.policy import period_start
from cstatus.rules_engine.domain.tenant import TenantRules

__all__ = ["sweep_candidates"]


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _ranges(
    rules: TenantRules, since: date, as_of: date
) -> tuple[list[tuple[date, date]], list[tuple[datetime, datetime]]]:
    """Arrival-date ranges (lo, hi] and event-time ranges [lo, hi) whose events may have entered
    or left a window of some rule between the day `since` and the day `as_of`."""
    arrivals: list[tuple[date, date]] = []
    times: list[tuple[datetime, datetime]] = []
    day = timedelta(days=1)
    any_rule = False
    for category in rules.categories:
        # SPEC 1.7 grace: a move down falls due `grace_days` after what changed the measure
        grace = category.downgrade.grace_days if category.downgrade.mode == "grace" else None
        shifts = [timedelta(0)] + ([timedelta(days=grace)] if grace else [])
        for status in category.statuses:
            rule = status.rule
            if rule is None or status.archived:
                continue
            any_rule = True
            for g in shifts:
                lo, hi = since - g, as_of - g
                if isinstance(rule, CountRule) and rule.metric == "reservations":
                    arrivals.append((lo, hi))  # arrived: counted from its arrival date on
                    if rule.window_days is not None:  # left: first day out is arrival + W + 1
                        w = timedelta(days=rule.window_days)
                        arrivals.append((lo - w - day, hi - w - day))
                elif isinstance(rule, CountRule) and rule.window_days is not None:
                    w = timedelta(days=rule.window_days)
                    times.append((_start(lo - w - day), _start(hi - w + day)))
                elif isinstance(rule, InactivityRule):
                    d = timedelta(days=rule.days)
                    times.append((_start(lo - d - day), _start(hi - d + day)))
    if any_rule:  # events dated after the last sweep's instant only now fall before `now`
        times.append((_start(since), _start(as_of + day)))
    return arrivals, times


async def sweep_candidates(
    conn: asyncpg.Connection, tenant: str, rules: TenantRules, since: date, as_of: date
) -> list[str]:
    """The customers whose evaluation may differ on `as_of` from the one on `since`: index range
    scans over the activity table, never a scan of all customers."""
    arrivals, times = _ranges(rules, since, as_of)
    ended = [c.code for c in rules.categories if _period_ended(c.downgrade, since, as_of)]
    holders: list[str] = []
    if ended:  # SPEC 1.7 period_end: every holder of a status above the default is assessed
        found = await conn.fetch(
            "SELECT DISTINCT customer FROM holdings WHERE tenant = $1"
            " AND category = ANY($2::text[]) AND status_code IS NOT NULL",
            tenant,
            ended,
        )
        holders = [r["customer"] for r in found]
    if not arrivals and not times:
        return sorted(holders)
    rows = await conn.fetch(
        "SELECT a.customer FROM unnest($2::date[], $3::date[]) AS r(lo, hi)"
        " JOIN activity a ON a.tenant = (SELECT $1::text) AND a.arrival_date > r.lo AND a.arrival_date <= r.hi"
        " UNION"
        " SELECT a.customer FROM unnest($4::timestamptz[], $5::timestamptz[]) AS r(lo, hi)"
        " JOIN activity a ON a.tenant = (SELECT $1::text) AND a.time >= r.lo AND a.time < r.hi"
        " ORDER BY 1",
        tenant,
        [lo for lo, _ in arrivals],
        [hi for _, hi in arrivals],
        [lo for lo, _ in times],
        [hi for _, hi in times],
    )
    if not holders:
        return [r["customer"] for r in rows]
    return sorted({r["customer"] for r in rows} | set(holders))


def _period_ended(policy: Downgrade, since: date, as_of: date) -> bool:
    """Whether a period of a `period_end` policy starts in (`since`, `as_of`] (an anniversary
    may fall on any day: a day is enough)."""
    if policy.mode != "period_end":
        return False
    if policy.period == "anniversary":
        return as_of > since
    return any(
        period_start(policy.period or "year", day, None) == day
        for day in (
            date.fromordinal(n) for n in range(since.toordinal() + 1, as_of.toordinal() + 1)
        )
    )
