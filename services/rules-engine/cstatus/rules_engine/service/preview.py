"""Previewing a configuration change (SPEC 1.9) over every customer of a tenant, changing
nothing: one read-only, repeatable-read transaction (one snapshot of the facts), a page of
customers at a time, each read whole (the kinds of events the evaluated rules read) and evaluated
in the categories the proposal changes under both the proposed and the current configuration
(`domain/preview.py` adds it up)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as day_start
from typing import Any

import asyncpg

from cstatus.contracts import configuration as wire
from cstatus.rules_engine.adapters.configuration import tenant_rules
from cstatus.rules_engine.adapters.translate import wire_explanation
from cstatus.rules_engine.domain.evaluate import Explanation, evaluate
from cstatus.rules_engine.domain.facts import fold
from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.preview import (
    Properties,
    ProposalError,
    Tally,
    properties_differ,
    proposed_document,
    status_properties,
)
from cstatus.rules_engine.domain.relevance import types_read
from cstatus.rules_engine.domain.tenant import Held, TenantRules, changed_categories
from cstatus.rules_engine.domain.velocity import points_by_metric
from cstatus.rules_engine.service.preview_pages import pages, read_ahead

__all__ = ["PAGE", "Parallel", "Preview", "ProposalError", "preview"]

log = logging.getLogger(__name__)

PAGE = 2_000
YIELD_EVERY = 250
"""Customers evaluated between two chances for the next page's read to make progress."""
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


@dataclass(frozen=True, slots=True)
class Parallel:
    """How a large preview uses more than one core: `processes` parts of the tenant's
    customers, one evaluated here and the others in spawned processes that read the same
    snapshot (`pg_export_snapshot`), from `split_at` customers on."""

    dsn: str
    schema: str
    processes: int = 2
    split_at: int = 200_000


@dataclass(frozen=True, slots=True)
class _Plan:
    """What every part of a preview evaluates: the proposal laid over the configuration."""

    version: int
    rules_new: TenantRules
    changed: TenantRules | None
    """The current rules of the categories the proposal changes; None: it changes none."""
    defaults: Mapping[str, str | None]
    properties: tuple[Properties, Properties]
    differs: frozenset[tuple[str, str]]
    windows: frozenset[str]
    kinds: frozenset[str] | None
    when: datetime


def _plan(document_json: str, version: int, proposal: Mapping[str, Any], when: datetime) -> _Plan:
    current = wire.TenantConfiguration.model_validate_json(document_json)
    document = current.model_dump(mode="json")
    proposed = wire.TenantConfiguration.model_validate(proposed_document(document, **proposal))
    rules_now, rules_new = tenant_rules(version, current), tenant_rules(version, proposed)
    properties = (status_properties(document), status_properties(proposed.model_dump(mode="json")))
    defaults = {
        c.code: next((s.code for s in c.statuses if s.is_default and not s.archived), None)
        for c in current.categories
        if not c.archived
    }
    # Only the categories the proposal changes are evaluated (under both configurations), as
    # publishing it re-evaluates only those (`changed_categories`); without a proposal that
    # changes one ("who drops a tier by 31 January"), every category, once.
    touched = set(changed_categories(rules_now, rules_new))
    touched |= {c.code for c in rules_now.categories} - {c.code for c in rules_new.categories}
    changed = rules_now.among(touched) if touched else None
    if touched:
        rules_new = rules_new.among(touched)
    evaluated = (*rules_new.categories, *(changed.categories if changed else ()))
    windows = set(rules_new.velocity_windows) | set(changed.velocity_windows if changed else ())
    return _Plan(
        version,
        rules_new,
        changed,
        defaults,
        properties,
        properties_differ(*properties),
        frozenset(windows),
        types_read(evaluated),
        when,
    )


