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


class RedisVelocityWindow:
    def __init__(
        self, redis: Callable[[], aioredis.Redis], *, ttl_s: int, timeout_s: float
    ) -> None:
        self._redis = redis
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s

    async def _bounded(self, call: Callable[[], Awaitable[_T]]) -> _T:
        try:
            return await asyncio.wait_for(call(), self._timeout_s)
        except (RedisError, OSError, TimeoutError) as error:
            raise WindowUnavailable(repr(error)) from error

    def _write(
        self, pipe: Any, key: WindowKey, points: Sequence[VelocityPoint], *, complete: bool
    ) -> None:
        mapping: dict[str, float] = {_member(p): _ms(p.time) for p in points}
        if complete:
            mapping[COMPLETE] = float("inf")
        if mapping:
            pipe.zadd(key.name, mapping)
        if points:
            newest = max(p.time for p in points)
            cutoff = _ms(newest - timedelta(minutes=key.horizon_minutes))
            pipe.zremrangebyscore(key.name, "-inf", f"({cutoff}")
        ttl = max(self._ttl_s, key.horizon_minutes * 60)
        pipe.expire(key.name, ttl)

    async def add_and_load(
        self, writes: Mapping[WindowKey, Sequence[VelocityPoint]], reads: Sequence[WindowKey]
    ) -> dict[WindowKey, list[VelocityPoint] | None]:
        """One pipeline: add a batch's points (trimmed to each key's horizon, TTL renewed), then
        read the windows `reads`; None for a window that is not complete."""

        async def run() -> list[Any]:
            pipe = self._redis().pipeline(transaction=False)
            for key, points in writes.items():
                self._write(pipe, key, points, complete=False)
            for key in reads:
                pipe.zrange(key.name, 0, -1, withscores=True)
            result: list[Any] = await pipe.execute()
            return result

        answers = await self._bounded(run)
        found: dict[WindowKey, list[VelocityPoint] | None] = {}
        for key, members in zip(reads, answers[len(answers) - len(reads) :], strict=True):
            complete = any(m in (COMPLETE, COMPLETE.encode()) for m, _ in members)
            found[key] = (
                [_point(m, s) for m, s in members if m not in (COMPLETE, COMPLETE.encode())]
                if complete
                else None
            )
        return found

    async def fill(self, windows: Mapping[WindowKey, Sequence[VelocityPoint]]) -> None:
        """Add all of each window's points and mark it complete (points added meanwhile by
        another batch stay: filling only ever adds)."""
        if not windows:
            return

        async def run() -> None:
            pipe = self._redis().pipeline(transaction=False)
            for key, points in windows.items():
                self._write(pipe, key, points, complete=True)
            await pipe.execute()

        await self._bounded(run)
