"""Previewing a configuration change (SPEC 1.9) over every customer of a tenant, changing
nothing: one read-only, repeatable-read transaction (one snapshot of the facts), a page of
customers at a time, each read whole and evaluated under both the proposed and the current
configuration (`domain/preview.py` adds it up)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as day_start
from typing import Any

import asyncpg

from cstatus.contracts import configuration as wire
from cstatus.rules_engine.adapters.activity_store import customers_of, load_activity
from cstatus.rules_engine.adapters.configuration import tenant_rules
from cstatus.rules_engine.adapters.translate import wire_explanation
from cstatus.rules_engine.adapters.views import Held, load_holdings
from cstatus.rules_engine.domain.evaluate import Explanation, evaluate
from cstatus.rules_engine.domain.facts import fold
from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.preview import (
    ProposalError,
    Tally,
    proposed_document,
    status_properties,
)
from cstatus.rules_engine.domain.tenant import TenantRules
from cstatus.rules_engine.domain.velocity import points_by_metric

__all__ = ["PAGE", "Preview", "ProposalError", "preview"]

log = logging.getLogger(__name__)

PAGE = 2_000
KEPT = Explanation("kept")
"""Automation leaves the category alone (pinned, or a sticky status)."""


@dataclass(frozen=True, slots=True)
class Preview:
    tally: Tally
    as_of: date
    config_version: int
    seconds: float


def _targets(
    rules: TenantRules,
    held: Mapping[str, Held],
    defaults: Mapping[str, str | None],
    facts: Any,
    points: Any,
    when: datetime,
) -> dict[str, tuple[str | None, Any]]:
    found: dict[str, tuple[str | None, Any]] = {}
    for category in rules.categories:
        mine = held.get(category.code)
        current = mine.current if mine is not None else Current(defaults.get(category.code))
        decision = evaluate(category, facts, current, when, points)
        if decision is None:  # pinned or sticky: stays
            found[category.code] = (current.status_code, KEPT)
        else:  # the wire form is built for the sample only (it is the costly part)
            found[category.code] = (decision.status_code, decision.explanation)
    return found


async def preview(
    conn: asyncpg.Connection,
    tenant: str,
    *,
    as_of: date,
    now: datetime,
    category: Mapping[str, Any] | None = None,
    status: Mapping[str, Any] | None = None,
    rule: Mapping[str, Any] | None = None,
    sample: int = 20,
    page_size: int = PAGE,
    progress: Callable[[int, int], None] | None = None,
) -> Preview:
    """Raises `ProposalError` for a proposal that does not fit the configuration, and pydantic's
    `ValidationError` for a proposed configuration that is not valid."""
    started = time.monotonic()
    row = await conn.fetchrow(
        "SELECT version, document::text AS document FROM configs WHERE tenant = $1", tenant
    )
    if row is None:
        raise ProposalError("tenant", "the rules engine has no configuration of this tenant yet")
    current = wire.TenantConfiguration.model_validate_json(row["document"])
    document = current.model_dump(mode="json")
    proposed = wire.TenantConfiguration.model_validate(
        proposed_document(document, category=category, status=status, rule=rule)
    )
    version = row["version"]
    rules_now, rules_new = tenant_rules(version, current), tenant_rules(version, proposed)
    properties = (status_properties(document), status_properties(proposed.model_dump(mode="json")))
    defaults = {
        c.code: next((s.code for s in c.statuses if s.is_default and not s.archived), None)
        for c in current.categories
        if not c.archived
    }
    when = max(now, datetime.combine(as_of, day_start(), UTC))
    windows = set(rules_now.velocity_windows) | set(rules_new.velocity_windows)
    # A category the proposal leaves as it is decides alike under both: evaluated once.
    proposed_by_code = {c.code: c for c in rules_new.categories}
    same = {c.code for c in rules_now.categories if proposed_by_code.get(c.code) == c}
    left = tuple(c for c in rules_now.categories if c.code not in same)
    changed = replace(rules_now, categories=left) if left else None
    tally = Tally(sample_size=sample)
    total: int = await conn.fetchval("SELECT count(*) FROM customers WHERE tenant = $1", tenant)
    cursor: str | None = None
    while True:
        page = await customers_of(conn, tenant, cursor, page_size)
        if not page:
            break
        holdings = await load_holdings(conn, tenant, page)
        activity = await load_activity(conn, tenant, page)
        for customer in page:
            events = activity.get(customer, [])
            facts = fold(events)
            points = points_by_metric(windows, events)
            mine = holdings.get(customer, {})
            held = {code: default for code, default in defaults.items()}
            held |= {code: h.current.status_code for code, h in mine.items()}
            new = _targets(rules_new, mine, defaults, facts, points, when)
            old = _targets(changed, mine, defaults, facts, points, when) if changed else {}
            current_targets = {c: t for c, (t, _) in old.items()}
            current_targets |= {c: new[c][0] for c in same if c in new}
            tally.add(customer, held, new, current_targets, properties)
        cursor = page[-1]
        if progress is not None:
            progress(tally.customers, max(total, tally.customers))
    tally.sample = [
        replace(m, explanation=wire_explanation(m.explanation, version).model_dump(mode="json"))
        for m in tally.sample
    ]
    return Preview(tally, as_of, version, time.monotonic() - started)
