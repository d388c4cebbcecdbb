"""Handlers that change a customer: each runs on the caller's connection, inside its transaction.

Every handler takes the customer's row lock first, gives a customer seen for the first time (or a
category it holds nothing in yet) the category's default status, judges the request with the
domain guards, and writes the new holding, the change log row and the outbox messages (change,
snapshot, or rejection) together. Cache writes are collected in `AfterCommit`, for the caller to
apply once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from cstatus.assignment.adapters.config_store import ConfigStore
from cstatus.assignment.adapters.customer_repository import CustomerRepository, Profile
from cstatus.assignment.adapters.restrictions_cache import CachedRestrictions, RestrictionsCache
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.guards import (
    Applied,
    Decision,
    Refused,
    Unchanged,
    decide,
    default_holding,
    expire_pin,
)
from cstatus.assignment.domain.holding import ChangeRequest, Holding
from cstatus.assignment.domain.restrictions import Restrictions, combine
from cstatus.assignment.service import publish
from cstatus.platform.db.outbox import OutboxMessage, enqueue

__all__ = ["ACTOR", "AfterCommit", "Assignments", "CustomerState"]

ACTOR = "assignment"
APPOINTMENT_HORIZON = timedelta(days=1)
"""Appointments older than this are left out of the cached entry (they no longer count)."""


@dataclass(slots=True)
class AfterCommit:
    """Cache entries to write once the transaction that computed them has committed."""

    entries: dict[tuple[str, str], CachedRestrictions] = field(default_factory=dict)
    catalogues: dict[str, Catalogue] = field(default_factory=dict)
    """Configurations read in this transaction (a configuration event in it drops its tenant's)."""

    def add(self, tenant: str, customer: str, entry: CachedRestrictions) -> None:
        key = (tenant, customer)
        known = self.entries.get(key)
        if known is None or known.version < entry.version:
            self.entries[key] = entry

    async def flush(self, cache: RestrictionsCache) -> None:
        for (tenant, customer), entry in self.entries.items():
            await cache.put(tenant, customer, entry)
        self.entries.clear()


@dataclass(slots=True)
class CustomerState:
    """A locked customer: its configuration, profile and holdings, as the transaction sees them."""

    tenant: str
    customer: str
    catalogue: Catalogue
    profile: Profile
    holdings: dict[str, Holding]
    changed: bool = False
    messages: list[OutboxMessage] = field(default_factory=list)
    """Changes to publish with the snapshot, in one outbox write."""


def restrictions_of(
    catalogue: Catalogue, holdings: dict[str, Holding], marketing_opt_in: bool | None
) -> Restrictions:
    held = [
        (code, status)
        for code, h in holdings.items()
        if (status := catalogue.status(code, h.status_code)) is not None
    ]
    return combine(held, marketing_opt_in=marketing_opt_in)


def _outcome(decision: Decision) -> dict[str, Any]:
    if isinstance(decision, Refused):
        return {"result": "refused", "code": decision.code, "message": decision.message}
    if isinstance(decision, Applied):
        return {"result": "applied", "sequence": decision.holding.sequence}
    return {"result": "unchanged"}


class Assignments:
    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.repo = CustomerRepository(schema)
        self.config = ConfigStore(schema)

    async def _enqueue(self, conn: asyncpg.Connection, *messages: OutboxMessage) -> None:
        await enqueue(conn, self.schema, list(messages))

    async def _record(
        self,
        conn: asyncpg.Connection,
        state: CustomerState,
        changes: Sequence[tuple[Applied, str, Mapping[str, Any] | None]],
    ) -> None:
        """Write each (applied change, ref id, explanation) and queue its change event."""
        if not changes:
            return
        rows = []
        for applied, ref_id, explanation in changes:
            h = applied.holding
            ident = publish.change_id(state.tenant, state.customer, h.category_code, h.sequence)
            rows.append((ident, applied.previous, h, ref_id))
            state.messages.append(
                publish.change_message(
                    state.tenant, state.customer, state.catalogue, applied.previous, h, explanation
                )
            )
            state.holdings[h.category_code] = h
        await self.repo.save_changes(conn, state.tenant, state.customer, rows)
        state.changed = True

    async def catalogue(
        self, conn: asyncpg.Connection, tenant: str, after: AfterCommit
    ) -> Catalogue:
        found = after.catalogues.get(tenant)
        if found is None:
            found = after.catalogues[tenant] = await self.config.load(conn, tenant)
        return found

    async def open(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        now: datetime,
        after: AfterCommit,
    ) -> CustomerState:
        """Lock the customer (adding it if unknown) and give it every missing default status."""
        profile, _ = await self.repo.lock(conn, tenant, customer)
        catalogue = await self.catalogue(conn, tenant, after)
        holdings = await self.repo.holdings(conn, tenant, customer)
        state = CustomerState(tenant, customer, catalogue, profile, holdings)
        defaults = [
            (decision, "default", {"rule": "default"})
            for category in catalogue.active_categories
            if category.code not in holdings
            and isinstance(
                decision := default_holding(category, now, actor=ACTOR, ref_id="default"), Applied
            )
        ]
        await self._record(conn, state, defaults)
        return state

    async def close(
        self,
        conn: asyncpg.Connection,
        state: CustomerState,
        now: datetime,
        after: AfterCommit,
        *,
        snapshot: bool = True,
    ) -> None:
        """Bump the customer's version; publish its snapshot and queue its cache entry."""
        profile, appointments = await self.repo.bump_version(
            conn, state.tenant, state.customer, (now - APPOINTMENT_HORIZON).date()
        )
        version = profile.version
        restrictions = restrictions_of(state.catalogue, state.holdings, profile.marketing_opt_in)
        if snapshot:
            state.messages.append(
                publish.snapshot_message(
                    state.tenant,
                    state.customer,
                    state.catalogue,
                    state.holdings,
                    restrictions,
                    version,
                    now,
                )
            )
        await self._enqueue(conn, *state.messages)
        state.messages.clear()
        after.add(
            state.tenant,
            state.customer,
            CachedRestrictions(version, restrictions, tuple(appointments)),
        )

    async def change(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        request: ChangeRequest,
        now: datetime,
        after: AfterCommit,
        *,
        publish_rejection: bool,
    ) -> Decision:
        """Judge and apply one change request, once per `request.ref_id`."""
        state = await self.open(conn, tenant, customer, now, after)
        current = state.holdings.get(request.category_code)
        decision = decide(state.catalogue, current, request, now)
        earlier = await self.repo.claim_ref(conn, tenant, request.ref_id, _outcome(decision))
        if earlier is not None:  # judged before: answer as then, change nothing
            decision = (
                Refused(earlier["code"], earlier["message"])
                if earlier["result"] == "refused"
                else Unchanged(current)
            )
        elif isinstance(decision, Applied):
            await self._record(conn, state, [(decision, request.ref_id, request.explanation)])
        elif isinstance(decision, Refused) and publish_rejection:
            await self._enqueue(
                conn,
                publish.rejection_message(
                    tenant,
                    customer,
                    ref_id=request.ref_id,
                    category_code=request.category_code,
                    status_code=request.status_code,
                    reason_code=decision.code,
                    message=decision.message,
                    now=now,
                ),
            )
        if state.changed:
            await self.close(conn, state, now, after)
        return decision

    async def expire_pin(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        category_code: str,
        now: datetime,
        after: AfterCommit,
    ) -> Decision:
        """Clear a pin whose `until` has passed and announce it, so automation resumes."""
        state = await self.open(conn, tenant, customer, now, after)
        current = state.holdings.get(category_code)
        decision: Decision = (
            expire_pin(current, now, actor=ACTOR) if current is not None else Unchanged(None)
        )
        if isinstance(decision, Applied):
            ref_id = f"pin-expiry/{category_code}/{decision.holding.sequence}"
            await self._record(conn, state, [(decision, ref_id, {"rule": "pin_expired"})])
        if state.changed:
            await self.close(conn, state, now, after)
        return decision
