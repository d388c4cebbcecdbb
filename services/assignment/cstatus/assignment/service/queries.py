"""Read side: a customer's detail, and its restrictions served from this process's memory or Redis
once proven current (rebuilt from PostgreSQL)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.assignment.adapters.restrictions_cache import CachedRestrictions, RestrictionsCache
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.checks import CheckResult, appointment_window_start
from cstatus.assignment.domain.holding import Holding
from cstatus.assignment.domain.restrictions import restrictions_of
from cstatus.assignment.service.assignments import Assignments
from cstatus.assignment.service.batch_publish import APPOINTMENT_HORIZON
from cstatus.platform import caches

__all__ = [
    "LOCAL_ENTRIES",
    "RestrictionsReader",
    "category_names",
    "check_json",
    "customer_detail",
    "held_status",
    "shown_status",
]

LOCAL_ENTRIES = 20_000
"""Restrictions kept in a process's memory (a few hundred bytes each): the customers a counter
or POS asks about again within minutes."""


def shown_status(
    catalogue: Catalogue, category_code: str, status_code: str | None, languages: Sequence[str]
) -> dict[str, Any] | None:
    """How a status is shown: its code, name in the best language asked for, colour, icon and
    how to display them (SPEC §1, Status)."""
    if status_code is None:
        return None
    status = catalogue.status(category_code, status_code)
    return {
        "status_code": status_code,
        "name": status.name_in(languages, catalogue.default_language) if status else status_code,
        "colour": status.colour if status else None,
        "icon_url": status.icon_url if status else None,
        "display_as": status.display_as if status else "name",
    }


def category_names(catalogue: Catalogue, languages: Sequence[str]) -> dict[str, str]:
    return {
        c.code: c.name_in(languages, catalogue.default_language)
        for c in catalogue.active_categories
    }


def held_status(
    catalogue: Catalogue, h: Holding | None, languages: Sequence[str] = ()
) -> dict[str, Any] | None:
    if h is None or h.status_code is None:
        return None
    status = catalogue.status(h.category_code, h.status_code)
    return {
        **(shown_status(catalogue, h.category_code, h.status_code, languages) or {}),
        "system_state": status.system_state if status else None,
        "source": h.source,
        "since": h.since.isoformat(),
        "pinned": h.pinned,
        "pinned_until": h.pinned_until.isoformat() if h.pinned_until else None,
        "reason": h.reason,
        "updated_by": h.updated_by,
        "updated_at": h.updated_at.isoformat(),
        "sequence": h.sequence,
    }


async def customer_detail(
    service: Assignments,
    pool: asyncpg.Pool,
    tenant: str,
    customer: str,
    languages: Sequence[str],
) -> dict[str, Any] | None:
    async with pool.acquire() as conn:
        profile = await service.repo.profile(conn, tenant, customer)
        if profile is None:
            return None
        catalogue = await service.config.load(conn, tenant)
        holdings = await service.repo.holdings(conn, tenant, customer)
    codes = [c.code for c in catalogue.active_categories]
    codes += [c for c in holdings if c not in codes]
    return {
        "customer_id": customer,
        "customer_number": profile.customer_number,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "email": profile.email,
        "phone": profile.phone,
        "active": profile.active,
        "marketing_opt_in": profile.marketing_opt_in,
        "marketing_objected": profile.marketing_objected,
        "marketing_consent": profile.consent.state,
        "tags": list(profile.tags or ()),
        "version": profile.version,
        "categories": category_names(catalogue, languages),
        "statuses": {code: held_status(catalogue, holdings.get(code), languages) for code in codes},
    }


class RestrictionsReader:
    """Always current (SPEC §1 v2, freshness): an entry is served only when its customer and
    configuration versions are the committed ones — one primary-key read of PostgreSQL per check,
    on a pool whose connections are returned without a reset round trip. The entry comes from
    this process's memory (a bounded LRU of `local_entries`, `cstatus_cache_entries{cache=
    "restrictions_local"}`), else from Redis, else it is computed from PostgreSQL and cached in
    both. A stale entry anywhere costs a recomputation, never a wrong answer."""

    def __init__(
        self,
        service: Assignments,
        pool: asyncpg.Pool,
        cache: RestrictionsCache,
        *,
        reads: asyncpg.Pool | None = None,
        local_entries: int = LOCAL_ENTRIES,
    ) -> None:
        self._service = service
        self._pool = pool
        self._reads = reads or pool
        self.cache = cache
        self._local: OrderedDict[tuple[str, str], CachedRestrictions] = OrderedDict()
        self._local_entries = local_entries
        caches.register("restrictions_local", lambda: len(self._local), local_entries)

    async def get(self, tenant: str, customer: str, now: datetime) -> CachedRestrictions:
        committed = await self._service.repo.versions(self._reads, tenant, customer)
        key = (tenant, customer)
        local = self._local.get(key)
        if local is not None and (local.version, local.config_version) == committed:
            self._local.move_to_end(key)
            return local
        cached = await self.cache.get(tenant, customer)
        if cached is not None and (cached.version, cached.config_version) == committed:
            self._remember(key, cached)
            return cached
        entry = await self._compute(tenant, customer, now)
        if entry.version > 0:  # a customer never seen is not worth keeping
            self._remember(key, entry)
        return entry

    def _remember(self, key: tuple[str, str], entry: CachedRestrictions) -> None:
        self._local[key] = entry
        self._local.move_to_end(key)
        while len(self._local) > self._local_entries:
            self._local.popitem(last=False)

    async def _compute(self, tenant: str, customer: str, now: datetime) -> CachedRestrictions:
        s = self._service
        async with self._pool.acquire() as conn:
            catalogue = await s.config.load(conn, tenant)
            profile = await s.repo.profile(conn, tenant, customer)
            if profile is None:  # never seen: what its default statuses would give
                defaults = {
                    c.code: Holding(c.code, d.code, "system", now, "assignment", now, 0)
                    for c in catalogue.active_categories
                    if (d := c.default_status) is not None
                }
                return CachedRestrictions(
                    0, restrictions_of(catalogue, defaults), (), catalogue.version
                )
            holdings = await s.repo.holdings(conn, tenant, customer)
            restrictions = restrictions_of(catalogue, holdings, profile.consent)
            since = appointment_window_start(restrictions.max_appointments, now.date())
            appointments = await s.repo.appointments(
                conn, tenant, customer, since - APPOINTMENT_HORIZON
            )
        entry = CachedRestrictions(
            profile.version, restrictions, tuple(appointments), catalogue.version
        )
        await self.cache.put(tenant, customer, entry)
        return entry

    async def usual_staff(self, tenant: str, customer: str) -> str | None:
        """Read from PostgreSQL when asked (only for a status with a staff change warning), so
        a booking naming a new staff member counts at once."""
        return await self._service.repo.usual_staff(self._pool, tenant, customer)


def check_json(result: CheckResult) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "allowed": result.allowed,
        "must_prepay": result.must_prepay,
        "reasons": [
            {"category_code": r.category_code, "status_code": r.status_code, "rule": r.rule}
            for r in result.reasons
        ],
        "warnings": [
            {
                "category_code": w.category_code,
                "status_code": w.status_code,
                "rule": w.rule,
                "usual_staff_id": w.usual_staff_id,
            }
            for w in result.warnings
        ],
    }
    if result.consent is not None:
        answer["consent"] = result.consent
    return answer
