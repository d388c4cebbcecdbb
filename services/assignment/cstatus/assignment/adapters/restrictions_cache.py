"""Precomputed restrictions in Redis, one hash per customer: `v` (customer version), `c`
(configuration version) and `j` (JSON).

A write only replaces an older entry (a Lua script compares the customer version, then the
configuration version), so writers racing after their commits leave the newest state behind.
Redis is a cache: every error is logged and answered with None/False, and the caller falls back
to PostgreSQL. A reader never trusts an entry by itself: it compares both versions with the
committed ones (`RestrictionsReader`), so a lost write, a crash before the write, a flush or a
restore from an older snapshot costs a recomputation, never a wrong answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from cstatus.assignment.domain.catalogue import AppointmentLimit
from cstatus.assignment.domain.restrictions import Reason, Restrictions
from cstatus.platform import caches

__all__ = ["CachedRestrictions", "RestrictionsCache", "restrictions_from_json", "restrictions_json"]

log = logging.getLogger(__name__)

TTL_S = 7 * 24 * 3600

_WRITE_NEWER = """
local current = redis.call('HMGET', KEYS[1], 'v', 'c')
if current[1] then
  local v, c = tonumber(current[1]), tonumber(current[2] or '-1')
  local nv, nc = tonumber(ARGV[1]), tonumber(ARGV[4])
  if v > nv or (v == nv and c >= nc) then return 0 end
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'c', ARGV[4], 'j', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


@dataclass(frozen=True, slots=True)
class CachedRestrictions:
    version: int
    restrictions: Restrictions
    appointments: tuple[date, ...]
    config_version: int = 0
    """The version of the tenant's configuration the restrictions were computed with."""


def restrictions_json(r: Restrictions) -> dict[str, Any]:
    limit = r.max_appointments
    return {
        "can_transact": r.can_transact,
        "can_redeem": r.can_redeem,
        "can_book_online": r.can_book_online,
        "can_book": r.can_book,
        "must_prepay_online": r.must_prepay_online,
        "transactions_are_outliers": r.transactions_are_outliers,
        "exclude_from_reports": r.exclude_from_reports,
        "staff_change_warning": r.staff_change_warning,
        "marketing_allowed": r.marketing_allowed,
        "marketing_consent": r.marketing_consent,
        "max_appointments": (
            {"count": limit.count, "period_days": limit.period_days} if limit else None
        ),
        "allowed_service_codes": (
            sorted(r.allowed_service_codes) if r.allowed_service_codes is not None else None
        ),
        "reasons": [
            {"category_code": x.category_code, "status_code": x.status_code, "rule": x.rule}
            for x in r.reasons
        ],
    }


def restrictions_from_json(d: dict[str, Any]) -> Restrictions:
    limit = d.get("max_appointments")
    services = d.get("allowed_service_codes")
    return Restrictions(
        can_transact=d["can_transact"],
        can_redeem=d["can_redeem"],
        can_book_online=d["can_book_online"],
        can_book=d["can_book"],
        must_prepay_online=d["must_prepay_online"],
        transactions_are_outliers=d["transactions_are_outliers"],
        exclude_from_reports=d["exclude_from_reports"],
        staff_change_warning=d["staff_change_warning"],
        marketing_allowed=d["marketing_allowed"],
        marketing_consent=d.get("marketing_consent", "none"),
        max_appointments=AppointmentLimit(count=limit["count"], period_days=limit["period_days"])
        if limit
        else None,
        allowed_service_codes=frozenset(services) if services is not None else None,
        reasons=tuple(Reason(**x) for x in d["reasons"]),
    )


class RestrictionsCache:
    def __init__(self, client: aioredis.Redis, namespace: str) -> None:
        self._client = client
        self._namespace = namespace
        self._write = client.register_script(_WRITE_NEWER)

    def key(self, tenant: str, customer: str) -> str:
        return f"cstatus:{self._namespace}:restrictions:{tenant}:{customer}"

    async def get(self, tenant: str, customer: str) -> CachedRestrictions | None:
        try:
            raw = await self._client.hget(self.key(tenant, customer), "j")
        except (RedisError, OSError) as error:
            log.warning("restrictions cache unavailable, reading PostgreSQL: %r", error)
            return None
        if raw is None:
            return None
        d = json.loads(raw)
        return CachedRestrictions(
            version=d["version"],
            restrictions=restrictions_from_json(d["restrictions"]),
            appointments=tuple(date.fromisoformat(a) for a in d["appointments"]),
            config_version=d.get("config_version", -1),
        )

    async def put(self, tenant: str, customer: str, entry: CachedRestrictions) -> bool:
        try:
            written = await self._write(
                keys=[self.key(tenant, customer)],
                args=[entry.version, _payload(entry), TTL_S, entry.config_version],
            )
        except (RedisError, OSError) as error:
            log.warning("restrictions cache not written: %r", error)
            return False
        return bool(written)

    async def put_many(self, entries: Mapping[tuple[str, str], CachedRestrictions]) -> None:
        """Write (tenant, customer) → entry for many customers in one pipelined round trip."""
        if not entries:
            return
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for (tenant, customer), entry in entries.items():
                    await self._write(
                        keys=[self.key(tenant, customer)],
                        args=[entry.version, _payload(entry), TTL_S, entry.config_version],
                        client=pipe,
                    )
                await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("restrictions cache not written: %r", error)


@lru_cache(maxsize=1024)
def _restrictions_text(r: Restrictions) -> str:
    """Encoded once per distinct set of restrictions (most customers share a few)."""
    return json.dumps(restrictions_json(r))


def _payload(entry: CachedRestrictions) -> str:
    appointments = json.dumps([a.isoformat() for a in entry.appointments])
    restrictions = _restrictions_text(entry.restrictions)
    return (
        f'{{"version": {entry.version}, "config_version": {entry.config_version},'
        f' "restrictions": {restrictions}, "appointments": {appointments}}}'
    )


caches.register_lru("restrictions_texts", _restrictions_text)
