"""Warnings ahead of a move down (SPEC 1.7 `warn_days`), published by the daily sweep.

A sweep from day `since` to day `as_of` warns of the moves down that fall due `warn_days`
later: the customers whose evaluation may change between `since + warn_days` and
`as_of + warn_days` are exactly the sweep's own candidates for those days (the same index range
scans), so the cost grows with the customers concerned, never with all of them. Each is
evaluated on its whole history (`domain/warning.py`); a warning is published once per
(customer, category, day), through the outbox on `customer-status.changes.v1`, in the page's
transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import asyncpg

from cstatus.contracts import topics
from cstatus.contracts.changes import WillDowngrade
from cstatus.contracts.envelope import encode, message_key, new_event
from cstatus.platform.db.outbox import OutboxMessage
from cstatus.rules_engine.adapters.sweep_candidates import sweep_candidates
from cstatus.rules_engine.adapters.warnings import claim_warnings, forget_warnings_before
from cstatus.rules_engine.domain.facts import fold
from cstatus.rules_engine.domain.model import Category
from cstatus.rules_engine.domain.tenant import TenantRules
from cstatus.rules_engine.domain.velocity import points_by_metric
from cstatus.rules_engine.domain.warning import DowngradeWarning, downgrade_warning
from cstatus.rules_engine.service.unit_of_work import DecisionStore, DecisionStores

__all__ = ["warn_of_downgrades"]

SOURCE = "rules-engine"
PAGE = 500
_NAMESPACE = uuid.UUID("a3f1c2d4-6b7e-4f80-9a1b-2c3d4e5f6a7b")


def _message(
    tenant: str, customer: str, warning: DowngradeWarning, now: datetime, version: int
) -> OutboxMessage:
    warning_id = uuid.uuid5(
        _NAMESPACE, f"{tenant}:{customer}:{warning.category_code}:{warning.on.isoformat()}"
    ).hex
    data = WillDowngrade(
        warning_id=warning_id,
        category_code=warning.category_code,
        status_code=warning.status_code,
        to_status_code=warning.to_status_code,
        on=warning.on,
        keep=warning.keep,
        warn_days=warning.warn_days,
        config_version=version,
    )
    event = new_event(data, id=warning_id, source=SOURCE, tenant=tenant, subject=customer, time=now)
    return OutboxMessage(topics.STATUS_CHANGES, message_key(tenant, customer), encode(event))


async def _warn_page(
    conn: asyncpg.Connection,
    store: DecisionStore,
    tenant: str,
    rules: TenantRules,
    category: Category,
    customers: list[str],
    now: datetime,
) -> int:
    holdings = await store.holdings(tenant, customers)
    activity = await store.activity(tenant, customers)
    found: dict[tuple[str, str, date], DowngradeWarning] = {}
    for customer in customers:
        held = holdings.get(customer, {}).get(category.code)
        if held is None:
            continue
        events = activity.get(customer, [])
        points = points_by_metric(rules.velocity_windows, events)
        warning = downgrade_warning(category, fold(events), held.current, now, points)
        if warning is not None:
            found[(customer, category.code, warning.on)] = warning
    fresh = await claim_warnings(conn, tenant, sorted(found), now)
    messages = [_message(tenant, key[0], found[key], now, rules.version) for key in sorted(fresh)]
    await store.publish(messages)
    return len(messages)


async def warn_of_downgrades(
    conn: asyncpg.Connection,
    stores: DecisionStores,
    tenant: str,
    rules: TenantRules,
    since: date,
    as_of: date,
    now: datetime,
) -> int:
    """Publish the warnings falling due between the days `since` and `as_of`; how many."""
    warned = 0
    for category in rules.categories:
        ahead = timedelta(days=category.downgrade.warn_days)
        if not ahead:
            continue
        alone = rules.among({category.code})
        candidates = await sweep_candidates(conn, tenant, alone, since + ahead, as_of + ahead)
        for start in range(0, len(candidates), PAGE):
            async with conn.transaction():
                page = candidates[start : start + PAGE]
                warned += await _warn_page(conn, stores(conn), tenant, rules, category, page, now)
    await forget_warnings_before(conn, tenant, as_of)
    return warned
