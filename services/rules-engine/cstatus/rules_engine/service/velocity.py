"""Where a decision's velocity points come from: the Redis window store in real time, the stored
activity otherwise (sweeps, re-evaluations, reports, and whenever Redis is missing or down).

Both give the same points: the window store keeps exactly the recent points of a customer, and
every set it cannot vouch for (missing, or of an epoch that missed a write) is refilled from the
activity the decision loaded anyway. Correctness never depends on Redis; only speed does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

import asyncpg

from cstatus.rules_engine.adapters.velocity_window import (
    RedisVelocityWindow,
    WindowKey,
    WindowUnavailable,
    bump_epochs,
    load_epochs,
)
from cstatus.rules_engine.domain.evaluate import VelocityPoints
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.tenant import TenantRules
from cstatus.rules_engine.domain.velocity import METRIC_EVENTS, VelocityPoint, points_of, recent

__all__ = ["VelocitySource", "WindowedVelocity", "from_activity"]

log = logging.getLogger(__name__)

VelocitySource = Callable[
    [str, TenantRules, Mapping[str, Sequence[ActivityEvent]]],
    Awaitable[dict[str, VelocityPoints]],
]
"""(tenant, rules, customer -> stored activity) -> customer -> metric -> recent points."""


def _union(*sources: Sequence[VelocityPoint]) -> list[VelocityPoint]:
    found = {p.event_id: p for points in sources for p in points}
    return sorted(found.values(), key=lambda p: (p.time, p.event_id))


async def from_activity(
    tenant: str, rules: TenantRules, activity: Mapping[str, Sequence[ActivityEvent]]
) -> dict[str, VelocityPoints]:
    """Every point of each customer, from the activity stored in PostgreSQL: a rule matches when
    its threshold is passed in *any* window, so a late event's burst counts as an early one's."""
    return {
        customer: {m: points_of(events, m) for m in rules.velocity_windows}
        for customer, events in activity.items()
    }


class WindowedVelocity:
    """Keeps the Redis windows of a batch's customers and reads them back for its decisions.

    After a failure Redis is left alone for `retry_after_s` (every batch meanwhile bumps its
    tenants' epochs, as its points are not in Redis)."""

    def __init__(self, window: RedisVelocityWindow, *, retry_after_s: float) -> None:
        self._window = window
        self._retry_after_s = retry_after_s
        self._down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: WindowUnavailable) -> None:
        if self._available():
            log.warning("velocity windows: Redis unavailable (%s); using PostgreSQL", error)
        self._down_until = time.monotonic() + self._retry_after_s

    async def batch(
        self,
        conn: asyncpg.Connection,
        rules: Mapping[str, TenantRules],
        activity: Sequence[tuple[str, str, ActivityEvent]],
        customers: Sequence[tuple[str, str]],
    ) -> VelocitySource:
        """Add the batch's points to the windows of their tenants' velocity metrics and read the
        windows of `customers` (one Redis call); the source answers the batch's decisions."""
        tenants = sorted({t for t, _ in customers} | {t for t, _, _ in activity})
        measured = {t: rules[t] for t in tenants if t in rules and rules[t].velocity_horizon}
        if not measured:
            return from_activity
        epochs = await load_epochs(conn, measured)
        writes: dict[WindowKey, list[VelocityPoint]] = {}
        for tenant, customer, event in activity:
            if tenant in measured:
                r = measured[tenant]
                for metric in r.velocity_windows:
                    if event.type == METRIC_EVENTS[metric]:
                        key = WindowKey(
                            tenant, epochs[tenant], r.velocity_horizon, metric, customer
                        )
                        writes.setdefault(key, []).extend(points_of([event], metric))
        reads = sorted(
            WindowKey(t, epochs[t], measured[t].velocity_horizon, m, c)
            for t, c in customers
            if t in measured
            for m in measured[t].velocity_windows
        )
        found: dict[WindowKey, list[VelocityPoint] | None] = {}
        try:
            if not self._available():
                raise WindowUnavailable("left alone after a failure")
            found = await self._window.add_and_load(writes, reads)
        except WindowUnavailable as error:
            if self._available():
                self._failed(error)
            if writes:
                await bump_epochs(conn, {k.tenant for k in writes})
            return from_activity
        return self._source(epochs, found)

    def _source(
        self, epochs: Mapping[str, int], found: Mapping[WindowKey, list[VelocityPoint] | None]
    ) -> VelocitySource:
        async def points(
            tenant: str, rules: TenantRules, activity: Mapping[str, Sequence[ActivityEvent]]
        ) -> dict[str, VelocityPoints]:
            horizon = rules.velocity_horizon
            answer: dict[str, VelocityPoints] = {}
            refill: dict[WindowKey, list[VelocityPoint]] = {}
            for customer, events in activity.items():
                mine: dict[str, list[VelocityPoint]] = {}
                for metric in rules.velocity_windows:
                    key = WindowKey(tenant, epochs.get(tenant, -1), horizon, metric, customer)
                    kept = found.get(key)
                    stored = points_of(events, metric)
                    if kept is None:
                        kept = recent(stored, horizon)
                        if key in found:
                            refill[key] = kept
                    # The window keeps the points near the newest one; a late event's points
                    # (older than that) are in the stored activity: every window counts.
                    mine[metric] = _union(kept, stored)
                answer[customer] = mine
            if refill and self._available():
                try:
                    await self._window.fill(refill)
                except WindowUnavailable as error:
                    self._failed(error)  # the sets stay incomplete: refilled next time
            return answer

        return points
