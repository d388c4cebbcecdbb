"""Redis as the sliding-window store of velocity points, one sorted set per (tenant, customer,
metric): score = event time in ms, member = JSON `[event id, business id, value]`.

A set is *complete* when it holds the sentinel member `#complete` (score +inf): it was filled
from the stored activity once, and every batch since added its points. A set without it (Redis
flushed, key evicted or expired, a write that failed) is refilled from the activity. The key
names the tenant's velocity **epoch** (PostgreSQL `velocity_epochs`, bumped in the batch's
transaction when a write to Redis failed, so no replica trusts a set that missed points) and the
tenant's velocity horizon in minutes (sets are trimmed to it, so a longer horizon needs new sets):

    cstatus:rules:{tenant}:vel:{epoch}:{horizon}:{metric}:{customer}

Every Redis call is bounded by a timeout; errors raise `WindowUnavailable` and the caller falls
back to the activity in PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import asyncpg
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from cstatus.rules_engine.domain.velocity import VelocityPoint

__all__ = ["RedisVelocityWindow", "WindowKey", "WindowUnavailable", "bump_epochs", "load_epochs"]

COMPLETE = "#complete"
_T = TypeVar("_T")


class WindowUnavailable(Exception):
    """Redis did not answer in time or failed: use the activity in PostgreSQL instead."""


@dataclass(frozen=True, slots=True, order=True)
class WindowKey:
    tenant: str
    epoch: int
    horizon_minutes: int
    metric: str
    customer: str

    @property
    def name(self) -> str:
        return (
            f"cstatus:rules:{self.tenant}:vel:{self.epoch}:{self.horizon_minutes}"
            f":{self.metric}:{self.customer}"
        )


async def load_epochs(conn: asyncpg.Connection, tenants: Iterable[str]) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT tenant, epoch FROM velocity_epochs WHERE tenant = ANY($1::text[])",
        sorted(set(tenants)),
    )
    found = {r["tenant"]: r["epoch"] for r in rows}
    return {t: found.get(t, 0) for t in tenants}


async def bump_epochs(conn: asyncpg.Connection, tenants: Iterable[str]) -> None:
    """Make every window of these tenants incomplete (their Redis sets missed some points)."""
    await conn.execute(
        "INSERT INTO velocity_epochs (tenant, epoch) SELECT t, 1 FROM unnest($1::text[]) AS t"
        " ON CONFLICT (tenant) DO UPDATE SET epoch = velocity_epochs.epoch + 1",
        sorted(set(tenants)),
    )


def _ms(time: datetime) -> int:
    return int(time.timestamp() * 1000)


def _member(point: VelocityPoint) -> str:
    return json.dumps([point.event_id, point.ref, str(point.value)], separators=(",", ":"))


def _point(member: bytes | str, score: float) -> VelocityPoint:
    event_id, ref, value = json.loads(member)
    time = datetime.fromtimestamp(score / 1000, UTC)
    return VelocityPoint(time, ref, event_id, Decimal(value))


_SCRIPT = """
local writes = tonumber(ARGV[1])
local at = 2
for i = 1, writes do
    local count, ttl, cutoff = tonumber(ARGV[at]), ARGV[at + 1], ARGV[at + 2]
    at = at + 3
    for first = 0, count - 1, 200 do
        local last = math.min(count, first + 200) - 1
        redis.call('ZADD', KEYS[i], unpack(ARGV, at + 2 * first, at + 2 * last + 1))
    end
    at = at + 2 * count
    if cutoff ~= '' then
        redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. cutoff)
    end
    redis.call('EXPIRE', KEYS[i], ttl)
end
local found = {}
for i = writes + 1, #KEYS do
    found[#found + 1] = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES')
end
return found
"""
"""Writes (ZADD, trim, EXPIRE per key), then reads (ZRANGE per key), in ONE call per batch: a
pipeline of four commands per customer costs far more in the client than in Redis."""


class RedisVelocityWindow:
    def __init__(
        self, redis: Callable[[], aioredis.Redis], *, ttl_s: int, timeout_s: float
    ) -> None:
        self._redis = redis
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s
        self._script: tuple[aioredis.Redis, Any] | None = None

    async def _bounded(self, call: Callable[[], Awaitable[_T]]) -> _T:
        try:
            return await asyncio.wait_for(call(), self._timeout_s)
        except (RedisError, OSError, TimeoutError) as error:
            raise WindowUnavailable(repr(error)) from error

    def _write_args(
        self, key: WindowKey, points: Sequence[VelocityPoint], *, complete: bool
    ) -> list[str | int]:
        members: list[str | int] = []
        for p in points:
            members += [_ms(p.time), _member(p)]
        if complete:
            members += ["+inf", COMPLETE]
        cutoff: str | int = ""
        if points:
            newest = max(p.time for p in points)
            cutoff = _ms(newest - timedelta(minutes=key.horizon_minutes))
        ttl = max(self._ttl_s, key.horizon_minutes * 60)
        return [len(members) // 2, ttl, cutoff, *members]

    async def _call(
        self,
        writes: Mapping[WindowKey, Sequence[VelocityPoint]],
        reads: Sequence[WindowKey],
        *,
        complete: bool,
    ) -> list[Any]:
        client = self._redis()
        if self._script is None or self._script[0] is not client:
            self._script = (client, client.register_script(_SCRIPT))
        args: list[str | int] = [len(writes)]
        for key, points in writes.items():
            args += self._write_args(key, points, complete=complete)
        keys = [k.name for k in writes] + [k.name for k in reads]
        result: list[Any] = await self._script[1](keys=keys, args=args)
        return result

    async def add_and_load(
        self, writes: Mapping[WindowKey, Sequence[VelocityPoint]], reads: Sequence[WindowKey]
    ) -> dict[WindowKey, list[VelocityPoint] | None]:
        """One call: add a batch's points (trimmed to each key's horizon, TTL renewed), then read
        the windows `reads`; None for a window that is not complete."""
        if not writes and not reads:
            return {}
        answers = await self._bounded(lambda: self._call(writes, reads, complete=False))
        found: dict[WindowKey, list[VelocityPoint] | None] = {}
        for key, flat in zip(reads, answers, strict=True):
            members = flat[0::2]
            if COMPLETE.encode() not in members and COMPLETE not in members:
                found[key] = None
                continue
            found[key] = [
                _point(m, float(s))
                for m, s in zip(members, flat[1::2], strict=True)
                if m not in (COMPLETE, COMPLETE.encode())
            ]
        return found

    async def fill(self, windows: Mapping[WindowKey, Sequence[VelocityPoint]]) -> None:
        """Add all of each window's points and mark it complete (points added meanwhile by
        another batch stay: filling only ever adds)."""
        if windows:
            await self._bounded(lambda: self._call(windows, (), complete=True))
