"""The reference model: SPEC §1, small and on its own, applied to a whole workload offline.

It imports nothing of the services. From the workload's steps (whatever order they will be
processed in) it computes each customer's expected final statuses, restrictions, check answers and
profile, as the specification states them:

- relationship: a manual or bulk `vip` pins it; otherwise `client` once any first-activity event
  happened (a cancellation does not undo it), else the default `lead`;
- lifecycle: a manual `suspended` pins it; otherwise `fraud_suspected` (sticky) when more than 20
  transactions happened within any 60 minutes, else `active`;
- loyalty: the highest tier whose minimum of non-cancelled reservations (arrival date in the
  window) is met, with the rule as configured at the end; else the default `bronze`;
- account: what external commands set, else the default `standard`;
- restrictions: every status's properties combined (any false `can_*` forbids, any
  `must_prepay_online`/`transactions_are_outliers` applies); marketing: opted in;
- profile: per field, the value of the latest event by its `time`; nothing after an erasure.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workload import (
    CATEGORIES,
    FIRST_ACTIVITY,
    NEW_CATEGORY,
    ConfigChange,
    Event,
    HttpChange,
    Workload,
)

__all__ = ["ACTIONS", "Expected", "expect"]

PROPERTY_DEFAULTS = {
    "can_transact": True,
    "can_redeem": True,
    "can_book_online": True,
    "must_prepay_online": False,
    "transactions_are_outliers": False,
}
ACTIONS = {"transact": "can_transact", "redeem": "can_redeem", "book_online": "can_book_online"}
PROFILE_FIELDS = ("email", "first_name", "last_name", "marketing_opt_in")


@dataclass
class Expected:
    """One customer's expected final state."""

    statuses: dict[str, str | None]
    restrictions: dict[str, bool]
    checks: dict[str, tuple[bool, bool]]  # action -> (allowed, must_prepay)
    profile: dict[str, Any]
    erased: bool


@dataclass
class _Customer:
    events: list[Event] = field(default_factory=list)
    pinned: dict[str, str] = field(default_factory=dict)
    external: dict[str, str] = field(default_factory=dict)


def _velocity_matches(times: list[datetime], threshold: int, window: timedelta) -> bool:
    """More than `threshold` within any `window` (a sliding window over all of them)."""
    times = sorted(times)
    lo = 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        if hi - lo + 1 > threshold:
            return True
    return False


def _reservations(events: list[Event]) -> int:
    booked: dict[str, str] = {}
    cancelled: set[str] = set()
    for e in events:
        if e.type == "reservation.booked":
            booked[e.data["reservation_id"]] = e.data["arrival_date"]
        elif e.type == "reservation.cancelled":
            cancelled.add(e.data["reservation_id"])
    return sum(1 for rid in booked if rid not in cancelled)


def _automatic(category: str, statuses: dict[str, Any], c: _Customer) -> str | None:
    if category in c.pinned:
        return c.pinned[category]
    types = {e.type for e in c.events}
    best: tuple[int, str] | None = None
    for code, status in statuses.items():
        rule = status.get("rule")
        if rule is None:
            continue
        if rule["type"] == "first_activity":
            matched = bool(types & set(FIRST_ACTIVITY))
        elif rule["type"] == "velocity":
            times = [e.time for e in c.events if e.type == "transaction.completed"]
            matched = _velocity_matches(
                times, rule["threshold"], timedelta(minutes=rule["window_minutes"])
            )
        elif rule["type"] == "count":
            matched = _reservations(c.events) >= rule["min"]
        else:
            raise ValueError(rule)
        if matched and (best is None or status["priority"] > best[0]):
            best = (status["priority"], code)
    if best is not None:
        return best[1]
    return next((code for code, s in statuses.items() if s.get("default")), None)


def _profile(events: list[Event]) -> tuple[dict[str, Any], bool]:
    erased = any(e.type == "customer.erased" for e in events)
    latest: dict[str, tuple[datetime, Any]] = {}
    for e in events:
        if e.type not in ("customer.created", "customer.updated"):
            continue
        for name in PROFILE_FIELDS:
            if name in e.data and (name not in latest or e.time >= latest[name][0]):
                latest[name] = (e.time, e.data[name])
    profile = {name: latest[name][1] if name in latest else None for name in PROFILE_FIELDS}
    if erased:
        profile = {name: None for name in PROFILE_FIELDS if name != "marketing_opt_in"}
    return profile, erased


def expect(work: Workload) -> dict[tuple[str, str], Expected]:
    """(tenant, customer) → what must hold once everything of `work` has been processed."""
    config = {t: copy.deepcopy(CATEGORIES) for t in work.tenants}
    customers: dict[tuple[str, str], _Customer] = defaultdict(_Customer)
    seen_ids: set[tuple[str, str]] = set()
    for step in work.steps:
        if isinstance(step, Event):
            c = customers[(step.tenant, step.customer)]
            if step.type == "customer_status.assign":
                c.external[step.data["category_code"]] = step.data["status_code"]
            elif (step.tenant, step.id) not in seen_ids:
                c.events.append(step)
            seen_ids.add((step.tenant, step.id))
        elif isinstance(step, HttpChange):
            for customer in step.customers:
                customers[(step.tenant, customer)].pinned[step.category] = step.status
        elif isinstance(step, ConfigChange) and step.kind == "new_category":
            config[step.tenant][step.category] = copy.deepcopy(NEW_CATEGORY)
        elif isinstance(step, ConfigChange):
            status = config[step.tenant][step.category]["statuses"][step.status]
            if step.kind == "rule_min":
                status["rule"]["min"] = step.value
            else:
                status.setdefault("properties", {}).update(step.value)
    expected: dict[tuple[str, str], Expected] = {}
    for (tenant, customer), c in customers.items():
        categories = config[tenant]
        held: dict[str, str | None] = {}
        for code, category in categories.items():
            statuses = category["statuses"]
            if category["update_mode"] in ("external", "manual"):
                default = next((s for s, d in statuses.items() if d.get("default")), None)
                held[code] = c.external.get(code, default)
            else:
                held[code] = _automatic(code, statuses, c)
        restrictions = dict(PROPERTY_DEFAULTS)
        for code, status in held.items():
            if status is None:
                continue
            for name, value in categories[code]["statuses"][status].get("properties", {}).items():
                if name.startswith("can_"):
                    restrictions[name] = restrictions[name] and value
                else:
                    restrictions[name] = restrictions[name] or value
        profile, erased = _profile(c.events)
        restrictions["marketing_allowed"] = bool(profile.get("marketing_opt_in"))
        checks = {
            action: (
                restrictions[name],
                action == "book_online" and restrictions["must_prepay_online"],
            )
            for action, name in ACTIONS.items()
        }
        expected[(tenant, customer)] = Expected(held, restrictions, checks, profile, erased)
    return expected
