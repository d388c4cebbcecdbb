"""Shared fixtures: the real Kafka, PostgreSQL and Redis that integration tests talk to.

Where the endpoints come from, in order:
1. `CSTATUS_TEST_STACK=containers` and a Docker engine: testcontainers starts all three;
2. the `CSTATUS_KAFKA_BOOTSTRAP`, `CSTATUS_PG_DSN`, `CSTATUS_REDIS_URL` variables (or their defaults
   on 127.0.0.1) when something answers there;
3. otherwise `deploy/local/stack.sh up` starts the local stack (Kafka from its jars, PostgreSQL and
   Redis from the OS packages).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from cstatus.platform.kafka.topics import ensure_topics

ROOT = Path(__file__).resolve().parent.parent

# Settings built by in-process tests accept the public development secret only because this says
# the environment is a test one (services refuse it when CSTATUS_ENV is unset).
os.environ.setdefault("CSTATUS_ENV", "test")


@dataclass(frozen=True)
class Stack:
    kafka_bootstrap: str
    pg_dsn: str
    redis_url: str

    def env(self) -> dict[str, str]:
        return {
            "CSTATUS_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "CSTATUS_PG_DSN": self.pg_dsn,
            "CSTATUS_REDIS_URL": self.redis_url,
        }


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _containers(stack: ExitStack) -> Stack:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer
    from testcontainers.redis import RedisContainer

    kafka = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft())
    pg = stack.enter_context(PostgresContainer("postgres:15", driver=None))
    rd = stack.enter_context(RedisContainer("redis:7"))
    return Stack(
        kafka_bootstrap=kafka.get_bootstrap_server(),
        pg_dsn=pg.get_connection_url(),
        redis_url=f"redis://{rd.get_container_host_ip()}:{rd.get_exposed_port(6379)}/0",
    )


def _local() -> Stack:
    stack = Stack(
        kafka_bootstrap=os.environ.get("CSTATUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        pg_dsn=os.environ.get(
            "CSTATUS_PG_DSN", "postgresql://cstatus:cstatus@127.0.0.1:5432/cstatus"
        ),
        redis_url=os.environ.get("CSTATUS_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    kafka_host, _, kafka_port = stack.kafka_bootstrap.split(",")[0].rpartition(":")
    pg, rd = urlparse(stack.pg_dsn), urlparse(stack.redis_url)
    endpoints = [
        (kafka_host, int(kafka_port)),
        (pg.hostname or "127.0.0.1", pg.port or 5432),
        (rd.hostname or "127.0.0.1", rd.port or 6379),
    ]
    if not all(_answers(h, p) for h, p in endpoints):
        subprocess.run(["bash", str(ROOT / "deploy/local/stack.sh"), "up"], check=True)
    return stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with ExitStack() as resources:
        if os.environ.get("CSTATUS_TEST_STACK") == "containers":
            found = _containers(resources)
            asyncio.run(ensure_topics(found.kafka_bootstrap))
        else:
            found = _local()
        yield found


@pytest.fixture(scope="session")
async def pg_pool(stack: Stack) -> AsyncIterator[asyncpg.Pool]:
    pool: asyncpg.Pool = await asyncpg.create_pool(stack.pg_dsn, min_size=1, max_size=10)
    yield pool
    await pool.close()


@pytest.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    await pg_pool.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
async def redis_client(stack: Stack) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(stack.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def new_topic(stack: Stack) -> AsyncIterator[Any]:
    """`await new_topic(partitions=3)` → the name of a new topic (and its `.dlq`), deleted after."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    made: list[str] = []

    async def make(partitions: int = 1, *, with_dlq: bool = True) -> str:
        name = f"test.{uuid.uuid4().hex[:10]}"
        names = [name, f"{name}.dlq"] if with_dlq else [name]
        await admin.create_topics(
            [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names]
        )
        made.extend(names)
        return name

    yield make
    if made:
        await admin.delete_topics(made)
    await admin.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The reliability scenarios restart PostgreSQL and kill processes: they run last, so no
    other test shares a session-wide connection with their faults."""
    items.sort(key=lambda item: item.get_closest_marker("reliability") is not None)
