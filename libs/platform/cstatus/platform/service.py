"""The runtime of a service: one FastAPI app whose lifespan runs its Kafka side too.

`ServiceRuntime` is built by a service's `bootstrap.create_app(settings)` — nothing connects until
the app starts. On start it opens the PostgreSQL pool and applies the service's migrations and
connects Redis; the Kafka side (producer, the broker's subscriptions, the outbox relay and the lag
monitor) is attached in the background, tried again until the broker answers — so a service starts
and serves its HTTP API (checks included) while Kafka is down, reporting not ready until it is
attached. On stop it closes everything in reverse order, letting in-flight batches finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import redis.asyncio as aioredis
from aiokafka.structs import ConsumerRecord
from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry, ProcessCollector

from cstatus.platform import caches
from cstatus.platform.caches import CacheCollector
from cstatus.platform.db.pool import create_pool, create_read_pool
from cstatus.platform.db.relay import OutboxRelay
from cstatus.platform.db.retention import INBOX, run_retention
from cstatus.platform.db.schema_setup import await_migrations, migrate_schema
from cstatus.platform.heap import freeze_startup_heap
from cstatus.platform.http.app import service_app
from cstatus.platform.http.auth import Authenticator
from cstatus.platform.http.body_limit import DEFAULT_BODY_LIMIT
from cstatus.platform.http.lean_route import LeanRoute
from cstatus.platform.kafka.adopt import adopt_offsets
from cstatus.platform.kafka.broker import create_broker, subscribe_batch
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.lag import LagMonitor
from cstatus.platform.kafka.producer import KafkaProducer
from cstatus.platform.kafka.subscription import BatchHandler, Subscription
from cstatus.platform.kafka.tolerance import ToleranceCollector
from cstatus.platform.ops_metrics import DeadLetterCollector, GcPauses, OutboxMonitor
from cstatus.platform.settings import RedisSettings, ServiceSettings

__all__ = ["ServiceRuntime", "connect_redis"]

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 10.0
KAFKA_START_TIMEOUT_S = 20.0
KAFKA_START_GRACE_S = 5.0


def connect_redis(settings: RedisSettings) -> aioredis.Redis:
    """A Redis client whose calls fail after `timeout_s` (the caller falls back to PostgreSQL)."""
    return aioredis.Redis.from_url(
        settings.url, socket_timeout=settings.timeout_s, socket_connect_timeout=settings.timeout_s
    )


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        name: str,
        schema: str,
        migrations: Path,
        subscriptions: Sequence[Subscription] = (),
        produces: Sequence[str] = (),
        read_pool: bool = False,
        redis: aioredis.Redis | None = None,
    ) -> None:
        """`redis`: the client the service's adapters were built with (`connect_redis`, which
        connects on first use), so `bootstrap.py` can build them before the runtime; one of its
        own otherwise."""
        self.settings = settings
        self._wants_read_pool = read_pool
        self.name = name
        self.schema = schema
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # process_resident_memory_bytes, CPU, fds
        self.registry.register(ToleranceCollector())
        self.registry.register(CacheCollector())
        self.registry.register(DeadLetterCollector())
        self.registry.register(GcPauses())
        self.outbox = OutboxMonitor(schema, self.registry)
        self.authenticate = Authenticator(settings.auth)
        caches.register(
            "verified_tokens", lambda: self.authenticate.cached, Authenticator.CACHE_SIZE
        )
        self.producer = KafkaProducer(settings.kafka, client_id=name)
        self.broker = create_broker(settings.kafka, client_id=name, registry=self.registry)
        self._migrations = migrations
        self._subscriptions = tuple(subscriptions)
        self._consuming = self._subscriptions if settings.consume else ()
        """The groups this process joins: none in a process that only serves (`consume=false`)."""
        self.produces = tuple(produces)
        """The topics the service publishes to (its AsyncAPI document's send operations)."""
        self._handlers: dict[str, BatchHandler] = {}
        self._pool: asyncpg.Pool | None = None
        self._read_pool: asyncpg.Pool | None = None
        self._redis = redis if redis is not None else connect_redis(settings.redis)
        self._tasks: list[asyncio.Task[None]] = []
        self._background: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = []
        self.relay: OutboxRelay | None = None
        self._kafka_attached = False
        for sub in self._consuming:
            self._subscribe(sub)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name} has not started")
        return self._pool

    @property
    def read_pool(self) -> asyncpg.Pool:
        """The pool of hot single-statement reads (`create_read_pool`), if the service asked
        for one; else the main pool."""
        return self._read_pool if self._read_pool is not None else self.pool

    @property
    def redis(self) -> aioredis.Redis:
        return self._redis

    def _subscribe(self, sub: Subscription) -> None:
        async def dispatch(records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
            await self._handlers[sub.group_id](records)

        subscribe_batch(
            self.broker,
            *sub.topics,
            group_id=self.settings.kafka.group_prefix + sub.group_id,
            handler=dispatch,
            settings=self.settings.kafka,
            max_records=sub.max_records,
        )

    def run_in_background(self, name: str, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run `work()` as a task from start until stop (cancelled then, with the others)."""
        self._background.append((name, work))

    async def start(self) -> None:
        self._pool = await create_pool(self.settings.postgres, schema=self.schema)
        if self.settings.postgres.migrate_on_start:
            role = await self._pool.fetchval("SELECT current_user")
            await migrate_schema(self.settings.postgres, self.schema, self._migrations, role=role)
        else:
            await await_migrations(self._pool, self.schema, self._migrations)
        if self._wants_read_pool:
            self._read_pool = await create_read_pool(self.settings.postgres, schema=self.schema)
        for sub in self._consuming:
            dead_letters = DeadLetters(group=sub.group_id, outbox=(self._pool, self.schema))
            handler = sub.build(self, dead_letters)
            self._handlers[sub.group_id] = self.settings.tenants.narrow(handler)
        for name, work in self._background:
            self._tasks.append(asyncio.create_task(work(), name=f"{self.name}-{name}"))
        self._tasks.append(
            asyncio.create_task(self.outbox.run(self._pool), name=f"{self.name}-outbox-monitor")
        )
        keep = timedelta(days=self.settings.postgres.inbox_retention_days)
        self._tasks.append(
            asyncio.create_task(
                run_retention(self._pool, self.schema, {INBOX: keep}), name=f"{self.name}-retention"
            )
        )
        frozen = freeze_startup_heap()
        log.info("%d objects of the started process frozen out of garbage collection", frozen)
        attach = asyncio.create_task(self._attach_kafka(), name=f"{self.name}-kafka")
        self._tasks.append(attach)
        # Usually the broker answers at once: start consuming before serving. If it does not,
        # serve without it (checks work from PostgreSQL and Redis) and attach when it is back.
        await asyncio.wait({attach}, timeout=KAFKA_START_GRACE_S)

    async def migrate(self) -> list[str]:
        """Apply the migrations and grants and return the versions applied now: the
        migrations job's work (`python -m cstatus.<service> migrate`), nothing else started."""
        return await migrate_schema(self.settings.postgres, self.schema, self._migrations)

    @property
    def kafka_attached(self) -> bool:
        return self._kafka_attached

    async def _attach_kafka(self, *, first_wait_s: float = 0.5, max_wait_s: float = 10.0) -> None:
        """Start the producer and the subscriptions once the broker answers, then the relay and
        the lag monitor; tried again with back-off for as long as it takes."""
        wait_s = first_wait_s
        while True:
            try:
                # asyncio.timeout, not wait_for, which on 3.11 can drop a cancellation (stop).
                async with asyncio.timeout(KAFKA_START_TIMEOUT_S):
                    await self._adopt_offsets()
                async with asyncio.timeout(KAFKA_START_TIMEOUT_S):
                    await self.producer.start()
                async with asyncio.timeout(KAFKA_START_TIMEOUT_S):
                    await self.broker.start()
                break
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("Kafka not reachable yet (%r); serving HTTP, trying again", error)
                await self._detach_kafka()
                await asyncio.sleep(wait_s)
                wait_s = min(max_wait_s, wait_s * 2)
        self._kafka_attached = True
        log.info("Kafka attached: consuming and relaying")
        self._start_kafka_tasks()

    async def _adopt_offsets(self) -> None:
        prefix = self.settings.kafka.group_prefix
        for sub in self._consuming:
            if sub.adopts is not None:
                await adopt_offsets(
                    self.settings.kafka.bootstrap,
                    old=prefix + sub.adopts,
                    new=prefix + sub.group_id,
                    topics=sub.topics,
                )

    async def _detach_kafka(self) -> None:
        for stop in (self.broker.stop, self.producer.stop):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stop(), STOP_TIMEOUT_S)

    def _start_kafka_tasks(self) -> None:
        assert self._pool is not None
        self.relay = OutboxRelay(self._pool, self.schema, self.producer)
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        if self._consuming:
            lag = LagMonitor(
                self.settings.kafka.bootstrap,
                {self.settings.kafka.group_prefix + s.group_id: s.topics for s in self._consuming},
                self.registry,
            )
            self._tasks.append(asyncio.create_task(lag.run(), name=f"{self.name}-lag"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # Bounded: a client stuck in its own shutdown must not keep the process alive.
            _, stuck = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                log.warning("background task %s did not stop in time", task.get_name())
        self._tasks.clear()
        await self._detach_kafka()
        self._kafka_attached = False
        await self._redis.aclose()
        for pool in (self._read_pool, self._pool):
            if pool is None:
                continue
            # Bounded too: close() waits for every acquired connection to come back.
            try:
                async with asyncio.timeout(STOP_TIMEOUT_S):
                    await pool.close()
            except TimeoutError:
                log.warning("PostgreSQL pool did not close in time; terminating its connections")
                pool.terminate()

    async def _check_postgres(self) -> object:
        return await self.pool.fetchval("SELECT 1")

    async def _check_redis(self) -> object:
        return await self.redis.ping()

    async def _check_kafka(self) -> object:
        if not self._kafka_attached:
            raise ConnectionError("not attached to Kafka yet")
        if not self.producer.healthy:
            raise ConnectionError("the producer failed its last send and is being rebuilt")
        if not await self.broker.ping(timeout=1.5):
            raise ConnectionError("broker does not answer")
        return True

    def create_app(
        self,
        *,
        title: str,
        routers: Sequence[APIRouter] = (),
        body_limit: Callable[[str], int] = lambda _path: DEFAULT_BODY_LIMIT,
        lean_routes: Sequence[LeanRoute] = (),
    ) -> FastAPI:
        """The service's HTTP app (`cstatus.platform.http.app.service_app`), whose lifespan
        starts and stops this runtime."""
        return service_app(
            self,
            title=title,
            routers=routers,
            body_limit=body_limit,
            lean_routes=lean_routes,
            checks={
                "postgres": self._check_postgres,
                "redis": self._check_redis,
                "kafka": self._check_kafka,
            },
            receives=sorted({t for s in self._subscriptions for t in s.topics}),
        )