async def _tally(
    conn: asyncpg.Connection,
    tenant: str,
    plan: _Plan,
    *,
    sample: int,
    page_size: int,
    after: str | None = None,
    upto: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Tally:
    """Evaluate the customers after `after` up to `upto` (None: no bound) under the plan."""
    tally = Tally(sample_size=sample)
    rules_new, changed, defaults, when = plan.rules_new, plan.changed, plan.defaults, plan.when
    found = pages(conn, tenant, page_size, plan.kinds, after, upto)
    async for page, holdings, activity in read_ahead(found):
        for n, customer in enumerate(page, start=1):
            events = activity.get(customer, [])
            facts = fold(events)
            points = points_by_metric(plan.windows, events) if plan.windows else None
            mine = holdings.get(customer, {})
            held = {code: default for code, default in defaults.items()}
            held |= {code: h.current.status_code for code, h in mine.items()}
            new = _targets(rules_new, mine, defaults, facts, points, when)
            if changed is None:  # nothing proposed: what moves anyway is what moves
                current_targets = {c: t for c, (t, _) in new.items()}
            else:
                old = _targets(changed, mine, defaults, facts, points, when)
                current_targets = {c: t for c, (t, _) in old.items()}
            tally.add(customer, held, new, current_targets, plan.properties, plan.differs)
            if n % YIELD_EVERY == 0:  # let the next page's rows arrive meanwhile
                await asyncio.sleep(0)
        if progress is not None:
            progress(tally.customers)
    return tally


async def _tally_in_snapshot(
    parallel: Parallel,
    snapshot: str,
    tenant: str,
    inputs: tuple[str, int, Mapping[str, Any], datetime],
    sample: int,
    page_size: int,
    after: str | None,
    upto: str | None,
) -> Tally:
    conn = await asyncpg.connect(
        parallel.dsn, server_settings={"search_path": f"{parallel.schema},public"}
    )
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            await conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            return await _tally(
                conn,
                tenant,
                _plan(*inputs),
                sample=sample,
                page_size=page_size,
                after=after,
                upto=upto,
            )
    finally:
        await conn.close()


def _part(*args: Any) -> Tally:
    """A part of a preview in a spawned process (the arguments of `_tally_in_snapshot`)."""
    return asyncio.run(_tally_in_snapshot(*args))


async def _cuts(conn: asyncpg.Connection, tenant: str, total: int, parts: int) -> list[str]:
    """The last customer id of each part but the last (parts of about equal size)."""
    cuts = []
    for k in range(1, parts):
        cut = await conn.fetchval(
            "SELECT customer FROM customers WHERE tenant = $1 ORDER BY customer OFFSET $2 LIMIT 1",
            tenant,
            k * total // parts - 1,
        )
        cuts.append(cut)
    return cuts


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
    progress: Callable[[int, int, int], None] | None = None,
    parallel: Parallel | None = None,
) -> Preview:
    """Inside the caller's read-only repeatable-read transaction on `conn`. Raises
    `ProposalError` for a proposal that does not fit the configuration, and pydantic's
    `ValidationError` for a proposed configuration that is not valid. `progress(done, total,
    parts)`: customers done of this process's part, and the number of parts."""
    started = time.monotonic()
    row = await conn.fetchrow(
        "SELECT version, document::text AS document FROM configs WHERE tenant = $1", tenant
    )
    if row is None:
        raise ProposalError("tenant", "the rules engine has no configuration of this tenant yet")
    when = max(now, datetime.combine(as_of, day_start(), UTC))
    proposal = {"category": category, "status": status, "rule": rule}
    inputs = (row["document"], row["version"], proposal, when)
    plan = _plan(*inputs)
    total: int = await conn.fetchval("SELECT count(*) FROM customers WHERE tenant = $1", tenant)
    parts = 1
    if parallel is not None and parallel.processes > 1 and total >= parallel.split_at:
        parts = min(parallel.processes, total)
    cuts = await _cuts(conn, tenant, total, parts) if parts > 1 else []
    mine_total = total // parts

    def report(done: int) -> None:
        if progress is not None:
            progress(done, max(mine_total, done), parts)

    own = _tally(
        conn,
        tenant,
        plan,
        sample=sample,
        page_size=page_size,
        upto=cuts[0] if cuts else None,
        progress=report,
    )
    if parts == 1:
        tally = await own
    else:
        snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
        bounds = [*cuts, None]
        loop = asyncio.get_running_loop()
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=parts - 1, mp_context=spawn) as pool:
            others = [
                loop.run_in_executor(
                    pool,
                    _part,
                    parallel,
                    snapshot,
                    tenant,
                    inputs,
                    sample,
                    page_size,
                    bounds[k],
                    bounds[k + 1],
                )
                for k in range(parts - 1)
            ]
            tally = await own
            for found in await asyncio.gather(*others):
                tally.merge(found)
    tally.sample = [
        replace(
            m, explanation=wire_explanation(m.explanation, plan.version).model_dump(mode="json")
        )
        for m in tally.sample
    ]
    return Preview(tally, as_of, plan.version, time.monotonic() - started)
